"""Children at the same time at a location, per day: the peak of the reserved blocks' times.

The family daycare cap (domain-rules §4.1) counts children *at the same time*, so a morning and
an afternoon child are one place, not two. Like ``pattern_counts``, plans sharing a weekly
pattern are counted together: each version's blocks per day class become time spans (the
location's opening hours of that weekday give a day part its times); the children present only
rise at a start, so one difference array per (location, start time) counts the children present
just after that time on each day, and a day's peak is the largest of them. Plans that cannot take this
path (extra days, custom schedules, two plans of a child) are expanded day by day
(``reservations.iter_reserved``). ``test_equivalence_rule_warnings`` holds the result to the
day-by-day sweep it replaces."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time
from functools import lru_cache
from operator import mul

from .expansion import EPOCH_MONDAY, Block, block_times, monday
from .pattern_counts import CLASSES, OpenCalendar, open_flags, plan_parts, weighted_day_sums
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


def _coefficient(span: Span, t: time) -> int:
    """What a span adds to the children present just after the events at ``t``: 1 from its start
    to its end. (A span ending before it starts, a day part outside the opening hours, takes one
    off between its end and start, as a sweep over the start and end events does.)"""
    return (span[0] <= t) - (span[1] <= t)


def _weights(held, times) -> list[tuple[time, tuple[int, ...]]]:
    """Per start time t, the 14 per-class weights of a pattern's spans at t (only non-zero ones)."""
    out = []
    for t in times:
        weights = [0] * CLASSES
        for cls, span in held:
            weights[cls] += _coefficient(span, t)
        if any(weights):
            out.append((t, tuple(weights)))
    return out


def peaks_per_day(plans: list[PlanData], hours, closed, split: time, first: date, last: date,
                  ) -> dict[int, list[int]]:
    """{location: most children at the same time on each day of [first, last]} (0 on the days the
    location is closed), for the locations of ``plans``. ``hours``: {location: {weekday: (opens,
    closes)}}; ``closed``: {location: days}. Two blocks touching (one ends when the other starts)
    are not at the same time.

    The count of children present only rises at a start, so a day's peak is the largest count at
    one of the start times of the location's spans: one array per (location, start time), summed
    per weekly pattern (``weighted_day_sums``) plus the plans expanded day by day."""
    n_days = (last - first).days + 1
    if n_days <= 0:
        return {}
    parts, exact = plan_parts(plans, first, last, split, key_of=block_key)
    same_hours: dict[tuple, int] = {}
    hours_id = {loc: same_hours.setdefault(tuple(sorted(hours.get(loc, {}).items())), len(same_hours))
                for loc in {p.location_id for p in plans}}
    starts: dict[int, set[time]] = defaultdict(set)
    held_of: dict[tuple[int, int], tuple] = {}  # by id(key): the keys live as long as ``parts``
    seen: set[tuple[int, int]] = set()
    patterns = []
    for plan, a, b, key in parts:
        loc = plan.location_id
        held = held_of.get((id(key), hours_id[loc]))
        if held is None:
            held = held_of[(id(key), hours_id[loc])] = _held_spans(key, hours.get(loc, {}), split)
        if (loc, id(held)) not in seen:
            seen.add((loc, id(held)))
            starts[loc].update(span[0] for _cls, span in held)
        patterns.append((loc, a, b, held))
    reserved = []
    for plan, day, block, _extra in iter_reserved(exact, first, last, hours, closed):
        opens, closes = hours[plan.location_id][day.weekday()]
        span = block_times(block, opens, closes, split)
        if span[0] is not None and span[1] is not None:
            reserved.append((plan.location_id, (day - first).days, span))
            starts[plan.location_id].add(span[0])
    times = {loc: tuple(sorted(ts)) for loc, ts in starts.items()}
    segments: Counter = Counter()
    weights_of: dict[tuple, list] = {}
    for loc, a, b, held in patterns:
        weights = weights_of.get((id(held), times[loc]))
        if weights is None:
            weights = weights_of[(id(held), times[loc])] = _weights(held, times[loc])
        for t, w in weights:
            segments[((loc, t), w, a, b)] += 1
    calendars = {loc: OpenCalendar(hours.get(loc, {}), ()) for loc in hours_id}
    present = weighted_day_sums(segments, calendars, first, n_days)
    for loc, i, span in reserved:
        for t in times[loc]:
            c = _coefficient(span, t)
            if c:
                present.setdefault((loc, t), [0] * n_days)[i] += c
    per_location: dict[int, list[list[int]]] = defaultdict(list)
    for (loc, _t), arr in present.items():
        per_location[loc].append(arr)
    zeros = [0] * n_days
    return {loc: list(map(mul, map(max, zeros, *arrays), open_flags(hours.get(loc, {}), closed.get(loc, ()), first,
                                                                     n_days)))
            for loc, arrays in per_location.items()}
