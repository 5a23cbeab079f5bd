"""Care plans (opvangplannen): create, add a version (addendum), end, extra days.

Every check runs before anything is added, so bad input raises PlanningError (a Dutch message
for the UI) and writes nothing. Overlap is refused for the same child + location + household;
under co-parenting the two households each have their own agreement (domain-rules §2.1)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from core.models import CareType, Child, ChildFamily, LivingGroup, Location

from ..models import (
    DAY_PARTS,
    CarePlan,
    CarePlanVersion,
    ExtraDay,
    PatternDay,
    ScheduleDay,
)
from .closing_days import closing_calendar
from .events import care_plan_changed
from .expansion import Block, minutes, overlapping
from .settings import day_part_split
from .types import DayPlan, PlanningError, ScheduledDay

WEEKDAY_NAMES = (_l("maandag"), _l("dinsdag"), _l("woensdag"), _l("donderdag"), _l("vrijdag"), _l("zaterdag"),
                 _l("zondag"))
BABY_TODDLER = (CareType.GROEPSOPVANG, CareType.GEZINSOPVANG)


def fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def age_in_months(birth: date, day: date) -> int:
    """Completed months of age on ``day`` (as relativedelta counts them, without its cost: this
    runs for every child on every day of a forecast)."""
    months = (day.year - birth.year) * 12 + day.month - birth.month
    if day.day < birth.day and (day + timedelta(days=1)).month == day.month:  # not yet; month-end clips
        months -= 1
    return months


# --- loading with the tenant check ------------------------------------------------------------

def get_plan(ctx, care_plan_id: int) -> CarePlan:
    session = ctx.session
    org = ctx.org
    plan = session.get(CarePlan, care_plan_id)
    if plan is None or plan.organisation_id != org.id:
        raise PlanningError("planning.plan_unknown")
    return plan


def _location(ctx, location_id: int) -> Location:
    session = ctx.session
    org = ctx.org
    location = session.get(Location, location_id)
    if location is None or location.organisation_id != org.id:
        raise PlanningError("planning.care_location_unknown", "location_id")
    return location


def _child(ctx, child_id: int) -> Child:
    session = ctx.session
    org = ctx.org
    child = session.get(Child, child_id)
    if child is None or child.organisation_id != org.id:
        raise PlanningError("planning.child_unknown", "child_id")
    return child


# --- validation ------------------------------------------------------------------------------

def _hours(location: Location) -> dict[int, tuple[time, time]]:
    return {oh.weekday: (oh.opens, oh.closes) for oh in location.opening_hours}


def _check_block(block: Block, weekday: int, hours: dict[int, tuple[time, time]], split: time,
                 what: str, field: str) -> tuple[time, time]:
    if block.day_part not in DAY_PARTS:
        raise PlanningError("planning.day_part_unknown", field, what=what)
    if weekday not in hours:
        raise PlanningError("planning.weekday_closed", field, weekday=WEEKDAY_NAMES[weekday], what=what)
    opens, closes = hours[weekday]
    if block.day_part == "hours":
        if block.start is None or block.end is None:
            raise PlanningError("planning.hours_missing", field, what=what)
        if block.end <= block.start:
            raise PlanningError("planning.hours_reversed", field, what=what)
        if block.start < opens or block.end > closes:
            raise PlanningError("planning.hours_outside", field, what=what, start=f"{block.start:%H:%M}",
                                end=f"{block.end:%H:%M}", opens=f"{opens:%H:%M}", closes=f"{closes:%H:%M}")
        return block.start, block.end
    if block.day_part == "morning":
        if split <= opens:
            raise PlanningError("planning.no_morning", field, weekday=WEEKDAY_NAMES[weekday])
        return opens, min(split, closes)
    if block.day_part == "afternoon":
        if split >= closes:
            raise PlanningError("planning.no_afternoon", field, weekday=WEEKDAY_NAMES[weekday])
        return max(split, opens), closes
    return opens, closes


def _check_pattern(days: Sequence[DayPlan], location: Location, split: time) -> str:
    """Validate a weekly or alternating pattern; returns the version kind."""
    if not days:
        raise PlanningError("planning.pattern_empty", "days")
    hours = _hours(location)
    weeks = {d.week for d in days}
    if not weeks <= {None, "A", "B"}:
        raise PlanningError("planning.week_unknown", "days")
    kind = "alternating" if weeks & {"A", "B"} else "weekly"
    spans: dict[tuple[int, str], list[tuple[time, time]]] = {}
    for d in days:
        if not 0 <= d.weekday <= 6:
            raise PlanningError("planning.weekday_invalid", "days")
        label = _l("%(weekday)s (week %(week)s)", weekday=WEEKDAY_NAMES[d.weekday], week=d.week) if d.week \
            else WEEKDAY_NAMES[d.weekday]
        span = _check_block(Block(d.day_part, d.start, d.end), d.weekday, hours, split, label, "days")
        for week in ([d.week] if d.week else ["A", "B"]):
            spans.setdefault((d.weekday, week), []).append(span)
    for (weekday, _week), blocks in spans.items():
        if overlapping(blocks):
            raise PlanningError("planning.care_overlaps_itself", "days", what=WEEKDAY_NAMES[weekday])
    return kind


def _check_schedule(ctx, schedule: Sequence[ScheduledDay], location: Location, split: time, start: date,
                    end: date | None) -> None:
    if not schedule:
        raise PlanningError("planning.schedule_empty", "schedule")
    hours = _hours(location)
    seen: dict[date, list[tuple[time, time]]] = {}
    days = [item.day for item in schedule]
    closed = closing_calendar(ctx, [location.id], min(days), max(days))[location.id]
    for item in schedule:
        if item.day < start or (end is not None and item.day > end):
            raise PlanningError("planning.schedule_outside", "schedule", day=fmt(item.day))
        if item.day in closed:
            raise PlanningError("planning.schedule_closed", "schedule", day=fmt(item.day),
                                reason=closed[item.day].reason)
        span = _check_block(Block(item.day_part, item.start, item.end), item.day.weekday(), hours, split,
                            fmt(item.day), "schedule")
        seen.setdefault(item.day, []).append(span)
    for day, blocks in seen.items():
        if overlapping(blocks):
            raise PlanningError("planning.care_overlaps_itself", "schedule", what=fmt(day))


def _check_age(ctx, child: Child, location: Location, start_date: date) -> None:
    born = child.birth_date
    if born is None:
        return
    if start_date < born:
        raise PlanningError("planning.not_born", "start_date", day=fmt(start_date))
    age = age_in_months(born, start_date)
    if location.care_type in BABY_TODDLER and not location.registers_out_of_school:
        # a location with the BO permission also cares for school children (FO-SU-05 BO tick)
        limit = int(ctx.setting("planning.max_age_months"))
        if age > limit:
            raise PlanningError("planning.too_old", "start_date", name=child.first_name, day=fmt(start_date),
                                age=age, limit=limit)
    elif location.care_type == CareType.BUITENSCHOOLSE_OPVANG:
        minimum = int(ctx.setting("planning.min_age_months_school"))
        if age < minimum:
            raise PlanningError("planning.too_young_for_school", "start_date", name=child.first_name,
                                day=fmt(start_date), age=age, minimum=minimum)


def _check_overlap(ctx, *, child_id: int, location_id: int, family_id: int | None, start: date,
                   end: date | None, exclude_id: int | None = None) -> None:
    session = ctx.session
    org = ctx.org
    query = select(CarePlan.id, CarePlan.start_date, CarePlan.end_date).where(
        CarePlan.organisation_id == org.id, CarePlan.child_id == child_id, CarePlan.location_id == location_id,
        CarePlan.family_id.is_(None) if family_id is None else CarePlan.family_id == family_id,
        (CarePlan.end_date.is_(None)) | (CarePlan.end_date >= start))
    if end is not None:
        query = query.where(CarePlan.start_date <= end)
    if exclude_id is not None:
        query = query.where(CarePlan.id != exclude_id)
    clash = session.execute(query.limit(1)).first()
    if clash is not None:
        if clash.end_date:
            raise PlanningError("planning.plan_overlap_until", "start_date", start=fmt(clash.start_date),
                                end=fmt(clash.end_date))
        raise PlanningError("planning.plan_overlap", "start_date", start=fmt(clash.start_date))


def _check_living_group(ctx, living_group_id: int | None, location_id: int) -> None:
    session = ctx.session
    org = ctx.org
    if living_group_id is None:
        return
    group = session.get(LivingGroup, living_group_id)
    if group is None or group.organisation_id != org.id or group.location_id != location_id:
        raise PlanningError("planning.living_group_mismatch", "living_group_id")


def _check_family(ctx, child_id: int, family_id: int | None) -> None:
    session = ctx.session
    org = ctx.org
    if family_id is None:
        return
    linked = session.scalar(select(ChildFamily.id).where(
        ChildFamily.organisation_id == org.id, ChildFamily.child_id == child_id, ChildFamily.family_id == family_id))
    if linked is None:
        raise PlanningError("planning.family_mismatch", "family_id")


# --- building rows --------------------------------------------------------------------------

def _version(org, plan: CarePlan, *, start: date, end: date | None, days: Sequence[DayPlan],
             schedule: Sequence[ScheduledDay] | None, kind: str, reference: date | None,
             actor_id: int | None) -> CarePlanVersion:
    version = CarePlanVersion(organisation_id=org.id, start_date=start, end_date=end, kind=kind,
                              reference_date=reference if kind == "alternating" else None, created_by_id=actor_id)
    if kind == "custom":
        version.schedule = [ScheduleDay(organisation_id=org.id, day=s.day, day_part=s.day_part,
                                        start_time=s.start if s.day_part == "hours" else None,
                                        end_time=s.end if s.day_part == "hours" else None) for s in schedule or ()]
    else:
        version.days = [PatternDay(organisation_id=org.id, weekday=d.weekday, week=d.week, day_part=d.day_part,
                                   start_time=d.start if d.day_part == "hours" else None,
                                   end_time=d.end if d.day_part == "hours" else None) for d in days]
    plan.versions.append(version)
    return version


def _validated_kind(ctx, location, days, schedule, start, end) -> str:
    split = day_part_split(ctx)
    if schedule:
        if days:
            raise PlanningError("planning.pattern_and_schedule", "days")
        _check_schedule(ctx, schedule, location, split, start, end)
        return "custom"
    return _check_pattern(days, location, split)


def validate_care_plan(ctx, *, child_id: int, location_id: int, start_date: date,
                       days: Sequence[DayPlan] = (), end_date: date | None = None, family_id: int | None = None,
                       settling_in_until: date | None = None, living_group_id: int | None = None,
                       schedule: Sequence[ScheduledDay] | None = None, own_child: bool = False,
                       ) -> tuple[Location, str]:
    """Every check of a new plan, writing nothing: raises PlanningError (Dutch) or returns the
    location and the version kind. Screens call it before showing capacity warnings, so that
    bad input is reported first."""
    if start_date is None:
        raise PlanningError("planning.start_missing", "start_date")
    if end_date is not None and end_date < start_date:
        raise PlanningError("planning.end_before_start", "end_date")
    if settling_in_until is not None and (settling_in_until < start_date
                                          or (end_date is not None and settling_in_until > end_date)):
        raise PlanningError("planning.settling_in_outside", "settling_in_until")
    child = _child(ctx, child_id)
    location = _location(ctx, location_id)
    _check_family(ctx, child_id, family_id)
    _check_living_group(ctx, living_group_id, location_id)
    if own_child:  # counts up to and including kleuterschool (§4.2): no age limit of the care type
        if location.care_type != CareType.GEZINSOPVANG:
            raise PlanningError("planning.own_child_family_only", "own_child")
    else:
        _check_age(ctx, child, location, start_date)
    kind = _validated_kind(ctx, location, list(days or ()), list(schedule or ()), start_date, end_date)
    _check_overlap(ctx, child_id=child_id, location_id=location_id, family_id=family_id,
                   start=start_date, end=end_date)
    return location, kind


def create_care_plan(ctx, *, child_id: int, location_id: int, start_date: date, days: Sequence[DayPlan],
                     end_date: date | None = None, end_description: str = "", family_id: int | None = None,
                     settling_in_until: date | None = None, living_group_id: int | None = None,
                     actor_id: int | None = None, schedule: Sequence[ScheduledDay] | None = None,
                     reference_date: date | None = None, extra_days: Sequence[ScheduledDay] = (),
                     own_child: bool = False, notes: str = "") -> int:
    session = ctx.session
    org = ctx.org
    location, kind = validate_care_plan(
        ctx, child_id=child_id, location_id=location_id, start_date=start_date, days=days,
        end_date=end_date, family_id=family_id, settling_in_until=settling_in_until,
        living_group_id=living_group_id, schedule=schedule, own_child=own_child)
    plan = CarePlan(organisation_id=org.id, child_id=child_id, location_id=location_id, family_id=family_id,
                    living_group_id=living_group_id, start_date=start_date, end_date=end_date,
                    end_description=(end_description or "")[:200], settling_in_until=settling_in_until,
                    own_child=bool(own_child), notes=(notes or "").strip(),
                    created_by_id=actor_id)
    _version(org, plan, start=start_date, end=end_date, days=list(days or ()), schedule=schedule, kind=kind,
             reference=reference_date or start_date, actor_id=actor_id)
    _add_extras(ctx, plan, location, extra_days)
    session.add(plan)
    session.flush()
    care_plan_changed(ctx, plan, "created", start_date, actor_id)
    return plan.id


def validate_care_plan_version(ctx, care_plan_id: int, *, effective_date: date,
                               days: Sequence[DayPlan] = (), schedule: Sequence[ScheduledDay] | None = None,
                               ) -> tuple[CarePlan, str]:
    """Every check of a new version, writing nothing: raises PlanningError or returns the plan and
    the version kind."""
    plan = get_plan(ctx, care_plan_id)
    if effective_date is None:
        raise PlanningError("planning.effective_missing", "effective_date")
    if effective_date < plan.start_date or (plan.end_date is not None and effective_date > plan.end_date):
        raise PlanningError("planning.effective_outside", "effective_date")
    last = plan.versions[-1]
    if effective_date <= last.start_date:
        raise PlanningError("planning.version_not_later", "effective_date", day=fmt(last.start_date))
    location = _location(ctx, plan.location_id)
    kind = _validated_kind(ctx, location, list(days or ()), list(schedule or ()), effective_date,
                           plan.end_date)
    return plan, kind


def new_care_plan_version(ctx, care_plan_id: int, *, effective_date: date, days: Sequence[DayPlan],
                          actor_id: int | None = None, schedule: Sequence[ScheduledDay] | None = None,
                          reference_date: date | None = None) -> int:
    """An addendum: the new pattern holds from ``effective_date``; the previous version now ends the
    day before. Versions before the effective date are never changed otherwise."""
    session = ctx.session
    org = ctx.org
    plan, kind = validate_care_plan_version(ctx, care_plan_id, effective_date=effective_date, days=days,
                                            schedule=schedule)
    last = plan.versions[-1]
    last.end_date = effective_date - timedelta(days=1)
    version = _version(org, plan, start=effective_date, end=plan.end_date, days=list(days or ()),
                       schedule=schedule, kind=kind, reference=reference_date or last.reference_date
                       or effective_date, actor_id=actor_id)
    session.flush()
    care_plan_changed(ctx, plan, "versioned", effective_date, actor_id)
    return version.id


def end_care_plan(ctx, care_plan_id: int, *, end_date: date, actor_id: int | None = None) -> None:
    """Set the (last) care day. Refused before the start or before the latest version's start."""
    session = ctx.session
    plan = get_plan(ctx, care_plan_id)
    if end_date is None:
        raise PlanningError("planning.end_missing", "end_date")
    if end_date < plan.start_date:
        raise PlanningError("planning.end_before_start", "end_date")
    last = plan.versions[-1]
    if end_date < last.start_date:
        raise PlanningError("planning.end_before_version", "end_date", day=fmt(last.start_date))
    if plan.end_date is None or end_date > plan.end_date:  # a later end must not run into the next agreement
        _check_overlap(ctx, child_id=plan.child_id, location_id=plan.location_id, family_id=plan.family_id,
                       start=plan.start_date, end=end_date, exclude_id=plan.id)
    if plan.settling_in_until is not None and plan.settling_in_until > end_date:
        plan.settling_in_until = end_date
    plan.end_date = end_date
    last.end_date = end_date
    session.flush()
    care_plan_changed(ctx, plan, "ended", end_date, actor_id)


def _add_extras(ctx, plan: CarePlan, location: Location, extra_days: Sequence[ScheduledDay]) -> None:
    org = ctx.org
    split = day_part_split(ctx)
    for item in extra_days:
        if item.day < plan.start_date or (plan.end_date is not None and item.day > plan.end_date):
            raise PlanningError("planning.extra_day_outside", "day", day=fmt(item.day))
        _check_block(Block(item.day_part, item.start, item.end), item.day.weekday(), _hours(location), split,
                     fmt(item.day), "day")
        if any(e.day == item.day for e in plan.extra_days):
            raise PlanningError("planning.extra_day_twice", "day", day=fmt(item.day))
        closed = closing_calendar(ctx, [location.id], item.day, item.day)[location.id]
        if item.day in closed:
            raise PlanningError("planning.extra_day_closed", "day", day=fmt(item.day), reason=closed[item.day].reason)
        plan.extra_days.append(ExtraDay(organisation_id=org.id, day=item.day, day_part=item.day_part,
                                        start_time=item.start if item.day_part == "hours" else None,
                                        end_time=item.end if item.day_part == "hours" else None))


def add_extra_day(ctx, care_plan_id: int, extra: ScheduledDay, actor_id: int | None = None) -> int:
    """An occasional extra agreed day (no new version needed)."""
    session = ctx.session
    plan = get_plan(ctx, care_plan_id)
    location = _location(ctx, plan.location_id)
    _add_extras(ctx, plan, location, [extra])
    session.flush()
    care_plan_changed(ctx, plan, "versioned", extra.day, actor_id)
    return plan.extra_days[-1].id if plan.extra_days[-1].day == extra.day else next(
        e.id for e in plan.extra_days if e.day == extra.day)


def remove_extra_day(ctx, care_plan_id: int, day: date, actor_id: int | None = None) -> None:
    session = ctx.session
    plan = get_plan(ctx, care_plan_id)
    for extra in list(plan.extra_days):
        if extra.day == day:
            plan.extra_days.remove(extra)
            session.flush()
            care_plan_changed(ctx, plan, "versioned", day, actor_id)
            return
    raise PlanningError("planning.extra_day_missing", "day", day=fmt(day))


def span_minutes(start: time, end: time) -> int:
    return minutes(end) - minutes(start)


# --- whose care has ended ----------------------------------------------------------------------

def care_ended(ctx, child_ids, *, today: date | None = None, location_ids=None) -> set[tuple[int, int]]:
    """(location_id, child_id) pairs of ``child_ids`` whose care at that location has ended: the
    child has care plans there and every one ended before ``today`` (default: the context's). One query."""
    session = ctx.session
    org = ctx.org
    today = today or ctx.today()
    child_ids = sorted(set(child_ids))
    if not child_ids:
        return set()
    still = func.sum(case(((CarePlan.end_date.is_(None)) | (CarePlan.end_date >= today), 1), else_=0))
    query = (select(CarePlan.location_id, CarePlan.child_id)
             .where(CarePlan.organisation_id == org.id, CarePlan.child_id.in_(child_ids))
             .group_by(CarePlan.location_id, CarePlan.child_id).having(still == 0))
    if location_ids is not None:
        query = query.where(CarePlan.location_id.in_(list(location_ids)))
    return {(row.location_id, row.child_id) for row in session.execute(query)}
