"""Care plans of whole locations for the forecasts (occupancy, free places) in three prebuilt
statements on the session's connection instead of five ORM queries.

The ORM path (``reservations.load_plans``) costs about 2 ms a statement in SQLAlchemy (building
the statement, the tenant guard's loader criteria, ORM rows): for a 12-month forecast that was
most of the time once the days are counted per pattern. These statements are built once with bind
parameters and filter every table on the organisation themselves (what the tenant guard would
add). ``test_bulk_plans`` holds them equal to ``load_plans``."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from functools import lru_cache

from sqlalchemy import String, and_, bindparam, cast, func, or_, select

from ..models import CarePlan, CarePlanVersion, ExtraDay, PatternDay, ScheduleDay
from .expansion import Block, PatternEntry, VersionSpec
from .reservations import PlanData

#: the id lists are rendered into the statement (``literal_execute``: integers, by SQLAlchemy): as
#: a hundred bound parameters they cost psycopg a fresh parse of the statement on every call (it
#: caches statements of at most 50 parameters) and SQLAlchemy a bind cast each
_ORGS, _LO, _HI, _LOCS = (bindparam("org_ids", expanding=True, literal_execute=True), bindparam("lo"),
                          bindparam("hi"), bindparam("location_ids", expanding=True, literal_execute=True))


def _in_window(table):
    return and_(table.organisation_id.in_(_ORGS), table.start_date <= _HI,
                or_(table.end_date.is_(None), table.end_date >= _LO))


_PLAN_IN_WINDOW = and_(_in_window(CarePlan), CarePlan.location_id.in_(_LOCS))

def _part(column):
    return func.coalesce(cast(column, String), "")


#: one version's pattern days as one string ("weekday|week|day part|start|end", ";" between days):
#: the database aggregates them (``aggregate_strings``: string_agg / group_concat) in a subquery per
#: version, so a plan version is one row instead of one per pattern day without grouping the
#: joined rows (SQLite sorted those in a temporary tree), and identical patterns are parsed once
#: (``_entries``)
_SIGNATURE = (
    select(func.aggregate_strings(
        cast(PatternDay.weekday, String) + "|" + _part(PatternDay.week) + "|" + PatternDay.day_part + "|"
        + _part(PatternDay.start_time) + "|" + _part(PatternDay.end_time), ";"))
    .where(PatternDay.version_id == CarePlanVersion.id, PatternDay.organisation_id.in_(_ORGS))
    .scalar_subquery()
)

#: plans x versions in the window, each version's pattern days (none for a custom schedule)
_PATTERNS = (
    select(CarePlan.id, CarePlan.child_id, CarePlan.location_id, CarePlan.family_id, CarePlan.living_group_id,
           CarePlan.start_date, CarePlan.end_date, CarePlan.settling_in_until,
           CarePlanVersion.id, CarePlanVersion.start_date, CarePlanVersion.end_date, CarePlanVersion.kind,
           CarePlanVersion.reference_date, _SIGNATURE)
    .select_from(CarePlan)
    .outerjoin(CarePlanVersion, and_(CarePlanVersion.care_plan_id == CarePlan.id, _in_window(CarePlanVersion)))
    .where(_PLAN_IN_WINDOW)
    .order_by(CarePlan.id, CarePlanVersion.start_date, CarePlanVersion.id)
)


def _time(text: str) -> time | None:
    return time.fromisoformat(text) if text else None


@lru_cache(maxsize=4096)
def _entries(signature: str | None) -> tuple[PatternEntry, ...]:
    """The pattern entries of a signature, in the order ``load_plans`` gives them."""
    if not signature:
        return ()
    out = []
    for day in signature.split(";"):
        weekday, week, part, start, end = day.split("|")
        out.append(PatternEntry(int(weekday), week or None, Block(part, _time(start), _time(end))))
    return tuple(sorted(out, key=lambda e: (e.weekday, e.week or "", e.block.day_part,
                                            e.block.start or time.min, e.block.end or time.min)))


_SCHEDULES = (
    select(ScheduleDay.version_id, ScheduleDay.day, ScheduleDay.day_part, ScheduleDay.start_time,
           ScheduleDay.end_time)
    .join(CarePlanVersion, and_(CarePlanVersion.id == ScheduleDay.version_id, _in_window(CarePlanVersion)))
    .join(CarePlan, CarePlan.id == CarePlanVersion.care_plan_id)
    .where(ScheduleDay.organisation_id.in_(_ORGS), ScheduleDay.day >= _LO, ScheduleDay.day <= _HI, _PLAN_IN_WINDOW)
    .order_by(ScheduleDay.day)
)
_EXTRAS = (
    select(ExtraDay.care_plan_id, ExtraDay.day, ExtraDay.day_part, ExtraDay.start_time, ExtraDay.end_time)
    .join(CarePlan, CarePlan.id == ExtraDay.care_plan_id)
    .where(ExtraDay.organisation_id.in_(_ORGS), ExtraDay.day >= _LO, ExtraDay.day <= _HI, _PLAN_IN_WINDOW)
    .order_by(ExtraDay.day)
)


def load_location_plans(session, org, start: date, end: date, location_ids: Iterable[int]) -> list[PlanData]:
    """The plans of the given locations overlapping [start, end], as ``load_plans`` gives them."""
    return load_plans_of(session, [org.id], start, end, location_ids)


def load_plans_of(session, org_ids: Iterable[int], start: date, end: date, location_ids: Iterable[int],
                  ) -> list[PlanData]:
    """The same for the locations of several organisations at once (a koepel-wide forecast): still
    three statements, every table filtered on those organisations."""
    ids = sorted(set(location_ids))
    if not ids:
        return []
    conn = session.connection()
    params = {"org_ids": sorted(set(org_ids)), "lo": start, "hi": end, "location_ids": ids}
    plans: dict[int, PlanData] = {}
    versions: dict[int, tuple] = {}  # version id -> (plan id, start, end, kind, reference, entries)
    for (pid, child, loc, family, group, p_start, p_end, settling, vid, v_start, v_end, kind, ref,
         signature) in conn.execute(_PATTERNS, params).all():
        if pid not in plans:
            plans[pid] = PlanData(pid, child, loc, family, group, p_start, p_end, settling)
        if vid is not None:
            versions[vid] = (pid, v_start, v_end, kind, ref, _entries(signature))
    if not plans:
        return []
    schedules: dict[int, list[tuple[date, Block]]] = {}
    for vid, day, part, st, et in conn.execute(_SCHEDULES, params).all():
        schedules.setdefault(vid, []).append((day, Block(part, st, et)))
    for vid, (pid, v_start, v_end, kind, ref, entries) in versions.items():
        plans[pid].versions.append(VersionSpec(v_start, v_end, kind, ref, entries, tuple(schedules.get(vid, ()))))
    for pid, day, part, st, et in conn.execute(_EXTRAS, params).all():
        plans[pid].extras.append((day, Block(part, st, et)))
    return list(plans.values())
