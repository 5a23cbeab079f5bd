"""Children at the same time at a location: the days on which they exceed a limit.

The family daycare cap (domain-rules §4.1) counts children *at the same time*, so a morning and
an afternoon child are one place, not two. Like ``pattern_counts``, plans sharing a weekly
pattern are counted together: each version's blocks per day class become time spans (the
location's opening hours of that weekday give a day part its times). The children present only
rise at a start, so a day's peak is the largest count at one of the location's start times; and
between two dates on which a version starts or ends these counts are the same on every day of a
class, so the days are walked as runs, not one by one, and only the days over the limit are
listed. Plans that cannot take this path (extra days, custom schedules, two plans of a child) are
expanded day by day (``reservations.iter_reserved``), each such day a run of its own.
``test_equivalence_rule_warnings`` holds the result to the day-by-day sweep it replaces."""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date, time, timedelta
from functools import lru_cache
from itertools import accumulate

from .expansion import EPOCH_MONDAY, Block, block_times, monday, week_letter
from .pattern_counts import CLASSES, day_class, plan_parts
from .reservations import PlanData, iter_reserved

Span = tuple[time, time]


def block_key(spec) -> tuple[tuple[Block, ...], ...] | None:
    """The blocks a weekly or alternating version reserves per day class (weekday, plus 7 in the
    odd weeks from EPOCH_MONDAY, as ``pattern_key``); None for a custom schedule."""
    if spec.kind == "custom":
        return None
    anchor = spec.reference or spec.start
    return _blocks_of(spec.entries, ((monday(anchor) - EPOCH_MONDAY).days // 7) % 2)


@lru_cache(maxsize=4096)
def _blocks_of(entries, week_a: int) -> tuple[tuple[Block, ...], ...]:
    per_class: list[list[Block]] = [[] for _ in range(CLASSES)]
    for entry in entries:
        parities = (0, 1) if entry.week is None else (week_a,) if entry.week == "A" else (1 - week_a,)
        for parity in parities:
            per_class[parity * 7 + entry.weekday].append(entry.block)
    return tuple(tuple(blocks) for blocks in per_class)


def children_on(plans: list[PlanData], day: date, hours, closed) -> dict[int, set[int]]:
    """{location: children} with a reserved block on ``day`` at an open location: what
    ``iter_reserved(plans, day, day, hours, closed)`` yields, without expanding a range of dates
    per version (the dashboard's count of today). A weekly or alternating version reserves the
    day when one of its entries is on the day's weekday, in every week or in the day's week
    (A or B, ``week_letter``); a custom schedule or an extra day when it lists the day."""
    weekday = day.weekday()

    def reserves(spec) -> bool:
        if spec.start > day or (spec.end is not None and day > spec.end):
            return False
        if spec.kind == "custom":
            return any(d == day for d, _block in spec.schedule)
        letter = week_letter(day, spec.reference or spec.start)
        return any(e.weekday == weekday and e.week in (None, letter) for e in spec.entries)

    out: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        loc = plan.location_id
        if (day < plan.start or (plan.end is not None and day > plan.end) or weekday not in hours.get(loc, {})
                or day in closed.get(loc, ())):
            continue
        if any(d == day for d, _block in plan.extras) or any(reserves(spec) for spec in plan.versions):
            out[loc].add(plan.child_id)
    return out


def _held_spans(key, loc_hours, split: time) -> tuple[tuple[int, Span], ...]:
    """(day class, time span) of each block of ``key`` at a location open ``loc_hours``."""
    out = []
    for cls, blocks in enumerate(key):
        hours = loc_hours.get(cls % 7)
        if not blocks or hours is None:
            continue
        for block in blocks:
            span = block_times(block, hours[0], hours[1], split)
            if span[0] is not None and span[1] is not None:
                out.append((cls, span))
    return tuple(out)


def days_over(plans: list[PlanData], hours, closed, split: time, first: date, last: date, limit_of,
              changes=()) -> list[tuple[int, date, int]]:
    """(location, day, children) for each open day of [first, last] on which the location of
    ``plans`` has more children at the same time than ``limit_of(location, day)`` allows; the limit
    may only change on the days in ``changes``. ``hours``: {location: {weekday: (opens, closes)}};
    ``closed``: {location: days}. Two blocks touching (one ends when the other starts) are not at
    the same time.

    The count of children present only rises at a start, so a day's peak is the largest count at
    one of the start times of the location's spans. Between two dates on which a plan version
    starts or ends (or a limit changes) the counts per (day class, start time) do not change: the
    days are walked as such runs, one running sum per (day class, start time) per location, and
    only the days of a run whose peak is over the limit are listed. Plans expanded day by day
    (extra days, custom schedules, two plans of a child) make a run of their own day."""
    n_days = (last - first).days + 1
    if n_days <= 0:
        return []
    parts, exact = plan_parts(plans, first, last, split, key_of=block_key)
    same_hours: dict[tuple, int] = {}
    hours_id = {loc: same_hours.setdefault(tuple(sorted(hours.get(loc, {}).items())), len(same_hours))
                for loc in {p.location_id for p in plans}}
    starts: dict[int, set[time]] = defaultdict(set)
    held_of: dict[tuple[int, int], tuple] = {}  # by id(key): the keys live as long as ``parts``
    patterns = []
    for plan, a, b, key in parts:
        loc = plan.location_id
        held = held_of.get((id(key), hours_id[loc]))
        if held is None:
            held = held_of[(id(key), hours_id[loc])] = _held_spans(key, hours.get(loc, {}), split)
        if held:
            starts[loc].update(span[0] for _cls, span in held)
            patterns.append((loc, (a - first).days, (b - first).days, held))
    reserved: dict[int, dict[int, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for plan, day, block, _extra in iter_reserved(exact, first, last, hours, closed):
        opens, closes = hours[plan.location_id][day.weekday()]
        span = block_times(block, opens, closes, split)
        if span[0] is not None and span[1] is not None:
            reserved[plan.location_id][(day - first).days].append(span)
            starts[plan.location_id].add(span[0])
    # per location: at each day offset, the (class, start time index, weight) to add (+) or take off (-)
    events: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    times = {loc: tuple(sorted(ts)) for loc, ts in starts.items()}
    deltas_of: dict[tuple, list] = {}
    for loc, a, b, held in patterns:
        deltas = deltas_of.get((id(held), loc))
        if deltas is None:
            deltas = deltas_of[(id(held), loc)] = _deltas(held, times[loc])
        events[loc][a].append((1, deltas))
        events[loc][b + 1].append((-1, deltas))
    cut = {(day - first).days for day in changes if first < day <= last}
    start_cls = day_class(first)
    out = []
    for loc, ts in times.items():
        loc_hours, loc_closed, on_day = hours.get(loc, {}), closed.get(loc, ()), reserved.get(loc, {})
        # per class, the children present just after each start time as a difference array
        # over the start times: a span adds 1 from its start's index to its end's
        diffs = [[0] * (len(ts) + 1) for _ in range(CLASSES)]
        peaks = [0] * CLASSES
        at = events.get(loc, {})
        bounds = sorted({0, *cut, *(i for i in at if i < n_days), *on_day, *(i + 1 for i in on_day if i + 1 < n_days)})
        for j, lo in enumerate(bounds):
            hi = bounds[j + 1] if j + 1 < len(bounds) else n_days  # the run is [lo, hi)
            dirty = set()
            for sign, deltas in at.get(lo, ()):
                for cls, ti, w in deltas:
                    diffs[cls][ti] += sign * w
                    dirty.add(cls)
            for cls in dirty:
                peaks[cls] = max(0, *accumulate(diffs[cls][:-1]))
            limit = limit_of(loc, first + timedelta(days=lo))
            spans = on_day.get(lo)
            if spans:  # a run of one day: that day's class with its expanded blocks added
                cls = (start_cls + lo) % CLASSES
                row = list(diffs[cls])
                for _cls, ti, w in _deltas([(cls, span) for span in spans], ts):
                    row[ti] += w
                runs = [(cls, max(0, *accumulate(row[:-1])))]
            elif max(peaks) > limit:
                runs = [(cls, peak) for cls, peak in enumerate(peaks) if peak > limit]
            else:
                continue
            for cls, peak in runs:
                i0 = lo + (cls - start_cls - lo) % CLASSES  # the first day of this class in the run
                if peak <= limit or i0 >= hi:
                    continue
                for i in range(i0, hi, CLASSES):
                    day = first + timedelta(days=i)
                    if day.weekday() in loc_hours and day not in loc_closed:
                        out.append((loc, day, peak))
    return out


def _deltas(held, times) -> list[tuple[int, int, int]]:
    """(day class, index into ``times``, weight) of spans as a difference array over the sorted
    start times: a span is present just after t when start <= t < end, so it adds 1 at the index
    of its start and takes 1 off at the index of its end (a span ending before it starts takes 1
    off between the two, as a sweep over start and end events does)."""
    out = []
    for cls, (start, end) in held:
        a, b = bisect_left(times, start), bisect_left(times, end)
        if a != b:
            out += ((cls, a, 1), (cls, b, -1))
    return out
