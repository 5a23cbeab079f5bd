"""Children at the same time at a location, per day: the peak of the reserved blocks' times.

The family daycare cap (domain-rules §4.1) counts children *at the same time*, so a morning and
an afternoon child are one place, not two. Like ``pattern_counts``, plans sharing a weekly
pattern are counted together: each version's blocks per day class become time spans (the
location's opening hours of that weekday give a day part its times), one difference array per
(location, span) counts the children holding that span on each day, and the peak of a day is
the largest sum of the spans open at one of the day's start times. Plans that cannot take this
path (extra days, custom schedules, two plans of a child) are expanded day by day
(``reservations.iter_reserved``). ``test_equivalence_rule_warnings`` holds the result to the
day-by-day sweep it replaces."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time
from functools import lru_cache
from operator import mul

from .expansion import EPOCH_MONDAY, Block, block_times, monday
from .pattern_counts import CLASSES, OpenCalendar, day_counts, open_flags, plan_parts
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


def _span_keys(key, loc_hours, split: time) -> list[tuple[Span, tuple[int, ...]]]:
    """(span, 14 masks) for each time span the blocks of ``key`` hold at a location: mask 1 on the
    classes holding it (a span held twice on one day, by two identical blocks, gets a second key)."""
    held: dict[Span, list[int]] = {}
    for cls, blocks in enumerate(key):
        hours = loc_hours.get(cls % 7)
        if not blocks or hours is None:
            continue
        for block in blocks:
            span = block_times(block, hours[0], hours[1], split)
            if span[0] is not None and span[1] is not None:
                held.setdefault(span, [0] * CLASSES)[cls] += 1
    out = []
    for span, times in held.items():
        for k in range(1, max(times) + 1):
            out.append((span, tuple(1 if n >= k else 0 for n in times)))
    return out


def peaks_per_day(plans: list[PlanData], hours, closed, split: time, first: date, last: date,
                  ) -> dict[int, list[int]]:
    """{location: most children at the same time on each day of [first, last]} (0 on the days the
    location is closed), for the locations of ``plans``. ``hours``: {location: {weekday: (opens,
    closes)}}; ``closed``: {location: days}. Two blocks touching (one ends when the other starts)
    are not at the same time."""
    n_days = (last - first).days + 1
    if n_days <= 0:
        return {}
    parts, exact = plan_parts(plans, first, last, split, key_of=block_key)
    locations = {p.location_id for p in plans}
    calendars = {loc: OpenCalendar(hours.get(loc, {}), ()) for loc in locations}
    segments: Counter = Counter()
    span_keys: dict[tuple[int, int], list] = {}  # by id(key): the keys live as long as ``parts``
    for plan, a, b, key in parts:
        loc = plan.location_id
        keys = span_keys.get((loc, id(key)))
        if keys is None:
            keys = span_keys[(loc, id(key))] = _span_keys(key, hours.get(loc, {}), split)
        for span, masks in keys:
            segments[((loc, span), masks, a, b)] += 1
    counts = day_counts(segments, calendars, first, n_days)
    per_location: dict[int, dict[Span, list[int]]] = defaultdict(dict)
    for ((loc, span), _bit), arr in counts.items():
        per_location[loc][span] = arr
    for plan, day, block, _extra in iter_reserved(exact, first, last, hours, closed):
        opens, closes = hours[plan.location_id][day.weekday()]
        span = block_times(block, opens, closes, split)
        if span[0] is None or span[1] is None:
            continue
        spans = per_location[plan.location_id]
        arr = spans.get(span)
        if arr is None:
            arr = spans[span] = [0] * n_days
        arr[(day - first).days] += 1
    return {loc: list(map(mul, _peaks(spans, n_days), open_flags(hours.get(loc, {}), closed.get(loc, ()), first,
                                                                  n_days)))
            for loc, spans in per_location.items()}


def _peaks(spans: dict[Span, list[int]], n_days: int) -> list[int]:
    """Per day, the most spans held at one moment. The count only rises at a start, so it is
    read at each distinct start time t: the spans with start <= t < end. (A span ending before
    it starts, a day part outside the opening hours, takes one off between its end and start,
    as a sweep over the start and end events does.)"""
    peak = [0] * n_days
    for t in sorted({start for start, _end in spans}):
        plus = [arr for (s, e), arr in spans.items() if s <= t < e]
        minus = [arr for (s, e), arr in spans.items() if e <= t < s]
        if not plus:
            continue
        if minus:
            present = [sum(p) - sum(m) for p, m in zip(zip(*plus, strict=True), zip(*minus, strict=True), strict=True)]
        elif len(plus) == 1:
            present = plus[0]
        else:
            present = [sum(col) for col in zip(*plus, strict=True)]
        peak = list(map(max, peak, present))
    return peak
