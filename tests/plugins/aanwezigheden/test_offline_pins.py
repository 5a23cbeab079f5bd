"""PIN verifiers for unlocking offline (``api/pins``): per device, only for who may unlock it,
renewed with a PIN change, refused to a revoked device; offline failures reported at sync."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Role, User
from plugins.aanwezigheden.models import Device, StaffPin
from plugins.aanwezigheden.services.devices import set_pin
from tests.conftest import login
from tests.plugins.aanwezigheden.conftest import PIN, api, db_org, pair, snap

MORNING = datetime(2026, 11, 18, 8, 0, tzinfo=BRUSSELS)


def _values(node):
    """Every key and scalar value of a JSON document, as strings."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    else:
        yield str(node)


def expected_verifier(entry: dict, device_key: str, pin: str) -> str:
    base = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(entry["salt"]), entry["iterations"])
    return hmac.new(bytes.fromhex(device_key), base, hashlib.sha256).hexdigest()


def test_verifiers_check_the_pin_and_differ_per_device(client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    caregiver = snap(factory.user(org, Role.CAREGIVER))
    pair(client, session, org, location, director)
    first = api(client, org, "pins")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    data = first.json
    entry = data["staff"][str(director.id)]
    assert str(caregiver.id) not in data["staff"]  # no PIN set
    assert entry["verifier"] == expected_verifier(entry, data["device_key"], PIN)
    assert entry["verifier"] != expected_verifier(entry, data["device_key"], "4822")
    assert PIN not in set(_values(first.json))  # the PIN itself is never sent (random hex may contain its digits)
    assert data["max_failures"] == 5 and data["lock_minutes"] == 15 and data["locked_until"] is None
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    assert datetime.fromisoformat(data["expires_at"]) == device.expires_at  # the tablet stops at expiry, even offline

    # a second tablet: same PIN, different verifier
    other = client.application.test_client()
    pair(other, session, org, location, director)
    second = api(other, org, "pins").json
    assert second["device_key"] != data["device_key"]
    assert second["staff"][str(director.id)]["verifier"] != entry["verifier"]


def test_only_staff_who_may_unlock_this_location(client, session, factory, org, location, director):
    from core.models import Location

    app_clock().freeze(MORNING)
    here = snap(factory.user(org, Role.CAREGIVER, locations=[session.get(Location, location.id)]))
    elsewhere = snap(factory.user(org, Role.CAREGIVER, locations=[factory.location(org)]))
    gone = snap(factory.user(org, Role.CAREGIVER, locations=[session.get(Location, location.id)]))
    o = db_org(session, org)
    for u in (here, elsewhere, gone):
        set_pin(context_for(session, o), session.get(User, u.id), "5937")
    session.get(User, gone.id).active = False
    session.commit()
    pair(client, session, org, location, director)
    staff = api(client, org, "pins").json["staff"]
    assert set(staff) == {str(director.id), str(here.id)}


def test_a_new_pin_replaces_the_verifier(client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    pair(client, session, org, location, director)
    before = api(client, org, "pins").json
    set_pin(context_for(session, db_org(session, org)), session.get(User, director.id), "6184")
    session.commit()
    after = api(client, org, "pins").json
    entry = after["staff"][str(director.id)]
    assert entry["salt"] != before["staff"][str(director.id)]["salt"]
    assert entry["verifier"] == expected_verifier(entry, after["device_key"], "6184")
    assert entry["verifier"] != expected_verifier(entry, after["device_key"], PIN)


def test_a_pin_from_before_offline_unlocking_gets_a_verifier_at_the_next_online_unlock(
        client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    pair(client, session, org, location, director)
    row = session.scalar(select(StaffPin).where(StaffPin.user_id == director.id))
    row.offline_hash = row.offline_salt = row.offline_iterations = None
    session.commit()
    assert str(director.id) not in api(client, org, "pins").json["staff"]
    assert api(client, org, "unlock", {"user_id": director.id, "pin": PIN}).status_code == 200
    data = api(client, org, "pins").json
    entry = data["staff"][str(director.id)]
    assert entry["verifier"] == expected_verifier(entry, data["device_key"], PIN)


def test_revoked_device_gets_no_verifiers(client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    pair(client, session, org, location, director)
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    login(client, director)
    assert client.post(f"/o/{org.slug}/aanwezigheden/devices/{device.id}/revoke").status_code == 302
    client.post("/logout")
    response = api(client, org, "pins")
    assert response.status_code == 403 and "staff" not in response.json


def test_offline_failures_reported_at_sync_lock_the_device(client, session, factory, org, location, director):
    app_clock().freeze(MORNING)
    pair(client, session, org, location, director)
    assert api(client, org, "sync", {"items": [], "pin_failures": 3}).status_code == 200
    device = session.scalar(select(Device).where(Device.organisation_id == org.id))
    session.refresh(device)
    assert device.failed_pins == 3 and device.locked_until is None
    assert api(client, org, "sync", {"items": [], "pin_failures": "x"}).status_code == 200  # ignored
    assert api(client, org, "sync", {"items": [], "pin_failures": 2}).status_code == 200
    session.refresh(device)
    assert device.locked_until == MORNING + timedelta(minutes=15)
    locked_until = datetime.fromisoformat(api(client, org, "pins").json["locked_until"])
    assert locked_until == MORNING + timedelta(minutes=15)
    assert api(client, org, "unlock", {"user_id": director.id, "pin": PIN}).status_code == 429


def test_pin_hashes_and_device_keys_never_reach_the_audit_log(client, session, org, location, director):
    """Directors read the audit log; a 4-8 digit PIN behind a logged hash is minutes of brute force."""
    from core.models import AuditEntry

    pair(client, session, org, location, director)
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.organisation_id == org.id,
        AuditEntry.entity.in_(("aanwezigheden_staff_pin", "aanwezigheden_device")))).all()
    assert entries, "pairing and setting a PIN are audited"
    logged = {key: value for e in entries for key, value in (e.changes or {}).items()
              if key in ("pin_hash", "offline_salt", "offline_hash", "offline_key", "token_hash")}
    assert logged, "the secret fields are listed, masked"
    assert all(v in (["***", None], [None, "***"], ["***", "***"], [None, None]) for v in logged.values()), logged
