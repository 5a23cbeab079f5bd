"""Children present per day, counted in arrays (numpy) for the forecasts.

A 12-month forecast of a koepel has a few hundred places (locations, living groups) times two half
days times 365 days: small arrays, but Python lists walked slice by slice cost a C call per place,
month and weekday. Here every place is a row of one 2-D array and each step is one numpy call for
all rows: the difference array of the weekly patterns (``day_counts``), the open days
(``open_days``), a month's sum (``np.add.reduceat``) and a window's peak per weekday
(``WeekdayWindows``). Counts are int64: exact, like the lists they replace."""
from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np

from .pattern_counts import CLASSES, day_class


def day_counts(segments: Counter, rows: dict, first: date, n_days: int) -> np.ndarray:
    """Children present per (place, half day, day of the window): shape (len(rows), 2, n_days),
    half day 0 = morning (bit 1), 1 = afternoon (bit 2); ``rows`` maps a segment's place to its
    row (segments of other places are left out).

    ``segments`` counts identical (place, 14 masks, from, to): each adds its count at the first day
    of every day class it reserves and takes it off after its last; the running sum per class is a
    cumsum over the window cut in fortnights. Days the location is not open on are not cleared:
    the caller masks with ``open_days``."""
    width = CLASSES * (n_days // CLASSES + 2)  # room for the "after the last day" of every class
    diff = np.zeros((len(rows), 2, width), dtype=np.int64)
    distinct: dict[tuple, int] = {}  # a few patterns for hundreds of segments: converted once each
    items = [(rows[place], distinct.setdefault(key, len(distinct)), a, b, n)
             for (place, key, a, b), n in segments.items() if place in rows]
    if items:
        row, key_ids, a, b, n = zip(*items, strict=True)
        keys = np.array(list(distinct), dtype=np.int64)[list(key_ids)]  # (segments, 14) bit masks
        lo = np.maximum(0, _offsets(a, first))
        hi = _offsets(b, first)
        seg, half, cls = np.nonzero(np.stack([keys & 1, keys & 2], axis=1))
        start = (np.arange(CLASSES) - day_class(first)) % CLASSES  # each class's first offset
        s, lo_s, hi_s = start[cls], lo[seg], hi[seg]
        on = lo_s + (s - lo_s) % CLASSES  # the first day of the class from the segment's start
        off = hi_s + 1 + (s - hi_s - 1) % CLASSES  # the first one after its end
        keep = on <= hi_s
        place, half, on, off, count = (np.asarray(row)[seg][keep], half[keep], on[keep], off[keep],
                                       np.asarray(n, dtype=np.int64)[seg][keep])
        np.add.at(diff, (place, half, on), count)
        np.add.at(diff, (place, half, off), -count)
    fortnights = diff.reshape(len(rows), 2, width // CLASSES, CLASSES)
    return np.cumsum(fortnights, axis=2).reshape(len(rows), 2, width)[:, :, :n_days]


def add_days(counts: np.ndarray, rows, days, bits) -> None:
    """Adds one child per (row, day offset, half-day bits) to ``counts`` (the exact path's days)."""
    rows, days, bits = (np.asarray(x, dtype=np.int64) for x in (rows, days, bits))
    for half, bit in ((0, 1), (1, 2)):
        on = (bits & bit) != 0
        np.add.at(counts, (rows[on], half, days[on]), 1)


def _offsets(days, first: date) -> np.ndarray:
    base = first.toordinal()
    return np.fromiter((d.toordinal() - base for d in days), dtype=np.int64, count=len(days))


def open_days(location_ids, hours: dict, closed: dict, first: date, n_days: int) -> np.ndarray:
    """1 for each (location, day of the window) the location is open on: a weekday with opening
    hours, not a closing day; else 0 (int64, to multiply the counts with)."""
    week = np.array([[w in hours.get(loc, {}) for w in range(7)] for loc in location_ids], dtype=np.int64)
    weekday = (first.weekday() + np.arange(n_days)) % 7
    mask = week.reshape(len(location_ids), 7)[:, weekday]
    for r, loc in enumerate(location_ids):
        shut = _offsets(list(closed.get(loc, ())), first)
        mask[r, shut[(shut >= 0) & (shut < n_days)]] = 0
    return mask


class WeekdayWindows:
    """Windows of days (offsets [lo, hi], e.g. the months of a forecast) whose maxima per weekday
    are wanted: the days of all windows are gathered in (window, weekday) order once, so the
    maxima of every row are one ``np.maximum.reduceat``. A weekday a window does not reach gives
    0 (counts are never negative)."""

    def __init__(self, windows: list[tuple[int, int]], first_weekday: int) -> None:
        order, starts = [], []
        for lo, hi in windows:
            for w in range(7):
                starts.append(len(order))
                order.extend(range(lo + (w - first_weekday - lo) % 7, hi + 1, 7))
        self.n = len(windows)
        self.order = np.array(order, dtype=np.int64)
        self.starts = np.array(starts, dtype=np.int64)
        self.empty = np.diff(np.append(self.starts, len(order))) == 0

    def maxima(self, arr: np.ndarray) -> np.ndarray:
        """The maximum of the last axis per window and weekday: shape arr.shape[:-1] + (windows, 7)."""
        picked = np.concatenate([arr[..., self.order], np.zeros(arr.shape[:-1] + (1,), arr.dtype)], axis=-1)
        out = np.maximum.reduceat(picked, self.starts, axis=-1)
        out[..., self.empty] = 0
        return out.reshape(arr.shape[:-1] + (self.n, 7))
