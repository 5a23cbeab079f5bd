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
* ``billable``: present days and unjustified absences on reserved days, never own children;
* ``fo_bucket``: the FO-SU-05 bucket (min3u/min5u/min11u/min11uFlex).

Reserved days on closing days are not returned at all (planning excludes them, so they are never
billed); an explicit ``sluiting`` absence covers an unplanned closure.
All loading is in bulk: the query count does not grow with the number of children or days.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.models import CareType, Child, Location

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
                  child_ids: list[int] | None = None, location_id: int | None = None) -> list[BillableDay]:
    """Every billable/reportable child-day in ``start..end`` (inclusive), sorted by child and day."""
    session = ctx.session
    org = ctx.org
    if end < start:
        raise ValueError("end before start")
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
    reservations: dict[tuple[int, date], tuple[int, Reservation]] = {}
    for r in planning_adapter.reserved_days(ctx, start=start, end=end, child_ids=child_ids,
                                            location_id=location_id):
        known = reservations.get((r.child_id, r.day))
        if known is not None and known[0] == r.location_id:  # several blocks on one day: their span
            k = known[1]
            starts = [t for t in (k.start, r.start) if t]
            ends = [t for t in (k.end, r.end) if t]
            part = k.day_part if k.day_part == r.day_part else "full"
            reservations[(r.child_id, r.day)] = (r.location_id, Reservation(
                part, min(starts) if starts else None, max(ends) if ends else None))
        else:
            reservations[(r.child_id, r.day)] = (r.location_id, Reservation(r.day_part, r.start, r.end))

    keys: set[tuple[int, date, int]] = set(events)
    present_keys = {(c, d) for c, d, _ in events}
    for (c, d), (loc, _res) in reservations.items():
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
            own_child=bool(code and code.own_child), flex_location=location.flex_subsidy,
            out_of_school=is_out_of_school(bo_location=location.care_type == CareType.BUITENSCHOOLSE_OPVANG,
                                           birth_date=child.birth_date, school_start=code.school_start if code else None,
                                           day=day),
            closes=hours.closes if hours else None, late_grace_minutes=grace)
        if row is not None:
            result.append(row)
    return result


def kindcode(ctx, child_id: int) -> str | None:
    """The Opgroeien kindcode of a child (from the attest inkomenstarief), if known."""
    session = ctx.session
    org = ctx.org
    return session.scalar(select(ChildCode.kindcode).where(ChildCode.organisation_id == org.id,
                                                           ChildCode.child_id == child_id))
