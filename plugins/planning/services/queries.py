"""Bulk read helpers the screens need and api.py does not offer (yet): a whole month of day
planning for several locations in a fixed number of queries. Built only from the planning
services' own functions (load_plans, expand_plans, compute_profile), so no rule is repeated."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.models import CareType, Child, Location

from ..models import StaffShift
from .care_plans import age_in_months
from .closing_days import closing_calendar
from .profile import Presence, Shift, compute_profile
from .ratio import rule_set_for
from .reservations import expand_plans, load_plans, opening_hours
from .settings import day_part_split, rest_period
from .types import ExpectedChild, HalfHourSlot


@dataclass(frozen=True)
class LocationDay:
    location_id: int
    day: date
    children: list[ExpectedChild]
    profile: list[HalfHourSlot]


def month_planning(ctx, locations: list[Location], first: date, last: date) -> list[LocationDay]:
    """Every open day of every location in [first, last] with the expected children and the
    half-hour profile. About ten queries whatever the number of days, locations or children."""
    session = ctx.session
    org = ctx.org
    ids = [loc.id for loc in locations]
    if not ids:
        return []
    plans = load_plans(ctx, first, last, location_ids=ids)
    hours = opening_hours(ctx, ids)
    closed = closing_calendar(ctx, ids, first, last)
    reserved = expand_plans(plans, first, last, hours, closed, day_part_split(ctx))
    group_of = {p.id: p.living_group_id for p in plans}
    child_ids = {r.child_id for r in reserved}
    children = {c.id: c for c in session.execute(
        select(Child.id, Child.first_name, Child.last_name, Child.date_of_birth, Child.expected_birth_date)
        .where(Child.organisation_id == org.id, Child.id.in_(child_ids)))} if child_ids else {}
    shifts: dict[tuple[int, int], list[Shift]] = defaultdict(list)
    for loc, weekday, start, end, n, group in session.execute(
            select(StaffShift.location_id, StaffShift.weekday, StaffShift.start_time, StaffShift.end_time,
                   StaffShift.caregivers, StaffShift.living_group_id)
            .where(StaffShift.organisation_id == org.id, StaffShift.location_id.in_(ids))):
        shifts[(loc, weekday)].append(Shift(start, end, n, group))
    forced = str(ctx.setting("planning.ratio_rule_set") or "auto")
    rest = rest_period(ctx)
    by_key: dict[tuple[int, date], list[ExpectedChild]] = defaultdict(list)
    for r in reserved:
        c = children[r.child_id]
        born = c.date_of_birth or c.expected_birth_date
        by_key[(r.location_id, r.day)].append(ExpectedChild(
            r.child_id, c.first_name, c.last_name, born, age_in_months(born, r.day) if born <= r.day else 0,
            group_of.get(r.care_plan_id), r.day_part, r.start, r.end, r.care_plan_id))
    result = []
    for loc in locations:
        family = loc.care_type == CareType.GEZINSOPVANG
        day = first
        while day <= last:
            window = hours[loc.id].get(day.weekday())
            if window is not None and day not in closed[loc.id]:
                expected = sorted(by_key.get((loc.id, day), []), key=lambda e: (e.last_name, e.first_name, e.start))
                presences = [Presence(e.child_id, e.start, e.end, e.age_months, e.living_group_id) for e in expected]
                profile = compute_profile(presences, window[0], window[1], rule_set_for(day, forced),
                                          family_daycare=family, rest=rest, shifts=shifts.get((loc.id, day.weekday())))
                result.append(LocationDay(loc.id, day, expected, profile))
            day = date.fromordinal(day.toordinal() + 1)
    return result
