"""Pure counting rules for one child on one care day (no database, no clock).

Sources: domain-rules §1.4 and §3.3; the Opgroeien functional description of the FO-SU-05
registration (April 2025, pages 9-10):

* only hours between 06:00 and 20:00 count, except at locations with a flex subsidy, which
  count night care too (added to the ordinary attendance);
* 1/3 day: less than 3 h, out-of-school care (BO) only; 1/2 day: less than 5 h (for BO from
  3 h); 1 day: 5 h up to 10 h 59; flex: 11 h and more, reported as ``min11uFlex`` only by flex
  locations (others report a full day and may charge the extra hours at a free tariff);
* an absence is categorised by the duration that was reserved.
"""
from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from core.clock import BRUSSELS

from ..models import AbsenceKind

WINDOW_START = time(6, 0)
WINDOW_END = time(20, 0)
BO_AGE_MONTHS = 42  # 3.5 years: from then on, care counts as out-of-school care (FO-SU-05)


class DayCategory(enum.StrEnum):
    THIRD = "third"  # < 3 h, out-of-school care only
    HALF = "half"  # < 5 h: 60 % of the IKT day price
    FULL = "full"  # 5 h to < 11 h: 100 %
    FLEX = "flex"  # 11 h and more


FO_BUCKETS = ("min3u", "min5u", "min11u", "min11uFlex")
_BUCKET = {DayCategory.THIRD: "min3u", DayCategory.HALF: "min5u", DayCategory.FULL: "min11u",
           DayCategory.FLEX: "min11uFlex"}
# Fraction of the IKT day price fixed by the Subsidiebesluit (§1.4). The 1/3 day of
# out-of-school care has no confirmed fraction: billing decides (None).
IKT_FRACTION = {DayCategory.THIRD: None, DayCategory.HALF: Decimal("0.60"),
                DayCategory.FULL: Decimal("1.00"), DayCategory.FLEX: Decimal("1.00")}


@dataclass(frozen=True, slots=True)
class Interval:
    """A stay: arrival and departure (None while the child is still there), timezone-aware."""

    start: datetime
    end: datetime | None = None
    offline: bool = False


@dataclass(frozen=True, slots=True)
class Reservation:
    """What planning reserved for the day: times when known, else a day part; the agreement
    (care plan) and the household that pays it; an extra agreed day or a settling-in day."""

    day_part: str  # "morning" | "afternoon" | "full" | "hours"
    start: time | None = None
    end: time | None = None
    care_plan_id: int | None = None
    family_id: int | None = None
    extra: bool = False
    settling_in: bool = False


CATEGORY_ORDER = (DayCategory.THIRD, DayCategory.HALF, DayCategory.FULL, DayCategory.FLEX)


def larger(a: DayCategory | None, b: DayCategory | None) -> DayCategory | None:
    """The longer of two duration categories (None is shorter than any)."""
    if a is None or b is None:
        return a or b
    return a if CATEGORY_ORDER.index(a) >= CATEGORY_ORDER.index(b) else b


@dataclass(frozen=True, slots=True)
class BillableDay:
    """The contract for billing: one child, one care day, at one location.

    ``category`` comes from the counted attendance when the child was present, from the reserved
    duration when absent. ``billable`` is False for the onthaalouder's own children (they count for
    the ratio only), respijt, justified absences and closing days; an unjustified absence on a
    reserved day is billable ("bestellen is betalen"; billing decides the price, never above the
    maximumtarief). ``late_pickup_minutes`` counts minutes after closing time (beyond the grace).
    ``uncounted_minutes`` are hours outside 06:00-20:00 at a location without flex subsidy: not
    reported to Opgroeien, may be charged at a free tariff. ``open_stay`` means a departure is
    missing: the minutes then run to closing time provisionally and billing should wait.
    """

    child_id: int
    location_id: int
    day: date
    reserved: bool
    present: bool
    category: DayCategory | None
    counted_minutes: int
    uncounted_minutes: int
    absence: AbsenceKind | None
    absence_reason: str
    absence_recorded: bool
    own_child: bool
    out_of_school: bool
    late_pickup_minutes: int
    open_stay: bool
    offline: bool
    fo_bucket: str | None
    billable: bool
    # what was reserved next to what was registered (billing: "bestellen is betalen")
    care_plan_id: int | None = None
    family_id: int | None = None
    reserved_day_part: str | None = None
    reserved_start: time | None = None
    reserved_end: time | None = None
    reserved_minutes: int = 0
    reserved_category: DayCategory | None = None
    registered_category: DayCategory | None = None
    extra_day: bool = False
    settling_in: bool = False
    planned: bool = False

    @property
    def late_pickup(self) -> bool:
        return self.late_pickup_minutes > 0

    @property
    def billing_category(self) -> DayCategory | None:
        """What an IKT invoice bills for a billable day: at least what was reserved, more when the
        child stayed longer (domain-rules §1.2, §1.4; a short stay on a reserved full day is a
        full day). None when the day is not billable."""
        if not self.billable:
            return None
        return larger(self.reserved_category, self.registered_category)

    @property
    def ikt_fraction(self) -> Decimal | None:
        return IKT_FRACTION[self.category] if self.category else None


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=BRUSSELS)


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Union of intervals (two tablets may overlap); empty and inverted ones are dropped."""
    result: list[tuple[datetime, datetime]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def counted_minutes(intervals: Iterable[tuple[datetime, datetime]], day: date, *, flex: bool) -> tuple[int, int]:
    """(minutes that count, minutes outside the 06:00-20:00 window). At a flex location every
    minute counts (night care is added to the ordinary attendance)."""
    merged = merge(intervals)
    total = sum(int((e - s).total_seconds()) for s, e in merged) // 60
    if flex:
        return total, 0
    lo, hi = _local(day, WINDOW_START), _local(day, WINDOW_END)
    inside = sum(max(0, int((min(e, hi) - max(s, lo)).total_seconds())) for s, e in merged) // 60
    return inside, total - inside


def category_for(minutes: int, *, out_of_school: bool) -> DayCategory | None:
    """Duration category; None for zero minutes."""
    if minutes <= 0:
        return None
    if out_of_school and minutes < 180:
        return DayCategory.THIRD
    if minutes < 300:
        return DayCategory.HALF
    if minutes < 660:
        return DayCategory.FULL
    return DayCategory.FLEX


def fo_bucket(category: DayCategory | None, *, flex_location: bool) -> str | None:
    """The FO-SU-05 bucket: a location without flex subsidy reports 11 h+ as a full day."""
    if category is None:
        return None
    if category == DayCategory.FLEX and not flex_location:
        return "min11u"
    return _BUCKET[category]


def is_out_of_school(*, bo_location: bool, birth_date: date | None, school_start: date | None, day: date,
                     school_part_time: bool = False) -> bool:
    """Care counts as out-of-school (BO) at a location with Opgroeien's BO permission, from the
    start of full-time school or from the age of 3.5 years on (FO-SU-05 functional description,
    domain rules §3.3). Part-time school alone does not tick it."""
    first = out_of_school_from(bo_location=bo_location, birth_date=birth_date, school_start=school_start,
                               school_part_time=school_part_time)
    return first is not None and day >= first


def out_of_school_from(*, bo_location: bool, birth_date: date | None, school_start: date | None,
                       school_part_time: bool = False) -> date | None:
    """The first day care counts as out-of-school (:func:`is_out_of_school`), None for never: a
    child's month is judged against one date instead of recomputing the age every day."""
    if not bo_location:
        return None
    candidates = [months_after(birth_date, BO_AGE_MONTHS)] if birth_date is not None else []
    if school_start is not None and not school_part_time:
        candidates.append(school_start)
    return min(candidates) if candidates else None


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last day (born 31 August:
    3.5 years on 28 February, 29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def reserved_minutes(reservation: Reservation, day: date, *, flex: bool) -> int:
    """Minutes a reservation covers (clipped to 06:00-20:00 unless ``flex``). Both ends are local
    times of one day in one zone, so the result does not depend on the day (aware datetimes with
    the same tzinfo compare and subtract as wall-clock times): one computation per pattern."""
    return _reserved_minutes(reservation.day_part, reservation.start, reservation.end, flex)


@lru_cache(maxsize=4096)
def _reserved_minutes(day_part: str, start: time | None, end: time | None, flex: bool) -> int:
    if start and end and end > start:
        minutes, _ = counted_minutes([(_local(_ANY_DAY, start), _local(_ANY_DAY, end))], _ANY_DAY, flex=flex)
        return minutes
    if day_part in ("morning", "afternoon"):
        return 240  # a half day
    return 600  # a full day


_ANY_DAY = date(2026, 3, 29)  # a DST change in Brussels: same-zone wall-clock arithmetic ignores it


def compute_day(
    *,
    child_id: int,
    location_id: int,
    day: date,
    intervals: list[Interval],
    reservation: Reservation | None,
    absence: tuple[AbsenceKind, str] | None,
    own_child: bool,
    flex_location: bool,
    out_of_school: bool,
    closes: time | None,
    late_grace_minutes: int = 0,
    today: date | None = None,
    bill_settling_in: bool = True,
) -> BillableDay | None:
    """Classify one child-day. None when the child was neither reserved nor present nor marked
    absent (nothing to bill or report). A reserved day after ``today`` with nothing registered is
    ``planned``: never an absence, not billable, not reported. A settling-in day is billable only
    when ``bill_settling_in``."""
    present = bool(intervals)
    future = today is not None and day > today
    reserved_total = reserved_minutes(reservation, day, flex=flex_location) if reservation else 0
    reserved_category = category_for(reserved_total, out_of_school=out_of_school) if reservation else None
    if reservation is not None and reservation.day_part == "full" and reserved_category == DayCategory.FLEX:
        reserved_category = DayCategory.FULL  # a "full day" part is a full day, whatever the opening hours
    open_stay = any(i.end is None for i in intervals)
    closing = _local(day, closes) if closes else None
    spans = []
    for i in intervals:
        end = i.end
        if end is None:
            end = max(closing, i.start) if closing else i.start
        spans.append((i.start, end))
    if present:
        minutes, outside = counted_minutes(spans, day, flex=flex_location)
        category = category_for(minutes, out_of_school=out_of_school) or (
            DayCategory.THIRD if out_of_school else DayCategory.HALF
        )
        kind, reason, recorded = None, "", False
    elif reservation is not None or absence is not None:
        minutes, outside = 0, 0
        category = reserved_category
        if absence is not None:
            kind, reason, recorded = absence[0], absence[1], True
        elif future:
            kind, reason, recorded = None, "", False  # planned: the day has not come yet
        else:
            kind, reason, recorded = AbsenceKind.ONGERECHTVAARDIGD, "", False
    else:
        return None
    planned = future and not present and absence is None
    late = 0
    if closing is not None:
        last = max((i.end for i in intervals if i.end is not None), default=None)
        night = flex_location and last is not None and last.astimezone(BRUSSELS).date() > day
        if last is not None and not night and last > closing + timedelta(minutes=late_grace_minutes):
            # a night stay at a flex location is agreed night care, never a late pickup (no surcharge, §1.4)
            late = int((last - closing).total_seconds()) // 60
    settling_in = bool(reservation and reservation.settling_in)
    if own_child or planned or (settling_in and not bill_settling_in):
        billable = False
    elif present:
        billable = True
    else:
        billable = kind == AbsenceKind.ONGERECHTVAARDIGD and reservation is not None
    return BillableDay(
        child_id=child_id, location_id=location_id, day=day, reserved=reservation is not None,
        present=present, category=category, counted_minutes=minutes, uncounted_minutes=outside,
        absence=kind, absence_reason=reason, absence_recorded=recorded, own_child=own_child,
        out_of_school=out_of_school, late_pickup_minutes=late, open_stay=open_stay,
        offline=any(i.offline for i in intervals),
        fo_bucket=None if planned else fo_bucket(category, flex_location=flex_location), billable=billable,
        care_plan_id=reservation.care_plan_id if reservation else None,
        family_id=reservation.family_id if reservation else None,
        reserved_day_part=reservation.day_part if reservation else None,
        reserved_start=reservation.start if reservation else None,
        reserved_end=reservation.end if reservation else None,
        reserved_minutes=reserved_total, reserved_category=reserved_category,
        registered_category=category if present else None,
        extra_day=bool(reservation and reservation.extra), settling_in=settling_in, planned=planned,
    )
