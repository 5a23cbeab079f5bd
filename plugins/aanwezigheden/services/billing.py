"""The billable/reportable child-days of a period: reservations from planning, registrations and
absences loaded in bulk and judged day by day (:func:`rules.compute_day`). The contract and its
documentation are :func:`plugins.aanwezigheden.api.billable_days`."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.models import Child, Location

from ..models import Absence, AttendanceEvent, ChildCode, EventStatus
from . import planning_adapter
from .registrations import stays
from .rules import BillableDay, Reservation, compute_day, out_of_school_from
from .settings import setting


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
    # plain rows, not ORM objects: a month of a large organisation is tens of thousands of taps
    ev_stmt = select(AttendanceEvent.child_id, AttendanceEvent.day, AttendanceEvent.location_id,
                     AttendanceEvent.status, AttendanceEvent.at, AttendanceEvent.client_id, AttendanceEvent.kind,
                     AttendanceEvent.offline).where(
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
    for e in session.execute(ev_stmt):
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

    # per location and per child once, not per child-day: closing time per weekday, flex, and the
    # first day care counts as out-of-school (None: never)
    closes_of = {loc.id: {oh.weekday: oh.closes for oh in loc.opening_hours} for loc in locations.values()}
    flex_of = {loc.id: loc.flex_subsidy for loc in locations.values()}
    bo_from: dict[tuple[int, int], date | None] = {}
    result: list[BillableDay] = []
    for child_id, day, loc_id in sorted(keys):
        child, location = children.get(child_id), locations.get(loc_id)
        if child is None or location is None:
            continue
        code = codes.get(child_id)
        if (child_id, loc_id) not in bo_from:
            bo_from[(child_id, loc_id)] = out_of_school_from(
                bo_location=location.registers_out_of_school, birth_date=child.birth_date,
                school_start=code.school_start if code else None, school_part_time=bool(code and code.school_part_time))
        first_bo = bo_from[(child_id, loc_id)]
        res = reservations.get((child_id, day))
        absence = absences.get((child_id, day))
        row = compute_day(
            child_id=child_id, location_id=loc_id, day=day, intervals=stays(events.get((child_id, day, loc_id), [])),
            reservation=res[1] if res and res[0] == loc_id else None,
            absence=(absence.kind, absence.reason) if absence else None,
            own_child=bool(code and code.own_child) or bool(res and res[0] == loc_id and res[2]),
            flex_location=flex_of[loc_id], out_of_school=first_bo is not None and day >= first_bo,
            closes=closes_of[loc_id].get(day.weekday()), late_grace_minutes=grace, today=today,
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


def unconfirmed_days(ctx, *, start: date, end: date) -> dict[int, list[date]]:
    """Per child, the days in ``start..end`` with an accepted registration that no parent's
    confirmation (per pickup or per week, same location) covers. Two queries."""
    from ..models import Confirmation

    org = ctx.org
    present = ctx.session.execute(select(AttendanceEvent.child_id, AttendanceEvent.location_id, AttendanceEvent.day)
                                  .where(AttendanceEvent.organisation_id == org.id, AttendanceEvent.day >= start,
                                         AttendanceEvent.day <= end, AttendanceEvent.status == EventStatus.ACCEPTED,
                                         AttendanceEvent.child_id.is_not(None)).distinct()).all()
    covered: dict[tuple[int, int], list[tuple[date, date]]] = defaultdict(list)
    for child_id, location_id, lo, hi in ctx.session.execute(
            select(Confirmation.child_id, Confirmation.location_id, Confirmation.start_day, Confirmation.end_day)
            .where(Confirmation.organisation_id == org.id, Confirmation.end_day >= start,
                   Confirmation.start_day <= end)):
        covered[(child_id, location_id)].append((lo, hi))
    result: dict[int, list[date]] = defaultdict(list)
    for child_id, location_id, day in sorted({tuple(row) for row in present}):
        if not any(lo <= day <= hi for lo, hi in covered.get((child_id, location_id), ())):
            result[child_id].append(day)
    return dict(result)
