"""Public contract of the aanwezigheden module (the only module other plugins may import).

Billing (facturatie) calls :func:`billable_days` for a period: one :class:`BillableDay` per child
per care day that was reserved (planning) or on which the child was present or marked absent.
Each tells

* ``present`` and the duration ``category`` (:class:`DayCategory`: ``third`` < 3 h, out-of-school
  care only; ``half`` < 5 h = 60 % of the IKT day price; ``full`` 5 h to < 11 h; ``flex`` 11 h and
  more), counting only 06:00-20:00 except at flex locations (``counted_minutes``; the minutes
  outside the window are ``uncounted_minutes``, chargeable at a free tariff without flex subsidy);
  for an absence the category of the reserved duration;
* ``absence`` (:class:`AbsenceKind`: respijt, gerechtvaardigd, ongerechtvaardigd, sluiting), its
  ``absence_reason`` and whether it was recorded (``absence_recorded=False``: reserved, nobody came,
  nothing registered: counted as unjustified);
* ``late_pickup_minutes``: departure after the location's closing time (beyond the grace setting);
* ``own_child`` (the onthaalouder's own child: ratio only, never billed), ``open_stay`` (departure
  missing: provisional), ``offline`` (times from a tablet clock);
* ``billable``: present days and unjustified absences on reserved days, never own children,
  never a planned day, and a settling-in day only when the organisation bills them;
* ``fo_bucket``: the FO-SU-05 bucket (min3u/min5u/min11u/min11uFlex); None for a planned day.

What billing needs next to that ("bestellen is betalen", domain-rules §1.2, §1.4, §2.2):

* the reservation: ``reserved_day_part`` (morning/afternoon/full/hours), ``reserved_start`` and
  ``reserved_end`` (opening hours or the day-part split when only a day part was agreed),
  ``reserved_minutes`` and ``reserved_category``, next to the registered ``registered_category``
  (None when the child did not come); ``billing_category`` is the larger of the two on a billable
  day: at least what was reserved, more when the child stayed longer (a short stay on a reserved
  full day is a full day under IKT);
* the agreement: ``care_plan_id`` and ``family_id``, the household that signed it and pays it
  (co-parenting: each household's days carry its own agreement). A present day without
  reservation carries the agreement running at that location when there is exactly one;
* ``extra_day``: an occasionally agreed extra day (billed like a reserved day, §2.2 point 6);
  ``settling_in``: a wenmoment (on or before the plan's end of settling in), billable at IKT or
  not at all by the setting ``aanwezigheden.settling_in_billing`` (``ikt`` | ``none``);
* ``planned``: a reserved day after ``today`` with nothing registered. It is never an absence
  (``absence`` None), not billable and not reported; the register shows it as planned. A
  parent's notice recorded ahead of time stays an absence of its kind. Today itself is judged as
  a past day.

Reserved days on closing days are not returned at all (planning excludes them, so they are never
billed); an explicit ``sluiting`` absence covers an unplanned closure.
All loading is in bulk: the query count does not grow with the number of children or days.
"""
from __future__ import annotations

from datetime import date

from .models import AbsenceKind
from .services import billing, kindcodes
from .services.rules import (
    FO_BUCKETS,
    BillableDay,
    DayCategory,
    Interval,
    Reservation,
    category_for,
    compute_day,
    counted_minutes,
    fo_bucket,
)

__all__ = [
    "FO_BUCKETS", "AbsenceKind", "BillableDay", "DayCategory", "Interval", "Reservation", "billable_days",
    "category_for", "compute_day", "counted_minutes", "fo_bucket", "kindcode", "unconfirmed_days",
]


def billable_days(ctx, *, start: date, end: date,
                  child_ids: list[int] | None = None, location_id: int | None = None,
                  today: date | None = None) -> list[BillableDay]:
    """Every billable/reportable child-day in ``start..end`` (inclusive), sorted by child and day.
    ``today`` (default: the app's clock) separates what happened from what is only planned."""
    return billing.billable_days(ctx, start=start, end=end, child_ids=child_ids, location_id=location_id,
                                 today=today)


def kindcode(ctx, child_id: int) -> str | None:
    """The Opgroeien kindcode of a child (from the attest inkomenstarief), if known."""
    return kindcodes.child_kindcode(ctx, child_id)


def unconfirmed_days(ctx, *, start: date, end: date) -> dict[int, list[date]]:
    """Per child, the registered days in ``start..end`` no parent confirmed yet (billing warns
    before finalising). A fixed number of queries."""
    return billing.unconfirmed_days(ctx, start=start, end=end)
