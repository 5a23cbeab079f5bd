"""Tariffs as data with validity periods: attests inkomenstarief per child (and household),
free-price tariff plans with dated prices, a child's plan, co-parenting cost shares and the
extras catalogue. Every write checks first and raises :class:`BillingError` before anything is
written; the caller's unit of work commits."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from core.models import Child, ChildFamily

from ..models import (
    ChildBilling,
    CostShare,
    ExtraItem,
    ExtraUse,
    IncomeTariffAttest,
    LineKind,
    PlanMode,
    TariffPlan,
    TariffPlanPrice,
)
from .errors import BillingError
from .settings import money

KINDCODE = re.compile(r"[0-9]{6}[ -]?[0-9]{3}[ -]?[0-9]{0,2}")


def parse_price(value, field: str = "day_price") -> Decimal:
    """A price in euro from a form or a spreadsheet ("24,50", "24.5", 24.5); never negative."""
    if isinstance(value, Decimal):
        price = value
    else:
        text = str(value if value is not None else "").strip().replace("€", "").replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            price = Decimal(text)
        except InvalidOperation:
            raise BillingError("facturatie.price_invalid", field) from None
    if not price.is_finite():
        raise BillingError("facturatie.price_invalid", field)
    if price < 0:
        raise BillingError("facturatie.price_negative", field)
    if price >= Decimal("100000"):
        raise BillingError("facturatie.price_invalid", field)
    return price.quantize(Decimal("0.0001"))


def parse_date(value, field: str) -> date | None:
    """A date from a form or a spreadsheet (ISO, DD/MM/YYYY or a spreadsheet date); empty: None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise BillingError("facturatie.date_invalid", field)


def valid_kindcode(code: str) -> bool:
    return bool(KINDCODE.fullmatch(code)) and sum(ch.isdigit() for ch in code) in (9, 10, 11)


def _child(ctx, child_id, *, lock: bool = False) -> Child:
    """The organisation's child; ``lock``: the parent row of a check-then-write on its tariffs
    (docs/concurrency.md), locked in a statement of its own before anything is read."""
    try:
        child_id = int(child_id)
    except (TypeError, ValueError):
        raise BillingError("facturatie.child_unknown", "child_id") from None
    stmt = select(Child).where(Child.organisation_id == ctx.org.id, Child.id == child_id)
    child = ctx.session.scalar(stmt.with_for_update() if lock else stmt)
    if child is None:
        raise BillingError("facturatie.child_unknown", "child_id")
    return child


def lock_organisation(ctx) -> None:
    """The parent row of the organisation's tariff plans and extras catalogue (unique names, one
    default plan): locked before they are read (docs/concurrency.md)."""
    from core.models import Organisation

    ctx.session.execute(select(Organisation.id).where(Organisation.id == ctx.org.id).with_for_update())


def attests_of(ctx, child_id: int) -> list[IncomeTariffAttest]:
    """The child's attests, newest first (the history is kept)."""
    return list(ctx.session.scalars(select(IncomeTariffAttest).where(
        IncomeTariffAttest.organisation_id == ctx.org.id, IncomeTariffAttest.child_id == child_id)
        .order_by(IncomeTariffAttest.valid_from.desc(), IncomeTariffAttest.id.desc())))


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def add_attest(ctx, *, child_id, kindcode: str, day_price, valid_from, valid_to=None, ivt: bool = False,
               family_id=None, notes: str = "") -> IncomeTariffAttest:
    """Record an attest inkomenstarief. An open attest of the same household that started
    earlier is closed the day before (a new attest follows the old one, domain-rules §1.2); any
    other overlap is refused. The price may not be negative, nor below the minimum tariff
    without IVT. Two users adding at once: the child's row is locked first, the second waits and
    then sees the first one's attest."""
    child = _child(ctx, child_id, lock=True)
    code = (kindcode or "").strip()
    if not valid_kindcode(code):
        raise BillingError("facturatie.kindcode_invalid", "kindcode")
    price = parse_price(day_price)
    start = parse_date(valid_from, "valid_from")
    if start is None:
        raise BillingError("facturatie.date_invalid", "valid_from")
    end = parse_date(valid_to, "valid_to")
    if end is not None and end < start:
        raise BillingError("facturatie.period_invalid", "valid_to")
    if family_id not in (None, ""):
        family_id = int(family_id)
        linked = ctx.session.scalar(select(ChildFamily.id).where(
            ChildFamily.organisation_id == ctx.org.id, ChildFamily.child_id == child.id,
            ChildFamily.family_id == family_id))
        if linked is None:
            raise BillingError("facturatie.family_unknown", "family_id")
    else:
        family_id = None
    minimum = money(ctx, "facturatie.minimum_tariff")
    if not ivt and price < minimum:
        raise BillingError("facturatie.attest_below_minimum", "day_price", price=f"{price:.2f}",
                           minimum=f"{minimum:.2f}")
    to_close = None
    for other in attests_of(ctx, child.id):
        if other.family_id != family_id or not _overlaps(start, end, other.valid_from, other.valid_to):
            continue
        if other.valid_to is None and other.valid_from < start and to_close is None:
            to_close = other
            continue
        raise BillingError("facturatie.attest_overlap", "valid_from", start=other.valid_from.strftime("%d/%m/%Y"),
                           end=other.valid_to.strftime("%d/%m/%Y") if other.valid_to else "…")
    if to_close is not None:
        to_close.valid_to = start - timedelta(days=1)
    row = IncomeTariffAttest(organisation_id=ctx.org.id, child_id=child.id, family_id=family_id, kindcode=code,
                             day_price=price, valid_from=start, valid_to=end, ivt=bool(ivt),
                             notes=(notes or "")[:500])
    ctx.session.add(row)
    ctx.session.flush()
    return row


def attests_in(ctx, child_ids, start: date, end: date) -> dict[int, list[IncomeTariffAttest]]:
    """The attests overlapping ``start..end`` of the children, per child (one query)."""
    result: dict[int, list[IncomeTariffAttest]] = {}
    child_ids = list(child_ids)
    if not child_ids:
        return result
    for row in ctx.session.scalars(select(IncomeTariffAttest).where(
            IncomeTariffAttest.organisation_id == ctx.org.id, IncomeTariffAttest.child_id.in_(child_ids),
            IncomeTariffAttest.valid_from <= end,
            IncomeTariffAttest.valid_to.is_(None) | (IncomeTariffAttest.valid_to >= start))
            .order_by(IncomeTariffAttest.valid_from)):
        result.setdefault(row.child_id, []).append(row)
    return result


def attest_on(attests: list[IncomeTariffAttest], day: date, family_id: int | None) -> IncomeTariffAttest | None:
    """The attest in force on ``day`` for the household (its own attest first, else the child's)."""
    own = general = None
    for a in attests:
        if a.valid_from <= day and (a.valid_to is None or a.valid_to >= day):
            if a.family_id is not None and a.family_id == family_id:
                own = a
            elif a.family_id is None:
                general = a
    return own or general


def kindcodes(ctx, child_ids, start: date, end: date) -> dict[tuple[int, int | None], str]:
    """For the ``resolve_kindcodes`` hook: the kindcode of the latest attest in the period per
    (child, household)."""
    result: dict[tuple[int, int | None], str] = {}
    for child_id, rows in attests_in(ctx, child_ids, start, end).items():
        for row in rows:  # ordered by valid_from: the latest wins
            result[(child_id, row.family_id)] = row.kindcode
    return result


# --- free-price tariff plans ---------------------------------------------------------------------

def save_plan(ctx, *, name: str, mode: str, is_default: bool = False, sibling_reduction_pct="0",
              plan_id: int | None = None) -> TariffPlan:
    name = (name or "").strip()
    if not name:
        raise BillingError("facturatie.name_required", "name")
    try:
        plan_mode = PlanMode(mode)
    except ValueError:
        raise BillingError("facturatie.plan_mode", "mode") from None
    pct = parse_price(sibling_reduction_pct or "0", "sibling_reduction_pct")
    if pct > 100:
        raise BillingError("facturatie.percent_invalid", "sibling_reduction_pct")
    lock_organisation(ctx)
    plans = list(ctx.session.scalars(select(TariffPlan).where(TariffPlan.organisation_id == ctx.org.id)))
    if any(p.name.lower() == name.lower()[:100] and p.id != plan_id for p in plans):
        raise BillingError("facturatie.name_taken", "name")
    plan = next((p for p in plans if p.id == plan_id), None) if plan_id else None
    if plan is None:
        plan = TariffPlan(organisation_id=ctx.org.id)
        ctx.session.add(plan)
    plan.name, plan.mode, plan.sibling_reduction_pct = name[:100], plan_mode, pct.quantize(Decimal("0.01"))
    plan.is_default = bool(is_default)
    if is_default:
        for other in plans:
            if other is not plan:
                other.is_default = False
    ctx.session.flush()
    return plan


def add_plan_price(ctx, plan: TariffPlan, *, valid_from, full_day="0", half_day="0", hour="0",
                   month_fee="0") -> TariffPlanPrice:
    """Prices of a plan from a date on (indexation): one row per date, never negative."""
    start = parse_date(valid_from, "valid_from")
    if start is None:
        raise BillingError("facturatie.date_invalid", "valid_from")
    values = {f: parse_price(v or "0", f) for f, v in
              (("full_day", full_day), ("half_day", half_day), ("hour", hour), ("month_fee", month_fee))}
    lock_organisation(ctx)
    ctx.session.refresh(plan, ["prices"])
    if any(p.valid_from == start for p in plan.prices):
        raise BillingError("facturatie.plan_price_exists", "valid_from", day=start.strftime("%d/%m/%Y"))
    row = TariffPlanPrice(organisation_id=ctx.org.id, plan_id=plan.id, valid_from=start, **values)
    plan.prices.append(row)
    ctx.session.flush()
    return row


def price_on(plan: TariffPlan | None, day: date) -> TariffPlanPrice | None:
    """The plan's prices in force on ``day`` (the latest row from before or on it)."""
    if plan is None:
        return None
    found = None
    for p in sorted(plan.prices, key=lambda p: p.valid_from):
        if p.valid_from <= day:
            found = p
    return found


def set_child_plan(ctx, child_id, plan_id) -> None:
    """A child's own plan (None: the organisation's default)."""
    child = _child(ctx, child_id, lock=True)
    plan = None
    if plan_id not in (None, ""):
        plan = ctx.session.scalar(select(TariffPlan).where(TariffPlan.organisation_id == ctx.org.id,
                                                           TariffPlan.id == int(plan_id)))
        if plan is None:
            raise BillingError("facturatie.plan_unknown", "tariff_plan_id")
    row = ctx.session.scalar(select(ChildBilling).where(ChildBilling.organisation_id == ctx.org.id,
                                                        ChildBilling.child_id == child.id))
    if row is None:
        row = ChildBilling(organisation_id=ctx.org.id, child_id=child.id)
        ctx.session.add(row)
    row.tariff_plan_id = plan.id if plan else None
    ctx.session.flush()


def set_cost_shares(ctx, child_id, shares: dict[int, object]) -> None:
    """Co-parenting without split days: each household's percentage of the child's days; the
    shares add up to 100, or are all empty (then the care plans decide)."""
    child = _child(ctx, child_id, lock=True)
    families = set(ctx.session.scalars(select(ChildFamily.family_id).where(
        ChildFamily.organisation_id == ctx.org.id, ChildFamily.child_id == child.id)))
    values: dict[int, Decimal] = {}
    for family_id, raw in shares.items():
        if int(family_id) not in families:
            raise BillingError("facturatie.family_unknown", f"share_{family_id}")
        if raw in (None, "", "0"):
            continue
        pct = parse_price(raw, f"share_{family_id}")
        if pct <= 0 or pct > 100:
            raise BillingError("facturatie.percent_invalid", f"share_{family_id}")
        values[int(family_id)] = pct.quantize(Decimal("0.01"))
    total = sum(values.values(), Decimal(0))
    if values and total != 100:
        raise BillingError("facturatie.share_total", "shares", total=f"{total:g}")
    for row in ctx.session.scalars(select(CostShare).where(CostShare.organisation_id == ctx.org.id,
                                                           CostShare.child_id == child.id)):
        ctx.session.delete(row)
    ctx.session.flush()
    for family_id, pct in values.items():
        ctx.session.add(CostShare(organisation_id=ctx.org.id, child_id=child.id, family_id=family_id, percent=pct))
    ctx.session.flush()


# --- extras ---------------------------------------------------------------------------------------

def save_extra(ctx, *, name: str, kind: str, price, per_present_day: bool = False, active: bool = True,
               item_id: int | None = None) -> ExtraItem:
    name = (name or "").strip()
    if not name:
        raise BillingError("facturatie.name_required", "name")
    if kind not in (LineKind.MEALS.value, LineKind.EXTRA.value):
        raise BillingError("facturatie.extra_kind", "kind")
    value = parse_price(price, "price")
    lock_organisation(ctx)
    items = list(ctx.session.scalars(select(ExtraItem).where(ExtraItem.organisation_id == ctx.org.id)))
    if any(i.name.lower() == name.lower()[:100] and i.id != item_id for i in items):
        raise BillingError("facturatie.name_taken", "name")
    item = next((i for i in items if i.id == item_id), None) if item_id else None
    if item is None:
        item = ExtraItem(organisation_id=ctx.org.id)
        ctx.session.add(item)
    item.name, item.kind, item.price = name[:100], LineKind(kind), value
    item.per_present_day, item.active = bool(per_present_day), bool(active)
    ctx.session.flush()
    return item


def record_extra(ctx, *, child_id, item_id, day, quantity=1) -> ExtraUse | None:
    """An extra for a child on a day at the item's current price; quantity 0 removes it."""
    child = _child(ctx, child_id, lock=True)
    item = ctx.session.scalar(select(ExtraItem).where(ExtraItem.organisation_id == ctx.org.id,
                                                      ExtraItem.id == int(item_id or 0)))
    if item is None:
        raise BillingError("facturatie.item_unknown", "item_id")
    the_day = parse_date(day, "day")
    if the_day is None:
        raise BillingError("facturatie.date_invalid", "day")
    try:
        count = int(str(quantity).strip())
    except ValueError:
        raise BillingError("facturatie.quantity_invalid", "quantity") from None
    if count < 0 or count > 100:
        raise BillingError("facturatie.quantity_invalid", "quantity")
    row = ctx.session.scalar(select(ExtraUse).where(ExtraUse.organisation_id == ctx.org.id,
                                                    ExtraUse.child_id == child.id, ExtraUse.day == the_day,
                                                    ExtraUse.item_id == item.id))
    if count == 0:
        if row is not None:
            ctx.session.delete(row)
            ctx.session.flush()
        return None
    if row is None:
        row = ExtraUse(organisation_id=ctx.org.id, child_id=child.id, item_id=item.id, day=the_day)
        ctx.session.add(row)
    row.quantity, row.unit_price = count, item.price
    ctx.session.flush()
    return row
