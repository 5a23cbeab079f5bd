"""Night care across midnight at flex locations (issue 10 item 7).

Domain rules §1.4 and §3.3 [P8], [P10], [P11]: hours from 20:00 to 06:00 and stays of 11 h or more
are registered for IKT only at locations with a flex subsidy, in the bucket ``min11uFlex``, and no
surcharge may be charged for them. An arrival in the evening and a departure the next morning are
one stay of the evening's care day."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Location
from core.values import Period
from plugins.aanwezigheden.api import DayCategory, billable_days
from plugins.aanwezigheden.models import AttendanceEvent
from plugins.aanwezigheden.services import AttendanceError, reports
from plugins.aanwezigheden.services.devices import pair_device
from plugins.aanwezigheden.services.registrations import register
from tests.plugins.aanwezigheden.conftest import db_org


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)


def _tap(session, o, device, kid, kind, moment, n=[0]):  # noqa: B006 - a counter for unique client ids
    app_clock().freeze(moment)
    n[0] += 1
    return register(context_for(session, o), device, client_id=f"night-{n[0]}-{kid.id}", child_id=kid.id, kind=kind).event


@pytest.fixture
def flex(session, factory, org, location, planning):
    o = db_org(session, org)
    place = session.get(Location, location.id)
    place.flex_subsidy = True
    kid = factory.child(o, location=location, first_name="Nacht")
    device = pair_device(context_for(session, o), place, "T1", actor_id=None)[0]
    return o, place, kid, device


@pytest.mark.parametrize("evening", [date(2026, 11, 18), date(2026, 12, 31), date(2028, 2, 28)])
def test_evening_arrival_and_morning_departure_are_one_stay(session, flex, evening):
    """One stay of the evening's care day, also across the year end (31 December → 1 January, in
    December's register) and a leap day (28 → 29 February 2028): 19:00 to 07:30 is 12 h 30, all
    counted at a flex location, the flex bucket, no late pickup (no surcharge for night care)."""
    o, place, kid, device = flex
    _tap(session, o, device, kid, "arrival", _at(evening, 19))
    departure = _tap(session, o, device, kid, "departure", _at(date.fromordinal(evening.toordinal() + 1), 7, 30))
    assert departure.day == evening
    rows = billable_days(context_for(session, o), start=evening, end=date.fromordinal(evening.toordinal() + 1),
                         today=date.fromordinal(evening.toordinal() + 1))
    [row] = rows
    assert row.day == evening and row.present and not row.open_stay
    assert row.counted_minutes == 750 and row.category == DayCategory.FLEX and row.fo_bucket == "min11uFlex"
    assert row.late_pickup_minutes == 0
    fo = reports.fo_su_05_data(context_for(session, o), place, Period(evening.year, evening.month))
    [line] = fo.lines
    assert dict(line.present) == {"min11uFlex": 1}
    assert not [w for w in fo.warnings if "vertrek ontbreekt" in w]


def test_without_flex_subsidy_a_morning_departure_has_no_arrival(session, flex):
    """§1.4: without a flex subsidy night hours are not registered for IKT: the morning departure
    is not joined to the evening and is refused as before."""
    o, place, kid, device = flex
    place.flex_subsidy = False
    _tap(session, o, device, kid, "arrival", _at(date(2026, 11, 18), 19))
    with pytest.raises(AttendanceError) as err:
        _tap(session, o, device, kid, "departure", _at(date(2026, 11, 19), 7))
    assert err.value.code == "not_present"


def test_night_stay_without_departure_next_morning_is_refused_and_nothing_saved(app, session, flex):
    """Bad input: a departure after noon the next day (setting night_departure_until_hour) is not
    the end of a night: a clear message in the screen's language, nothing stored; the evening's
    open stay stays visible as a missing departure in the report."""
    o, place, kid, device = flex
    _tap(session, o, device, kid, "arrival", _at(date(2026, 11, 18), 19))
    session.commit()
    before = session.scalar(select(func.count()).select_from(AttendanceEvent))
    with pytest.raises(AttendanceError) as err:
        _tap(session, o, device, kid, "departure", _at(date(2026, 11, 19), 13))
    assert err.value.code == "night_without_departure" and err.value.status == 409
    assert "Nachtopvang zonder vertrek de volgende ochtend" in err.value.message and "18/11/2026" in err.value.message
    # the message in the tablet's language: see the tablet test below (French)
    assert session.scalar(select(func.count()).select_from(AttendanceEvent)) == before
    fo = reports.fo_su_05_data(context_for(session, o), place, Period(2026, 11))
    assert any("vertrek ontbreekt op 2026-11-18" in w for w in fo.warnings)


def test_a_day_stay_then_an_ordinary_next_day_is_not_joined(session, flex):
    """A child that left in the evening is not joined to the next morning: a departure without an
    arrival that day is refused as before."""
    o, place, kid, device = flex
    _tap(session, o, device, kid, "arrival", _at(date(2026, 11, 18), 8))
    _tap(session, o, device, kid, "departure", _at(date(2026, 11, 18), 17))
    with pytest.raises(AttendanceError) as err:
        _tap(session, o, device, kid, "departure", _at(date(2026, 11, 19), 7))
    assert err.value.code == "not_present"


def test_the_tablet_shows_the_night_child_present_and_refuses_an_afternoon_departure_in_french(
        client, session, factory, org, location, director, planning):
    """Through the tablet: arrival at 19:30, the next morning the child shows as present (so the
    tap is a departure), the departure at 07:15 ends the night stay; a night left open until the
    afternoon gets a JSON 409 in the tablet's language and nothing is stored."""
    from core.models import Location as Loc
    from tests.plugins.aanwezigheden.conftest import api, pair, snap, unlock

    place = session.get(Loc, location.id)
    place.flex_subsidy = True
    session.commit()
    kids = [snap(factory.child(org, location=location, first_name=n)) for n in ("Maan", "Ster")]
    app_clock().freeze(_at(date(2026, 11, 18), 19, 30))
    pair(client, session, org, location, director)
    assert unlock(client, org, director).status_code == 200
    for i, kid in enumerate(kids):
        assert api(client, org, "register", {"client_id": f"n-a{i}", "child_id": kid.id,
                                             "kind": "arrival"}).status_code == 201
    app_clock().freeze(_at(date(2026, 11, 19), 7, 15))
    assert unlock(client, org, director).status_code == 200
    row = next(c for c in api(client, org, "today").json["children"] if c["id"] == kids[0].id)
    assert row["status"] == "present" and row["arrived_at"] == "19:30"
    r = api(client, org, "register", {"client_id": "n-d0", "child_id": kids[0].id, "kind": "departure"})
    assert r.status_code == 201
    session.expire_all()
    assert {e.day for e in session.scalars(select(AttendanceEvent).where(
        AttendanceEvent.child_id == kids[0].id))} == {date(2026, 11, 18)}
    app_clock().freeze(_at(date(2026, 11, 19), 13, 0))
    assert unlock(client, org, director).status_code == 200
    # past the morning, last night's open stay no longer shows the child as present
    assert all(c["status"] != "present" for c in api(client, org, "today").json["children"] if c["id"] == kids[1].id)
    client.set_cookie("lang", "fr")
    r = api(client, org, "register", {"client_id": "n-d1", "child_id": kids[1].id, "kind": "departure"})
    assert r.status_code == 409 and r.json["error"] == "night_without_departure"
    assert "Accueil de nuit sans départ le lendemain matin" in r.json["message"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AttendanceEvent).where(
        AttendanceEvent.child_id == kids[1].id)) == 1
