"""Occupancy (bezetting) and free places (vacatures) per location and month.

Computed from the reserved days in bulk (a fixed number of queries whatever the number of
children). A day part is a half day: available day parts = licensed places × 2 × open days
(weekdays with opening hours, closing days excluded). Internally a child's day is a bit mask
(1 = morning, 2 = afternoon), so a year of a whole organisation is a few dict operations per day."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from core.models import CareType, Child, LivingGroup, Location
from core.values import Period

from .capacity import effective_capacity
from .care_plans import age_in_months
from .closing_days import closing_calendar
from .expansion import AFTERNOON, MORNING, expand, halves
from .reservations import load_plans, opening_hours
from .settings import day_part_split
from .types import OccupancyCell, Vacancy

HALVES = (MORNING, AFTERNOON)
BIT = {MORNING: 1, AFTERNOON: 2}
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _locations(ctx, location_ids) -> list[Location]:
    session = ctx.session
    org = ctx.org
    query = select(Location).where(Location.organisation_id == org.id).order_by(Location.name, Location.id)
    if location_ids is not None:
        query = query.where(Location.id.in_(list(location_ids)))
    return list(session.scalars(query))


def _months(start: Period, months: int) -> list[Period]:
    out, p = [], start
    for _ in range(months):
        out.append(p)
        p = p.next()
    return out


def _masks(ctx, locations, first: date, last: date):
    """{(location, day, child): bits} of reserved day parts, the calendars used, and each
    (location, child)'s assigned living group."""
    ids = [loc.id for loc in locations]
    plans = load_plans(ctx, first, last, location_ids=ids)
    hours = opening_hours(ctx, ids)
    closed = closing_calendar(ctx, ids, first, last)
    split = day_part_split(ctx)
    bits_of: dict[int, int] = {}  # by id(): blocks live as long as ``plans``; hashing them costs more
    masks: dict[tuple[int, date, int], int] = {}
    get = masks.get
    for plan in plans:
        lo, hi = max(first, plan.start), last if plan.end is None else min(last, plan.end)
        loc_hours, loc_closed = hours.get(plan.location_id, {}), closed.get(plan.location_id, {})
        loc, child = plan.location_id, plan.child_id
        taken: set[date] = set()
        for spec in plan.versions:
            for day, block in expand(spec, lo, hi):
                if day.weekday() not in loc_hours or day in loc_closed:
                    continue
                bits = bits_of.get(id(block))
                if bits is None:
                    bits = bits_of[id(block)] = sum(BIT[h] for h in halves(block, split))
                key = (loc, day, child)
                masks[key] = get(key, 0) | bits
                taken.add(day)
        for day, block in plan.extras:
            if lo <= day <= hi and day.weekday() in loc_hours and day not in loc_closed and day not in taken:
                key = (loc, day, child)
                masks[key] = get(key, 0) | sum(BIT[h] for h in halves(block, split))
    # the living group each plan assigns, with the plan's dates: a child can change group with a
    # new plan (e.g. from the babies to the toddlers), so the group is looked up per day
    child_group: dict[tuple[int, int], list[tuple[date, date | None, int]]] = defaultdict(list)
    for p in plans:
        if p.living_group_id:
            child_group[(p.location_id, p.child_id)].append((p.start, p.end, p.living_group_id))
    return masks, hours, closed, child_group


def _open_days(hours, closed, location_id: int, first: date, last: date) -> list[date]:
    days, day = [], first
    loc_hours, loc_closed = hours.get(location_id, {}), closed.get(location_id, {})
    while day <= last:
        if day.weekday() in loc_hours and day not in loc_closed:
            days.append(day)
        day += timedelta(days=1)
    return days


def occupancy(ctx, *, start: Period, months: int = 12, location_ids=None) -> list[OccupancyCell]:
    periods = _months(start, months)
    locations = _locations(ctx, location_ids)
    if not locations or not periods:
        return []
    first, last = periods[0].first_day, periods[-1].last_day
    masks, hours, closed, _ = _masks(ctx, locations, first, last)
    reserved: dict[tuple[int, int, int], int] = defaultdict(int)
    for (loc, day, _child), bits in masks.items():
        reserved[(loc, day.year, day.month)] += (bits & 1) + (bits >> 1)
    cells = []
    for loc in locations:
        per_month: dict[tuple[int, int], int] = defaultdict(int)
        for day in _open_days(hours, closed, loc.id, first, last):
            per_month[(day.year, day.month)] += 1
        for period in periods:
            open_days = per_month[(period.year, period.month)]
            booked = reserved.get((loc.id, period.year, period.month), 0)
            available = (loc.licensed_places or 0) * 2 * open_days
            cells.append(OccupancyCell(loc.id, period, booked, available, booked / available if available else 0.0))
    return cells


def age_bands(care_type: CareType, max_age_months: int) -> list[tuple[str, int, int]]:
    """(label, from, to) in months, to exclusive. Baby/toddler care: bands of 12 months."""
    if care_type in (CareType.GROEPSOPVANG, CareType.GEZINSOPVANG):
        return [(f"{m}-{min(m + 12, max_age_months)}m", m, min(m + 12, max_age_months))
                for m in range(0, max_age_months, 12)]
    if care_type == CareType.BUITENSCHOOLSE_OPVANG:
        return [("schoolkinderen", 0, 10_000)]
    return [("alle leeftijden", 0, 10_000)]


def _patterns(open_weekdays: list[int]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Day-part patterns offered: the whole week (full days, mornings, afternoons), each weekday.
    Cells are (weekday, bit)."""
    if not open_weekdays:
        return []
    span = f"{WEEKDAY_SHORT[open_weekdays[0]]}-{WEEKDAY_SHORT[open_weekdays[-1]]}"
    out = [(f"{span} volle dag", [(w, b) for w in open_weekdays for b in (1, 2)]),
           (f"{span} voormiddag", [(w, 1) for w in open_weekdays]),
           (f"{span} namiddag", [(w, 2) for w in open_weekdays])]
    out += [(f"{WEEKDAY_SHORT[w]} volle dag", [(w, 1), (w, 2)]) for w in open_weekdays]
    return out


def _age_limited(groups: list[LivingGroup]) -> bool:
    return bool(groups) and all(g.capacity is not None and g.min_age_months is not None
                                and g.max_age_months is not None for g in groups)


def free_places(ctx, *, start: date | Period, months: int = 12, location_ids=None) -> list[Vacancy]:
    """Free places per location, month, age band and pattern (positive only), and last-minute rows.

    Per weekday and half day the month's peak of children present is compared with the licensed
    places. When every living group of the location has an age range and a capacity, a band's free
    places are also limited by the groups that take that age; children without an assigned group
    count in the group that fits their age on each day (children age: they move on)."""
    session = ctx.session
    org = ctx.org
    today = ctx.today()
    if isinstance(start, Period):
        first_period = start
        start_day = max(start.first_day, today) if start == Period.of(today) else start.first_day
    else:
        first_period, start_day = Period.of(start), start
    periods = _months(first_period, months)
    locations = _locations(ctx, location_ids)
    if not locations or not periods:
        return []
    weeks = int(ctx.setting("planning.last_minute_weeks"))
    lm_first, lm_last = today, today + timedelta(weeks=weeks) - timedelta(days=1)
    first, last = min(start_day, lm_first), max(periods[-1].last_day, lm_last)
    masks, hours, closed, child_group = _masks(ctx, locations, first, last)
    max_age = int(ctx.setting("planning.max_age_months"))
    groups: dict[int, list[LivingGroup]] = defaultdict(list)
    for g in session.scalars(select(LivingGroup).where(
            LivingGroup.organisation_id == org.id, LivingGroup.location_id.in_([loc.id for loc in locations]))
            .order_by(LivingGroup.min_age_months, LivingGroup.id)):
        groups[g.location_id].append(g)
    limited = {loc.id: _age_limited(groups.get(loc.id, [])) for loc in locations}
    need_age = {c for (loc, _d, c) in masks if limited[loc]}
    births = {cid: (dob or exp) for cid, dob, exp in session.execute(
        select(Child.id, Child.date_of_birth, Child.expected_birth_date)
        .where(Child.organisation_id == org.id, Child.id.in_(need_age)))} if need_age else {}

    def group_of(loc_id: int, child_id: int, day: date) -> int | None:
        for first_day, last_day, assigned in child_group.get((loc_id, child_id), ()):
            if first_day <= day and (last_day is None or day <= last_day):
                return assigned
        born = births.get(child_id)
        age = age_in_months(born, day) if born and born <= day else 0
        for g in groups[loc_id]:
            if g.min_age_months <= age <= g.max_age_months:
                return g.id
        return None

    # children present per (location, day, bit) and per (location, day, group, bit)
    counts: dict[tuple[int, date, int], int] = defaultdict(int)
    gcounts: dict[tuple[int, date, int | None, int], int] = defaultdict(int)
    for (loc, day, child), bits in masks.items():
        g = group_of(loc, child, day) if limited[loc] else None
        for b in (1, 2):
            if bits & b:
                counts[(loc, day, b)] += 1
                if limited[loc]:
                    gcounts[(loc, day, g, b)] += 1

    forced = str(ctx.setting("planning.ratio_rule_set") or "auto")

    def vacancies(loc: Location, lo: date, hi: date, period: Period, last_minute: bool) -> list[Vacancy]:
        days = _open_days(hours, closed, loc.id, lo, hi)
        if not days or not loc.licensed_places:
            return []
        places = min(effective_capacity(loc, day, forced) for day in days)  # family daycare: 7 from 2027
        peak: dict[tuple[int, int], int] = defaultdict(int)
        group_peak: dict[tuple[int | None, int, int], int] = defaultdict(int)
        for day in days:
            w = day.weekday()
            for b in (1, 2):
                peak[(w, b)] = max(peak[(w, b)], counts.get((loc.id, day, b), 0))
                if limited[loc.id]:
                    for g in groups[loc.id]:
                        key = (g.id, w, b)
                        group_peak[key] = max(group_peak[key], gcounts.get((loc.id, day, g.id, b), 0))
        open_weekdays = sorted({d.weekday() for d in days})
        out = []
        for band, lo_m, hi_m in age_bands(loc.care_type, max_age):
            fitting = [g for g in groups.get(loc.id, ()) if limited[loc.id] and g.min_age_months < hi_m
                       and g.max_age_months > lo_m]
            for label, cells in _patterns(open_weekdays):
                free = min(places - peak[c] for c in cells)
                if limited[loc.id]:
                    free = min(free, min(sum(g.capacity - group_peak[(g.id, w, b)] for g in fitting)
                                         for w, b in cells))
                if free > 0:
                    out.append(Vacancy(loc.id, period, band, label, free, last_minute))
        return out

    result: list[Vacancy] = []
    for loc in locations:
        for period in periods:
            result += vacancies(loc, max(period.first_day, start_day), period.last_day, period, False)
        result += vacancies(loc, lm_first, lm_last, Period.of(lm_first), True)
    return result
