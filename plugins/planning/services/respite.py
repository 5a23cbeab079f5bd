"""Respijtdagen (domain-rules §2.4): at least 18 a year for a full-time (5 days a week) plan, pro
rata for part-time plans and partial years; the rounding is the organisation's choice. Under the
income-related tariff the 18 are a minimum that cannot be switched off; free-price organisations
may switch respite off or set their own number. Each agreement gets its own entitlement
(co-parenting: two agreements); a child's entitlement is the sum. Use is stored in
planning_respite_use, written by the attendance module through api.py."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from ..models import RespiteUse
from .expansion import VersionSpec, days_per_week
from .types import PlanningError

HALF = Decimal("0.5")
FULL_WEEK = Decimal(5)
LEGAL_MINIMUM = Decimal(18)  # respijtdagen a year for a full-time plan under the income-related tariff


def round_days(value: Decimal, rule: str) -> Decimal:
    """Round a pro-rata number of days by the organisation's rule."""
    if rule == "up_half":
        return (value / HALF).to_integral_value(rounding=ROUND_CEILING) * HALF
    if rule == "down_half":
        return (value / HALF).to_integral_value(rounding=ROUND_FLOOR) * HALF
    if rule == "nearest":
        return value.to_integral_value(rounding=ROUND_HALF_UP)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pro_rata(full_time_days: Decimal | int, versions: Iterable[VersionSpec], plan_start: date,
             plan_end: date | None, year: int, rule: str) -> Decimal:
    """Entitlement of one agreement in ``year``: full-time days × Σ(days a week / 5 × share of the
    year the version covers), rounded. A pure function, property-tested."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days_in_year = Decimal((last - first).days + 1)
    total = Decimal(0)
    for spec in versions:
        lo = max(first, spec.start, plan_start)
        hi = min(x for x in (last, spec.end, plan_end) if x is not None)
        if lo > hi:
            continue
        share = Decimal((hi - lo).days + 1) / days_in_year
        total += Decimal(str(round(days_per_week(spec), 4))) / FULL_WEEK * share
    return round_days(Decimal(full_time_days) * total, rule)


def is_free_price(org) -> bool:
    from core.models import PriceRegime

    return getattr(org, "price_regime", PriceRegime.INKOMENSTARIEF) == PriceRegime.VRIJE_PRIJS


def _settings(ctx) -> tuple[bool, Decimal, str]:
    """(enabled, days for a full-time plan, rounding rule). Under the income-related tariff the
    18 days are a legal minimum (domain-rules §2.4): respite cannot be switched off there and a
    lower number is raised to 18. Free-price organisations follow their own settings."""
    org = ctx.org
    enabled = bool(ctx.setting("planning.respite_enabled"))
    full_time = Decimal(str(ctx.setting("planning.respite_days_full_time")))
    if not is_free_price(org):
        enabled, full_time = True, max(full_time, LEGAL_MINIMUM)
    return enabled, max(full_time, Decimal(0)), str(ctx.setting("planning.respite_rounding"))


def entitlements(ctx, child_id: int, year: int) -> dict[int, Decimal]:
    """Per agreement (care plan id) of the child: its own entitlement in ``year`` (co-parenting:
    each household's agreement has its share). Agreements not running in ``year`` are left out."""
    from .reservations import load_plans

    enabled, full_time, rule = _settings(ctx)
    plans = load_plans(ctx, date(year, 1, 1), date(year, 12, 31), child_ids=[child_id])
    return {p.id: pro_rata(full_time, p.versions, p.start, p.end, year, rule) if enabled else Decimal(0)
            for p in plans}


def entitlement(ctx, child_id: int, year: int) -> Decimal:
    return sum(entitlements(ctx, child_id, year).values(), Decimal(0))


def used(ctx, child_id: int, year: int) -> Decimal:
    session = ctx.session
    org = ctx.org
    value = session.scalar(select(func.coalesce(func.sum(RespiteUse.amount), 0)).where(
        RespiteUse.organisation_id == org.id, RespiteUse.child_id == child_id, RespiteUse.year == year))
    return Decimal(str(value or 0))


def balance(ctx, child_id: int, year: int) -> Decimal:
    return entitlement(ctx, child_id, year) - used(ctx, child_id, year)


def use_day(ctx, child_id: int, day: date, amount: Decimal = Decimal(1)) -> bool:
    """Book a respijtdag; False (nothing written) when respite is off or the balance is too small.
    Idempotent: a day already booked returns True."""
    session = ctx.session
    org = ctx.org
    amount = Decimal(str(amount))
    if amount not in (HALF, Decimal(1)):
        raise PlanningError("Een respijtdag is een hele of een halve dag.")
    existing = session.scalar(select(RespiteUse).where(
        RespiteUse.organisation_id == org.id, RespiteUse.child_id == child_id, RespiteUse.day == day))
    if existing is not None:
        return True
    if not _settings(ctx)[0]:
        return False
    if balance(ctx, child_id, day.year) < amount:
        return False
    session.add(RespiteUse(organisation_id=org.id, child_id=child_id, day=day, year=day.year, amount=amount))
    session.flush()
    return True


def release_day(ctx, child_id: int, day: date) -> None:
    session = ctx.session
    org = ctx.org
    row = session.scalar(select(RespiteUse).where(
        RespiteUse.organisation_id == org.id, RespiteUse.child_id == child_id, RespiteUse.day == day))
    if row is not None:
        session.delete(row)
        session.flush()
