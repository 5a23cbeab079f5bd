"""Reserved days in bulk: a fixed number of queries (plans, versions, pattern days, schedule
days, extra days, opening hours, closing days, one setting) whatever the number of children,
then expansion in Python. Closing days and weekdays without opening hours are never reserved."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select

from core.models import Child, OpeningHours

from ..models import CarePlan, CarePlanVersion, ExtraDay, PatternDay, ScheduleDay
from .care_plans import age_in_months
from .closing_days import closing_calendar
from .expansion import (
    Block,
    PatternEntry,
    VersionSpec,
    block_times,
    expand,
)
from .settings import day_part_split
from .types import ExpectedChild, ReservedDay


@dataclass
class PlanData:
    """A care plan as plain data, with its versions and extra days."""

    id: int
    child_id: int
    location_id: int
    family_id: int | None
    living_group_id: int | None
    start: date
    end: date | None
    settling_in_until: date | None
    versions: list[VersionSpec] = field(default_factory=list)
    extras: list[tuple[date, Block]] = field(default_factory=list)
    own_child: bool = False


def _plan_filter(query, org, start: date, end: date, child_ids, location_ids, exclude_plan_id=None):
    query = query.where(CarePlan.organisation_id == org.id, CarePlan.start_date <= end,
                        CarePlan.end_date.is_(None) | (CarePlan.end_date >= start))
    if child_ids is not None:
        query = query.where(CarePlan.child_id.in_(list(child_ids)))
    if location_ids is not None:
        query = query.where(CarePlan.location_id.in_(list(location_ids)))
    if exclude_plan_id is not None:
        query = query.where(CarePlan.id != exclude_plan_id)
    return query


def load_plans(ctx, start: date, end: date, *, child_ids: Iterable[int] | None = None,
               location_ids: Iterable[int] | None = None, exclude_plan_id: int | None = None) -> list[PlanData]:
    """Plans overlapping [start, end] as plain data: five queries."""
    session = ctx.session
    org = ctx.org
    child_ids = None if child_ids is None else list(child_ids)
    location_ids = None if location_ids is None else list(location_ids)

    def scoped(query):
        return _plan_filter(query, org, start, end, child_ids, location_ids, exclude_plan_id)

    plans = {
        row.id: PlanData(row.id, row.child_id, row.location_id, row.family_id, row.living_group_id, row.start_date,
                         row.end_date, row.settling_in_until, own_child=bool(row.own_child))
        for row in session.execute(scoped(select(
            CarePlan.id, CarePlan.child_id, CarePlan.location_id, CarePlan.family_id, CarePlan.living_group_id,
            CarePlan.start_date, CarePlan.end_date, CarePlan.settling_in_until, CarePlan.own_child))
            .order_by(CarePlan.id))
    }
    if not plans:
        return []
    version_rows = session.execute(scoped(
        select(CarePlanVersion.id, CarePlanVersion.care_plan_id, CarePlanVersion.start_date, CarePlanVersion.end_date,
               CarePlanVersion.kind, CarePlanVersion.reference_date)
        .join(CarePlan, CarePlan.id == CarePlanVersion.care_plan_id))
        .where(CarePlanVersion.start_date <= end,
               CarePlanVersion.end_date.is_(None) | (CarePlanVersion.end_date >= start))
        .order_by(CarePlanVersion.care_plan_id, CarePlanVersion.start_date)).all()
    entries: dict[int, list[PatternEntry]] = {}
    for vid, weekday, week, part, st, et in session.execute(scoped(
            select(PatternDay.version_id, PatternDay.weekday, PatternDay.week, PatternDay.day_part,
                   PatternDay.start_time, PatternDay.end_time)
            .join(CarePlanVersion, CarePlanVersion.id == PatternDay.version_id)
            .join(CarePlan, CarePlan.id == CarePlanVersion.care_plan_id))
            .where(CarePlanVersion.start_date <= end,
                   CarePlanVersion.end_date.is_(None) | (CarePlanVersion.end_date >= start))):
        entries.setdefault(vid, []).append(PatternEntry(weekday, week, Block(part, st, et)))
    schedules: dict[int, list[tuple[date, Block]]] = {}
    for vid, day, part, st, et in session.execute(scoped(
            select(ScheduleDay.version_id, ScheduleDay.day, ScheduleDay.day_part, ScheduleDay.start_time,
                   ScheduleDay.end_time)
            .join(CarePlanVersion, CarePlanVersion.id == ScheduleDay.version_id)
            .join(CarePlan, CarePlan.id == CarePlanVersion.care_plan_id))
            .where(ScheduleDay.day >= start, ScheduleDay.day <= end).order_by(ScheduleDay.day)):
        schedules.setdefault(vid, []).append((day, Block(part, st, et)))
    for vid, pid, vstart, vend, kind, ref in version_rows:
        plans[pid].versions.append(VersionSpec(
            vstart, vend, kind, ref, tuple(sorted(entries.get(vid, ()), key=lambda e: (e.weekday, e.week or ""))),
            tuple(schedules.get(vid, ()))))
    for pid, day, part, st, et in session.execute(scoped(
            select(ExtraDay.care_plan_id, ExtraDay.day, ExtraDay.day_part, ExtraDay.start_time, ExtraDay.end_time)
            .join(CarePlan, CarePlan.id == ExtraDay.care_plan_id))
            .where(ExtraDay.day >= start, ExtraDay.day <= end).order_by(ExtraDay.day)):
        plans[pid].extras.append((day, Block(part, st, et)))
    return list(plans.values())


def opening_hours(ctx, location_ids: Iterable[int]) -> dict[int, dict[int, tuple[time, time]]]:
    session = ctx.session
    org = ctx.org
    ids = sorted(set(location_ids))
    result: dict[int, dict[int, tuple[time, time]]] = {i: {} for i in ids}
    if ids:
        for loc, weekday, opens, closes in session.execute(
                select(OpeningHours.location_id, OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
                .where(OpeningHours.organisation_id == org.id, OpeningHours.location_id.in_(ids))):
            result[loc][weekday] = (opens, closes)
    return result


def iter_reserved(plans: list[PlanData], start: date, end: date, hours, closed) -> Iterator[tuple]:
    """(plan, day, block, extra) for already loaded plans (no queries). Closing days and weekdays
    without opening hours are skipped; an extra day on a day the pattern already reserves is not
    counted twice."""
    for plan in plans:
        lo = max(start, plan.start)
        hi = end if plan.end is None else min(end, plan.end)
        if lo > hi:
            continue
        loc_hours, loc_closed = hours.get(plan.location_id, {}), closed.get(plan.location_id, {})
        taken: set[date] = set()
        for spec in plan.versions:
            for day, block in expand(spec, lo, hi):
                if day.weekday() in loc_hours and day not in loc_closed:
                    taken.add(day)
                    yield plan, day, block, False
        for day, block in plan.extras:
            if lo <= day <= hi and day.weekday() in loc_hours and day not in loc_closed and day not in taken:
                yield plan, day, block, True


def expand_plans(plans: list[PlanData], start: date, end: date, hours, closed, split: time) -> list[ReservedDay]:
    """Concrete reserved days of already loaded plans (no queries)."""
    out: list[ReservedDay] = []
    for plan, day, block, extra in iter_reserved(plans, start, end, hours, closed):
        opens, closes = hours[plan.location_id][day.weekday()]
        s, e = block_times(block, opens, closes, split)
        out.append(ReservedDay(day, plan.child_id, plan.location_id, plan.id, block.day_part, s, e, extra,
                               plan.family_id, plan.settling_in_until is not None and day <= plan.settling_in_until,
                               plan.own_child))
    out.sort(key=lambda r: (r.day, r.location_id, r.child_id, r.start or time()))
    return out


def reserved_days(ctx, *, start: date, end: date, child_ids=None, location_id: int | None = None,
                  location_ids: Iterable[int] | None = None) -> list[ReservedDay]:
    if location_id is not None:
        location_ids = [location_id]
    plans = load_plans(ctx, start, end, child_ids=child_ids, location_ids=location_ids)
    locs = {p.location_id for p in plans}
    hours = opening_hours(ctx, locs)
    closed = closing_calendar(ctx, locs, start, end)
    return expand_plans(plans, start, end, hours, closed, day_part_split(ctx))


def expected_children(ctx, location_id: int, day: date) -> list[ExpectedChild]:
    session = ctx.session
    org = ctx.org
    plans = load_plans(ctx, day, day, location_ids=[location_id])
    if not plans:
        return []
    hours = opening_hours(ctx, [location_id])
    closed = closing_calendar(ctx, [location_id], day, day)
    days = expand_plans(plans, day, day, hours, closed, day_part_split(ctx))
    groups = {p.id: p.living_group_id for p in plans}
    children = {c.id: c for c in session.execute(
        select(Child.id, Child.first_name, Child.last_name, Child.date_of_birth, Child.expected_birth_date)
        .where(Child.organisation_id == org.id, Child.id.in_({r.child_id for r in days})))}
    result = []
    for r in days:
        c = children[r.child_id]
        born = c.date_of_birth or c.expected_birth_date
        result.append(ExpectedChild(r.child_id, c.first_name, c.last_name, born, age_in_months(born, day)
                                    if born <= day else 0, groups[r.care_plan_id], r.day_part, r.start, r.end,
                                    r.care_plan_id))
    result.sort(key=lambda e: (e.last_name, e.first_name, e.child_id, e.start))
    return result


def agreements(ctx, *, start: date, end: date, child_ids=None, location_id: int | None = None):
    """The care plans overlapping [start, end] as :class:`Agreement` rows (one query)."""
    session = ctx.session
    org = ctx.org
    from .types import Agreement

    query = _plan_filter(select(CarePlan.id, CarePlan.child_id, CarePlan.location_id, CarePlan.family_id,
                                CarePlan.start_date, CarePlan.end_date, CarePlan.settling_in_until),
                         org, start, end, None if child_ids is None else list(child_ids),
                         None if location_id is None else [location_id]).order_by(CarePlan.id)
    return [Agreement(*row) for row in session.execute(query)]
