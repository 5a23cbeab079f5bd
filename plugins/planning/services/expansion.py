"""Expanding care-plan patterns into concrete dates with python-dateutil's rrule.

Pure functions over plain data, so they are easy to property-test and fast in bulk: the same
(range, weekdays, interval, anchor) is expanded once and cached, because in a real organisation
hundreds of plans share the same few patterns."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from dateutil.rrule import MO, WEEKLY, rrule

MORNING, AFTERNOON = "morning", "afternoon"


@dataclass(frozen=True)
class Block:
    """A reserved span of one day: a day part, or hours (start/end) when day_part == "hours"."""

    day_part: str
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class PatternEntry:
    weekday: int
    week: str | None  # None: every week; "A"/"B" alternating
    block: Block


@dataclass(frozen=True)
class VersionSpec:
    start: date
    end: date | None
    kind: str  # weekly | alternating | custom
    reference: date | None
    entries: tuple[PatternEntry, ...] = ()
    schedule: tuple[tuple[date, Block], ...] = ()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


EPOCH_MONDAY = date(2001, 1, 1)


@lru_cache(maxsize=4096)
def _year_series(year: int, weekdays: tuple[int, ...], interval: int, parity: int) -> tuple[date, ...]:
    """All dates of ``year`` on ``weekdays``; with interval 2 only in weeks whose index since
    EPOCH_MONDAY has ``parity``. Expanded once per combination with rrule, then reused."""
    first = monday(date(year, 1, 1))
    if interval > 1 and ((first - EPOCH_MONDAY).days // 7) % interval != parity:
        first -= timedelta(days=7)
    # wkst=MO: weeks start on Monday whatever calendar.firstweekday() says, so the interval counts
    # the same weeks as EPOCH_MONDAY does
    rule = rrule(WEEKLY, interval=interval, wkst=MO, byweekday=weekdays, dtstart=datetime.combine(first, time()),
                 until=datetime(year, 12, 31))
    return tuple(d.date() for d in rule if d.year == year)


def weekly_dates(lo: date, hi: date, weekdays: tuple[int, ...], interval: int = 1,
                 anchor: date | None = None) -> list[date]:
    """Dates in [lo, hi] on ``weekdays``; with interval 2 only in the weeks of the same parity as
    the week of ``anchor`` (week A)."""
    if not weekdays or lo > hi:
        return []
    parity = ((monday(anchor or lo) - EPOCH_MONDAY).days // 7) % interval if interval > 1 else 0
    out: list[date] = []
    for year in range(lo.year, hi.year + 1):
        series = _year_series(year, weekdays, interval, parity)
        out.extend(series[bisect_left(series, lo) if year == lo.year else 0:
                          bisect_right(series, hi) if year == hi.year else len(series)])
    return out


def expand(spec: VersionSpec, lo: date, hi: date) -> Iterator[tuple[date, Block]]:
    """Every (date, block) of the version within [lo, hi] ∩ the version's own range, in date order
    per entry. Weekdays the location is closed on are the caller's concern."""
    lo = max(lo, spec.start)
    if spec.end is not None:
        hi = min(hi, spec.end)
    if lo > hi:
        return
    if spec.kind == "custom":
        for day, block in spec.schedule:
            if lo <= day <= hi:
                yield day, block
        return
    anchor = spec.reference or spec.start
    for week in (None, "A", "B"):
        entries = [e for e in spec.entries if e.week == week]
        if not entries:
            continue
        weekdays = tuple(sorted({e.weekday for e in entries}))
        if week is None:
            dates = weekly_dates(lo, hi, weekdays)
        else:
            start_anchor = monday(anchor) + timedelta(days=0 if week == "A" else 7)
            dates = weekly_dates(lo, hi, weekdays, 2, start_anchor)
        by_day: dict[int, list[Block]] = {}
        for e in entries:
            by_day.setdefault(e.weekday, []).append(e.block)
        for day in dates:
            for block in by_day[day.weekday()]:
                yield day, block


def week_letter(day: date, reference: date) -> str:
    """"A" when ``day`` lies in a week of the same parity as the reference week, else "B"."""
    return "A" if ((monday(day) - monday(reference)).days // 7) % 2 == 0 else "B"


def block_times(block: Block, opens: time, closes: time, split: time) -> tuple[time, time]:
    """Start and end of a block at a location that opens/closes at the given times."""
    if block.day_part == "hours":
        return block.start, block.end  # type: ignore[return-value]
    if block.day_part == MORNING:
        return opens, min(split, closes)
    if block.day_part == AFTERNOON:
        return max(split, opens), closes
    return opens, closes


def halves(block: Block, split: time) -> frozenset[str]:
    """Which day parts (morning/afternoon) a block occupies, for counting day parts."""
    if block.day_part == "full":
        return frozenset((MORNING, AFTERNOON))
    if block.day_part in (MORNING, AFTERNOON):
        return frozenset((block.day_part,))
    parts = set()
    if block.start is not None and block.start < split:
        parts.add(MORNING)
    if block.end is not None and block.end > split:
        parts.add(AFTERNOON)
    return frozenset(parts)


def minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def block_minutes(block: Block, opens: time, closes: time, split: time) -> int:
    start, end = block_times(block, opens, closes, split)
    return max(0, minutes(end) - minutes(start))


def days_per_week(spec: VersionSpec) -> float:
    """Average care days per week of a version (a day with any care counts as one day)."""
    if spec.kind == "custom":
        if not spec.schedule:
            return 0.0
        days = {d for d, _ in spec.schedule}
        first, last = min(days), max(days)
        lo = spec.start if spec.start <= first else first
        hi = spec.end if spec.end is not None and spec.end >= last else last
        weeks = max(1.0, ((hi - lo).days + 1) / 7)
        return len(days) / weeks
    every = {e.weekday for e in spec.entries if e.week is None}
    if spec.kind != "alternating":
        return float(len(every))
    week_a = every | {e.weekday for e in spec.entries if e.week == "A"}
    week_b = every | {e.weekday for e in spec.entries if e.week == "B"}
    return (len(week_a) + len(week_b)) / 2


def overlapping(blocks: Iterable[tuple[time, time]]) -> bool:
    spans = sorted(blocks)
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
