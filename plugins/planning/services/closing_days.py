"""Closing days: Belgian public holidays (``holidays`` package, named in the reader's language) plus collective
closures and bridge days stored per organisation or per location. Reserved days that fall on a
closing day are not reserved (domain-rules §2.7)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import or_, select

from ..models import ClosingPeriod
from .types import ClosingDay, PlanningError

MAX_PERIOD_DAYS = 62


HOLIDAY_LANGUAGES = {"nl": "nl", "fr": "fr", "en": "en_US"}  # ours -> the holidays package's


def holiday_language() -> str:
    """The reader's language (the request's locale), Dutch outside a request (jobs, exports by CLI)."""
    from flask import has_request_context

    if has_request_context():
        from flask_babel import get_locale

        return str(get_locale() or "nl")[:2]
    return "nl"


@lru_cache(maxsize=64)
def _holidays_of(year: int, language: str = "nl") -> tuple[tuple[date, str], ...]:
    # building the holidays calendar costs tens of milliseconds; a year's holidays never change
    lang = HOLIDAY_LANGUAGES.get(language, "nl")
    return tuple(sorted(holidays.country_holidays("BE", years=year, language=lang).items()))


def public_holidays(start: date, end: date, language: str | None = None) -> dict[date, str]:
    """Belgian public holidays between start and end (inclusive), named in ``language`` (default:
    the reader's)."""
    lang = language or holiday_language()
    return {day: name for year in range(start.year, end.year + 1) for day, name in _holidays_of(year, lang)
            if start <= day <= end}


def closing_calendar(ctx, location_ids: Iterable[int], start: date, end: date) -> dict[int, dict[date, ClosingDay]]:
    """Per location: every closing day in [start, end]. Two queries whatever the number of
    locations (the holiday setting and the closing periods)."""
    ids = sorted(set(location_ids))
    if not ids or end < start:
        return {loc: {} for loc in ids}
    return calendar_of(closing_periods(ctx, ids, start, end), bool(ctx.setting("planning.public_holidays_closed")),
                       ids, start, end)


def closing_periods(ctx, location_ids: Iterable[int], start: date, end: date) -> list[tuple]:
    """(id, location_id, start, end, kind, reason) of the closing periods overlapping [start, end]
    that hold for the locations (their own and the organisation's), organisation-wide ones first:
    one query, for a caller that needs the calendar of a shorter range than the periods'
    (``calendar_of``) or only the next closing day (``next_closing_day``)."""
    ids = sorted(set(location_ids))
    if not ids or end < start:
        return []
    return list(ctx.session.execute(
        select(ClosingPeriod.id, ClosingPeriod.location_id, ClosingPeriod.start_date, ClosingPeriod.end_date,
               ClosingPeriod.kind, ClosingPeriod.reason)
        .where(ClosingPeriod.organisation_id == ctx.org.id, ClosingPeriod.start_date <= end,
               ClosingPeriod.end_date >= start,
               or_(ClosingPeriod.location_id.is_(None), ClosingPeriod.location_id.in_(ids)))
        .order_by(ClosingPeriod.location_id.is_(None).desc(), ClosingPeriod.start_date)
    ).all())


def calendar_of(periods, holidays_closed: bool, location_ids: Iterable[int], start: date, end: date,
                ) -> dict[int, dict[date, ClosingDay]]:
    """Per location: the closing days in [start, end] of already loaded ``periods``
    (``closing_periods``) and, when ``holidays_closed``, the public holidays (no queries). A
    location's own closure wins over the organisation's, a closure over a holiday."""
    ids = sorted(set(location_ids))
    result: dict[int, dict[date, ClosingDay]] = {loc: {} for loc in ids}
    if not ids or end < start:
        return result
    if holidays_closed:
        for day, name in public_holidays(start, end).items():
            for loc in ids:
                result[loc][day] = ClosingDay(day, name, "holiday")
    for period_id, location_id, first, last, kind, reason in periods:
        day = max(first, start)
        while day <= min(last, end):
            for loc in ids if location_id is None else [location_id]:
                result[loc][day] = ClosingDay(day, reason, kind, location_id, period_id)
            day += timedelta(days=1)
    return result


def next_closing_day(periods, holidays_closed: bool, location_ids: Iterable[int], start: date, end: date,
                     ) -> tuple[date, str] | None:
    """(day, reason) of the first closing day in [start, end] of any of the locations, as their
    calendars (``calendar_of``) give it (the first reason in sort order when locations differ on
    that day), without building the calendars of the whole range."""
    firsts = [max(first, start) for _id, _loc, first, last, _kind, _reason in periods if last >= start]
    if holidays_closed:
        firsts += sorted(public_holidays(start, end))[:1]
    day = min(firsts, default=None)
    if day is None or day > end:
        return None
    return day, min(c.reason for per in calendar_of(periods, holidays_closed, location_ids, day, day).values()
                    for c in per.values())


def closing_days(ctx, location_id: int, start: date, end: date) -> dict[date, str]:
    return {day: c.reason for day, c in sorted(closing_calendar(ctx, [location_id], start, end)[location_id].items())}


def yearly_calendar(ctx, year: int, location_id: int | None = None) -> list[ClosingDay]:
    """The year's closing days for the HR annex: holidays and organisation-wide closures, plus
    the closures of ``location_id`` when given."""
    session = ctx.session
    org = ctx.org
    start, end = date(year, 1, 1), date(year, 12, 31)
    days: dict[date, ClosingDay] = {}
    if ctx.setting("planning.public_holidays_closed"):
        days.update({d: ClosingDay(d, n, "holiday") for d, n in public_holidays(start, end).items()})
    query = select(ClosingPeriod).where(ClosingPeriod.organisation_id == org.id, ClosingPeriod.start_date <= end,
                                        ClosingPeriod.end_date >= start)
    query = query.where(ClosingPeriod.location_id.is_(None) if location_id is None
                        else or_(ClosingPeriod.location_id.is_(None), ClosingPeriod.location_id == location_id))
    for period in session.scalars(query.order_by(ClosingPeriod.start_date)):
        day = max(period.start_date, start)
        while day <= min(period.end_date, end):
            days[day] = ClosingDay(day, period.reason, period.kind, period.location_id, period.id)
            day += timedelta(days=1)
    return [days[d] for d in sorted(days)]


def add_closing_period(ctx, *, start_date: date, end_date: date | None = None, reason: str,
                       location_id: int | None = None, kind: str = "closure") -> int:
    """A collective closure or bridge day (range inclusive). Fires on_vacancies_changed."""
    session = ctx.session
    org = ctx.org
    from core.models import Location

    end_date = end_date or start_date
    if end_date < start_date:
        raise PlanningError("planning.end_before_start", "end_date")
    if (end_date - start_date).days > MAX_PERIOD_DAYS:
        raise PlanningError("planning.closing_too_long", "end_date")
    if not (reason or "").strip():
        raise PlanningError("planning.closing_reason_missing", "reason")
    if kind not in ("closure", "bridge"):
        raise PlanningError("planning.closing_kind_unknown", "kind")
    locations = [location_id] if location_id is not None else []
    if location_id is not None:
        loc = session.get(Location, location_id)
        if loc is None or loc.organisation_id != org.id:
            raise PlanningError("planning.location_unknown", "location_id")
    else:
        locations = list(session.scalars(select(Location.id).where(Location.organisation_id == org.id)))
    period = ClosingPeriod(organisation_id=org.id, location_id=location_id, start_date=start_date,
                           end_date=end_date, kind=kind, reason=reason.strip()[:200])
    session.add(period)
    session.flush()
    from .events import vacancies_changed

    for loc in locations:
        vacancies_changed(ctx, loc, start_date)
    return period.id


def remove_closing_period(ctx, period_id: int) -> None:
    session = ctx.session
    org = ctx.org
    period = session.get(ClosingPeriod, period_id)
    if period is None or period.organisation_id != org.id:
        raise PlanningError("planning.closing_unknown")
    session.delete(period)
    session.flush()

