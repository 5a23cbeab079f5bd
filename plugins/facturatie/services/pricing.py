"""Pure pricing: one of aanwezigheden's billable days (``BillableDay``) and the tariff in force
that day → the priced days (:class:`~.drafts.DraftDay`) with the line kind each belongs to.
No database, no clock: the proposal loads tariffs in bulk and calls these per day.

Rules (domain-rules §1.2-1.7, §2.4, §2.7):

* IKT: < 5 h = 60 % of the attest's day price, 5 h to < 11 h = 100 %, ≥ 11 h = 100 % (no
  surcharge at flex locations); the category billed is at least what was reserved ("bestellen is
  betalen", ``billing_category``). Without a flex subsidy the minutes outside 06:00-20:00 and
  beyond 11 h may be charged at a free tariff (setting ``facturatie.outside_hours_price``).
* no attest: the organisation's setting (default: the maximum tariff, rule ``no_attest.maximum``).
* free price: the child's tariff plan (full/half day, per started hour or half hour, month fee).
* never billed: respijt, justified absences, closing days (planning never returns reserved
  closing days), the onthaalouder's own children; shown with amount 0 and their reason.
* an unjustified absence (after respijt) costs the absence fee, under IKT never above the
  maximum tariff; a late pick-up costs a fee per started period after the grace.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from ..models import LineKind, PlanMode
from .drafts import DraftDay

CENT = Decimal("0.01")
HALF = Decimal("0.6")
ONE = Decimal("1")
ZERO = Decimal("0")
FULL_DAY_MINUTES = 660  # 11 h: beyond this a location without flex subsidy may charge a free tariff


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanPrice:
    """The prices of a free-price plan in force on a day."""

    mode: PlanMode
    full_day: Decimal = ZERO
    half_day: Decimal = ZERO
    hour: Decimal = ZERO
    month_fee: Decimal = ZERO


@dataclass(frozen=True)
class Rules:
    """The organisation's billing settings (read once per proposal)."""

    ikt: bool
    maximum: Decimal = Decimal("32.18")
    no_attest: str = "warn_maximum"  # warn_maximum | maximum | skip
    absence_fee_mode: str = "day_price"  # day_price | fixed | none
    absence_fee: Decimal = ZERO
    late_fee: Decimal = ZERO
    late_period: int = 15
    outside_hours_price: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Priced:
    """A priced day and the line kind it goes to; ``group`` names the line within the kind."""

    kind: LineKind
    group: str
    day: DraftDay


def _hhmm(t) -> str:
    return t.strftime("%H:%M") if t else ""


@lru_cache(maxsize=4096)
def _reserved_text(start, end) -> str | None:
    """"08:00-17:00" of a reservation (a handful of patterns: formatted once each)."""
    return "-".join(x for x in (_hhmm(start), _hhmm(end)) if x) or None


@lru_cache(maxsize=16384)
def _amount(price: Decimal, fraction: Decimal) -> Decimal:
    """A day's amount: the same few (price, fraction) pairs recur all month, quantized once each."""
    return cents(price * fraction)


def detail_of(d) -> dict[str, Any]:
    """What the explanation shows of a billable day: reservation, registration, absence, agreement."""
    reserved = _reserved_text(d.reserved_start, d.reserved_end) if d.reserved else None
    cat = getattr(d.registered_category, "value", d.registered_category)
    stayed = d.counted_minutes + d.uncounted_minutes
    return {
        "reserved": reserved, "reserved_day_part": d.reserved_day_part if d.reserved else None,
        "reserved_category": getattr(d.reserved_category, "value", d.reserved_category),
        "registered": f"{stayed // 60}:{stayed % 60:02d}" if d.present else None,  # hours:minutes present
        "registered_category": cat, "counted_minutes": d.counted_minutes, "uncounted_minutes": d.uncounted_minutes,
        "absence": getattr(d.absence, "value", d.absence), "absence_reason": d.absence_reason or "",
        "absence_recorded": d.absence_recorded, "extra_day": d.extra_day, "settling_in": d.settling_in,
        "open_stay": d.open_stay, "late_pickup_minutes": d.late_pickup_minutes,
        "care_plan_id": d.care_plan_id, "family_id": d.family_id, "location_id": d.location_id,
    }


def ikt_fraction(category: str) -> Decimal:
    """60 % below 5 h (and the 1/3 day of out-of-school care), 100 % from 5 h on (also ≥ 11 h)."""
    return HALF if category in ("half", "third") else ONE


def _day(child_id: int, day: date, category: str, rule: str, fraction: Decimal, price: Decimal,
         detail: dict, amount: Decimal | None = None) -> DraftDay:
    value = _amount(price, fraction) if amount is None else amount
    return DraftDay(child_id=child_id, day=day, category=category, rule=rule, fraction=fraction,
                    day_price=price, amount=value, detail=detail)


def care_price(category: str, *, rules: Rules, attest_price: Decimal | None, plan: PlanPrice | None,
               minutes: int) -> tuple[str, Decimal, Decimal]:
    """(rule, fraction, unit price) of a billed care day of ``category`` (half/full/flex/third)
    lasting ``minutes`` (the larger of reserved and registered)."""
    if rules.ikt:
        if attest_price is None:
            if rules.no_attest == "skip":
                return "no_attest.skip", ikt_fraction(category), ZERO
            return "no_attest.maximum", ikt_fraction(category), rules.maximum
        return f"ikt.{category}", ikt_fraction(category), attest_price
    if plan is None:
        return "no_plan", ONE, ZERO
    if plan.mode == PlanMode.DAY:
        if category in ("half", "third"):
            return "free.half", ONE, plan.half_day
        return "free.full", ONE, plan.full_day
    if plan.mode == PlanMode.HOUR:
        return "free.hour", Decimal(max(1, math.ceil(minutes / 60))), plan.hour
    if plan.mode == PlanMode.HALF_HOUR:
        return "free.half_hour", Decimal(max(1, math.ceil(minutes / 30))), plan.hour
    return "free.month", ONE, ZERO  # the month fee is its own line


def price_day(d, *, rules: Rules, attest_price: Decimal | None = None, plan: PlanPrice | None = None,
              flex_location: bool = False, respijt_virtual: bool = False,
              extra_detail: dict[str, Any] | None = None) -> list[Priced]:
    """The priced days one billable day gives (care or absence fee, extra hours, late pick-up).
    ``respijt_virtual``: an unrecorded absence that the proposal counts as a respijtdag (the
    balance allows it; finalising books it through planning). ``extra_detail`` goes into every
    day's detail (the attest priced by), so the days are built once."""
    if d.own_child or d.planned:
        return []  # the onthaalouder's own child: never billed (not at IKT, §1.6); a planned day: not yet
    detail = detail_of(d)
    if extra_detail:
        detail.update(extra_detail)
    category = getattr(d.billing_category or d.reserved_category or d.category, "value", None) or "full"
    if not d.billable or respijt_virtual:
        if respijt_virtual:
            detail = {**detail, "book_respite": True}
            reason = "respijt"
        elif d.absence is not None:
            reason = getattr(d.absence, "value", d.absence)
        elif d.settling_in:
            reason = "settling_in"
        else:
            reason = "other"
        return [Priced(LineKind.CARE, "care", _day(d.child_id, d.day, category, f"not_billed.{reason}", ZERO, ZERO,
                                                   detail, ZERO))]
    minutes = max(d.reserved_minutes, d.counted_minutes + d.uncounted_minutes if d.present else 0)
    result: list[Priced] = []
    if not d.present:  # an unjustified absence on a reserved day, after the respijtdagen
        rule, fraction, price = care_price(category, rules=rules, attest_price=attest_price, plan=plan,
                                           minutes=d.reserved_minutes)
        if rules.absence_fee_mode == "none":
            amount, rule = ZERO, "absence.none"
        elif rules.absence_fee_mode == "fixed":
            fraction, price, rule = ONE, rules.absence_fee, "absence.fixed"
            amount = cents(price)
        else:
            amount, rule = cents(price * fraction), f"absence.{rule}"
        if rules.ikt and amount > rules.maximum:
            amount, rule = rules.maximum, "absence.capped_maximum"
        result.append(Priced(LineKind.ABSENCE_FEE, "absence",
                             _day(d.child_id, d.day, category, rule, fraction, price, detail, amount)))
        return result
    rule, fraction, price = care_price(category, rules=rules, attest_price=attest_price, plan=plan, minutes=minutes)
    group = "care" if not rule.startswith("no_attest") else "no_attest"
    result.append(Priced(LineKind.CARE, group, _day(d.child_id, d.day, category, rule, fraction, price, detail)))
    if rules.ikt and not flex_location and rules.outside_hours_price > 0:
        extra = d.uncounted_minutes + max(0, d.counted_minutes - FULL_DAY_MINUTES)
        if extra > 0:
            hours = Decimal(math.ceil(extra / 60))
            result.append(Priced(LineKind.CARE, "outside_hours", _day(
                d.child_id, d.day, "hours", "ikt.outside_hours", hours, rules.outside_hours_price,
                {**detail, "outside_minutes": extra})))
    if d.late_pickup_minutes > 0 and rules.late_fee > 0:
        periods = Decimal(math.ceil(d.late_pickup_minutes / max(1, rules.late_period)))
        result.append(Priced(LineKind.FINE, "late_pickup", _day(
            d.child_id, d.day, "late", "fine.late_pickup", periods, rules.late_fee, detail)))
    return result


def split(day: DraftDay, percent: Decimal) -> DraftDay:
    """A household's share of a day under a co-parenting percentage (the care plan does not
    split the days): the amount times the percentage, the detail saying so."""
    return DraftDay(child_id=day.child_id, day=day.day, category=day.category, rule=day.rule,
                    fraction=day.fraction, day_price=day.day_price,
                    amount=cents(day.amount * percent / Decimal(100)),
                    detail={**day.detail, "share_percent": str(percent)})
