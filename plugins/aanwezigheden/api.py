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

from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.models import Child, Location

from .models import (
    Absence,
    AbsenceKind,
    AttendanceEvent,
    ChildCode,
    EventStatus,
)
from .services import planning_adapter
from .services.registrations import stays
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
    is_out_of_school,
)
from .services.settings import setting

__all__ = [
    "FO_BUCKETS", "AbsenceKind", "BillableDay", "DayCategory", "Interval", "Reservation", "billable_days",
    "category_for", "compute_day", "counted_minutes", "fo_bucket", "kindcode",
]


def billable_days(ctx, *, start: date, end: date,
                  child_ids: list[int] | None = None, location_id: int | None = None,
                  today: date | None = None) -> list[BillableDay]:
    """Every billable/reportable child-day in ``start..end`` (inclusive), sorted by child and day.
    ``today`` (default: the app's clock) separates what happened from what is only planned."""
    session = ctx.session
    org = ctx.org
    if end < start:
        raise ValueError("end before start")
    today = today or ctx.today()
    ev_stmt = select(AttendanceEvent).where(
        AttendanceEvent.organisation_id == org.id, AttendanceEvent.day >= start, AttendanceEvent.day <= end,
        AttendanceEvent.status == EventStatus.ACCEPTED, AttendanceEvent.child_id.is_not(None))
    ab_stmt = select(Absence).where(Absence.organisation_id == org.id, Absence.day >= start, Absence.day <= end)
    if child_ids is not None:
        ev_stmt = ev_stmt.where(AttendanceEvent.child_id.in_(child_ids))
        ab_stmt = ab_stmt.where(Absence.child_id.in_(child_ids))
    if location_id is not None:
        ev_stmt = ev_stmt.where(AttendanceEvent.location_id == location_id)
        ab_stmt = ab_stmt.where(Absence.location_id == location_id)
    events: dict[tuple[int, date, int], list] = defaultdict(list)
    for e in session.scalars(ev_stmt):
        events[(e.child_id, e.day, e.location_id)].append(e)
    absences = {(a.child_id, a.day): a for a in session.scalars(ab_stmt)}
    reservations: dict[tuple[int, date], tuple[int, Reservation, bool]] = {}
    for r in planning_adapter.reserved_days(ctx, start=start, end=end, child_ids=child_ids,
                                            location_id=location_id):
        known = reservations.get((r.child_id, r.day))
        family_id = getattr(r, "family_id", None)
        settling_in = bool(getattr(r, "settling_in", False))
        own = bool(getattr(r, "own_child", False))  # the onthaalouder's own child per planning
        if known is not None and known[0] == r.location_id:  # several blocks on one day: their span
            k = known[1]
            starts = [t for t in (k.start, r.start) if t]
            ends = [t for t in (k.end, r.end) if t]
            part = k.day_part if k.day_part == r.day_part else "full"
            reservations[(r.child_id, r.day)] = (r.location_id, Reservation(
                part, min(starts) if starts else None, max(ends) if ends else None, k.care_plan_id,
                k.family_id, k.extra and r.extra, k.settling_in or settling_in), known[2] or own)
        else:
            reservations[(r.child_id, r.day)] = (r.location_id, Reservation(
                r.day_part, r.start, r.end, r.care_plan_id, family_id, bool(r.extra), settling_in), own)

    keys: set[tuple[int, date, int]] = set(events)
    present_keys = {(c, d) for c, d, _ in events}
    for (c, d), (loc, _res, _own) in reservations.items():
        if (c, d) not in present_keys:
            keys.add((c, d, loc))
    for (c, d), a in absences.items():
        if (c, d) not in present_keys:
            keys.add((c, d, a.location_id))
    if not keys:
        return []
    child_set = {c for c, _, _ in keys}
    location_set = {loc for _, _, loc in keys}
    children = {c.id: c for c in session.scalars(select(Child).where(Child.organisation_id == org.id,
                                                                     Child.id.in_(child_set)))}
    codes = {c.child_id: c for c in session.scalars(select(ChildCode).where(ChildCode.organisation_id == org.id,
                                                                            ChildCode.child_id.in_(child_set)))}
    locations = {loc.id: loc for loc in session.scalars(
        select(Location).where(Location.organisation_id == org.id, Location.id.in_(location_set))
        .options(selectinload(Location.opening_hours)))}
    grace = int(setting(ctx, "late_pickup_grace_minutes"))
    bill_settling_in = str(setting(ctx, "settling_in_billing")) == "ikt"
    plans_of: dict[tuple[int, int], list] = defaultdict(list)  # (child, location) -> agreements
    unreserved = [k for k in keys if (reservations.get(k[:2]) or (None,))[0] != k[2]]
    if unreserved:
        for a in planning_adapter.agreements(ctx, start=start, end=end, child_ids=sorted(child_set),
                                             location_id=location_id):
            plans_of[(a.child_id, a.location_id)].append(a)

    result: list[BillableDay] = []
    for child_id, day, loc_id in sorted(keys):
        child, location = children.get(child_id), locations.get(loc_id)
        if child is None or location is None:
            continue
        code = codes.get(child_id)
        hours = {oh.weekday: oh for oh in location.opening_hours}.get(day.weekday())
        res = reservations.get((child_id, day))
        absence = absences.get((child_id, day))
        row = compute_day(
            child_id=child_id, location_id=loc_id, day=day, intervals=stays(events.get((child_id, day, loc_id), [])),
            reservation=res[1] if res and res[0] == loc_id else None,
            absence=(absence.kind, absence.reason) if absence else None,
            own_child=bool(code and code.own_child) or bool(res and res[0] == loc_id and res[2]),
            flex_location=location.flex_subsidy,
            out_of_school=is_out_of_school(bo_location=location.registers_out_of_school,
                                           birth_date=child.birth_date, school_start=code.school_start if code else None,
                                           school_part_time=bool(code and code.school_part_time), day=day),
            closes=hours.closes if hours else None, late_grace_minutes=grace, today=today,
            bill_settling_in=bill_settling_in)
        if row is not None and row.care_plan_id is None:
            row = _with_agreement(row, plans_of.get((child_id, loc_id), ()), bill_settling_in)
        if row is not None:
            result.append(row)
    return result


def _with_agreement(row: BillableDay, agreements, bill_settling_in: bool) -> BillableDay:
    """A day without reservation (the child came on an unreserved day) still belongs to the
    agreement running at that location that day, when there is exactly one (co-parenting with
    two running agreements: left to billing, ``care_plan_id`` None)."""
    running = [a for a in agreements if a.start <= row.day and (a.end is None or a.end >= row.day)]
    if len(running) != 1:
        return row
    a = running[0]
    settling_in = a.settling_in_until is not None and row.day <= a.settling_in_until
    return replace(row, care_plan_id=a.care_plan_id, family_id=a.family_id, settling_in=settling_in,
                   billable=row.billable and not (settling_in and not bill_settling_in))


def kindcode(ctx, child_id: int) -> str | None:
    """The Opgroeien kindcode of a child (from the attest inkomenstarief), if known."""
    session = ctx.session
    org = ctx.org
    return session.scalar(select(ChildCode.kindcode).where(ChildCode.organisation_id == org.id,
                                                           ChildCode.child_id == child_id))
