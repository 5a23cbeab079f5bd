"""Counting reserved day parts per weekly pattern instead of per child and day.

In a real organisation hundreds of care plans share a few weekly patterns. A weekly or
alternating version reserves the same day parts on every day of the same *day class*: the weekday
together with the week's parity counted from ``EPOCH_MONDAY`` (14 classes, ``day_class``). So a
version is 14 bit masks (1 = morning, 2 = afternoon) over a date range; versions are counted per
identical (location, masks, date range) and the open days of each class in a range are counted
with arithmetic (minus the closing days of that class), never by walking the days of every child.

Only plans whose days cannot overlap take this path: the single plan of a child at a location,
without extra days and without custom (shift-work) schedules, whose versions do not overlap.
Everything else goes through the exact per-day expansion (``occupancy._plan_masks``); the property
tests pin both to the same result."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from functools import lru_cache
from itertools import accumulate

from dateutil.relativedelta import relativedelta

from .care_plans import age_in_months
from .expansion import (
    AFTERNOON,
    EPOCH_MONDAY,
    MORNING,
    Block,
    halves,
    monday,
)
from .reservations import PlanData

CLASSES = 14
_EPOCH = EPOCH_MONDAY.toordinal()
POPCOUNT = (0, 1, 1, 2)
ONE_DAY = timedelta(days=1)

Key = tuple[int, ...]  # 14 bit masks, index = day_class


def day_class(day: date) -> int:
    """Weekday (0 = Monday) plus 7 in the odd weeks counted from EPOCH_MONDAY."""
    return (day.toordinal() - _EPOCH) % CLASSES


@lru_cache(maxsize=1024)
def block_bits(block: Block, split: time) -> int:
    parts = halves(block, split)
    return (1 if MORNING in parts else 0) | (2 if AFTERNOON in parts else 0)


def pattern_key(spec, split: time) -> Key | None:
    """The 14 masks of a weekly or alternating version; None for a custom schedule."""
    if spec.kind == "custom":
        return None
    anchor = spec.reference or spec.start
    week_a = ((monday(anchor) - EPOCH_MONDAY).days // 7) % 2
    return _masks_of(spec.entries, week_a, split)


@lru_cache(maxsize=4096)
def _masks_of(entries, week_a: int, split: time) -> Key:
    """Hundreds of versions share a handful of patterns: each is worked out once."""
    bits = [0] * CLASSES
    for entry in entries:
        b = block_bits(entry.block, split)
        if entry.week is None:
            parities = (0, 1)
        else:
            parities = (week_a,) if entry.week == "A" else (1 - week_a,)
        for parity in parities:
            bits[parity * 7 + entry.weekday] |= b
    return tuple(bits)


Part = tuple[PlanData, date, date, Key]


def plan_parts(plans: list[PlanData], first: date, last: date, split: time, key_of=None,
               ) -> tuple[list[Part], list[PlanData]]:
    """(parts, exact): each version of a plan that can be counted per pattern as (plan, from, to,
    key) within [first, last]; ``exact`` are the plans that need the per-day expansion. ``key_of``
    (spec -> key, None for a custom schedule) gives another key than the 14 bit masks, e.g. the
    blocks themselves when times matter (``peaks``)."""
    per_child: Counter = Counter((p.location_id, p.child_id) for p in plans)
    keys: dict[tuple, Key | None] = {}  # versions loaded together share their entries tuples
    out: list[Part] = []
    exact: list[PlanData] = []
    for plan in plans:
        lo, hi = max(first, plan.start), last if plan.end is None else min(last, plan.end)
        if per_child[(plan.location_id, plan.child_id)] > 1 or (
                plan.extras and any(lo <= d <= hi for d, _b in plan.extras)):
            exact.append(plan)
            continue
        parts, ok = [], True
        for spec in plan.versions:
            memo = (id(spec.entries), spec.kind, ((spec.reference or spec.start).toordinal() - _EPOCH) // 7 % 2)
            key = keys.get(memo, False)
            if key is False:
                key = keys[memo] = pattern_key(spec, split) if key_of is None else key_of(spec)
            if key is None:
                ok = False
                break
            a, b = max(lo, spec.start), hi if spec.end is None else min(hi, spec.end)
            if a <= b and any(key):
                parts.append((a, b, key))
        if not ok:
            exact.append(plan)
        elif len(parts) == 1:  # most plans: one version in the window
            a, b, key = parts[0]
            out.append((plan, a, b, key))
        else:
            parts.sort()
            if any(x[1] >= y[0] for x, y in zip(parts, parts[1:], strict=False)):
                exact.append(plan)
                continue
            out += [(plan, a, b, key) for a, b, key in parts]
    return out, exact


def split_plans(plans: list[PlanData], first: date, last: date, split: time) -> tuple[Counter, list[PlanData]]:
    """(segments, exact): ``segments`` counts identical (location, key, from, to) within
    [first, last]; ``exact`` are the plans that need the per-day expansion."""
    parts, exact = plan_parts(plans, first, last, split)
    return Counter((plan.location_id, key, a, b) for plan, a, b, key in parts), exact


class AgeGroups:
    """The living group a child of a given age (months) counts in at one location: the first group,
    in the given order, whose [min, max] holds the age; None when none does."""

    def __init__(self, groups: list[tuple[int, int, int]]) -> None:  # (id, min, max)
        self.groups = groups
        self.top = max((hi for _g, _lo, hi in groups), default=0) + 1
        self._of = [self._find(age) for age in range(self.top + 1)]

    def _find(self, age: int) -> int | None:
        return next((gid for gid, lo, hi in self.groups if lo <= age <= hi), None)

    def of(self, age: int) -> int | None:
        return self._of[min(age, self.top)]

    def next_change(self, age: int) -> int | None:
        """The first age above ``age`` in another group (None: the same group from here on)."""
        here = self.of(age)
        for later in range(age + 1, self.top + 1):
            if self._of[later] != here:
                return later
        return None


def group_segments(parts: list[Part], births: dict[int, date | None], age_groups: dict[int, AgeGroups],
                   ) -> Counter:
    """Counts identical ((location, living group), key, from, to): the plan's assigned group, else
    the group that fits the child's age, with a new segment whenever the age moves the child to
    another group (children without a fitting group are left out)."""
    out: Counter = Counter()
    for plan, a, b, key in parts:
        loc = plan.location_id
        if plan.living_group_id:
            out[((loc, plan.living_group_id), key, a, b)] += 1
            continue
        groups, born = age_groups[loc], births.get(plan.child_id)
        day = a
        while day <= b:
            age = age_in_months(born, day) if born and born <= day else 0
            group, later = groups.of(age), groups.next_change(age)
            end = b
            if later is not None and born is not None:
                change = born + relativedelta(months=later)
                end = min(b, max(day, change - ONE_DAY))
            if group is not None:
                out[((loc, group), key, day, end)] += 1
            day = end + ONE_DAY
    return out


class OpenCalendar:
    """The open days of one location as arithmetic: open weekdays and, per day class, the
    sorted closing days (as ordinals) that fall on an open weekday."""

    def __init__(self, open_weekdays, closed_days) -> None:
        self.open = frozenset(open_weekdays)
        by_class: dict[int, list[int]] = defaultdict(list)
        for day in closed_days:
            if day.weekday() in self.open:
                by_class[day_class(day)].append(day.toordinal())
        self.closed = {c: sorted(days) for c, days in by_class.items()}

    def count(self, cls: int, lo: date, hi: date) -> int:
        """Open days of class ``cls`` in [lo, hi]."""
        if cls % 7 not in self.open or lo > hi:
            return 0
        a, b = lo.toordinal() - _EPOCH, hi.toordinal() - _EPOCH
        n = (b - cls) // CLASSES - (a - 1 - cls) // CLASSES
        closed = self.closed.get(cls)
        if closed:
            n -= bisect_right(closed, hi.toordinal()) - bisect_left(closed, lo.toordinal())
        return n


def day_counts(segments: Counter, calendars: dict[int, OpenCalendar], first: date, n_days: int,
               ) -> dict[tuple, list[int]]:
    """{(place, bit): children present on each day of the window}, a list indexed by the day's
    offset from ``first`` (a place is a location id or a (location id, living group id) pair).

    Each segment adds its count at the first day of each class it reserves and takes it off
    after its last: one difference array per (place, bit) whose running sum is taken per day
    class (every 14th day), so nothing is done per child and day. Days the location is not open
    on keep 0; closing days are the caller's concern (it reads open days only)."""
    start_cls = day_class(first)
    out: dict[tuple, list[int]] = {}
    for (place, key, a, b), n in segments.items():
        cal = calendars[place if isinstance(place, int) else place[0]]
        lo, hi = max(0, (a - first).days), (b - first).days
        for cls, bits in enumerate(key):
            if not bits or cls % 7 not in cal.open:
                continue
            offset = (cls - start_cls) % CLASSES
            on = lo + (offset - lo) % CLASSES  # the first day of this class from ``a`` on
            off = hi + 1 + (offset - hi - 1) % CLASSES  # the first one after ``b``
            if on > hi or on >= n_days:
                continue
            for bit in (1, 2):
                if bits & bit:
                    arr = out.get((place, bit))
                    if arr is None:
                        arr = out[(place, bit)] = [0] * n_days
                    arr[on] += n
                    if off < n_days:
                        arr[off] -= n
    for arr in out.values():
        for cls in range(min(CLASSES, n_days)):
            arr[cls::CLASSES] = accumulate(arr[cls::CLASSES])
    return out


def day_parts_per_day(segments: Counter, calendars: dict[int, OpenCalendar], first: date, n_days: int,
                      ) -> dict[int, list[int]]:
    """{location: reserved day parts on each day of the window}: what ``day_counts`` gives summed
    over both half days, in one difference array per location (a segment weighs its count times
    the half days its class reserves). The occupancy needs no more."""
    start_cls = day_class(first)
    out: dict[int, list[int]] = {}
    for (place, key, a, b), n in segments.items():
        cal = calendars[place]
        lo, hi = max(0, (a - first).days), (b - first).days
        arr = None
        for cls, bits in enumerate(key):
            if not bits or cls % 7 not in cal.open:
                continue
            offset = (cls - start_cls) % CLASSES
            on = lo + (offset - lo) % CLASSES
            off = hi + 1 + (offset - hi - 1) % CLASSES
            if on > hi or on >= n_days:
                continue
            if arr is None:
                arr = out.get(place)
                if arr is None:
                    arr = out[place] = [0] * n_days
            weight = n * POPCOUNT[bits]
            arr[on] += weight
            if off < n_days:
                arr[off] -= weight
    for arr in out.values():
        for cls in range(min(CLASSES, n_days)):
            arr[cls::CLASSES] = accumulate(arr[cls::CLASSES])
    return out


def open_flags(loc_hours, loc_closed, first: date, n_days: int) -> list[int]:
    """1 for each day of the window the location is open (a weekday with opening hours, not a
    closing day), else 0: built from the week's pattern, then the closing days cleared."""
    w0 = first.weekday()
    week = [1 if (w0 + k) % 7 in loc_hours else 0 for k in range(7)]
    flags = (week * (n_days // 7 + 1))[:n_days]
    for day in loc_closed:
        i = (day - first).days
        if 0 <= i < n_days:
            flags[i] = 0
    return flags
