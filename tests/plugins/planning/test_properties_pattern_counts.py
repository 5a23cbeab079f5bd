"""Hypothesis properties of ``services/pattern_counts``: counting reserved day parts per identical
weekly pattern (day classes, arithmetic over open days) gives exactly what the per-day expansion
of every child gives (``occupancy._plan_masks``, the reference), for weekly and alternating
versions, several versions, hours blocks, closing days, extra days, custom schedules and children
with two plans at one location (the last three take the exact path)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta

import numpy as np
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from core.values import Period
from plugins.planning.services.care_plans import age_in_months
from plugins.planning.services.day_arrays import WeekdayWindows, day_counts
from plugins.planning.services.expansion import Block, PatternEntry, VersionSpec
from plugins.planning.services.occupancy import _plan_masks, reserved_per_month
from plugins.planning.services.pattern_counts import (
    AgeGroups,
    _plus_months,
    day_class,
    group_segments,
    plan_parts,
)
from plugins.planning.services.reservations import PlanData
from tests.plugins.planning.reference_counts import OpenCalendar, split_plans

SPLIT = time(12, 30)
FIRST = date(2026, 11, 1)
blocks = st.one_of(st.sampled_from([Block("full"), Block("morning"), Block("afternoon")]),
                   st.tuples(st.integers(7, 17), st.integers(1, 4)).map(
                       lambda t: Block("hours", time(t[0]), time(min(t[0] + t[1], 18)))))
entries = st.lists(st.tuples(st.integers(0, 6), st.sampled_from([None, None, "A", "B"]), blocks)
                   .map(lambda t: PatternEntry(*t)), min_size=0, max_size=6)
days = st.dates(date(2026, 9, 1), date(2028, 2, 1))


@st.composite
def plan_data(draw, pid: int):
    start = draw(days)
    end = draw(st.one_of(st.none(), days.filter(lambda d: d >= start)))
    versions, v_start = [], start
    for _ in range(draw(st.integers(1, 3))):
        v_end = draw(st.one_of(st.none(), st.dates(v_start, v_start + timedelta(200))))
        if draw(st.integers(0, 9)) == 0:
            schedule = tuple((v_start + timedelta(draw(st.integers(0, 60))), draw(blocks)) for _ in range(3))
            versions.append(VersionSpec(v_start, v_end, "custom", None, (), tuple(sorted(dict(schedule).items(), key=lambda x: x[0]))))
        else:
            ref = draw(st.one_of(st.none(), days))
            ents = tuple(draw(entries))
            kind = "alternating" if any(e.week for e in ents) else "weekly"
            versions.append(VersionSpec(v_start, v_end, kind, ref, ents))
        if v_end is None:
            break
        # usually the next version starts the day after; sometimes they overlap (the exact path)
        v_start = v_end + timedelta(1) if draw(st.integers(0, 4)) else v_end - timedelta(draw(st.integers(0, 9)))
    extras = [(draw(days), draw(blocks))] if draw(st.integers(0, 5)) == 0 else []
    child = draw(st.integers(1, 6))
    loc = draw(st.sampled_from([1, 2]))
    return PlanData(pid, child, loc, None, None, start, end, None, versions, extras)


@st.composite
def scenarios(draw):
    plans = [draw(plan_data(pid)) for pid in range(1, draw(st.integers(1, 8)) + 1)]
    hours = {loc: {w: (time(7), time(18)) for w in draw(st.sets(st.integers(0, 6), min_size=1))} for loc in (1, 2)}
    closed = {loc: {draw(days): None for _ in range(draw(st.integers(0, 6)))} for loc in (1, 2)}
    return plans, hours, closed


def per_day(counts, rows, first, hours, closed):
    """day_counts' array as {(place, day, bit): n} on the location's open days, without the zeros
    (days it is not open on are the caller's to mask)."""
    out = {}
    for place, r in rows.items():
        loc = place if isinstance(place, int) else place[0]
        for half, bit in ((0, 1), (1, 2)):
            for i, n in enumerate(counts[r, half].tolist()):
                day = first + timedelta(i)
                if n and day.weekday() in hours[loc] and day not in closed[loc]:
                    out[(place, day, bit)] = n
    return out


class Loc:
    def __init__(self, id_: int) -> None:
        self.id = id_


def reference_per_month(plans, hours, closed, first, last):
    masks = _plan_masks(plans, hours, closed, SPLIT, first, last)[0]
    out = defaultdict(int)
    for (loc, day, _child), bits in masks.items():
        out[(loc, day.year, day.month)] += (bits & 1) + (bits >> 1)
    return {k: v for k, v in out.items() if v}


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(1, 14))
def test_counting_per_pattern_equals_expanding_every_child(scenario, months):
    plans, hours, closed = scenario
    periods = [Period.of(FIRST)]
    for _ in range(months - 1):
        periods.append(periods[-1].next())
    first, last = periods[0].first_day, periods[-1].last_day
    got = reserved_per_month(plans, hours, closed, SPLIT, [Loc(1), Loc(2)], periods)
    assert {k: v for k, v in got.items() if v} == reference_per_month(plans, hours, closed, first, last)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_day_counts_equal_the_children_present_per_day(scenario):
    plans, hours, closed = scenario
    first, last = date(2026, 11, 1), date(2027, 4, 30)
    segments, exact = split_plans(plans, first, last, SPLIT)
    rows = {1: 0, 2: 1}
    got = per_day(day_counts(segments, rows, first, (last - first).days + 1), rows, first, hours, closed)
    fast = {p.id for p in plans} - {p.id for p in exact}
    masks = _plan_masks([p for p in plans if p.id in fast], hours, closed, SPLIT, first, last)[0]
    want = defaultdict(int)
    for (loc, day, _child), bits in masks.items():
        for bit in (1, 2):
            if bits & bit:
                want[(loc, day, bit)] += 1
    assert got == dict(want)


def test_identical_patterns_become_one_segment():
    spec = VersionSpec(date(2026, 1, 5), None, "weekly", None,
                       tuple(PatternEntry(w, None, Block("full")) for w in range(5)))
    plans = [PlanData(i, i, 1, None, None, date(2026, 1, 5), None, None, [spec]) for i in range(1, 251)]
    segments, exact = split_plans(plans, FIRST, date(2027, 10, 31), SPLIT)
    assert exact == [] and list(segments.values()) == [250]


def test_extra_days_two_plans_and_custom_schedules_take_the_exact_path():
    weekly = VersionSpec(date(2026, 1, 5), None, "weekly", None, (PatternEntry(0, None, Block("full")),))
    custom = VersionSpec(date(2026, 1, 5), None, "custom", None, (), ((date(2026, 11, 3), Block("full")),))
    plans = [PlanData(1, 1, 1, None, None, date(2026, 1, 5), None, None, [weekly], [(date(2026, 11, 4), Block("full"))]),
             PlanData(2, 2, 1, None, None, date(2026, 1, 5), None, None, [weekly]),
             PlanData(3, 2, 1, None, None, date(2026, 1, 5), None, None, [weekly]),
             PlanData(4, 3, 1, None, None, date(2026, 1, 5), None, None, [custom]),
             PlanData(5, 4, 1, None, None, date(2026, 1, 5), None, None, [weekly])]
    segments, exact = split_plans(plans, FIRST, date(2027, 10, 31), SPLIT)
    assert [p.id for p in exact] == [1, 2, 3, 4] and sum(segments.values()) == 1


@settings(deadline=None)  # a shared, loaded machine: no per-example time limit
@given(st.dates(date(1990, 1, 1), date(2060, 12, 31)), st.integers(0, 400), st.integers(0, 13),
       st.sets(st.integers(0, 6), min_size=1), st.lists(st.integers(0, 400), max_size=8))
def test_open_days_of_a_class_are_counted_arithmetically(lo, length, cls, weekdays, closed_offsets):
    hi = lo + timedelta(length)
    closed = {lo + timedelta(o) for o in closed_offsets}
    cal = OpenCalendar(weekdays, closed)
    walked = sum(1 for i in range(length + 1) if day_class(lo + timedelta(i)) == cls
                 and (lo + timedelta(i)).weekday() in weekdays and lo + timedelta(i) not in closed)
    assert cal.count(cls, lo, hi) == walked


@st.composite
def living_groups(draw):
    """Living groups in the order the service loads them (min age, id); ranges may overlap or
    leave gaps."""
    rows = []
    for gid in range(1, draw(st.integers(1, 4)) + 1):
        lo = draw(st.integers(0, 30))
        rows.append((gid, lo, lo + draw(st.integers(0, 24))))
    return sorted(rows, key=lambda r: (r[1], r[0]))


@settings(max_examples=200, deadline=None)
@given(scenarios(), living_groups(), st.lists(st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2027, 6, 30))),
                                              min_size=6, max_size=6), st.lists(st.sampled_from([None, 1, 2]),
                                                                                 min_size=9, max_size=9))
def test_group_counts_follow_each_childs_age_like_the_day_by_day_count(scenario, groups, born, assigned):
    plans, hours, closed = scenario
    for plan in plans:
        plan.living_group_id = assigned[plan.id]
    first, last = date(2026, 11, 1), date(2027, 10, 31)
    births = {child: born[child - 1] for child in range(1, 7)}
    table = AgeGroups([(gid, lo, hi) for gid, lo, hi in groups])
    parts, _exact = plan_parts(plans, first, last, SPLIT)
    gids = sorted({gid for gid, _lo, _hi in groups} | {1, 2})  # an assigned group may have no age range here
    rows = {(loc, gid): r for r, (loc, gid) in enumerate((loc, gid) for loc in (1, 2) for gid in gids)}
    got = per_day(day_counts(group_segments(parts, births, {1: table, 2: table}), rows, first,
                             (last - first).days + 1), rows, first, hours, closed)
    fast = {p.id for p, _a, _b, _k in parts}
    by_id = {p.id: p for p in plans}
    masks = _plan_masks([p for p in plans if p.id in fast], hours, closed, SPLIT, first, last)[0]
    plan_of = {(p.location_id, p.child_id): p for p in plans if p.id in fast}
    want = defaultdict(int)
    for (loc, day, child), bits in masks.items():
        plan = by_id[plan_of[(loc, child)].id]
        if plan.living_group_id:
            group = plan.living_group_id
        else:
            b = births[child]
            age = age_in_months(b, day) if b and b <= day else 0
            group = next((gid for gid, lo, hi in groups if lo <= age <= hi), None)
        if group is None:
            continue
        for bit in (1, 2):
            if bits & bit:
                want[((loc, group), day, bit)] += 1
    assert got == dict(want)


@settings(deadline=None)
@given(st.integers(0, 6), st.lists(st.tuples(st.integers(0, 60), st.integers(-3, 20)), min_size=1, max_size=5),
       st.lists(st.lists(st.integers(0, 9), min_size=61, max_size=61), min_size=1, max_size=3))
def test_weekday_maxima_of_windows_equal_every_7th_day(first_weekday, spans, rows):
    windows = [(lo, min(60, lo + length)) for lo, length in spans]
    got = WeekdayWindows(windows, first_weekday).maxima(np.array(rows)).tolist()
    want = [[[max([row[i] for i in range(lo, hi + 1) if (first_weekday + i) % 7 == w], default=0)
              for w in range(7)] for lo, hi in windows] for row in rows]
    assert got == want


@given(st.dates(date(1990, 1, 1), date(2060, 12, 31)), st.integers(0, 240))
def test_months_are_added_like_relativedelta(day, months):
    assert _plus_months(day, months) == day + relativedelta(months=months)
