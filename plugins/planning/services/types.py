"""Plain value types of the planning module, shared by the services and re-exported by api.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import NamedTuple

from core.errors import DomainError
from core.values import Period

from . import errors  # noqa: F401  (registers the messages)

DAY_PART_ALIASES = {"full_day": "full", "fullday": "full", "am": "morning", "pm": "afternoon"}


class PlanningError(DomainError, ValueError):
    """Bad planning input: a code of ``services/errors.py``, the form field it belongs to when
    known and the message's parameters; ``message`` is rendered in the reader's language.
    Raised before anything is written."""

    def __init__(self, code: str, field: str | None = None, **params) -> None:
        super().__init__(code, field, **params)


@dataclass(frozen=True)
class DayPlan:
    """One weekday of a pattern: ``day_part`` morning|afternoon|full|hours (hours needs start and
    end); ``week`` None for every week, "A"/"B" for alternating weeks. 0 = Monday."""

    weekday: int
    day_part: str
    start: time | None = None
    end: time | None = None
    week: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "day_part", DAY_PART_ALIASES.get(self.day_part, self.day_part))


@dataclass(frozen=True)
class ScheduledDay:
    """One date of a custom (shift-work) schedule or an extra agreed day."""

    day: date
    day_part: str
    start: time | None = None
    end: time | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "day_part", DAY_PART_ALIASES.get(self.day_part, self.day_part))


@dataclass(frozen=True)
class ExpectedChild:
    child_id: int
    first_name: str
    last_name: str
    birth_date: date
    age_months: int
    living_group_id: int | None
    day_part: str
    start: time
    end: time
    care_plan_id: int


@dataclass(frozen=True)
class ReservedDay:
    day: date
    child_id: int
    location_id: int
    care_plan_id: int
    day_part: str
    start: time | None
    end: time | None
    extra: bool
    family_id: int | None = None  # the household that signed the agreement (and pays it)
    settling_in: bool = False  # a wenmoment: on or before the plan's settling_in_until
    own_child: bool = False  # the onthaalouder's own child: capacity and ratio only, never billed


@dataclass(frozen=True)
class Agreement:
    """A care plan as the agreement billing needs: who pays (``family_id``), where, when, and
    until when the child settles in (wenmomenten)."""

    care_plan_id: int
    child_id: int
    location_id: int
    family_id: int | None
    start: date
    end: date | None
    settling_in_until: date | None


class Vacancy(NamedTuple):
    """Free places at a location for a day-part pattern, the same from month ``period`` through
    month ``until`` and for every age band in ``age_bands``; ``last_minute``: in the coming weeks
    instead (then ``until == period``, the month the window starts in). One row stands for the
    months and bands it covers because a koepel's 12-month free places repeat: one row per month
    and band was some 20,000 rows, this is about 2,000 (bench/README). ``per_month`` gives the
    rows per month and band where a reader needs them (the loket, the waiting list's offers)."""

    location_id: int
    period: Period
    until: Period
    age_bands: tuple[str, ...]
    day_parts: str
    free_places: int
    last_minute: bool

    def months(self) -> list[Period]:
        """The months the row covers, ``period`` through ``until``."""
        return self.period.through(self.until)


class MonthVacancy(NamedTuple):
    """One month and age band of a ``Vacancy``: free places at a location in a month (``period``)
    for an age band and a day-part pattern; ``last_minute``: in the coming weeks instead."""

    location_id: int
    period: Period
    age_band: str
    day_parts: str
    free_places: int
    last_minute: bool


def per_month(rows) -> list[MonthVacancy]:
    """The ``Vacancy`` rows per month and age band, sorted by location (in the order the rows
    name them), last-minute after the months, month, then the order of the rows and bands."""
    order: dict[int, int] = {}
    out = []
    for v in rows:
        loc = order.setdefault(v.location_id, len(order))
        for period in v.months():
            out += [(loc, v.last_minute, period, MonthVacancy(v.location_id, period, band, v.day_parts,
                                                              v.free_places, v.last_minute))
                    for band in v.age_bands]
    out.sort(key=lambda x: x[:3])  # stable: rows and bands keep their order within a month
    return [x[3] for x in out]


@dataclass(frozen=True)
class OccupancyCell:
    location_id: int
    period: Period
    reserved_day_parts: int
    available_day_parts: int
    rate: float


@dataclass(frozen=True)
class HalfHourSlot:
    """Children present in one half hour of a day, and caregivers the ratio rules require."""

    start: time
    end: time
    children: int
    babies: int  # children under 12 months (matters from 2027)
    staff_needed: int
    rule_set: str
    rest: bool = False
    staff_planned: int | None = None  # qualified caregivers + the logistics staff that may count
    staff_needed_by_group: int | None = None  # the same judged per living group (a warning only)


@dataclass(frozen=True)
class PlanWarning:
    """Something the user should confirm before saving a plan change (never blocks)."""

    code: str  # "closing_day" | "capacity" | "ratio" | "living_group" | "group_capacity"
    message: str
    dates: tuple[date, ...] = ()
    slots: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClosingDay:
    day: date
    reason: str
    kind: str  # "holiday" | "closure" | "bridge"
    location_id: int | None = None
    period_id: int | None = None
