"""The smallest adapter onto ``plugins.planning.api`` (the only planning module we may import):
vacancies as our own ``Slot`` values, and the care plan created on acceptance."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from core.values import Period


def planning_api():
    import plugins.planning.api as api

    return api


@dataclass(frozen=True)
class Slot:
    """A concrete free place type: location, month, age band and day-part pattern."""

    location_id: int
    year: int
    month: int
    age_band: str
    day_parts: str
    free: int = 1
    last_minute: bool = False

    @property
    def period(self) -> Period:
        return Period(self.year, self.month)

    @cached_property
    def start(self) -> date:
        return self.period.first_day

    @cached_property
    def end(self) -> date:
        return self.period.last_day

    @property
    def key(self) -> str:
        return f"{self.location_id}:{self.year}-{self.month:02d}:{self.age_band}:{self.day_parts}"

    @classmethod
    def from_key(cls, key: str) -> Slot:
        location, ym, age_band, day_parts = key.split(":", 3)
        year, month = ym.split("-")
        return cls(int(location), int(year), int(month), age_band, day_parts)


def age_range(age_band: str) -> tuple[int, int] | None:
    """Months ``[from, to)`` of an age band such as planning's ``"12-24m"``; None when unknown."""
    match = re.search(r"(\d+)\s*[-–]\s*(\d+)", age_band or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
PARTS = {"volle dag": ("morning", "afternoon"), "voormiddag": ("morning",), "namiddag": ("afternoon",)}


@lru_cache(maxsize=512)
def pattern_cells(label: str) -> frozenset[tuple[int, str]] | None:
    """Half days a planning pattern such as ``"ma-vr volle dag"`` or ``"wo voormiddag"`` covers."""
    match = re.fullmatch(r"\s*([a-z]{2})(?:-([a-z]{2}))?\s+(volle dag|voormiddag|namiddag)\s*", label or "")
    if not match or match.group(1) not in WEEKDAY_SHORT:
        return None
    first = WEEKDAY_SHORT.index(match.group(1))
    last = WEEKDAY_SHORT.index(match.group(2)) if match.group(2) in WEEKDAY_SHORT else first
    return frozenset((w, half) for w in range(first, last + 1) for half in PARTS[match.group(3)])


def wish_cells(days: list[dict]) -> set[tuple[int, str]]:
    cells = set()
    for d in days:
        halves = ("morning", "afternoon") if d.get("day_part") == "full" else (d.get("day_part"),)
        cells |= {(int(d["weekday"]), h) for h in halves}
    return cells


def covers(label: str, days: list[dict]) -> bool:
    """Does a free place of this pattern cover the days the parent asks for? (unknown: yes)"""
    cells = pattern_cells(label)
    return cells is None or wish_cells(days) <= cells


def group_key(slot: Slot) -> str:
    """Place type for central allocation: patterns of one location, month and age band share places."""
    return f"{slot.location_id}:{slot.year}-{slot.month:02d}:{slot.age_band}:*"


def vacancies(ctx, *, start: date, months: int = 12,
              location_ids: list[int] | None = None) -> list[Slot]:
    api = planning_api()
    found = api.per_month(api.free_places(ctx, start=start, months=months, location_ids=location_ids))
    return [Slot(v.location_id, v.period.year, v.period.month, str(v.age_band), str(v.day_parts),
                 int(v.free_places), bool(v.last_minute)) for v in found if v.free_places > 0]


@dataclass(frozen=True)
class Run:
    """Free places the same from month ``first`` through ``last`` for every age band in
    ``age_bands``: planning's row as a coordinator reads it ("december 2026 – maart 2027")."""

    location_id: int
    first: Period
    last: Period
    age_bands: tuple[str, ...]
    day_parts: str
    free: int
    last_minute: bool = False

    def slots(self) -> list[Slot]:
        """A slot per age band in the run's first month: the concrete place the candidates and
        the offer are about (the same place type stays free through ``last``)."""
        return [Slot(self.location_id, self.first.year, self.first.month, band, self.day_parts, self.free,
                     self.last_minute) for band in self.age_bands]


def vacancy_runs(ctx, *, start: date, months: int = 12, location_ids: list[int] | None = None) -> list[Run]:
    """``vacancies`` as planning counts them, one row per run of months and age bands instead of
    one per month and band (a year of a location's free places is a few rows, not hundreds)."""
    api = planning_api()
    return [Run(v.location_id, v.period, v.until, tuple(str(b) for b in v.age_bands), str(v.day_parts),
                int(v.free_places), bool(v.last_minute))
            for v in api.free_places(ctx, start=start, months=months, location_ids=location_ids) if v.free_places > 0]


def create_care_plan(ctx, *, child_id: int, location_id: int, start_date: date,
                     days: list[dict], family_id: int, actor_id: int | None) -> int:
    api = planning_api()
    plan_days = [api.DayPlan(weekday=int(d["weekday"]), day_part=d["day_part"]) for d in days]
    return api.create_care_plan(ctx, child_id=child_id, location_id=location_id,
                                start_date=start_date, days=plan_days, family_id=family_id, actor_id=actor_id)


def planning_error_message(exc: Exception) -> str | None:
    """The Dutch message of a PlanningError, or None for any other exception."""
    error_cls = getattr(planning_api(), "PlanningError", None)
    if error_cls is not None and isinstance(exc, error_cls):
        return getattr(exc, "message", str(exc))
    return None
