"""The list-based counting per weekly pattern as it was before the counting in arrays
(``services/day_arrays``, main 60a6494), kept with ``reference_occupancy`` as an oracle: open days
of a class by arithmetic (``OpenCalendar``) and one difference list per (place, half day)."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from datetime import date, time
from itertools import accumulate

from plugins.planning.services.expansion import EPOCH_MONDAY
from plugins.planning.services.pattern_counts import CLASSES, day_class, plan_parts
from plugins.planning.services.reservations import PlanData

POPCOUNT = (0, 1, 1, 2)
_EPOCH = EPOCH_MONDAY.toordinal()


def split_plans(plans: list[PlanData], first: date, last: date, split: time) -> tuple[Counter, list[PlanData]]:
    """(segments, exact): ``segments`` counts identical (location, key, from, to) within
    [first, last]; ``exact`` are the plans that need the per-day expansion."""
    parts, exact = plan_parts(plans, first, last, split)
    return Counter((plan.location_id, key, a, b) for plan, a, b, key in parts), exact


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
