"""billable_days over the database: the contract billing uses."""
from __future__ import annotations

from datetime import date, datetime, time

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Location
from plugins.aanwezigheden.api import AbsenceKind, DayCategory, billable_days
from plugins.aanwezigheden.models import AttendanceEvent, ChildCode, EventKind, EventStatus
from plugins.aanwezigheden.services.absences import record_absence
from tests.conftest import QueryCounter
from tests.plugins.aanwezigheden.conftest import db_org

NOV = [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]


def stay(session, org, child, location, day, start, end, status=EventStatus.ACCEPTED):
    for kind, t in ((EventKind.ARRIVAL, start), (EventKind.DEPARTURE, end)):
        if t is None:
            continue
        moment = datetime.combine(day, t, tzinfo=BRUSSELS)
        session.add(AttendanceEvent(organisation_id=org.id, client_id=f"{child.id}-{day}-{kind}-{t}",
                                    location_id=location.id, child_id=child.id, day=day, kind=kind, at=moment,
                                    received_at=moment, status=status))
    session.flush()


def test_month_of_one_child(app, session, factory, org, location, planning):
    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    planning.reserve(kid, location, *NOV)
    planning.balance[kid.id] = 1
    stay(session, o, kid, location, NOV[0], time(8), time(12))  # half day
    stay(session, o, kid, location, NOV[1], time(7), time(18, 40))  # flex, late pickup (closes 18:30)
    stay(session, o, kid, location, NOV[2], time(8), time(17), status=EventStatus.DUPLICATE)  # does not count
    record_absence(context_for(session, o), child_id=kid.id, location_id=location.id, day=NOV[3], kind="auto")  # respijt
    stay(session, o, kid, location, date(2026, 11, 21), time(9), time(15))  # Saturday, not reserved: extra
    rows = {r.day: r for r in billable_days(context_for(session, o), start=date(2026, 11, 1), end=date(2026, 11, 30))}
    assert set(rows) == set(NOV) | {date(2026, 11, 21)}
    assert rows[NOV[0]].category == DayCategory.HALF and rows[NOV[0]].billable
    assert rows[NOV[1]].category == DayCategory.FLEX and rows[NOV[1]].late_pickup_minutes == 10
    assert rows[NOV[2]].present is False and rows[NOV[2]].absence == AbsenceKind.ONGERECHTVAARDIGD
    assert rows[NOV[2]].absence_recorded is False and rows[NOV[2]].billable
    assert rows[NOV[3]].absence == AbsenceKind.RESPIJT and not rows[NOV[3]].billable
    assert rows[NOV[4]].absence == AbsenceKind.ONGERECHTVAARDIGD
    assert rows[date(2026, 11, 21)].reserved is False and rows[date(2026, 11, 21)].billable


def test_closing_days_are_never_billed(session, factory, org, location, planning):
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    planning.reserve(kid, location, *NOV)
    planning.closing[(location.id, NOV[2])] = "brugdag"
    rows = billable_days(context_for(session, o), start=NOV[0], end=NOV[-1])
    assert NOV[2] not in {r.day for r in rows} and len(rows) == 4


def test_own_child_and_flex_location(session, factory, org, planning):
    o = db_org(session, org)
    home = factory.location(o, care_type="gezinsopvang")
    home.flex_subsidy = True
    session.flush()
    own = factory.child(o, location=home)
    session.add(ChildCode(organisation_id=o.id, child_id=own.id, own_child=True))
    stay(session, o, own, home, NOV[0], time(5), time(17))
    [row] = billable_days(context_for(session, o), start=NOV[0], end=NOV[0])
    assert row.own_child and not row.billable and row.present
    assert row.fo_bucket == "min11uFlex" and row.counted_minutes == 12 * 60 and row.uncounted_minutes == 0


def test_query_count_does_not_grow_with_children(app, session, factory, org, location, planning):
    o = db_org(session, org)
    engine = session.connection()  # requests and the test share this connection (not the app engine)

    def make(n):
        for _ in range(n):
            kid = factory.child(o, location=location)
            planning.reserve(kid, location, *NOV)
            stay(session, o, kid, location, NOV[0], time(8), time(16))

    make(2)
    with QueryCounter(engine) as small:
        assert len(billable_days(context_for(session, o), start=NOV[0], end=NOV[-1])) == 10
    make(20)
    with QueryCounter(engine) as large:
        assert len(billable_days(context_for(session, o), start=NOV[0], end=NOV[-1])) == 110
    assert 0 < large.count == small.count


def test_other_organisations_are_invisible(session, factory, org, location, planning):
    o = db_org(session, org)
    other = factory.org()
    loc = factory.location(other)
    kid = factory.child(other, location=loc)
    stay(session, other, kid, loc, NOV[0], time(8), time(16))
    assert billable_days(context_for(session, o), start=NOV[0], end=NOV[-1]) == []
    assert len(billable_days(context_for(session, other), start=NOV[0], end=NOV[-1])) == 1
    assert session.get(Location, loc.id).organisation_id == other.id
