"""Synthetic planning demo data for ``koepel demo`` (never real people): care plans for the demo
children so that the day planning, the occupancy heatmap and the respite balances show something,
a bridge day and a Christmas closure. Each pattern passes the domain's own checks (opening hours,
closed weekdays, age limit) before it is stored; the rows are then added in bulk, because
``create_care_plan`` one by one (about 30 ms each) made the demo three times slower. One plan per
child, so no overlap is possible. Idempotent: an organisation that has care plans gets none added."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.context import context_for
from core.models import CareType, Child, Location

from .. import api
from ..models import CarePlan, CarePlanVersion, PatternDay
from .care_plans import _check_pattern, age_in_months
from .settings import day_part_split

PATTERNS = (
    [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0, 1, 3, 4], [0, 1, 2], [1, 2, 3], [0, 3, 4], [2, 3, 4], [0, 1, 2, 3],
)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _days(rng: random.Random, location: Location) -> list[api.DayPlan]:
    open_days = {oh.weekday: (oh.opens, oh.closes) for oh in location.opening_hours}
    weekdays = [d for d in rng.choice(PATTERNS) if d in open_days] or sorted(open_days)[:3]
    style = rng.random()
    if style < 0.12 and len(weekdays) >= 2:  # alternating week A/B (co-parenting, shift work)
        half = len(weekdays) // 2
        return ([api.DayPlan(d, "full", week="A") for d in weekdays[:half + 1]]
                + [api.DayPlan(d, "full", week="B") for d in weekdays[half:]])
    if style < 0.3:  # hours, inside the opening hours
        plans = []
        for d in weekdays:
            opens, closes = open_days[d]
            start = max(opens, time(rng.choice([7, 8, 8, 9]), rng.choice([0, 30])))
            end = min(closes, time(rng.choice([12, 15, 16, 17]), rng.choice([0, 30])))
            plans.append(api.DayPlan(d, "hours", start, end) if start < end else api.DayPlan(d, "full"))
        return plans
    part = rng.choice(["full", "full", "full", "morning", "afternoon"])
    return [api.DayPlan(d, part) for d in weekdays]


def _group(location: Location, child: Child, day: date) -> int | None:
    born = child.birth_date
    age = (day.year - born.year) * 12 + day.month - born.month
    for group in location.living_groups:
        if group.min_age_months is not None and group.max_age_months is not None \
                and group.min_age_months <= age <= group.max_age_months:
            return group.id
    return None


def populate(session, org, seed: int) -> int:
    """Returns the number of care plans made."""
    if session.scalar(select(func.count(CarePlan.id)).where(CarePlan.organisation_id == org.id)):
        return 0
    rng = random.Random(seed)
    ctx = context_for(session, org)
    today = ctx.today()
    locations = {loc.id: loc for loc in session.scalars(
        select(Location).where(Location.organisation_id == org.id)
        .options(selectinload(Location.opening_hours), selectinload(Location.living_groups)))}
    if not locations:
        return 0
    children = session.scalars(select(Child).where(Child.organisation_id == org.id, Child.location_id.is_not(None))
                               .options(selectinload(Child.family_links)).order_by(Child.id)).all()
    split = day_part_split(ctx)
    max_age = int(ctx.setting("planning.max_age_months"))
    made = 0
    for child in children:
        location = locations.get(child.location_id)
        if location is None or not location.opening_hours or not child.family_links:
            continue
        born = child.birth_date
        start = _monday(max(today - timedelta(days=rng.randint(0, 330)), born + timedelta(days=rng.randint(90, 150))))
        if start > today + timedelta(days=120) or age_in_months(born, start) > max_age:
            continue
        end = None
        if rng.random() < 0.3:  # leaves for school or moves away within the year
            end = max(start + timedelta(days=60), today + timedelta(days=rng.randint(20, 330)))
        days = _days(rng, location)
        try:
            kind = _check_pattern(days, location, split)
        except api.PlanningError:
            continue
        group = _group(location, child, max(start, today)) if location.care_type == CareType.GROEPSOPVANG else None
        plan = CarePlan(organisation_id=org.id, child_id=child.id, location_id=location.id,
                        family_id=child.family_links[0].family_id, living_group_id=group, start_date=start,
                        end_date=end, settling_in_until=start + timedelta(days=11)
                        if start >= today - timedelta(days=7) else None)
        plan.versions.append(CarePlanVersion(
            organisation_id=org.id, start_date=start, end_date=end, kind=kind,
            reference_date=start if kind == "alternating" else None,
            days=[PatternDay(organisation_id=org.id, weekday=d.weekday, week=d.week, day_part=d.day_part,
                             start_time=d.start if d.day_part == "hours" else None,
                             end_time=d.end if d.day_part == "hours" else None) for d in days]))
        session.add(plan)
        made += 1
    session.flush()
    year = today.year if today.month < 12 or today.day < 24 else today.year + 1
    for start, end, reason, kind in ((date(year, 12, 24), date(year, 12, 31), "Kerstsluiting", "closure"),
                                     (date(year + 1, 5, 7), date(year + 1, 5, 7), "Brugdag", "bridge")):
        try:
            api.add_closing_period(ctx, start_date=start, end_date=end, reason=reason, kind=kind)
        except api.PlanningError:
            pass
    return made
