"""Small value objects shared by every module: money in cents, months, inclusive date ranges."""
from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, order=True)
class Money:
    """An amount in euro cents. Never a float."""

    cents: int

    @classmethod
    def from_decimal(cls, value: Decimal | str) -> Money:
        amount = (Decimal(value) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return cls(int(amount))

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def percent(self, pct: int) -> Money:
        """pct % of this amount, rounded half up to the cent."""
        value = (Decimal(self.cents) * pct / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return Money(int(value))

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        euros, cents = divmod(abs(self.cents), 100)
        return f"{sign}€ {euros:,}".replace(",", ".") + f",{cents:02d}"


@dataclass(frozen=True, order=True)
class DateRange:
    """A period with an inclusive end; ``end=None`` means open-ended."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("end date before start date")

    def __contains__(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: DateRange) -> bool:
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )

    def days(self) -> list[date]:
        if self.end is None:
            raise ValueError("open-ended range has no finite list of days")
        return [self.start + timedelta(n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    def as_range(self) -> DateRange:
        return DateRange(self.first_day, self.last_day)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def through(self, last: Period) -> list[Period]:
        """This month and the ones after it up to and including ``last`` (empty if ``last`` is earlier)."""
        out, p = [], self
        while p <= last:
            out.append(p)
            p = p.next()
        return out

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"
