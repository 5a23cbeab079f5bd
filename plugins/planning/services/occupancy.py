"""Occupancy (bezetting) and free places (vacatures) per location and month.

Computed from the reserved days in bulk: a fixed number of statements whatever the number of
children, and for a koepel-wide call (``*_of_partners``) whatever the number of partners too (the
rows of every partner are read together, then computed per partner with its own settings). A day
part is a half day: available day parts = licensed places × 2 × open days (weekdays with opening
hours, closing days excluded). Plans sharing a weekly pattern are counted together, in arrays
(``day_arrays``: one row per location or living group and half day, masked by the open days); a
month is then one ``reduceat`` over the days, and a window's peaks per weekday and half day one
for every row at once. Free places come as runs: one row for the consecutive months and the age
bands with the same number (``types.Vacancy``); the free places of every location, window and
pattern are worked out together, the rows again only for a month whose numbers differ."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from sqlalchemy import bindparam, or_, select

from core.models import CareType, Child, LivingGroup, Location, OpeningHours
from core.values import Period

from ..models import CarePlan, ClosingPeriod
from .bulk_plans import load_plans_of
from .capacity import effective_capacity
from .care_plans import age_in_months
from .closing_days import public_holidays
from .day_arrays import WeekdayWindows, add_days, day_counts, open_days
from .expansion import AFTERNOON, MORNING, expand, halves
from .pattern_counts import AgeGroups, group_segments, plan_parts
from .ratio import rule_sets
from .settings import day_part_split
from .types import OccupancyCell, Vacancy

HALVES = (MORNING, AFTERNOON)
BIT = {MORNING: 1, AFTERNOON: 2}
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
WEEKDAY_SETS = tuple(tuple(w for w in range(7) if bits >> w & 1) for bits in range(128))  # by 7-bit number


class LocationRow(NamedTuple):
    """What the forecasts read of a location (``effective_capacity`` takes it like the entity)."""

    id: int
    organisation_id: int
    care_type: CareType
    licensed_places: int | None


_ORGS = bindparam("org_ids", expanding=True, literal_execute=True)  # rendered as in ``bulk_plans``
_IDS = bindparam("location_ids", expanding=True, literal_execute=True)
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


def _month_starts(periods, first: date) -> tuple[np.ndarray, int]:
    """The offset of each month's first day from ``first`` and the window's number of days."""
    return (np.array([(p.first_day - first).days for p in periods], dtype=np.int64),
            (periods[-1].last_day - first).days + 1)


def _reserved(plan_sets, hours, closed, location_ids, first: date, n_days: int, mask: np.ndarray,
              keys=None) -> np.ndarray:
    """Reserved day parts per (location, day of the window), on open days only: plans sharing a
    weekly pattern counted together, the rest expanded day by day (exact path). ``plan_sets``:
    (plans, day-part split) per organisation, counted in one array."""
    rows = {loc: r for r, loc in enumerate(location_ids)}
    last = first + timedelta(days=n_days - 1)
    segments: Counter = Counter()
    days = []
    for plans, split in plan_sets:
        parts, exact = plan_parts(plans, first, last, split, keys=keys)
        segments.update((plan.location_id, key, a, b) for plan, a, b, key in parts)
        masks = _plan_masks(exact, hours, closed, split, first, last)[0]
        days += [(rows[loc], (day - first).days, bits) for (loc, day, _child), bits in masks.items() if loc in rows]
    counts = day_counts(segments, rows, first, n_days)
    if days:
        add_days(counts, *zip(*days, strict=True))
    return counts.sum(axis=1) * mask


def reserved_per_month(plans, hours, closed, split, locations, periods) -> dict[tuple[int, int, int], int]:
    """{(location, year, month): reserved day parts}: the children present on each half day,
    summed over the month's open days."""
    first = periods[0].first_day
    starts, n_days = _month_starts(periods, first)
    ids = [loc.id for loc in locations]
    mask = open_days(ids, hours, closed, first, n_days)
    sums = np.add.reduceat(_reserved([(plans, split)], hours, closed, ids, first, n_days, mask), starts, axis=1)
    return {(loc, p.year, p.month): n for loc, row in zip(ids, sums.tolist(), strict=True)
            for p, n in zip(periods, row, strict=True)}


def _occupancy(partners: list[Partner], periods: list[Period]) -> dict[int, list[OccupancyCell]]:
    """The cells of every partner, counted together: one array for all their locations (a small
    partner costs its rows, not a round of array calls of its own)."""
    out: dict[int, list[OccupancyCell]] = {p.ctx.org.id: [] for p in partners}
    locations = [(p.ctx.org.id, loc) for p in partners for loc in p.locations]
    if not locations:
        return out
    first = periods[0].first_day
    starts, n_days = _month_starts(periods, first)
    ids = [loc.id for _org, loc in locations]
    hours = {loc: h for p in partners for loc, h in p.hours.items()}
    closed = {loc: c for p in partners for loc, c in p.closed.items()}
    mask = open_days(ids, hours, closed, first, n_days)
    reserved = np.add.reduceat(_reserved([(p.plans, p.split) for p in partners], hours, closed, ids, first, n_days,
                                         mask, {}), starts, axis=1).tolist()
    open_per_month = np.add.reduceat(mask, starts, axis=1).tolist()
    for (org, loc), booked_row, open_row in zip(locations, reserved, open_per_month, strict=True):
        cells = out[org]
        for period, booked, open_days_ in zip(periods, booked_row, open_row, strict=True):
            available = (loc.licensed_places or 0) * 2 * open_days_
            cells.append(OccupancyCell(loc.id, period, booked, available, booked / available if available else 0.0))
    return out


def occupancy(ctx, *, start: Period, months: int = 12, location_ids=None) -> list[OccupancyCell]:
    return occupancy_of_partners([ctx], start=start, months=months, location_ids=location_ids)[ctx.org.id]


def occupancy_of_partners(contexts, *, start: Period, months: int = 12, location_ids=None,
                          ) -> dict[int, list[OccupancyCell]]:
    """``occupancy`` of every context's organisation, {organisation id: cells}, read together."""
    periods = _months(start, months)
    if not periods:
        return {c.org.id: [] for c in contexts}
    partners = load_partners(contexts, location_ids, periods[0].first_day, periods[-1].last_day)
    return _occupancy(partners, periods)


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


NONE = np.iinfo(np.int64).max  # "no limit" in a minimum
#: the pattern slots of ``_patterns(WEEKDAY_SETS[bits])``, by 7-bit number of open weekdays
SLOTS = tuple((0, 1, 2, *(3 + w for w in weekdays)) if weekdays else () for weekdays in WEEKDAY_SETS)


def _slot_peaks(on_open: np.ndarray, cells: np.ndarray, pair) -> np.ndarray:
    """The 10 pattern slots of the 14 cells (2 * weekday + half day) on the last axis: over the open
    weekdays (``on_open``: the cells with a neutral value on the others) the whole day, the mornings
    and the afternoons; then each weekday's full day (``pair`` of its two halves). ``pair`` is
    ``np.maximum`` for peaks of children, ``np.minimum`` for room."""
    reduce = pair.reduce
    return np.concatenate([np.stack([reduce(on_open, axis=-1), reduce(on_open[..., 0::2], axis=-1),
                                     reduce(on_open[..., 1::2], axis=-1)], axis=-1),
                           pair(cells[..., 0::2], cells[..., 1::2])], axis=-1)


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
                _BIRTHS, {"org_ids": params["org_ids"], "location_ids": limited_ids}).all()}  # one fetchall
    out: dict[int, list[Vacancy]] = {p.ctx.org.id: [] for p in partners}
    together = defaultdict(list)  # partners with the same windows (as a rule all) are counted together
    for partner in partners:
        periods, start_day, lm = windows[partner.ctx.org.id]
        if periods and partner.locations:
            together[(tuple(periods), start_day, lm)].append(partner)
    keys: dict = {}  # the patterns' keys, shared by the partners (``plan_parts``)
    for (periods, start_day, lm), group in together.items():
        out.update(_free_places(group, list(periods), start_day, lm, first, last, groups, births, keys))
    return out


def _free_places(partners: list[Partner], periods, start_day: date, lm: tuple[date, date], first: date, last: date,
                 groups: dict[int, list[tuple]], births: dict[int, date | None], keys: dict,
                 ) -> dict[int, list[Vacancy]]:
    """The rows of partners with the same windows, counted together: one array for all their
    locations (a small partner costs its rows, not a round of array calls of its own); each
    location keeps its partner's day-part split, age limit and ratio rule setting."""
    locations = [loc for p in partners for loc in p.locations]
    hours = {loc: h for p in partners for loc, h in p.hours.items()}
    closed = {loc: c for p in partners for loc, c in p.closed.items()}
    limited = {loc.id: _age_limited(groups.get(loc.id, [])) for loc in locations}
    # plans sharing a weekly pattern are counted together, per location and, where living groups
    # limit the places, per group (a child's group follows its age); the rest day by day
    parts, masks, child_group = [], {}, {}
    for p in partners:
        p_parts, exact = plan_parts(p.plans, first, last, p.split, keys=keys)
        p_masks, _hours, _closed, p_groups = _plan_masks(exact, p.hours, p.closed, p.split, first, last)
        parts += p_parts
        masks.update(p_masks)
        child_group.update(p_groups)
    max_age = {p.ctx.org.id: int(p.ctx.setting("planning.max_age_months")) for p in partners}
    group_rows = {loc.id: groups.get(loc.id, []) for loc in locations}
    age_groups = {loc_id: AgeGroups([(gid, lo, hi) for gid, _cap, lo, hi in rows])
                  for loc_id, rows in group_rows.items() if limited[loc_id]}

    def group_of(loc_id: int, child_id: int, day: date) -> int | None:
        for first_day, last_day, assigned in child_group.get((loc_id, child_id), ()):
            if first_day <= day and (last_day is None or day <= last_day):
                return assigned
        born = births.get(child_id)
        return age_groups[loc_id].of(age_in_months(born, day) if born and born <= day else 0)

    # children present per (location, half day, day) and per (living group, half day, day), on
    # open days only (offsets from ``first``)
    n_days = (last - first).days + 1
    ids = [loc.id for loc in locations]
    loc_row = {loc_id: r for r, loc_id in enumerate(ids)}
    group_row = {(loc_id, row[0]): r for r, (loc_id, row) in enumerate(
        (loc_id, row) for loc_id in ids if limited[loc_id] for row in group_rows[loc_id])}
    counts = day_counts(Counter((plan.location_id, key, a, b) for plan, a, b, key in parts), loc_row, first, n_days)
    gcounts = day_counts(group_segments([x for x in parts if limited[x[0].location_id]], births, age_groups),
                         group_row, first, n_days)
    days, group_days = [], []
    for (loc, day, child), bits in masks.items():
        i = (day - first).days
        days.append((loc_row[loc], i, bits))
        if limited[loc] and (loc, g := group_of(loc, child, day)) in group_row:
            group_days.append((group_row[(loc, g)], i, bits))
    for arr, extra in ((counts, days), (gcounts, group_days)):
        if extra:
            add_days(arr, *zip(*extra, strict=True))
    mask = open_days(ids, hours, closed, first, n_days)
    counts *= mask[:, None, :]
    gcounts *= mask[[loc_row[loc_id] for loc_id, _gid in group_row]][:, None, :]

    # the windows: the months (the first from ``start_day``), then the last-minute weeks
    spans = [(period, max(period.first_day, start_day), period.last_day) for period in periods]
    windows = [(max(0, (lo - first).days), min(n_days - 1, (hi - first).days))
               for lo, hi in [(lo, hi) for _p, lo, hi in spans] + [lm]]
    by_weekday = WeekdayWindows(windows, first.weekday())
    # peaks[row][window] holds 14 cells 2 * weekday + half day; open_weekdays the same per weekday
    peaks = by_weekday.maxima(counts).transpose(0, 2, 3, 1).reshape(len(ids), len(windows), 14)
    group_peaks = by_weekday.maxima(gcounts).transpose(0, 2, 3, 1).reshape(len(group_row), len(windows), 14)
    open_weekdays = by_weekday.maxima(mask) > 0  # (locations, windows, 7)
    # ... and as a 7-bit number (bit w: weekday w)
    open_weekday_bits = (open_weekdays << np.arange(7)).sum(axis=2).tolist()

    # places per (location, window): the least effective capacity over the stretches between two
    # rule changes that have open days in the window (family daycare homes take at most 7 children
    # from 2027; the others their licensed places)
    # (a partner with a forced rule set has the same capacity in every stretch)
    forced = {p.ctx.org.id: str(p.ctx.setting("planning.ratio_rule_set") or "auto") for p in partners}
    bounds = [0, *_rule_cuts(first, n_days), n_days]
    caps = np.array([[effective_capacity(loc, first + timedelta(days=b), forced[loc.organisation_id]) or 0
                      for b in bounds[:-1]] for loc in locations], dtype=np.int64)  # (locations, stretches)
    lo_k, hi_k = (np.array(x, dtype=np.int64) for x in zip(*windows, strict=True))
    lo_kj = np.maximum(lo_k[:, None], bounds[:-1])
    hi_kj = np.maximum(lo_kj, np.minimum(hi_k[:, None] + 1, bounds[1:]))  # (windows, stretches), exclusive
    opened = np.concatenate([np.zeros((len(ids), 1), dtype=np.int64), np.cumsum(mask, axis=1)], axis=1)
    has_open = opened[:, hi_kj] > opened[:, lo_kj]  # (locations, windows, stretches)
    places = np.where(has_open.any(axis=2), np.where(has_open, caps[:, None, :], NONE).min(axis=2), 0)  # 0: shut
    # free places per (location, window, pattern slot): slots 0-2 the whole open week (full days,
    # mornings, afternoons), 3 + w weekday w's full day; ``_patterns`` lists the slots of its open weekdays
    open_cells = np.repeat(open_weekdays, 2, axis=2)
    frees = places[:, :, None] - _slot_peaks(np.where(open_cells, peaks, -1), peaks, np.maximum)

    def offers(loc: LocationRow) -> list[list | None]:
        """Per window: (age bands, pattern, free places) positive only, the bands with the same
        free places for a pattern together in band order; None when nothing can be offered."""
        r = loc_row[loc.id]
        out: list[list | None] = [None] * len(windows)
        if not loc.licensed_places:
            return out
        bands = age_bands(loc.care_type, max_age[loc.organisation_id])
        loc_free = frees[r]
        if limited[loc.id]:
            rows = group_rows[loc.id]
            g_rows = [group_row[(loc.id, gid)] for gid, _cap, _lo, _hi in rows]
            room = np.array([cap for _gid, cap, _lo, _hi in rows])[:, None] - group_peaks[g_rows].transpose(1, 0, 2)
            # a band's free places per cell: the room of the groups that take that age, added up
            fit = np.array([[g_lo < hi_m and g_hi > lo_m for _gid, _cap, g_lo, g_hi in rows]
                            for _band, lo_m, hi_m in bands], dtype=np.int64)
            band_room = fit @ room  # (windows, bands, 14)
            group_free = _slot_peaks(np.where(open_cells[r][:, None, :], band_room, NONE), band_room, np.minimum)
            loc_free = np.minimum(loc_free[:, None, :], group_free)  # (windows, bands, slots)
        names = tuple(band for band, _lo, _hi in bands)
        band_order = {band: i for i, band in enumerate(names)}
        previous = rows_k = None
        for k, (bits, row) in enumerate(zip(open_weekday_bits[r], loc_free.tolist(), strict=True)):
            if not bits:  # no open day in the window (or an empty window)
                continue
            if (bits, row) == previous:  # most months: the same free places as the month before
                out[k] = rows_k
                continue
            previous = (bits, row)
            labels = [(label, i) for (label, _idx), i in zip(_patterns(WEEKDAY_SETS[bits]), SLOTS[bits], strict=True)]
            if not limited[loc.id]:  # the same free places for every age band
                rows_k = [(names, label, row[i]) for label, i in labels if row[i] > 0]
            else:
                by_pattern: dict[tuple[str, int], list[str]] = {}
                for band, band_row in zip(names, row, strict=True):
                    for label, i in labels:
                        if band_row[i] > 0:
                            by_pattern.setdefault((label, band_row[i]), []).append(band)
                order = {label: i for i, (label, _slot) in enumerate(labels)}
                rows_k = [(tuple(bs), label, n) for (label, n), bs in by_pattern.items()]
                rows_k.sort(key=lambda x: (band_order[x[0][0]], order[x[1]]))
            out[k] = rows_k
        return out

    lm_period = Period.of(lm[0])
    out: dict[int, list[Vacancy]] = {p.ctx.org.id: [] for p in partners}
    for loc in locations:
        result = out[loc.organisation_id]
        per_window = offers(loc)
        # a row runs on as long as the next month offers the same bands, pattern and places
        running: dict[tuple[tuple[str, ...], str], list] = {}  # (bands, pattern) -> [from, until, free]
        rows: list[list] = []
        previous_offers = previous = None
        for (period, _lo, _hi), now_offers in zip(spans, per_window, strict=False):
            if now_offers is not None and (now_offers is previous_offers or now_offers == previous_offers):
                for run in running.values():
                    run[1] = period
            else:
                now = {} if now_offers is None else {(bands, label): free for bands, label, free in now_offers}
                for key, free in now.items():
                    run = running.get(key)
                    if run is not None and run[2] == free and run[1] == previous:
                        run[1] = period
                    else:
                        run = running[key] = [period, period, free, key]
                        rows.append(run)
                for key in [k for k in running if k not in now]:
                    del running[key]
            previous_offers, previous = now_offers, period
        result += [Vacancy(loc.id, a, b, key[0], key[1], free, False) for a, b, free, key in rows]
        if per_window[-1] is not None:
            result += [Vacancy(loc.id, lm_period, lm_period, bands, label, free, True)
                       for bands, label, free in per_window[-1]]
    return out
