"""Synthetic registrations for ``koepel demo`` (never real people): last month's reserved days
(from planning) as arrivals and departures around the reserved times, a few justified absences,
one stay without departure and parents' weekly confirmations, so that the register, FO-SU-05 and
billing have a month to show. Rows are added in bulk. Idempotent: a month that has registrations
gets none added."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from core.clock import BRUSSELS
from core.context import context_for

from ..models import Absence, AbsenceKind, AttendanceEvent, Confirmation, EventKind, EventStatus
from . import planning_adapter


def _moment(day: date, at: time, shift: int) -> datetime:
    return datetime.combine(day, at, tzinfo=BRUSSELS) + timedelta(minutes=shift)


def populate(session, org, seed: int) -> int:
    """Returns the number of registered days."""
    ctx = context_for(session, org)
    today = ctx.today()
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    if session.scalar(select(func.count(AttendanceEvent.id)).where(
            AttendanceEvent.organisation_id == org.id, AttendanceEvent.day >= first, AttendanceEvent.day <= last)):
        return 0
    rng = random.Random(seed)
    reserved = planning_adapter.reserved_days(ctx, start=first, end=last)
    now = ctx.now()
    made = 0
    weeks: set[tuple[int, int, date]] = set()
    open_stay_done = False
    for r in sorted(reserved, key=lambda x: (x.child_id, x.day)):
        roll = rng.random()
        if roll < 0.04:
            session.add(Absence(organisation_id=org.id, child_id=r.child_id, location_id=r.location_id, day=r.day,
                                kind=AbsenceKind.GERECHTVAARDIGD, reason="ziekte", notified_in_advance=True,
                                client_id=f"demo-{uuid.uuid4()}"))
            continue
        if roll < 0.06:
            continue  # nobody came, nobody said anything
        start = r.start or time(8, 0)
        end = r.end or time(16, 30)
        arrival = _moment(r.day, start, rng.randint(-10, 25))
        departure = _moment(r.day, end, rng.randint(-30, 10))
        if departure <= arrival:
            departure = arrival + timedelta(hours=3)
        events = [(EventKind.ARRIVAL, arrival)]
        if open_stay_done or rng.random() > 0.002:
            events.append((EventKind.DEPARTURE, departure))
        else:
            open_stay_done = True
        for kind, at in events:
            session.add(AttendanceEvent(organisation_id=org.id, client_id=f"demo-{uuid.uuid4()}",
                                        location_id=r.location_id, child_id=r.child_id, day=r.day, kind=kind, at=at,
                                        received_at=now, status=EventStatus.ACCEPTED))
        weeks.add((r.child_id, r.location_id, r.day - timedelta(days=r.day.weekday())))
        made += 1
    for child_id, location_id, monday in sorted(weeks):
        if rng.random() < 0.97:  # a few weeks stay unconfirmed: billing warns about them
            session.add(Confirmation(organisation_id=org.id, client_id=f"demo-{uuid.uuid4()}", child_id=child_id,
                                     location_id=location_id, start_day=monday, end_day=monday + timedelta(days=6),
                                     kind="week", confirmed_by="ouder (demo)", at=now))
    session.flush()
    return made
