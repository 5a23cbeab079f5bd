"""A second tap on the same child shortly after the arrival is not a departure; the tablet can
undo its last tap for a short while (audited); a director removes a wrong registration with a
reason on the register's day page."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.models import AuditEntry
from plugins.aanwezigheden.models import AttendanceEvent, EventStatus
from tests.conftest import login
from tests.plugins.aanwezigheden.conftest import api, pair, snap, unlock

MORNING = datetime(2026, 11, 18, 8, 0, tzinfo=BRUSSELS)


def _tablet(client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    kids = [snap(factory.child(org, location=location, first_name=f"Kind{i}")) for i in range(2)]
    pair(client, session, org, location, director)
    assert unlock(client, org, director).status_code == 200
    return kids


def _tap(client, org, kid, client_id, kind):
    return api(client, org, "register", {"client_id": client_id, "child_id": kid.id, "kind": kind})


def _status(session, client_id):
    session.expire_all()
    return session.scalar(select(AttendanceEvent.status).where(AttendanceEvent.client_id == client_id))


def test_a_second_tap_within_the_window_is_not_a_departure(client, session, factory, org, location, director):
    kid, _ = _tablet(client, session, factory, org, location, director)
    assert _tap(client, org, kid, "a1", "arrival").status_code == 201
    app_clock().freeze(MORNING + timedelta(seconds=59))
    again = _tap(client, org, kid, "d1", "departure")
    assert again.status_code == 409 and again.json["error"] == "double_tap"
    assert "tweede tik" in again.json["message"] and _status(session, "d1") is None
    app_clock().freeze(MORNING + timedelta(seconds=61))
    assert _tap(client, org, kid, "d2", "departure").status_code == 201


def test_the_last_tap_can_be_undone_for_a_short_while_and_it_is_audited(client, session, factory, org, location,
                                                                          director):
    kid, other = _tablet(client, session, factory, org, location, director)
    assert _tap(client, org, kid, "u1", "arrival").status_code == 201
    assert _tap(client, org, other, "u2", "arrival").status_code == 201
    not_last = api(client, org, "undo", {"client_id": "u1"})
    assert not_last.status_code == 409 and not_last.json["error"] == "not_last"
    app_clock().freeze(MORNING + timedelta(seconds=30))
    done = api(client, org, "undo", {"client_id": "u2"})
    assert done.status_code == 200 and done.json["status"] == "dismissed"
    assert _status(session, "u2") == EventStatus.DISMISSED and _status(session, "u1") == EventStatus.ACCEPTED
    event_id = session.scalar(select(AttendanceEvent.id).where(AttendanceEvent.client_id == "u2"))
    audit = session.scalar(select(AuditEntry).where(AuditEntry.entity == "aanwezigheden_event",
                                                    AuditEntry.entity_id == event_id))
    assert audit.changes["status"] == ["accepted", "dismissed"] and audit.changes["by"] == [None, director.id]
    # the other child can be tapped in again as if the wrong tap never happened
    assert _tap(client, org, other, "u3", "arrival").status_code == 201
    app_clock().freeze(MORNING + timedelta(seconds=30 + 61))
    late = api(client, org, "undo", {"client_id": "u3"})
    assert late.status_code == 409 and late.json["error"] == "undo_too_late"
    assert _status(session, "u3") == EventStatus.ACCEPTED


def test_undo_needs_an_unlocked_tablet_and_a_valid_id(client, session, factory, org, location, director):
    kid, _ = _tablet(client, session, factory, org, location, director)
    assert _tap(client, org, kid, "x1", "arrival").status_code == 201
    for body in ({"client_id": 5}, {"client_id": "x" * 65}, {}):
        bad = api(client, org, "undo", body)
        assert bad.status_code == 400 and bad.json["error"] == "bad_client_id"
    assert api(client, org, "lock", {}).status_code == 200
    locked = api(client, org, "undo", {"client_id": "x1"})
    assert locked.status_code == 401 and _status(session, "x1") == EventStatus.ACCEPTED


def test_a_director_removes_a_wrong_registration_with_a_reason(client, session, factory, org, location, director):
    kid, _ = _tablet(client, session, factory, org, location, director)
    assert _tap(client, org, kid, "w1", "arrival").status_code == 201
    app_clock().freeze(MORNING + timedelta(hours=2))
    assert unlock(client, org, director).status_code == 200  # locked after inactivity
    assert _tap(client, org, kid, "w2", "departure").status_code == 201
    login(client, director)
    url = f"/o/{org.slug}/aanwezigheden/register/{location.id}/day?date={MORNING.date().isoformat()}"
    ids = dict(session.execute(select(AttendanceEvent.client_id, AttendanceEvent.id)).all())
    assert 'value="remove"' in client.get(url).get_data(as_text=True)  # a remove form per accepted registration
    no_reason = client.post(url, data={"action": "remove", "event_id": ids["w2"], "reason": ""})
    assert no_reason.status_code == 422 and "reden" in no_reason.get_data(as_text=True)
    breaks = client.post(url, data={"action": "remove", "event_id": ids["w1"], "reason": "verkeerd kind"})
    assert breaks.status_code == 422 and "verwijder eerst het vertrek" in breaks.get_data(as_text=True)
    assert _status(session, "w1") == EventStatus.ACCEPTED
    for client_id in ("w2", "w1"):
        done = client.post(url, data={"action": "remove", "event_id": ids[client_id], "reason": "verkeerd kind getikt"})
        assert done.status_code == 302
        assert _status(session, client_id) == EventStatus.DISMISSED
    audit = session.scalar(select(AuditEntry).where(AuditEntry.entity == "aanwezigheden_event",
                                                    AuditEntry.entity_id == ids["w1"]))
    assert audit.changes["reason"] == [None, "verkeerd kind getikt"]
    assert 'value="remove"' not in client.get(url).get_data(as_text=True)  # nothing left that counts
