"""Respijtdagen (domain-rules §2.4): at least 18 a year for a full-time (5 days a week) plan, pro
rata for part-time plans and partial years; the rounding is the organisation's choice. Under the
income-related tariff the 18 are a minimum that cannot be switched off; free-price organisations
may switch respite off or set their own number. Each agreement gets its own entitlement
(co-parenting: two agreements); a child's entitlement is the sum. A day is used only where the
child's agreement reserves care and the location is not closed (nothing to excuse otherwise), and
it is taken from that agreement's own balance: under co-parenting one household never uses the
other's days. Use is stored in planning_respite_use, written by the attendance module through
api.py."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from flask import has_request_context
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from ..models import RespiteUse
from .expansion import VersionSpec, days_per_week
from .types import PlanningError

HALF = Decimal("0.5")
FULL_WEEK = Decimal(5)
LEGAL_MINIMUM = Decimal(18)  # respijtdagen a year for a full-time plan under the income-related tariff


def _(message: str, locale: str | None = None, **values) -> str:
    """gettext in the context's language; outside a request (jobs, tests) in ``locale`` or Dutch."""
    if locale is None and has_request_context():
        return gettext(message, **values)
    with force_locale(locale or "nl"):
        return gettext(message, **values)


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
    return {p.id: pro_rata(full_time, p.versions, p.start, p.end, year, rule)
            if enabled and not p.own_child else Decimal(0) for p in plans}


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


@dataclass(frozen=True)
class AgreementRespite:
    """The respite of one agreement (care plan) in one year: what the staff page and the invoice
    show to the household that signed it."""

    care_plan_id: int
    family_id: int | None
    location_id: int
    year: int
    entitled: Decimal
    used: Decimal

    @property
    def balance(self) -> Decimal:
        return self.entitled - self.used


@dataclass(frozen=True)
class RespiteOutcome:
    """What happened to a request to use a respijtdag. ``reason``: booked, already_booked,
    closing_day, not_reserved, exhausted, off. ``message`` says it in the user's language."""

    booked: bool
    reason: str
    care_plan_id: int | None = None
    message: str = ""


def used_per_agreement(ctx, child_id: int, year: int) -> dict[int | None, Decimal]:
    session = ctx.session
    org = ctx.org
    rows = session.execute(select(RespiteUse.care_plan_id, func.sum(RespiteUse.amount)).where(
        RespiteUse.organisation_id == org.id, RespiteUse.child_id == child_id, RespiteUse.year == year)
        .group_by(RespiteUse.care_plan_id))
    return {plan_id: Decimal(str(total or 0)) for plan_id, total in rows}


def agreement_balances(ctx, child_id: int, year: int) -> list[AgreementRespite]:
    """Per agreement of the child running in ``year``: entitlement, use and balance (one entry
    per household's agreement under co-parenting)."""
    from .reservations import load_plans

    enabled, full_time, rule = _settings(ctx)
    plans = load_plans(ctx, date(year, 1, 1), date(year, 12, 31), child_ids=[child_id])
    use = used_per_agreement(ctx, child_id, year)
    return [AgreementRespite(p.id, p.family_id, p.location_id, year,
                             pro_rata(full_time, p.versions, p.start, p.end, year, rule)
                             if enabled and not p.own_child else Decimal(0),
                             use.get(p.id, Decimal(0))) for p in plans]


def agreement_balances_bulk(ctx, child_ids, year: int) -> dict[int, list[AgreementRespite]]:
    """:func:`agreement_balances` for many children at once (billing's monthly proposal): the same
    answer per child, in a fixed number of queries."""
    from .reservations import load_plans

    child_ids = sorted(set(child_ids))
    if not child_ids:
        return {}
    enabled, full_time, rule = _settings(ctx)
    plans = load_plans(ctx, date(year, 1, 1), date(year, 12, 31), child_ids=child_ids)
    use: dict[tuple[int, int | None], Decimal] = {}
    for child_id, plan_id, total in ctx.session.execute(
            select(RespiteUse.child_id, RespiteUse.care_plan_id, func.sum(RespiteUse.amount)).where(
                RespiteUse.organisation_id == ctx.org.id, RespiteUse.child_id.in_(child_ids),
                RespiteUse.year == year).group_by(RespiteUse.child_id, RespiteUse.care_plan_id)):
        use[(child_id, plan_id)] = Decimal(str(total or 0))
    result: dict[int, list[AgreementRespite]] = {c: [] for c in child_ids}
    for p in plans:
        result.setdefault(p.child_id, []).append(AgreementRespite(
            p.id, p.family_id, p.location_id, year,
            pro_rata(full_time, p.versions, p.start, p.end, year, rule) if enabled and not p.own_child else Decimal(0),
            use.get((p.child_id, p.id), Decimal(0))))
    return result


def _reservation_on(ctx, child_id: int, day: date, location_id: int | None):
    """(reserved care plan id or None, closing reason or None) of the child on ``day``."""
    from .closing_days import closing_calendar
    from .reservations import load_plans, reserved_days

    reserved = reserved_days(ctx, start=day, end=day, child_ids=[child_id], location_id=location_id)
    if reserved:
        return min(r.care_plan_id for r in reserved), None
    locations = {p.location_id for p in load_plans(ctx, day, day, child_ids=[child_id],
                                                   location_ids=None if location_id is None else [location_id])}
    if location_id is not None:
        locations.add(location_id)
    for days in closing_calendar(ctx, locations, day, day).values():
        if day in days:
            return None, days[day].reason
    return None, None


def book(ctx, child_id: int, day: date, amount: Decimal = Decimal(1),
         location_id: int | None = None, locale: str | None = None) -> RespiteOutcome:
    """Use a respijtdag on ``day`` (domain-rules §2.4): only on a day the child's agreement
    reserves (at ``location_id`` when given) and that is not a closing day (§2.7: nothing is
    charged then, so there is nothing to excuse), taken from that agreement's balance of the
    day's calendar year. Writes one row or nothing. Idempotent for a day already booked."""
    session = ctx.session
    org = ctx.org
    amount = Decimal(str(amount))
    if amount not in (HALF, Decimal(1)):
        raise PlanningError("planning.respite_amount")
    existing = session.scalar(select(RespiteUse).where(
        RespiteUse.organisation_id == org.id, RespiteUse.child_id == child_id, RespiteUse.day == day))
    if existing is not None:
        return RespiteOutcome(True, "already_booked", existing.care_plan_id, _("Deze respijtdag was al genomen.", locale))
    plan_id, closed = _reservation_on(ctx, child_id, day, location_id)
    if closed is not None:
        return RespiteOutcome(False, "closing_day", None, _(
            "%(day)s is een sluitingsdag (%(reason)s): er wordt niets aangerekend en geen respijtdag gebruikt.",
            locale, day=day.strftime("%d/%m/%Y"), reason=closed))
    if plan_id is None:
        return RespiteOutcome(False, "not_reserved", None, _(
            "Op %(day)s is geen opvang gereserveerd: er wordt geen respijtdag gebruikt.", locale,
            day=day.strftime("%d/%m/%Y")))
    if not _settings(ctx)[0]:
        return RespiteOutcome(False, "off", plan_id, _("Deze organisatie kent geen respijtdagen toe.", locale))
    mine = next((a for a in agreement_balances(ctx, child_id, day.year) if a.care_plan_id == plan_id), None)
    if mine is None or mine.balance < amount:
        return RespiteOutcome(False, "exhausted", plan_id, _(
            "De respijtdagen van deze overeenkomst voor %(year)s zijn op.", locale, year=day.year))
    session.add(RespiteUse(organisation_id=org.id, child_id=child_id, care_plan_id=plan_id, day=day,
                           year=day.year, amount=amount))
    session.flush()
    return RespiteOutcome(True, "booked", plan_id, _("Respijtdag genomen.", locale))


def use_day(ctx, child_id: int, day: date, amount: Decimal = Decimal(1)) -> bool:
    """Book a respijtdag; False (nothing written) when the day is not reserved, is a closing day,
    respite is off or the agreement's balance is too small. Idempotent: a booked day is True."""
    return book(ctx, child_id, day, amount).booked


def release_day(ctx, child_id: int, day: date) -> None:
    session = ctx.session
    org = ctx.org
    row = session.scalar(select(RespiteUse).where(
        RespiteUse.organisation_id == org.id, RespiteUse.child_id == child_id, RespiteUse.day == day))
    if row is not None:
        session.delete(row)
        session.flush()
