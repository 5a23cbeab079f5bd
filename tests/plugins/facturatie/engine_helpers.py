"""Helpers of the billing engine's tests: real care plans through planning's api, taps written
as accepted attendance events, attests and plans through facturatie's services."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Organisation
from plugins.aanwezigheden.models import AttendanceEvent, EventKind, EventStatus
from plugins.planning import api as planning

NOV = date(2026, 11, 1)


def freeze(year=2026, month=12, day=2, hour=9):
    app_clock().freeze(datetime(year, month, day, hour, 0, tzinfo=BRUSSELS))


def ctx_of(session, org):
    return context_for(session, session.get(Organisation, org.id))


def plan(session, org, child, location, *, weekdays=range(5), start=date(2026, 11, 2), family_id=None,
         part="full", **kw) -> int:
    days = [planning.DayPlan(weekday=d, day_part=part) for d in weekdays]
    plan_id = planning.create_care_plan(ctx_of(session, org), child_id=child.id, location_id=location.id,
                                        start_date=start, days=days, family_id=family_id, **kw)
    session.flush()
    return plan_id


def stay(session, org, child, location, day: date, start: time, end: time | None):
    for kind, t in ((EventKind.ARRIVAL, start), (EventKind.DEPARTURE, end)):
        if t is None:
            continue
        moment = datetime.combine(day, t, tzinfo=BRUSSELS)
        session.add(AttendanceEvent(organisation_id=org.id, client_id=f"{child.id}-{day}-{kind}-{t}",
                                    location_id=location.id, child_id=child.id, day=day, kind=kind, at=moment,
                                    received_at=moment, status=EventStatus.ACCEPTED))
    session.flush()


def weekdays_of(year: int, month: int):
    d = date(year, month, 1)
    while d.month == month:
        if d.weekday() < 5:
            yield d
        d = date.fromordinal(d.toordinal() + 1)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
