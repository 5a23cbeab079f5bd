"""The offline sync accepts a registration only on behalf of a staff member who unlocked that
device: with a proof made from the PIN typed on it (offline unlock), or an online unlock in the
same browser session, within the offline unlock validity. A device cookie alone is not enough;
refused items are kept for the director, nothing is lost."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Location, Role, User
from plugins.aanwezigheden.models import AttendanceEvent, Device, EventStatus, StaffPin
from plugins.aanwezigheden.services.devices import _pbkdf2, proof_message, set_pin
from tests.plugins.aanwezigheden.conftest import PIN, api, db_org, pair, snap, unlock

MORNING = datetime(2026, 11, 18, 8, 0, tzinfo=BRUSSELS)


def _paired(client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    kid = snap(factory.child(org, location=location))
    pair(client, session, org, location, director)  # the director pairs it and logs out: nobody unlocked it
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    return kid, device.id


def _item(kid, client_id, at, **extra):
    return {"type": "event", "client_id": client_id, "child_id": kid.id, "kind": "arrival", "at": at.isoformat(),
            **extra}


def _signed(session, device_id, user, item, *, pin=PIN, unlock_at=None):
    """What tablet.js adds to an item queued while ``user`` had unlocked the device offline."""
    row = session.scalar(select(StaffPin).where(StaffPin.user_id == user.id))
    base = _pbkdf2(pin, row.offline_salt, row.offline_iterations)
    unlock_at = (unlock_at or MORNING - timedelta(minutes=20)).isoformat()
    message = proof_message(device_id, user.id, unlock_at, item["client_id"], item["child_id"], item["at"])
    return {**item, "staff_id": user.id, "unlock_at": unlock_at,
            "staff_proof": hmac.new(bytes.fromhex(base), message, hashlib.sha256).hexdigest()}


def _sync(client, org, *items):
    response = api(client, org, "sync", {"items": list(items)})
    assert response.status_code == 200
    return response.json["results"]


def _stored(session, client_id):
    session.expire_all()
    return session.scalar(select(AttendanceEvent).where(AttendanceEvent.client_id == client_id))


def test_a_device_cookie_alone_is_not_enough(client, session, factory, org, location, director):
    kid, _device = _paired(client, session, factory, org, location, director)
    result = _sync(client, org, _item(kid, "cookie-only", MORNING - timedelta(minutes=10), staff_id=director.id))[0]
    assert result["status"] == "rejected" and result["error"] == "not_unlocked"
    assert "ontgrendelde" in result["message"]
    stored = _stored(session, "cookie-only")
    assert stored.status == EventStatus.REJECTED and stored.recorded_by_id is None  # kept for the director


def test_an_offline_unlock_proof_is_accepted_and_names_the_staff_member(client, session, factory, org, location,
                                                                        director):
    kid, device_id = _paired(client, session, factory, org, location, director)
    item = _signed(session, device_id, director, _item(kid, "proved", MORNING - timedelta(minutes=10)))
    assert _sync(client, org, item)[0]["status"] == "accepted"
    assert _stored(session, "proved").recorded_by_id == director.id


def test_forged_or_stale_proofs_are_refused(client, session, factory, org, location, director):
    kid, device_id = _paired(client, session, factory, org, location, director)
    at = MORNING - timedelta(minutes=10)
    wrong_pin = _signed(session, device_id, director, _item(kid, "wrong-pin", at), pin="1357")
    other_device = _signed(session, device_id + 1, director, _item(kid, "other-device", at))
    too_late = _signed(session, device_id, director, _item(kid, "too-late", at),
                       unlock_at=at - timedelta(hours=13))  # offline_unlock_hours: 12
    tampered = {**_signed(session, device_id, director, _item(kid, "tampered", at)), "child_id": kid.id + 1}
    garbage = {**_item(kid, "garbage", at), "staff_id": director.id, "unlock_at": "gisteren", "staff_proof": "zz"}
    results = _sync(client, org, wrong_pin, other_device, too_late, tampered, garbage)
    assert [r["status"] for r in results] == ["rejected"] * 5, results
    assert {r["error"] for r in results} == {"not_unlocked"}


def test_an_online_unlock_counts_only_for_who_unlocked(client, session, factory, org, location, director):
    kid, _device = _paired(client, session, factory, org, location, director)
    caregiver = snap(factory.user(org, Role.CAREGIVER, locations=[session.get(Location, location.id)]))
    set_pin(context_for(session, db_org(session, org)), session.get(User, caregiver.id), "5731")
    session.commit()
    assert unlock(client, org, caregiver, pin="5731").status_code == 200
    at = MORNING - timedelta(minutes=5)
    as_director = _sync(client, org, _item(kid, "claims-director", at, staff_id=director.id))[0]
    assert as_director["status"] == "rejected" and as_director["error"] == "not_unlocked"
    own = _sync(client, org, _item(kid, "own", at))[0]
    assert own["status"] == "accepted" and _stored(session, "own").recorded_by_id == caregiver.id
    # After the validity (12 hours) the online unlock no longer stands behind queued items.
    app_clock().freeze(MORNING + timedelta(hours=13))
    late = _sync(client, org, {**_item(kid, "stale", MORNING + timedelta(hours=12, minutes=59)), "kind": "departure"})
    assert late[0]["status"] == "rejected" and late[0]["error"] == "not_unlocked"
