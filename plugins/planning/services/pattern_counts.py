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
tests pin both to the same result. The counting itself is in arrays: ``day_arrays``."""
from __future__ import annotations

from calendar import monthrange
from collections import Counter
from datetime import date, time, timedelta
from functools import lru_cache

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


def plan_parts(plans: list[PlanData], first: date, last: date, split: time, key_of=None, keys=None,
               ) -> tuple[list[Part], list[PlanData]]:
    """(parts, exact): each version of a plan that can be counted per pattern as (plan, from, to,
    key) within [first, last]; ``exact`` are the plans that need the per-day expansion. ``key_of``
    (spec -> key, None for a custom schedule) gives another key than the 14 bit masks, e.g. the
    blocks themselves when times matter (``peaks``). ``keys``: the keys worked out so far for plans
    loaded together (a koepel-wide call shares them between partners; 14 masks only)."""
    per_child: Counter = Counter((p.location_id, p.child_id) for p in plans)
    # versions loaded together share their entries tuples: a pattern's key is worked out once
    keys: dict[tuple, Key | None] = {} if keys is None or key_of is not None else keys
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
            memo = (id(spec.entries), spec.kind, ((spec.reference or spec.start).toordinal() - _EPOCH) // 7 % 2, split)
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


def _plus_months(day: date, months: int) -> date:
    """``day + relativedelta(months=months)`` (the last day of a shorter month), without its cost."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


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
                change = _plus_months(born, later)
                end = min(b, max(day, change - ONE_DAY))
            if group is not None:
                out[((loc, group), key, day, end)] += 1
            day = end + ONE_DAY
    return out
