"""Occupancy (bezetting) and free places (vacatures) per location and month.

Computed from the reserved days in bulk (a fixed number of queries whatever the number of
children). A day part is a half day: available day parts = licensed places × 2 × open days
(weekdays with opening hours, closing days excluded)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from core.clock import clock
from core.models import CareType, Child, LivingGroup, Location
from core.values import Period
from plugins.planning.services.care_plans import age_in_months
from plugins.planning.services.closing_days import closing_calendar
from plugins.planning.services.expansion import AFTERNOON, MORNING
from plugins.planning.services.reservations import expand_plans, load_plans, opening_hours
from plugins.planning.services.settings import day_part_split, setting
from plugins.planning.services.types import OccupancyCell, Vacancy

HALVES = (MORNING, AFTERNOON)
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _locations(session, org, location_ids) -> list[Location]:
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


def _occupied_halves(session, org, locations, first: date, last: date):
    """{location: {date: {child: set(halves)}}} plus the plan data and calendars used."""
    ids = [loc.id for loc in locations]
    plans = load_plans(session, org, first, last, location_ids=ids)
    hours = opening_hours(session, org, ids)
    closed = closing_calendar(session, org, ids, first, last)
    split = day_part_split(session, org)
    occupied: dict[int, dict[date, dict[int, set[str]]]] = {i: defaultdict(lambda: defaultdict(set)) for i in ids}
    plan_group = {p.id: p.living_group_id for p in plans}
    child_group: dict[tuple[int, int], int | None] = {}
    for r in expand_plans(plans, first, last, hours, closed, split):
        cell = occupied[r.location_id][r.day][r.child_id]
        if r.start is not None and r.start < split:
            cell.add(MORNING)
        if r.end is not None and r.end > split:
            cell.add(AFTERNOON)
        child_group[(r.location_id, r.child_id)] = plan_group.get(r.care_plan_id)
    return occupied, hours, closed, child_group


def _open_days(hours, closed, location_id: int, first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() in hours.get(location_id, {}) and day not in closed.get(location_id, {}):
            days.append(day)
        day += timedelta(days=1)
    return days


def occupancy(session, org, *, start: Period, months: int = 12, location_ids=None) -> list[OccupancyCell]:
    periods = _months(start, months)
    locations = _locations(session, org, location_ids)
    if not locations or not periods:
        return []
    first, last = periods[0].first_day, periods[-1].last_day
    occupied, hours, closed, _ = _occupied_halves(session, org, locations, first, last)
    cells = []
    for loc in locations:
        for period in periods:
            open_days = _open_days(hours, closed, loc.id, period.first_day, period.last_day)
            reserved = sum(min(2, len(h)) for d in open_days for h in occupied[loc.id].get(d, {}).values())
            available = (loc.licensed_places or 0) * 2 * len(open_days)
            cells.append(OccupancyCell(loc.id, period, reserved, available, reserved / available if available else 0.0))
    return cells


def age_bands(care_type: CareType, max_age_months: int) -> list[tuple[str, int, int]]:
    """(label, from, to) in months, to exclusive. Baby/toddler care: bands of 12 months."""
    if care_type in (CareType.GROEPSOPVANG, CareType.GEZINSOPVANG):
        return [(f"{m}-{min(m + 12, max_age_months)}m", m, min(m + 12, max_age_months))
                for m in range(0, max_age_months, 12)]
    if care_type == CareType.BUITENSCHOOLSE_OPVANG:
        return [("schoolkinderen", 0, 10_000)]
    return [("alle leeftijden", 0, 10_000)]


def _patterns(open_weekdays: list[int]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Day-part patterns offered: the whole week (full days, mornings, afternoons), each weekday."""
    if not open_weekdays:
        return []
    span = f"{WEEKDAY_SHORT[open_weekdays[0]]}-{WEEKDAY_SHORT[open_weekdays[-1]]}"
    out = [(f"{span} volle dag", [(w, h) for w in open_weekdays for h in HALVES]),
           (f"{span} voormiddag", [(w, MORNING) for w in open_weekdays]),
           (f"{span} namiddag", [(w, AFTERNOON) for w in open_weekdays])]
    out += [(f"{WEEKDAY_SHORT[w]} volle dag", [(w, h) for h in HALVES]) for w in open_weekdays]
    return out


def free_places(session, org, *, start: date | Period, months: int = 12, location_ids=None) -> list[Vacancy]:
    """Free places per location, month, age band and pattern (positive only), and last-minute rows.

    Per weekday and half day the month's peak of children present is compared with the licensed
    places. When the location has living groups with an age range and a capacity, a band's free
    places are also limited by the groups that take that age; children without an assigned group
    count in the group that fits their age that month (children age: they move on)."""
    today = clock.today()
    if isinstance(start, Period):
        first_period, start_day = start, max(start.first_day, today) if start == Period.of(today) else start.first_day
    else:
        first_period, start_day = Period.of(start), start
    periods = _months(first_period, months)
    locations = _locations(session, org, location_ids)
    if not locations or not periods:
        return []
    weeks = int(setting(session, org, "planning.last_minute_weeks"))
    lm_first, lm_last = today, today + timedelta(weeks=weeks) - timedelta(days=1)
    first = min(start_day, lm_first)
    last = max(periods[-1].last_day, lm_last)
    occupied, hours, closed, child_group = _occupied_halves(session, org, locations, first, last)
    max_age = int(setting(session, org, "planning.max_age_months"))
    groups: dict[int, list[LivingGroup]] = defaultdict(list)
    for g in session.scalars(select(LivingGroup).where(LivingGroup.organisation_id == org.id,
                                                       LivingGroup.location_id.in_([loc.id for loc in locations]))
                          .order_by(LivingGroup.min_age_months, LivingGroup.id)):
        groups[g.location_id].append(g)
    child_ids = {c for loc in occupied.values() for d in loc.values() for c in d}
    births = {cid: (dob or exp) for cid, dob, exp in session.execute(
        select(Child.id, Child.date_of_birth, Child.expected_birth_date)
        .where(Child.organisation_id == org.id, Child.id.in_(child_ids)))} if child_ids else {}

    def group_of(loc_id: int, child_id: int, day: date) -> int | None:
        assigned = child_group.get((loc_id, child_id))
        if assigned is not None:
            return assigned
        born = births.get(child_id)
        age = age_in_months(born, day) if born and born <= day else 0
        for g in groups.get(loc_id, ()):
            if g.min_age_months is not None and g.max_age_months is not None \
                    and g.min_age_months <= age < g.max_age_months + (1 if g.max_age_months else 0):
                return g.id
        return None

    def vacancies(loc: Location, lo: date, hi: date, period: Period, last_minute: bool) -> list[Vacancy]:
        days = _open_days(hours, closed, loc.id, max(lo, start_day if not last_minute else lo), hi)
        if not days or not loc.licensed_places:
            return []
        peak: dict[tuple[int, str], int] = defaultdict(int)
        group_peak: dict[tuple[int | None, int, str], int] = defaultdict(int)
        for day in days:
            counts: dict[str, int] = defaultdict(int)
            gcounts: dict[tuple[int | None, str], int] = defaultdict(int)
            for child, halves in occupied[loc.id].get(day, {}).items():
                g = group_of(loc.id, child, day) if groups.get(loc.id) else None
                for h in halves:
                    counts[h] += 1
                    gcounts[(g, h)] += 1
            for h in HALVES:
                key = (day.weekday(), h)
                peak[key] = max(peak[key], counts[h])
            for (g, h), n in gcounts.items():
                key3 = (g, day.weekday(), h)
                group_peak[key3] = max(group_peak[key3], n)
        open_weekdays = sorted({d.weekday() for d in days})
        out = []
        for band, lo_m, hi_m in age_bands(loc.care_type, max_age):
            fitting = [g for g in groups.get(loc.id, ()) if g.capacity is not None and g.min_age_months is not None
                       and g.max_age_months is not None and g.min_age_months < hi_m and g.max_age_months > lo_m]
            limited = bool(groups.get(loc.id)) and all(
                g.capacity is not None and g.min_age_months is not None and g.max_age_months is not None
                for g in groups[loc.id])
            for label, cells in _patterns(open_weekdays):
                free = min(loc.licensed_places - peak[c] for c in cells)
                if limited:
                    free = min(free, min(sum(g.capacity - group_peak[(g.id, w, h)] for g in fitting)
                                         for w, h in cells))
                if free > 0:
                    out.append(Vacancy(loc.id, period, band, label, free, last_minute))
        return out

    result: list[Vacancy] = []
    for loc in locations:
        for period in periods:
            result += vacancies(loc, period.first_day, period.last_day, period, False)
        result += vacancies(loc, lm_first, lm_last, Period.of(lm_first), True)
    return result


def month_after(day: date) -> date:
    return day + relativedelta(months=1)
