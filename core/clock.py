"""One injectable clock: domain code never calls date.today() or datetime.now() itself.

Tests freeze it with ``clock.freeze(datetime(...))``; display converts to Europe/Brussels.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def today(self) -> date:
        """Today's care date: the local date in Brussels."""
        return self.now().astimezone(BRUSSELS).date()

    def freeze(self, moment: datetime | None) -> None:
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=BRUSSELS)
        self._frozen = moment.astimezone(UTC) if moment is not None else None


clock = Clock()


def to_local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(BRUSSELS) if moment is not None else None
