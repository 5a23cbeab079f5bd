"""One injectable clock per app: domain code never calls date.today() or datetime.now() itself.

The app owns a :class:`Clock` (``app.extensions["koepel_clock"]``) and every TenantContext takes
it, so a test freezes time for its app only (``app_clock().freeze(datetime(...))``), and a job
can run "as of" another moment with a clock of its own. ``clock`` below is a read-only proxy to
the current app's clock for code that has no context at hand (models' defaults, the CLI);
outside an app it reads the system time. Display converts to Europe/Brussels.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


class Clock:
    """The time as seen by one app (or one job run): real, or frozen by a test."""

    def __init__(self, frozen: datetime | None = None) -> None:
        self._frozen: datetime | None = None
        self.freeze(frozen)

    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def today(self) -> date:
        """Today's care date: the local date in Brussels."""
        return self.now().astimezone(BRUSSELS).date()

    def freeze(self, moment: datetime | None) -> None:
        """Stop time at ``moment`` (naive means Brussels time); ``None`` lets it run again."""
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=BRUSSELS)
        self._frozen = moment.astimezone(UTC) if moment is not None else None


_SYSTEM = Clock()


def app_clock() -> Clock:
    """The clock of the current app; the system clock outside an app context."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.extensions["koepel_clock"]
    return _SYSTEM


class _CurrentClock:
    """``clock.now()`` / ``clock.today()``: the current app's clock, read-only."""

    def now(self) -> datetime:
        return app_clock().now()

    def today(self) -> date:
        return app_clock().today()


clock = _CurrentClock()


def to_local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(BRUSSELS) if moment is not None else None
