"""The occupancy and free-places code as it was before the koepel-wide bulk path (main 441fda4),
kept as an oracle: ``test_equivalence_occupancy`` holds the new code to exactly its results."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from core.models import CareType, Child, LivingGroup, Location
from core.values import Period
from plugins.planning.services.bulk_plans import load_location_plans
from plugins.planning.services.capacity import effective_capacity
from plugins.planning.services.care_plans import age_in_months
from plugins.planning.services.closing_days import closing_calendar
from plugins.planning.services.expansion import AFTERNOON, MORNING, expand, halves
from plugins.planning.services.pattern_counts import CLASSES, AgeGroups, group_segments, plan_parts
from plugins.planning.services.reservations import opening_hours
from plugins.planning.services.settings import day_part_split
from plugins.planning.services.types import MonthVacancy as Vacancy
from plugins.planning.services.types import OccupancyCell
from tests.plugins.planning.reference_counts import POPCOUNT, OpenCalendar, day_counts, split_plans

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


def _load(ctx, locations, first: date, last: date):
    ids = [loc.id for loc in locations]
    plans = load_location_plans(ctx.session, ctx.org, first, last, ids)
    hours = opening_hours(ctx, ids)
    closed = closing_calendar(ctx, ids, first, last)
    return plans, hours, closed, day_part_split(ctx)


def _masks(ctx, locations, first: date, last: date):
    """{(location, day, child): bits} of reserved day parts, the calendars used, and each
    (location, child)'s assigned living group (the exact per-day expansion: the reference)."""
    plans, hours, closed, split = _load(ctx, locations, first, last)
    return _plan_masks(plans, hours, closed, split, first, last)


def _plan_masks(plans, hours, closed, split, first: date, last: date):
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


def _calendars(hours, closed, locations) -> dict[int, OpenCalendar]:
    return {loc.id: OpenCalendar(hours.get(loc.id, {}), closed.get(loc.id, {})) for loc in locations}


def reserved_per_month(plans, hours, closed, split, locations, periods) -> dict[tuple[int, int, int], int]:
    """{(location, year, month): reserved day parts}: plans sharing a weekly pattern are counted
    together (``pattern_counts``), the rest is expanded day by day."""
    first, last = periods[0].first_day, periods[-1].last_day
    segments, exact = split_plans(plans, first, last, split)
    months = [(p.year, p.month, p.first_day, p.last_day) for p in periods]
    reserved = reserved_day_parts(segments, _calendars(hours, closed, locations), months)
    masks = _plan_masks(exact, hours, closed, split, first, last)[0]
    for (loc, day, _child), bits in masks.items():
        reserved[(loc, day.year, day.month)] += (bits & 1) + (bits >> 1)
    return reserved


def occupancy(ctx, *, start: Period, months: int = 12, location_ids=None) -> list[OccupancyCell]:
    periods = _months(start, months)
    locations = _locations(ctx, location_ids)
    if not locations or not periods:
        return []
    first, last = periods[0].first_day, periods[-1].last_day
    plans, hours, closed, split = _load(ctx, locations, first, last)
    reserved = reserved_per_month(plans, hours, closed, split, locations, periods)
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
    plans, hours, closed, split = _load(ctx, locations, first, last)
    groups: dict[int, list[LivingGroup]] = defaultdict(list)
    for g in session.scalars(select(LivingGroup).where(
            LivingGroup.organisation_id == org.id, LivingGroup.location_id.in_([loc.id for loc in locations]))
            .order_by(LivingGroup.min_age_months, LivingGroup.id)):
        groups[g.location_id].append(g)
    limited = {loc.id: _age_limited(groups.get(loc.id, [])) for loc in locations}
    # plans sharing a weekly pattern are counted together, per location and, where living groups
    # limit the places, per group (a child's group follows its age); the rest day by day
    parts, exact = plan_parts(plans, first, last, split)
    masks, _hours, _closed, child_group = _plan_masks(exact, hours, closed, split, first, last)
    max_age = int(ctx.setting("planning.max_age_months"))
    need_age = {p.child_id for p in plans if limited[p.location_id]}
    births = {cid: (dob or exp) for cid, dob, exp in session.execute(
        select(Child.id, Child.date_of_birth, Child.expected_birth_date)
        .where(Child.organisation_id == org.id, Child.id.in_(need_age)))} if need_age else {}
    # plain values from here on: the loops below run per day and pattern
    group_rows = {loc_id: [(g.id, g.capacity, g.min_age_months, g.max_age_months) for g in gs]
                  for loc_id, gs in groups.items()}
    age_groups = {loc_id: AgeGroups([(gid, lo, hi) for gid, _cap, lo, hi in rows])
                  for loc_id, rows in group_rows.items() if limited[loc_id]}

    def group_of(loc_id: int, child_id: int, day: date) -> int | None:
        for first_day, last_day, assigned in child_group.get((loc_id, child_id), ()):
            if first_day <= day and (last_day is None or day <= last_day):
                return assigned
        born = births.get(child_id)
        return age_groups[loc_id].of(age_in_months(born, day) if born and born <= day else 0)

    # children present per day (offset from ``first``), per (location, bit) and per
    # ((location, group), bit)
    n_days = (last - first).days + 1
    calendars = _calendars(hours, closed, locations)
    segments = Counter((plan.location_id, key, a, b) for plan, a, b, key in parts)
    counts = day_counts(segments, calendars, first, n_days)
    gsegments = group_segments([x for x in parts if limited[x[0].location_id]], births, age_groups)
    gcounts = day_counts(gsegments, calendars, first, n_days)
    for (loc, day, child), bits in masks.items():
        g = group_of(loc, child, day) if limited[loc] else None
        i = (day - first).days
        for b in (1, 2):
            if bits & b:
                counts.setdefault((loc, b), [0] * n_days)[i] += 1
                if limited[loc]:
                    gcounts.setdefault(((loc, g), b), [0] * n_days)[i] += 1
    zeros = [0] * n_days
    open_days = {loc.id: [((d - first).days, d.weekday()) for d in _open_days(hours, closed, loc.id, first, last)]
                 for loc in locations}

    forced = str(ctx.setting("planning.ratio_rule_set") or "auto")

    def vacancies(loc: Location, lo: date, hi: date, period: Period, last_minute: bool) -> list[Vacancy]:
        loc_id, places = loc.id, loc.licensed_places
        all_days = open_days[loc_id]
        days = all_days[bisect_left(all_days, ((lo - first).days, -1)):bisect_right(all_days, ((hi - first).days, 7))]
        if not days or not places:
            return []
        # the effective capacity: family daycare homes take at most 7 children from 2027
        places = min(effective_capacity(loc, first + timedelta(days=i), forced) for i, _w in days)
        is_limited = limited[loc_id]
        rows = group_rows.get(loc_id, []) if is_limited else []
        # peaks per cell (weekday, bit), as index 2 * weekday + bit - 1
        peak = [0] * 14
        series = [(0, counts.get((loc_id, 1), zeros)), (1, counts.get((loc_id, 2), zeros))]
        for cell, arr in series:
            for i, w in days:
                n = arr[i]
                if n > peak[2 * w + cell]:
                    peak[2 * w + cell] = n
        group_peak = {}
        for gid, _cap, _lo, _hi in rows:
            gp = [0] * 14
            for cell, bit in ((0, 1), (1, 2)):
                arr = gcounts.get(((loc_id, gid), bit), zeros)
                for i, w in days:
                    n = arr[i]
                    if n > gp[2 * w + cell]:
                        gp[2 * w + cell] = n
            group_peak[gid] = gp
        open_weekdays = sorted({w for _i, w in days})
        out = []
        for band, lo_m, hi_m in age_bands(loc.care_type, max_age):
            fitting = [(gid, cap) for gid, cap, g_lo, g_hi in rows if g_lo < hi_m and g_hi > lo_m]
            group_free = [sum(cap - group_peak[gid][c] for gid, cap in fitting) for c in range(14)]
            for label, cells in _patterns(open_weekdays):
                idx = [2 * w + b - 1 for w, b in cells]
                free = min(places - peak[c] for c in idx)
                if is_limited:
                    free = min(free, min(group_free[c] for c in idx))
                if free > 0:
                    out.append(Vacancy(loc_id, period, band, label, free, last_minute))
        return out

    result: list[Vacancy] = []
    for loc in locations:
        for period in periods:
            result += vacancies(loc, max(period.first_day, start_day), period.last_day, period, False)
        result += vacancies(loc, lm_first, lm_last, Period.of(lm_first), True)
    return result


def reserved_day_parts(segments: Counter, calendars: dict[int, OpenCalendar],
                       months: list[tuple[int, int, date, date]]) -> dict[tuple[int, int, int], int]:
    """{(location, year, month): reserved day parts} of the segments; ``months`` are
    (year, month, first day, last day) in order."""
    # identical (location, range) first: their per-class weights simply add up
    weights: dict[tuple[int, date, date], list[int]] = {}
    for (loc, key, a, b), n in segments.items():
        w = weights.get((loc, a, b))
        if w is None:
            w = weights[(loc, a, b)] = [0] * CLASSES
        for cls, bits in enumerate(key):
            if bits:
                w[cls] += n * POPCOUNT[bits]
    # months a range covers whole go through a difference array of weights per location; only
    # its first and last month are counted day class by day class
    n_months = len(months)
    out: dict[tuple[int, int, int], int] = defaultdict(int)
    diff: dict[int, list[list[int]]] = {}
    for (loc, a, b), w in weights.items():
        cal = calendars[loc]
        classes = [(cls, x) for cls, x in enumerate(w) if x]
        whole: list[int] = []
        for i, (year, month, mf, ml) in enumerate(months):
            if ml < a or mf > b:
                continue
            if a <= mf and ml <= b:
                whole.append(i)
            else:
                out[(loc, year, month)] += sum(x * cal.count(cls, max(a, mf), min(b, ml)) for cls, x in classes)
        if whole:
            rows = diff.get(loc)
            if rows is None:
                rows = diff[loc] = [[0] * CLASSES for _ in range(n_months + 1)]
            up, down = rows[whole[0]], rows[whole[-1] + 1]
            for cls, x in classes:
                up[cls] += x
                down[cls] -= x
    for loc, rows in diff.items():
        cal = calendars[loc]
        running = [0] * CLASSES
        for i, (year, month, mf, ml) in enumerate(months):
            running = [r + d for r, d in zip(running, rows[i], strict=True)]
            if any(running):
                out[(loc, year, month)] += sum(x * cal.count(cls, mf, ml) for cls, x in enumerate(running) if x)
    return out
