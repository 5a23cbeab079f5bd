"""The tablet over HTTP: pairing, PINs, arrivals/departures, absences, confirmations, the
offline sync (idempotent, deterministic), refusals with clear messages, director decisions."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import AuditEntry, Role
from plugins.aanwezigheden.models import (
    Absence,
    AbsenceKind,
    AttendanceEvent,
    Confirmation,
    Device,
    EventStatus,
)
from plugins.aanwezigheden.services import AttendanceError
from tests.conftest import QueryCounter, login
from tests.plugins.aanwezigheden.conftest import PIN, TABLET_HEADERS, api, pair, snap, unlock

MORNING = datetime(2026, 11, 18, 8, 0, tzinfo=BRUSSELS)


def setup_tablet(client, session, factory, org, location, director, planning, n_children=2):
    app_clock().freeze(MORNING)
    children = [snap(factory.child(org, location=location, first_name=f"Kind{i}")) for i in range(n_children)]
    for c in children:
        planning.reserve(c, location, MORNING.date())
    pair(client, session, org, location, director)
    assert unlock(client, org, director).status_code == 200
    return children


def events(session, child):
    session.expire_all()  # requests run in their own session: never trust this one's identity map
    return list(session.scalars(select(AttendanceEvent).where(AttendanceEvent.child_id == child.id)
                                .order_by(AttendanceEvent.at)))


def test_unpaired_browser_gets_a_clear_refusal(client, org):
    response = client.get(f"/o/{org.slug}/aanwezigheden/tablet/")
    assert response.status_code == 401 and "niet gekoppeld" in response.get_data(as_text=True)
    response = api(client, org, "today")
    assert response.status_code == 401 and response.json["error"] == "not_paired"


def test_pairing_sets_a_device_cookie_limited_to_the_tablet(client, session, org, location, director):
    login(client, director)
    response = client.post(f"/o/{org.slug}/aanwezigheden/devices", data={"location_id": location.id, "name": "Tablet"})
    cookie = response.headers["Set-Cookie"]
    assert "koepel_tablet=" in cookie and f"Path=/o/{org.slug}/aanwezigheden/tablet/" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    token = cookie.split("koepel_tablet=")[1].split(";")[0]
    assert device.token_hash != token and len(device.token_hash) == 64  # only the hash is stored
    page = client.get(f"/o/{org.slug}/aanwezigheden/tablet/")
    assert page.status_code == 200 and location.name in page.get_data(as_text=True)
    assert "<script>" not in page.get_data(as_text=True)  # CSP: no inline script


def test_pairing_needs_a_name(client, org, location, director):
    login(client, director)
    response = client.post(f"/o/{org.slug}/aanwezigheden/devices", data={"location_id": location.id, "name": " "})
    assert response.status_code == 422 and "naam" in response.get_data(as_text=True)


def test_caregiver_cannot_pair(client, org, location, caregiver):
    login(client, caregiver)
    assert client.post(f"/o/{org.slug}/aanwezigheden/devices", data={"location_id": location.id,
                                                                     "name": "x"}).status_code == 403


def test_wrong_pins_lock_the_device_and_the_count_survives_the_4xx(client, session, factory, org, location, director,
                                                                   planning):
    app_clock().freeze(MORNING)
    pair(client, session, org, location, director)
    for _ in range(4):
        response = unlock(client, org, director, pin="0000")
        assert response.status_code == 401 and response.json["message"] == "Verkeerde pincode."
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    session.refresh(device)
    assert device.failed_pins == 4
    assert unlock(client, org, director, pin="0000").status_code == 429
    locked = unlock(client, org, director)  # even the right PIN is refused while locked
    assert locked.status_code == 429 and "vergrendeld" in locked.json["message"]
    app_clock().freeze(MORNING + timedelta(minutes=16))
    assert unlock(client, org, director).status_code == 200


def test_pin_is_stored_hashed_and_validated(client, session, org, director):
    from plugins.aanwezigheden.models import StaffPin

    login(client, director)
    bad = client.post(f"/o/{org.slug}/aanwezigheden/pin", data={"pin": "12a4", "pin_again": "12a4"})
    assert bad.status_code == 422 and "4 tot 8 cijfers" in bad.get_data(as_text=True)
    weak = client.post(f"/o/{org.slug}/aanwezigheden/pin", data={"pin": "1111", "pin_again": "1111"})
    assert weak.status_code == 422
    ok = client.post(f"/o/{org.slug}/aanwezigheden/pin", data={"pin": "4821", "pin_again": "4821"})
    assert ok.status_code == 302
    row = session.scalar(select(StaffPin).where(StaffPin.user_id == director.id))
    assert row.pin_hash.startswith("$argon2") and "4821" not in row.pin_hash


def test_caregiver_of_another_location_cannot_unlock(client, session, factory, org, location, director):
    other = factory.location(org)
    stranger = snap(factory.user(org, Role.CAREGIVER, locations=[other]))
    pair(client, session, org, location, director, pin_user=stranger)
    assert unlock(client, org, stranger).status_code == 401


def test_revoked_and_expired_devices_are_refused(client, session, factory, org, location, director, planning):
    setup_tablet(client, session, factory, org, location, director, planning)
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    app_clock().freeze(device.expires_at + timedelta(seconds=1))
    response = api(client, org, "today")
    assert response.status_code == 403 and "verlopen" in response.json["message"]
    app_clock().freeze(MORNING)
    login(client, director)
    assert client.post(f"/o/{org.slug}/aanwezigheden/devices/{device.id}/revoke").status_code == 302
    response = api(client, org, "today")
    assert response.status_code == 403 and "ingetrokken" in response.json["message"]


def test_api_requires_the_tablet_header(client, session, factory, org, location, director, planning):
    setup_tablet(client, session, factory, org, location, director, planning)
    response = client.post(f"/o/{org.slug}/aanwezigheden/tablet/api/register", json={"client_id": "x"})
    assert response.status_code == 400


def test_arrival_and_departure_are_stamped_with_server_time(client, session, factory, org, location, director,
                                                            planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    response = api(client, org, "register", {"client_id": "a-1", "child_id": kid.id, "kind": "arrival"})
    assert response.status_code == 201 and response.json["time"] == "08:00" and not response.json["offline"]
    app_clock().freeze(MORNING + timedelta(hours=9))
    assert unlock(client, org, director).status_code == 200  # the inactivity lock struck meanwhile
    response = api(client, org, "register", {"client_id": "d-1", "child_id": kid.id, "kind": "departure"})
    assert response.status_code == 201 and response.json["time"] == "17:00"
    stored = events(session, kid)
    assert [e.kind.value for e in stored] == ["arrival", "departure"]
    assert stored[0].recorded_by_id == director.id
    today = api(client, org, "today").json
    row = next(c for c in today["children"] if c["id"] == kid.id)
    assert row["status"] == "left" and row["arrived_at"] == "08:00" and row["departed_at"] == "17:00"


def test_same_client_id_is_stored_once(client, session, factory, org, location, director, planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    first = api(client, org, "register", {"client_id": "same", "child_id": kid.id, "kind": "arrival"})
    again = api(client, org, "register", {"client_id": "same", "child_id": kid.id, "kind": "arrival"})
    assert first.status_code == 201 and again.status_code == 200 and again.json["replayed"]
    assert len(events(session, kid)) == 1


def test_bad_input_gets_clear_messages_and_stores_nothing(client, session, factory, org, location, director, planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    stranger = snap(factory.child(org, location=factory.location(org), first_name="Vreemd"))
    r = api(client, org, "register", {"client_id": "x1", "child_id": kid.id, "kind": "departure"})
    assert r.status_code == 409 and "nog niet aangekomen" in r.json["message"]
    assert api(client, org, "register", {"client_id": "x2", "child_id": kid.id, "kind": "arrival"}).status_code == 201
    r = api(client, org, "register", {"client_id": "x3", "child_id": kid.id, "kind": "arrival"})
    assert r.status_code == 409 and "al aangekomen om 08:00" in r.json["message"]
    r = api(client, org, "register", {"client_id": "x4", "child_id": stranger.id, "kind": "arrival"})
    assert r.status_code == 422 and "niet ingeschreven" in r.json["message"]
    r = api(client, org, "register", {"client_id": "x5", "child_id": 999999, "kind": "arrival"})
    assert r.status_code == 404
    r = api(client, org, "register", {"client_id": "x6", "child_id": kid.id, "kind": "dance"})
    assert r.status_code == 400
    assert len(events(session, kid)) == 1 and events(session, stranger) == []


def test_registration_needs_an_unlocked_tablet_and_locks_after_inactivity(client, session, factory, org, location,
                                                                          director, planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    app_clock().freeze(MORNING + timedelta(minutes=6))  # default inactivity lock: 5 minutes
    r = api(client, org, "register", {"client_id": "late", "child_id": kid.id, "kind": "arrival"})
    assert r.status_code == 401 and r.json["error"] == "locked"
    assert unlock(client, org, director).status_code == 200
    assert api(client, org, "register", {"client_id": "late", "child_id": kid.id, "kind": "arrival"}).status_code == 201


def sync(client, org, items):
    return api(client, org, "sync", {"items": items})


def offline_item(client_id, child, kind, moment, **extra):
    return {"type": "event", "client_id": client_id, "child_id": child.id, "kind": kind,
            "at": moment.isoformat(), **extra}


def test_offline_queue_keeps_tablet_time_and_is_idempotent(client, session, factory, org, location, director,
                                                           planning):
    kid, other = setup_tablet(client, session, factory, org, location, director, planning)
    items = [offline_item("o1", kid, "arrival", MORNING.replace(hour=7, minute=42), staff_id=director.id),
             offline_item("o2", other, "arrival", MORNING.replace(hour=7, minute=50)),
             offline_item("o3", kid, "departure", MORNING.replace(hour=7, minute=59))]
    first = sync(client, org, items)
    assert first.status_code == 200 and [r["status"] for r in first.json["results"]] == ["accepted"] * 3
    again = sync(client, org, items)  # the tablet resends after a lost answer
    assert all(r["replayed"] for r in again.json["results"])
    stored = events(session, kid)
    assert len(stored) == 2 and all(e.offline for e in stored)
    assert stored[0].at.astimezone(BRUSSELS).strftime("%H:%M") == "07:42" and stored[0].recorded_by_id == director.id


def test_offline_departure_before_arrival_is_kept_for_the_director(client, session, factory, org, location, director,
                                                                   planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    result = sync(client, org, [offline_item("p1", kid, "arrival", MORNING.replace(hour=7, minute=30)),
                                offline_item("p2", kid, "departure", MORNING.replace(hour=7, minute=0))]).json
    assert result["results"][1]["status"] == "rejected"
    assert "vertrek kan niet vóór de aankomst" in result["results"][1]["message"]
    rejected = session.scalar(select(AttendanceEvent).where(AttendanceEvent.client_id == "p2"))
    assert rejected.status == EventStatus.REJECTED
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/rejected")
    assert "vertrek kan niet vóór de aankomst" in page.get_data(as_text=True)
    no_reason = client.post(f"/o/{org.slug}/aanwezigheden/rejected", data={"event_id": rejected.id,
                                                                           "decision": "dismiss", "reason": ""})
    assert no_reason.status_code == 422 and "reden" in no_reason.get_data(as_text=True)
    done = client.post(f"/o/{org.slug}/aanwezigheden/rejected", data={"event_id": rejected.id, "decision": "dismiss",
                                                                      "reason": "tikfout van de begeleider"})
    assert done.status_code == 302
    session.refresh(rejected)
    assert rejected.status == EventStatus.DISMISSED
    audit = session.scalar(select(AuditEntry).where(AuditEntry.entity == "aanwezigheden_event",
                                                    AuditEntry.entity_id == rejected.id))
    assert audit.changes["reason"][1] == "tikfout van de begeleider"


def test_offline_registration_for_a_removed_child_is_not_lost(client, session, factory, org, location, director,
                                                              planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    from core.models import Child

    kid_id = kid.id
    session.delete(session.get(Child, kid_id))
    session.commit()
    result = sync(client, org, [{"type": "event", "client_id": "gone", "child_id": kid_id, "kind": "arrival",
                                 "at": MORNING.isoformat()}]).json["results"][0]
    assert result["status"] == "rejected" and "bestaat niet" in result["message"]
    stored = session.scalar(select(AttendanceEvent).where(AttendanceEvent.client_id == "gone"))
    assert stored.status == EventStatus.REJECTED and stored.payload["child_id"] == kid_id


def test_two_tablets_same_arrival_earliest_counts_whatever_the_sync_order(client, app, session, factory, org, location,
                                                                          director, planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    second = app.test_client()
    pair(second, session, org, location, director)
    assert unlock(second, org, director).status_code == 200  # queued items count for who unlocked the tablet
    late, early = MORNING.replace(hour=7, minute=55), MORNING.replace(hour=7, minute=51)
    assert sync(client, org, [offline_item("t1", kid, "arrival", late)]).json["results"][0]["status"] == "accepted"
    result = sync(second, org, [offline_item("t2", kid, "arrival", early)]).json["results"][0]
    assert result["status"] == "accepted"
    statuses = {e.client_id: e.status for e in events(session, kid)}
    assert statuses == {"t1": EventStatus.DUPLICATE, "t2": EventStatus.ACCEPTED}
    row = next(c for c in api(client, org, "today").json["children"] if c["id"] == kid.id)
    assert row["arrived_at"] == "07:51"


def test_unexpected_child_from_the_location_can_arrive(client, session, factory, org, location, director, planning):
    setup_tablet(client, session, factory, org, location, director, planning)
    extra = snap(factory.child(org, location=location, first_name="Onverwacht"))
    today = api(client, org, "today").json
    assert extra.id in [o["id"] for o in today["others"]]
    assert api(client, org, "register", {"client_id": "u1", "child_id": extra.id, "kind": "arrival"}).status_code == 201
    today = api(client, org, "today").json
    assert next(c for c in today["children"] if c["id"] == extra.id)["status"] == "present"


def test_today_query_count_does_not_grow_with_children(client, app, session, factory, org, location, director,
                                                       planning):
    setup_tablet(client, session, factory, org, location, director, planning, n_children=2)
    engine = session.connection()  # requests and the test share this connection (not the app engine)
    with QueryCounter(engine) as small:
        assert api(client, org, "today").status_code == 200
    for i in range(12):
        c = snap(factory.child(org, location=location))
        planning.reserve(c, location, MORNING.date())
        if i % 2:
            assert api(client, org, "register", {"client_id": f"q{i}", "child_id": c.id,
                                                 "kind": "arrival"}).status_code == 201
    with QueryCounter(engine) as large:
        assert len(api(client, org, "today").json["children"]) == 14
    assert 0 < large.count == small.count, "\n".join(s[:100] for s in large.statements)


def test_absence_takes_respite_then_unjustified(client, session, factory, org, location, director, planning):
    kid, other = setup_tablet(client, session, factory, org, location, director, planning)
    planning.balance[kid.id] = 1
    r = api(client, org, "absence", {"client_id": "ab1", "child_id": kid.id, "kind": "auto"})
    assert r.status_code == 201 and r.json["kind"] == "respijt" and planning.balance[kid.id] == 0
    r = api(client, org, "absence", {"client_id": "ab2", "child_id": other.id, "kind": "respijt"})
    assert r.status_code == 422 and "respijtdagen" in r.json["message"]
    r = api(client, org, "absence", {"client_id": "ab3", "child_id": other.id, "kind": "auto"})
    assert r.json["kind"] == "ongerechtvaardigd"
    r = api(client, org, "absence", {"client_id": "ab4", "child_id": other.id, "kind": "gerechtvaardigd",
                                     "reason": "kermis"})
    assert r.status_code == 422 and "reden" in r.json["message"]
    r = api(client, org, "absence", {"client_id": "ab5", "child_id": other.id, "kind": "gerechtvaardigd",
                                     "reason": "ziekte"})
    assert r.status_code == 201
    row = session.scalar(select(Absence).where(Absence.child_id == other.id))
    assert row.kind == AbsenceKind.GERECHTVAARDIGD and row.reason == "ziekte"


def test_absence_refused_when_present(client, session, factory, org, location, director, planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    api(client, org, "register", {"client_id": "pr", "child_id": kid.id, "kind": "arrival"})
    r = api(client, org, "absence", {"client_id": "ab", "child_id": kid.id, "kind": "auto"})
    assert r.status_code == 409


def test_parent_confirmation_per_pickup_and_per_week(client, session, factory, org, location, director, planning):
    kid, other = setup_tablet(client, session, factory, org, location, director, planning)
    r = api(client, org, "confirm", {"client_id": "c1", "child_id": kid.id, "kind": "pickup", "confirmed_by": ""})
    assert r.status_code == 422
    r = api(client, org, "confirm", {"client_id": "c1", "child_id": kid.id, "kind": "pickup",
                                     "confirmed_by": "Mama Peeters"})
    assert r.status_code == 201
    r = api(client, org, "confirm", {"client_id": "c2", "child_id": other.id, "kind": "week",
                                     "confirmed_by": "Papa Janssens"})
    week = session.scalar(select(Confirmation).where(Confirmation.client_id == "c2"))
    assert (week.start_day.isoformat(), week.end_day.isoformat()) == ("2026-11-16", "2026-11-22")
    today = api(client, org, "today").json["children"]
    assert all(c["confirmed"] for c in today)


def test_director_correction_needs_a_reason_and_is_audited(client, session, factory, org, location, director,
                                                            planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    api(client, org, "register", {"client_id": "k1", "child_id": kid.id, "kind": "arrival"})
    event = events(session, kid)[0]
    login(client, director)
    url = f"/o/{org.slug}/aanwezigheden/register/{location.id}/day?date=2026-11-18"
    r = client.post(url, data={"action": "correct", "event_id": event.id, "time": "07:45", "reason": ""})
    assert r.status_code == 422 and "reden" in r.get_data(as_text=True)
    r = client.post(url, data={"action": "correct", "event_id": event.id, "time": "07:45",
                               "reason": "tablet stond nog niet aan"})
    assert r.status_code == 302
    current = [e for e in events(session, kid) if e.status == EventStatus.ACCEPTED]
    assert len(current) == 1 and current[0].at.astimezone(BRUSSELS).strftime("%H:%M") == "07:45"
    audit = session.scalar(select(AuditEntry).where(AuditEntry.entity == "aanwezigheden_event",
                                                    AuditEntry.entity_id == current[0].id))
    assert audit.changes["reason"][1] == "tablet stond nog niet aan" and audit.user_id == director.id


def test_caregiver_cannot_correct(client, session, factory, org, location, caregiver):
    login(client, caregiver)
    r = client.post(f"/o/{org.slug}/aanwezigheden/register/{location.id}/day",
                    data={"action": "correct", "event_id": 1, "time": "07:45", "reason": "zomaar"})
    assert r.status_code == 403


def test_service_worker_is_served_with_its_scope(client, session, factory, org, location, director, planning):
    setup_tablet(client, session, factory, org, location, director, planning)
    r = client.get(f"/o/{org.slug}/aanwezigheden/tablet/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == f"/o/{org.slug}/aanwezigheden/tablet/"
    assert "caches" in r.get_data(as_text=True)
    assert client.get(f"/o/{org.slug}/aanwezigheden/tablet/static/tablet.js").status_code == 200


def test_module_disabled_means_404(client, session, factory, director):
    org = snap(factory.org(modules={"planning"}))
    session.commit()
    user = snap(factory.user(org, Role.DIRECTOR))
    login(client, user)
    assert client.get(f"/o/{org.slug}/aanwezigheden/").status_code == 404
    assert client.get(f"/o/{org.slug}/aanwezigheden/tablet/").status_code == 404


def test_headers_constant_is_used():
    assert TABLET_HEADERS == {"X-Koepel-Tablet": "1"} and PIN.isdigit()


def test_refused_offline_absence_and_confirmation_are_kept_for_the_director(client, session, factory, org, location,
                                                                            director, planning):
    from plugins.aanwezigheden.models import RejectedItem

    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    items = [offline_item("pa", kid, "arrival", MORNING.replace(hour=7, minute=30)),
             {"type": "absence", "client_id": "ab-off", "child_id": kid.id, "kind": "auto",
              "at": MORNING.isoformat()},
             {"type": "confirmation", "client_id": "cf-off", "child_id": kid.id, "kind": "pickup",
              "confirmed_by": "", "at": MORNING.isoformat()}]
    results = sync(client, org, items).json["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert sync(client, org, items[1:]).json["results"][0]["status"] == "rejected"  # resent: still one row
    kept = {r.client_id: r for r in session.scalars(select(RejectedItem).where(RejectedItem.organisation_id == org.id))}
    assert set(kept) == {"ab-off", "cf-off"} and "aanwezig" in kept["ab-off"].message
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/rejected").get_data(as_text=True)
    assert "afwezigheid" in page and "bevestiging" in page
    r = client.post(f"/o/{org.slug}/aanwezigheden/rejected", data={"item_id": kept["cf-off"].id, "decision": "accept",
                                                                   "reason": "naam vergeten"})
    assert r.status_code == 422 and "naam van de ouder" in r.get_data(as_text=True)  # still does not fit
    r = client.post(f"/o/{org.slug}/aanwezigheden/rejected", data={"item_id": kept["ab-off"].id,
                                                                   "decision": "dismiss", "reason": "kind was er"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(RejectedItem, kept["ab-off"].id).decision == "dismissed"


def test_two_blocks_in_a_day_show_as_one_span(client, session, factory, org, location, director, planning):
    from datetime import time

    from plugins.planning import api as planning_api

    setup_tablet(client, session, factory, org, location, director, planning)
    kid = factory.child(org, location=location, first_name="Gesplitst")
    weekday = MORNING.weekday()  # two blocks on one day: a weekly pattern holds them (a schedule holds one a day)
    blocks = [planning_api.DayPlan(weekday, "hours", time(8, 0), time(11, 30)),
              planning_api.DayPlan(weekday, "hours", time(13, 0), time(17, 15))]
    planning_api.create_care_plan(planning.ctx(), child_id=kid.id, location_id=location.id, start_date=MORNING.date(),
                                  end_date=MORNING.date(), days=blocks)
    session.commit()
    row = next(c for c in api(client, org, "today").json["children"] if c["id"] == kid.id)
    assert row["planned"] == "08:00–17:15" and row["expected"]


def test_a_device_token_is_worth_nothing_in_another_organisation(session, factory, org, location):
    import pytest

    from core.models import Location
    from plugins.aanwezigheden.services import AttendanceError
    from plugins.aanwezigheden.services.devices import device_for_token, pair_device
    from tests.plugins.aanwezigheden.conftest import db_org

    own = db_org(session, org)
    _device, token = pair_device(context_for(session, own), session.get(Location, location.id), "Tablet", actor_id=None)
    assert device_for_token(context_for(session, own), token).location_id == location.id
    other = factory.org(modules={"aanwezigheden"})
    with pytest.raises(AttendanceError) as refused:
        device_for_token(context_for(session, other), token)
    assert refused.value.code == "not_paired" and refused.value.status == 401


def test_a_resent_tap_that_would_fit_again_is_still_answered_as_a_replay(client, session, factory, org, location,
                                                                         director, planning):
    kid, _ = setup_tablet(client, session, factory, org, location, director, planning)
    assert api(client, org, "register", {"client_id": "r-a", "child_id": kid.id, "kind": "arrival"}).status_code == 201
    app_clock().freeze(MORNING + timedelta(minutes=2))
    assert api(client, org, "register", {"client_id": "r-d", "child_id": kid.id,
                                         "kind": "departure"}).status_code == 201
    # The arrival is resent (its answer was lost): it would fit as a new arrival, but it is the same tap.
    again = api(client, org, "register", {"client_id": "r-a", "child_id": kid.id, "kind": "arrival"})
    assert again.status_code == 200 and again.json["replayed"] and again.json["time"] == "08:00"
    assert [e.client_id for e in events(session, kid)] == ["r-a", "r-d"]


def test_a_tap_costs_three_statements_and_a_resend_one_more(client, app, session, factory, org, location, director,
                                                            planning):
    """The hot path (bench/checkin.py): organisation + modules + device + settings, the child with its
    day, the idempotent insert. A resend finds the stored row through the conflict. Three on
    PostgreSQL too: the child's row lock is taken inside the first statement, before its day is
    read (docs/concurrency.md)."""
    kid, _other = setup_tablet(client, session, factory, org, location, director, planning)
    engine = session.connection()  # requests and the test share this connection (not the app engine)
    with QueryCounter(engine) as tap:
        assert api(client, org, "register", {"client_id": "hot-1", "child_id": kid.id,
                                             "kind": "arrival"}).status_code == 201
    assert tap.count == 3, tap.statements
    if engine.dialect.name == "postgresql":
        assert "FOR UPDATE" in tap.statements[0].upper() and "FOR UPDATE" not in tap.statements[1].upper()
    assert "ON CONFLICT" in tap.statements[-1].upper()
    with QueryCounter(engine) as resend:
        again = api(client, org, "register", {"client_id": "hot-1", "child_id": kid.id, "kind": "arrival"})
    assert again.status_code == 200 and again.json["replayed"] is True
    assert resend.count == 3, resend.statements  # the refusal (already present) then finds the stored id
    assert len(events(session, kid)) == 1


def test_the_tap_reads_plain_rows_and_keeps_every_guard(client, session, factory, org, location, director, planning):
    """The tap reads organisation, modules, device and settings in one statement of plain columns
    (``load_org_with_device``) into the request's TenantContext: the device checks, the module
    gate and the organisation scope still hold on that path."""
    from sqlalchemy import delete

    from core.models import OrganisationModule

    kid, other = setup_tablet(client, session, factory, org, location, director, planning)
    assert api(client, org, "register", {"client_id": "g-1", "child_id": kid.id, "kind": "arrival"}).status_code == 201
    stranger = snap(factory.child(factory.org(modules={"aanwezigheden"})))
    refused = api(client, org, "register", {"client_id": "g-2", "child_id": stranger.id, "kind": "arrival"})
    assert refused.status_code == 404 and refused.json["error"] == "unknown_child"
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    app_clock().freeze(device.expires_at + timedelta(seconds=1))
    refused = api(client, org, "register", {"client_id": "g-3", "child_id": other.id, "kind": "arrival"})
    assert refused.status_code == 403 and refused.json["error"] == "expired"
    app_clock().freeze(MORNING)
    session.execute(Device.__table__.update().where(Device.__table__.c.id == device.id).values(revoked_at=MORNING))
    session.commit()
    refused = api(client, org, "register", {"client_id": "g-4", "child_id": other.id, "kind": "arrival"})
    assert refused.status_code == 403 and refused.json["error"] == "revoked"
    session.execute(delete(OrganisationModule).where(OrganisationModule.organisation_id == org.id,
                                                     OrganisationModule.module == "aanwezigheden"))
    session.commit()
    assert api(client, org, "register", {"client_id": "g-5", "child_id": other.id,
                                         "kind": "arrival"}).status_code == 404  # at once
    assert [e.client_id for e in events(session, kid)] == ["g-1"] and not events(session, other)


def test_the_tablet_loader_makes_the_request_context(app, session, org, location):
    """Organisation, enabled modules, device and every setting of the organisation come from the
    one statement: the context is primed (no further query for modules, settings or the device),
    the entities are the session's own, and anything not read loads on access."""
    from core.context import current_context
    from core.models import Location, Organisation
    from core.settings import set_setting
    from plugins.aanwezigheden.services.devices import (
        device_for_token,
        load_org_with_device,
        pair_device,
    )
    from tests.plugins.aanwezigheden.conftest import db_org

    own = db_org(session, org)
    device, token = pair_device(context_for(session, own), session.get(Location, location.id), "Tablet",
                                actor_id=None)
    set_setting(session, own, "aanwezigheden.inactivity_lock_minutes", 7)
    set_setting(session, own, "core.retention_years", 9)
    device_id = device.id
    session.commit()
    session.expunge_all()
    engine = session.connection()
    with app.test_request_context():
        with QueryCounter(engine) as counter:
            loaded = load_org_with_device(session, own.slug, token)
            ctx = current_context()
            assert ctx.org is loaded and isinstance(loaded, Organisation)
            assert "aanwezigheden" in ctx.modules
            assert device_for_token(ctx, token).id == device_id
            assert ctx.setting("aanwezigheden.inactivity_lock_minutes") == 7
            assert ctx.setting("core.retention_years") == 9  # every setting, not only the module's
            assert ctx.setting("aanwezigheden.pin_max_failures") == 5  # a default
        assert counter.count == 1, counter.statements
        assert session.get(Organisation, own.id) is loaded  # the session's own entity
        assert loaded.municipality == own.municipality and not session.dirty  # loaded as if by a query
    with app.test_request_context():
        assert load_org_with_device(session, "no-such-org", token) is None
        other = load_org_with_device(session, own.slug, "not-a-token")
        with pytest.raises(AttendanceError) as refused:
            device_for_token(current_context(), "not-a-token")
        assert other is not None and refused.value.code == "not_paired"
