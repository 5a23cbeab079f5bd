"""Vacancies for the loket, recomputed only for the scope a change touches.

A change of free places (``on_vacancies_changed``) queues one job per (organisation, location,
month) from the change's first day to the horizon (setting ``loket_sync.months``), coalesced by
that key, so ten changes to one location before the worker runs cost one computation per month.
The job asks ``planning.api.free_places`` for that location and month only, compares with what
was last published (``loket_sync_vacancy_state``) and emits events for the differences:
published (new), changed (another number) and withdrawn (gone). Last-minute places belong to the
job of the current month."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from sqlalchemy import select

import plugins.planning.api as planning
from core.jobs import enqueue
from core.models import Location
from core.values import Period

from ..models import VacancyState
from .outbox import emit, location_info, location_ref

RECOMPUTE = "loket_sync.vacancies"


def month_key(period: Period) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def horizon(ctx) -> list[Period]:
    periods = [Period.of(ctx.today())]
    while len(periods) < int(ctx.setting("loket_sync.months")):
        periods.append(periods[-1].next())
    return periods


def touched_months(ctx, from_date: date) -> list[Period]:
    """The months of the horizon on or after ``from_date`` (the current month when it is past, as
    last-minute places may have changed)."""
    start = Period.of(max(from_date, ctx.today()))
    return [p for p in horizon(ctx) if (p.year, p.month) >= (start.year, start.month)]


def schedule(ctx, location_id: int, periods: list[Period], *, force: bool = False) -> int:
    """Queue the scope jobs (coalesced per organisation, location and month); returns how many."""
    for period in periods:
        key = f"{RECOMPUTE}:{ctx.org.id}:{location_id}:{month_key(period)}" + (":all" if force else "")
        enqueue(ctx.session, RECOMPUTE, {"location_id": location_id, "month": month_key(period), "force": force},
                key=key, lock_key=f"{RECOMPUTE}:{ctx.org.id}:{location_id}:{month_key(period)}",
                organisation_id=ctx.org.id, module="loket_sync")
    return len(periods)


def schedule_all(ctx, *, force: bool = False) -> int:
    """Every location and month of the horizon ("send everything again")."""
    ids = ctx.session.scalars(select(Location.id).where(Location.organisation_id == ctx.org.id)).all()
    return sum(schedule(ctx, loc_id, horizon(ctx), force=force) for loc_id in ids)


def aggregate_id(ref: str, month: str, band: str, day_parts: str, last_minute: bool) -> str:
    """Printable ASCII without spaces (the API's rule), unambiguous: parts percent-encoded, then
    joined with "|"."""
    parts = [ref, month, band, day_parts] + (["lm"] if last_minute else [])
    return "|".join(quote(p, safe="-_.") for p in parts)


def current_vacancies(ctx, location_id: int, period: Period) -> dict[tuple, int]:
    """(month, band, pattern, last_minute) -> free places in this scope, as planning counts them."""
    with_last_minute = period == Period.of(ctx.today())
    found: dict[tuple, int] = {}
    if (period.year, period.month) < (ctx.today().year, ctx.today().month):
        return found  # a past month: everything of it is withdrawn
    for v in planning.per_month(planning.free_places(ctx, start=period, months=1, location_ids=[location_id])):
        if v.last_minute and not with_last_minute:
            continue
        if not v.last_minute and v.period != period:
            continue
        month = "lm" if v.last_minute else month_key(v.period)
        found[(month, v.age_band, v.day_parts, v.last_minute)] = int(v.free_places)
    return found


def apply_scope(ctx, location: Location, months: list[str], current: dict[tuple, int], *,
                force: bool = False) -> int:
    """Compare ``current`` with the published state of ``months`` of ``location`` and emit the
    differences (all current ones again with ``force``); returns the number of events."""
    session = ctx.session
    state = {(s.month, s.age_band, s.day_parts, s.last_minute): s for s in session.scalars(
        select(VacancyState).where(VacancyState.organisation_id == ctx.org.id,
                                   VacancyState.location_id == location.id, VacancyState.month.in_(months)))}
    info = location_info(location)
    ref = location_ref(location)
    emitted = 0
    for key in sorted(set(state) | set(current), key=str):
        month, band, pattern, last_minute = key
        old, new = state.get(key), current.get(key)
        agg = old.aggregate_id if old is not None else aggregate_id(ref, month, band, pattern, last_minute)
        data = {"location": info, "month": month if month != "lm" else month_key(Period.of(ctx.today())),
                "age_band": band, "days": pattern, "last_minute": last_minute,
                "free_places": new or 0}
        if new is None:
            emit(ctx, "vacancy.withdrawn", "vacancy", agg, data)
            session.delete(old)
        elif old is None:
            emit(ctx, "vacancy.published", "vacancy", agg, data)
            session.add(VacancyState(organisation_id=ctx.org.id, location_id=location.id, month=month,
                                     age_band=band, day_parts=pattern, last_minute=last_minute, free=new,
                                     aggregate_id=agg))
        elif old.free != new or force:
            emit(ctx, "vacancy.changed", "vacancy", agg, data)
            old.free = new
        else:
            continue
        emitted += 1
    session.flush()
    return emitted


def recompute(ctx, location_id: int, month: str, *, force: bool = False) -> int:
    """The job's work for one scope; a location of another organisation is ignored."""
    location = ctx.session.get(Location, location_id)
    if location is None or location.organisation_id != ctx.org.id:
        return 0
    year, mon = (int(x) for x in month.split("-"))
    period = Period(year, mon)
    months = [month] + (["lm"] if period == Period.of(ctx.today()) else [])
    return apply_scope(ctx, location, months, current_vacancies(ctx, location_id, period), force=force)



def daily(ctx) -> int:
    """Queue the current month of every location, and every past month still published (the
    job of a past month withdraws all of it); returns the number of scope jobs."""
    from ..models import VacancyState

    current = month_key(Period.of(ctx.today()))
    past = ctx.session.execute(select(VacancyState.location_id, VacancyState.month).where(
        VacancyState.organisation_id == ctx.org.id, VacancyState.month != "lm",
        VacancyState.month < current).distinct()).all()
    ids = ctx.session.scalars(select(Location.id).where(Location.organisation_id == ctx.org.id)).all()
    n = sum(schedule(ctx, loc_id, [Period.of(ctx.today())]) for loc_id in ids)
    for loc_id, month in past:
        year, mon = (int(x) for x in month.split("-"))
        n += schedule(ctx, loc_id, [Period(year, mon)])
    return n
