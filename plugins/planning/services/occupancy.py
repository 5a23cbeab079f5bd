"""Occupancy (bezetting) and free places (vacatures) per location and month.

Computed from the reserved days in bulk: a fixed number of statements whatever the number of
children, and for a koepel-wide call (``*_of_partners``) whatever the number of partners too (the
rows of every partner are read together, then computed per partner with its own settings). A day
part is a half day: available day parts = licensed places × 2 × open days (weekdays with opening
hours, closing days excluded). Plans sharing a weekly pattern are counted together
(``pattern_counts.day_counts``: one difference array per location and half day); the days of a
month are then summed over the location's open days with slices, not day by day in Python. Free
places come as runs: one row for the consecutive months and the age bands with the same number
(``types.Vacancy``), worked out again only for a month whose peaks or capacity differ."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from operator import mul
from typing import NamedTuple

from sqlalchemy import bindparam, or_, select

from core.models import CareType, Child, LivingGroup, Location, OpeningHours
from core.values import Period

from ..models import CarePlan, ClosingPeriod
from .bulk_plans import load_plans_of
from .capacity import effective_capacity
from .care_plans import age_in_months
from .closing_days import public_holidays
from .expansion import AFTERNOON, MORNING, expand, halves
from .pattern_counts import (
    AgeGroups,
    OpenCalendar,
    day_counts,
    day_parts_per_day,
    group_segments,
    open_flags,
    plan_parts,
    split_plans,
)
from .ratio import rule_sets
from .settings import day_part_split
from .types import OccupancyCell, Vacancy

HALVES = (MORNING, AFTERNOON)
BIT = {MORNING: 1, AFTERNOON: 2}
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")


class LocationRow(NamedTuple):
    """What the forecasts read of a location (``effective_capacity`` takes it like the entity)."""

    id: int
    organisation_id: int
    care_type: CareType
    licensed_places: int | None


_ORGS = bindparam("org_ids", expanding=True)
_IDS = bindparam("location_ids", expanding=True)
_LOCATIONS = (select(Location.id, Location.organisation_id, Location.care_type, Location.licensed_places)
              .where(Location.organisation_id.in_(_ORGS)).order_by(Location.name, Location.id))
_HOURS = (select(OpeningHours.location_id, OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
          .where(OpeningHours.organisation_id.in_(_ORGS), OpeningHours.location_id.in_(_IDS)))
_CLOSURES = (select(ClosingPeriod.organisation_id, ClosingPeriod.location_id, ClosingPeriod.start_date,
                    ClosingPeriod.end_date)
             .where(ClosingPeriod.organisation_id.in_(_ORGS), ClosingPeriod.start_date <= bindparam("hi"),
                    ClosingPeriod.end_date >= bindparam("lo"),
                    or_(ClosingPeriod.location_id.is_(None), ClosingPeriod.location_id.in_(_IDS))))
_GROUPS = (select(LivingGroup.location_id, LivingGroup.id, LivingGroup.capacity, LivingGroup.min_age_months,
                  LivingGroup.max_age_months)
           .where(LivingGroup.organisation_id.in_(_ORGS), LivingGroup.location_id.in_(_IDS))
           .order_by(LivingGroup.min_age_months, LivingGroup.id))
_BIRTHS = (select(Child.id, Child.date_of_birth, Child.expected_birth_date)
           .where(Child.organisation_id.in_(_ORGS),
                  Child.id.in_(select(CarePlan.child_id).where(CarePlan.organisation_id.in_(_ORGS),
                                                               CarePlan.location_id.in_(_IDS)))))


@dataclass
class Partner:
    """One organisation's share of a bulk load: its locations (in name order), plans, opening
    hours and closing days ({location: set of days}), and its own settings."""

    ctx: object
    locations: list[LocationRow]
    plans: list = field(default_factory=list)
    hours: dict = field(default_factory=dict)
    closed: dict = field(default_factory=dict)
    split: time | None = None


def _session(contexts):
    session = contexts[0].session
    if any(c.session is not session for c in contexts):
        raise ValueError("the contexts of a koepel-wide forecast share one session")
    return session


def load_partners(contexts, location_ids, first: date, last: date) -> list[Partner]:
    """The forecast inputs of every context's organisation in five statements (locations, three
    for the plans, opening hours, closing periods), whatever the number of partners. Each table is
    filtered on the contexts' organisations in the statement itself (Core on the session's
    connection, like ``bulk_plans``)."""
    if not contexts:
        return []
    session = _session(contexts)
    conn = session.connection()
    org_ids = [c.org.id for c in contexts]
    query = _LOCATIONS if location_ids is None else _LOCATIONS.where(Location.id.in_(_IDS))
    params = {"org_ids": org_ids} if location_ids is None else {"org_ids": org_ids,
                                                                "location_ids": sorted(set(location_ids))}
    partners = {c.org.id: Partner(c, []) for c in contexts}
    for row in conn.execute(query, params).all():
        partners[row.organisation_id].locations.append(LocationRow(*row))
    ids = [loc.id for p in partners.values() for loc in p.locations]
    owner = {loc.id: p for p in partners.values() for loc in p.locations}
    holidays = set(public_holidays(first, last))
    for p in partners.values():
        p.split = day_part_split(p.ctx)
        p.hours = {loc.id: {} for loc in p.locations}
        closes_on_holidays = bool(p.locations) and p.ctx.setting("planning.public_holidays_closed")
        p.closed = {loc.id: set(holidays) if closes_on_holidays else set() for loc in p.locations}
    if not ids:
        return list(partners.values())
    for plan in load_plans_of(session, org_ids, first, last, ids):
        owner[plan.location_id].plans.append(plan)
    params = {"org_ids": org_ids, "location_ids": ids, "lo": first, "hi": last}
    for loc, weekday, opens, closes in conn.execute(_HOURS, params).all():
        owner[loc].hours[loc][weekday] = (opens, closes)
    for org_id, loc, lo, hi in conn.execute(_CLOSURES, params).all():
        a, b = max(lo, first), min(hi, last)
        days = {a + timedelta(days=i) for i in range((b - a).days + 1)}
        partner = partners[org_id]
        for loc_id in ([x.id for x in partner.locations] if loc is None else [loc]):
            partner.closed[loc_id] |= days
    return list(partners.values())


def _months(start: Period, months: int) -> list[Period]:
    out, p = [], start
    for _ in range(months):
        out.append(p)
        p = p.next()
    return out


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


def _calendars(hours, closed, locations) -> dict[int, OpenCalendar]:
    return {loc.id: OpenCalendar(hours.get(loc.id, {}), closed.get(loc.id, {})) for loc in locations}


def _day_parts(plans, hours, closed, split, locations, first: date, last: date) -> dict[int, list[int]]:
    """{location: reserved day parts on each day of the window}: plans sharing a weekly pattern
    counted together, the rest expanded day by day (exact path)."""
    n_days = (last - first).days + 1
    segments, exact = split_plans(plans, first, last, split)
    parts = day_parts_per_day(segments, _calendars(hours, closed, locations), first, n_days)
    for (loc, day, _child), bits in _plan_masks(exact, hours, closed, split, first, last)[0].items():
        parts.setdefault(loc, [0] * n_days)[(day - first).days] += (bits & 1) + (bits >> 1)
    return parts


def _month_slices(periods, first: date) -> list[tuple[int, int]]:
    return [((p.first_day - first).days, (p.last_day - first).days + 1) for p in periods]


def reserved_per_month(plans, hours, closed, split, locations, periods, slices=None, flags=None,
                       ) -> dict[tuple[int, int, int], int]:
    """{(location, year, month): reserved day parts}: the children present on each half day,
    summed over the month's open days (``flags``: the locations' ``open_flags`` when the caller
    has them)."""
    slices = slices or _month_slices(periods, periods[0].first_day)
    first = periods[0].first_day
    n_days = slices[-1][1]
    parts = _day_parts(plans, hours, closed, split, locations, first, first + timedelta(days=n_days - 1))
    out: dict[tuple[int, int, int], int] = defaultdict(int)
    for loc in locations:
        arr = parts.get(loc.id)
        if arr is None:
            continue
        loc_flags = flags[loc.id] if flags else open_flags(hours.get(loc.id, {}), closed.get(loc.id, ()), first,
                                                           n_days)
        arr = list(map(mul, arr, loc_flags))  # closed days cleared once, then a month is a plain sum
        for period, (a, b) in zip(periods, slices, strict=True):
            out[(loc.id, period.year, period.month)] += sum(arr[a:b])
    return out


def _occupancy(partner: Partner, periods: list[Period], slices: list[tuple[int, int]]) -> list[OccupancyCell]:
    locations = partner.locations
    if not locations or not periods:
        return []
    first, n_days = periods[0].first_day, slices[-1][1]
    flags = {loc.id: open_flags(partner.hours.get(loc.id, {}), partner.closed.get(loc.id, ()), first, n_days)
             for loc in locations}
    reserved = reserved_per_month(partner.plans, partner.hours, partner.closed, partner.split, locations, periods,
                                  slices, flags)
    cells = []
    for loc in locations:
        loc_flags = flags[loc.id]
        for period, (a, b) in zip(periods, slices, strict=True):
            open_days = sum(loc_flags[a:b])
            booked = reserved.get((loc.id, period.year, period.month), 0)
            available = (loc.licensed_places or 0) * 2 * open_days
            cells.append(OccupancyCell(loc.id, period, booked, available, booked / available if available else 0.0))
    return cells


def occupancy(ctx, *, start: Period, months: int = 12, location_ids=None) -> list[OccupancyCell]:
    return occupancy_of_partners([ctx], start=start, months=months, location_ids=location_ids)[ctx.org.id]


def occupancy_of_partners(contexts, *, start: Period, months: int = 12, location_ids=None,
                          ) -> dict[int, list[OccupancyCell]]:
    """``occupancy`` of every context's organisation, {organisation id: cells}, read together."""
    periods = _months(start, months)
    if not periods:
        return {c.org.id: [] for c in contexts}
    slices = _month_slices(periods, periods[0].first_day)
    last = periods[0].first_day + timedelta(days=slices[-1][1] - 1)
    partners = load_partners(contexts, location_ids, periods[0].first_day, last)
    return {p.ctx.org.id: _occupancy(p, periods, slices) for p in partners}


@lru_cache(maxsize=64)
def age_bands(care_type: CareType, max_age_months: int) -> tuple[tuple[str, int, int], ...]:
    """(label, from, to) in months, to exclusive. Baby/toddler care: bands of 12 months."""
    if care_type in (CareType.GROEPSOPVANG, CareType.GEZINSOPVANG):
        return tuple((f"{m}-{min(m + 12, max_age_months)}m", m, min(m + 12, max_age_months))
                     for m in range(0, max_age_months, 12))
    if care_type == CareType.BUITENSCHOOLSE_OPVANG:
        return (("schoolkinderen", 0, 10_000),)
    return (("alle leeftijden", 0, 10_000),)


@lru_cache(maxsize=256)
def _patterns(open_weekdays: tuple[int, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Day-part patterns offered: the whole week (full days, mornings, afternoons), each weekday.
    Cells are indexes ``2 * weekday + bit - 1`` into the 14 peaks of a month."""
    if not open_weekdays:
        return ()
    span = f"{WEEKDAY_SHORT[open_weekdays[0]]}-{WEEKDAY_SHORT[open_weekdays[-1]]}"
    out = [(f"{span} volle dag", [(w, b) for w in open_weekdays for b in (1, 2)]),
           (f"{span} voormiddag", [(w, 1) for w in open_weekdays]),
           (f"{span} namiddag", [(w, 2) for w in open_weekdays])]
    out += [(f"{WEEKDAY_SHORT[w]} volle dag", [(w, 1), (w, 2)]) for w in open_weekdays]
    return tuple((label, tuple(2 * w + b - 1 for w, b in cells)) for label, cells in out)


def _age_limited(groups: list[tuple]) -> bool:
    return bool(groups) and all(cap is not None and lo is not None and hi is not None
                                for _gid, cap, lo, hi in groups)


def _rule_cuts(first: date, n_days: int) -> list[int]:
    """Day offsets in the window where another ratio rule set may start (its first day or the
    day after its last): between two cuts the effective capacity of a location is constant."""
    cuts = set()
    for rs in rule_sets():
        for day in (rs.valid_from, rs.valid_to and rs.valid_to + timedelta(days=1)):
            if day is not None and 0 < (day - first).days < n_days:
                cuts.add((day - first).days)
    return sorted(cuts)


def free_places(ctx, *, start: date | Period, months: int = 12, location_ids=None) -> list[Vacancy]:
    """Free places per location and pattern (positive only), one row per run of months and age bands
    with the same number, and last-minute rows.

    Per weekday and half day the month's peak of children present is compared with the licensed
    places. When every living group of the location has an age range and a capacity, a band's free
    places are also limited by the groups that take that age; children without an assigned group
    count in the group that fits their age on each day (children age: they move on)."""
    return free_places_of_partners([ctx], start=start, months=months, location_ids=location_ids)[ctx.org.id]


def free_places_of_partners(contexts, *, start: date | Period, months: int = 12, location_ids=None,
                            ) -> dict[int, list[Vacancy]]:
    """``free_places`` of every context's organisation, {organisation id: rows}, read together
    (each partner keeps its own today, settings and last-minute window)."""
    if not contexts:
        return {}
    windows = {}
    for ctx in contexts:
        today = ctx.today()
        if isinstance(start, Period):
            first_period = start
            start_day = max(start.first_day, today) if start == Period.of(today) else start.first_day
        else:
            first_period, start_day = Period.of(start), start
        periods = _months(first_period, months)
        weeks = int(ctx.setting("planning.last_minute_weeks"))
        lm = (today, today + timedelta(weeks=weeks) - timedelta(days=1))
        windows[ctx.org.id] = (periods, start_day, lm)
    if not any(periods for periods, _s, _lm in windows.values()):
        return {c.org.id: [] for c in contexts}
    first = min(min(s, lm[0]) for _p, s, lm in windows.values())
    last = max(max(p[-1].last_day, lm[1]) for p, _s, lm in windows.values() if p)
    partners = load_partners(contexts, location_ids, first, last)
    ids = [loc.id for p in partners for loc in p.locations]
    groups: dict[int, list[tuple]] = defaultdict(list)
    births: dict[int, date | None] = {}
    if ids:
        conn = _session(contexts).connection()
        params = {"org_ids": [c.org.id for c in contexts], "location_ids": ids}
        for loc_id, *row in conn.execute(_GROUPS, params).all():
            groups[loc_id].append(tuple(row))
        limited_ids = [i for i in ids if _age_limited(groups.get(i, []))]
        if limited_ids:
            births = {cid: (dob or exp) for cid, dob, exp in conn.execute(
                _BIRTHS, {"org_ids": params["org_ids"], "location_ids": limited_ids})}
    out = {}
    for partner in partners:
        periods, start_day, lm = windows[partner.ctx.org.id]
        out[partner.ctx.org.id] = (_free_places(partner, periods, start_day, lm, first, last, groups, births)
                                   if periods and partner.locations else [])
    return out


def _free_places(partner: Partner, periods, start_day: date, lm: tuple[date, date], first: date, last: date,
                 groups: dict[int, list[tuple]], births: dict[int, date | None]) -> list[Vacancy]:
    ctx, locations, plans, hours, closed, split = (partner.ctx, partner.locations, partner.plans, partner.hours,
                                                   partner.closed, partner.split)
    limited = {loc.id: _age_limited(groups.get(loc.id, [])) for loc in locations}
    # plans sharing a weekly pattern are counted together, per location and, where living groups
    # limit the places, per group (a child's group follows its age); the rest day by day
    parts, exact = plan_parts(plans, first, last, split)
    masks, _hours, _closed, child_group = _plan_masks(exact, hours, closed, split, first, last)
    max_age = int(ctx.setting("planning.max_age_months"))
    group_rows = {loc.id: groups.get(loc.id, []) for loc in locations}
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
    flags = {loc.id: open_flags(hours.get(loc.id, {}), closed.get(loc.id, ()), first, n_days) for loc in locations}
    # only open days count: the arrays are cleared on the others, so a peak is a max over a slice
    for key, arr in list(counts.items()):
        counts[key] = list(map(mul, arr, flags[key[0]]))
    for key, arr in list(gcounts.items()):
        gcounts[key] = list(map(mul, arr, flags[key[0][0]]))
    forced = str(ctx.setting("planning.ratio_rule_set") or "auto")
    cuts = [] if forced != "auto" else _rule_cuts(first, n_days)
    w_first = first.weekday()

    bounds_of = [0, *cuts, n_days]
    stretch_of = [j for j in range(len(bounds_of) - 1) for _ in range(bounds_of[j + 1] - bounds_of[j])]
    cap_memo: dict[tuple[int, int], int | None] = {}

    def capacity(loc: LocationRow, lo_i: int, hi_i: int, loc_flags: list[int]) -> int | None:
        """The least effective capacity on the open days of [lo_i, hi_i] (family daycare homes take
        at most 7 children from 2027): the rule set is constant between two cuts, so one lookup
        per location and stretch."""
        if loc.care_type != CareType.GEZINSOPVANG:
            return loc.licensed_places
        caps = []
        for j in range(stretch_of[lo_i], stretch_of[hi_i] + 1):
            a, b = max(lo_i, bounds_of[j]), min(hi_i + 1, bounds_of[j + 1])
            if any(loc_flags[a:b]):
                cap = cap_memo.get((loc.id, j), False)
                if cap is False:
                    cap = cap_memo[(loc.id, j)] = effective_capacity(loc, first + timedelta(days=bounds_of[j]), forced)
                caps.append(cap)
        return min(caps)

    def peaks(arrays, lo_i: int, hi_i: int) -> list[int]:
        """The month's peak per cell 2 * weekday + bit - 1: the max over every 7th day."""
        out = [0] * 14
        for w in range(7):
            s = lo_i + (w - (w_first + lo_i)) % 7
            if s > hi_i:
                continue
            for bit in (1, 2):
                arr = arrays[bit - 1]
                if arr is not zeros:
                    out[2 * w + bit - 1] = max(arr[s:hi_i + 1:7])
        return out

    def window(loc: LocationRow, lo: date, hi: date) -> tuple | None:
        """What a window's free places follow from: the capacity, the peaks (of the location and
        of each living group when they limit the places) and the open weekdays; None when nothing
        can be offered. Two windows with the same state have the same free places."""
        lo_i, hi_i = max(0, (lo - first).days), min(n_days - 1, (hi - first).days)
        loc_id, loc_flags = loc.id, flags[loc.id]
        if lo_i > hi_i or not loc.licensed_places or not any(loc_flags[lo_i:hi_i + 1]):
            return None
        places = capacity(loc, lo_i, hi_i, loc_flags)
        peak = peaks((counts.get((loc_id, 1), zeros), counts.get((loc_id, 2), zeros)), lo_i, hi_i)
        group_peaks = tuple(tuple(peaks((gcounts.get(((loc_id, gid), 1), zeros), gcounts.get(((loc_id, gid), 2), zeros)),
                                        lo_i, hi_i)) for gid, _cap, _lo, _hi in group_rows[loc_id]) \
            if limited[loc_id] else ()
        open_weekdays = tuple(w for w in range(7) if any(loc_flags[lo_i + (w - (w_first + lo_i)) % 7:hi_i + 1:7]))
        return places, tuple(peak), group_peaks, open_weekdays

    def offers(loc: LocationRow, state: tuple) -> list[tuple[tuple[str, ...], str, int]]:
        """(age bands, pattern, free places) of a window's state, positive only; the bands with the
        same free places for a pattern together, in band order."""
        places, peak, group_peaks, open_weekdays = state
        patterns = _patterns(open_weekdays)
        bands = age_bands(loc.care_type, max_age)
        if not limited[loc.id]:  # the same free places for every age band
            names = tuple(band for band, _lo, _hi in bands)
            frees = ((label, places - max(map(peak.__getitem__, idx))) for label, idx in patterns)
            return [(names, label, free) for label, free in frees if free > 0]
        rows = group_rows[loc.id]
        by_pattern: dict[tuple[str, int], list[str]] = {}
        for band, lo_m, hi_m in bands:
            fitting = [(cap, group_peaks[k]) for k, (_gid, cap, g_lo, g_hi) in enumerate(rows)
                       if g_lo < hi_m and g_hi > lo_m]
            group_free = [sum(cap - gp[c] for cap, gp in fitting) for c in range(14)]
            for label, idx in patterns:
                free = min(places - max(map(peak.__getitem__, idx)), min(map(group_free.__getitem__, idx)))
                if free > 0:
                    by_pattern.setdefault((label, free), []).append(band)
        order = {label: i for i, (label, _idx) in enumerate(patterns)}
        band_order = {band: i for i, (band, _lo, _hi) in enumerate(bands)}
        out = [(tuple(names), label, free) for (label, free), names in by_pattern.items()]
        out.sort(key=lambda x: (band_order[x[0][0]], order[x[1]]))
        return out

    months = [(period, max(period.first_day, start_day), period.last_day) for period in periods]
    lm_period = Period.of(lm[0])
    result: list[Vacancy] = []
    for loc in locations:
        # a row runs on as long as the next month offers the same bands, pattern and places
        running: dict[tuple[tuple[str, ...], str], list] = {}  # (bands, pattern) -> [from, until, free]
        rows: list[list] = []
        previous_state = previous = None
        for period, lo, hi in months:
            state = window(loc, lo, hi)
            if state is not None and state == previous_state:
                for run in running.values():
                    run[1] = period
            else:
                now = {} if state is None else {(bands, label): free for bands, label, free in offers(loc, state)}
                for key, free in now.items():
                    run = running.get(key)
                    if run is not None and run[2] == free and run[1] == previous:
                        run[1] = period
                    else:
                        run = running[key] = [period, period, free, key]
                        rows.append(run)
                for key in [k for k in running if k not in now]:
                    del running[key]
            previous_state, previous = state, period
        result += [Vacancy(loc.id, a, b, key[0], key[1], free, False) for a, b, free, key in rows]
        state = window(loc, lm[0], lm[1])
        if state is not None:
            result += [Vacancy(loc.id, lm_period, lm_period, bands, label, free, True)
                       for bands, label, free in offers(loc, state)]
    return result
