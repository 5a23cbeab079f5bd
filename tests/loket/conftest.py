"""Fixtures of the reference loket: its own database (a file per test on SQLite; on PostgreSQL
set LOKET_DATABASE_URL, tables made once and emptied per test), a partner with a key, and a
client that signs its requests exactly as core.http does."""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from core import http
from core.db import make_engine

LOKET_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="
BASE = "http://localhost"


@pytest.fixture(scope="session")
def loket_pg_url():
    url = os.environ.get("LOKET_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    from loket import models  # noqa: F401
    from loket.db import Base

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def loket_app(tmp_path, loket_pg_url):
    from loket import create_app
    from loket.db import Base

    url = loket_pg_url or f"sqlite:///{tmp_path / 'loket.db'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "LOKET_DATA_DIR": str(tmp_path), "SECRET_KEY": "t",
                      "LOKET_ENCRYPTION_KEY": LOKET_KEY, "LOKET_PASSWORD_HASH_FAST": True,
                      "LOKET_STRICT_RESPONSES": True, "SESSION_COOKIE_SECURE": False,
                      "LOKET_CREATE_TABLES": loket_pg_url is None})
    yield app
    db = app.extensions["loket_db"]
    db.scoped.remove()
    if loket_pg_url:
        with db.engine.begin() as conn:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
    db.engine.dispose()
    assert app.extensions["loket_response_errors"] == [], "answers that do not match docs/loket-api.yaml"


@dataclass
class Partner:
    id: str
    key_id: str
    secret: str

    @property
    def signing(self) -> http.Signing:
        return http.Signing(self.key_id, self.secret.encode("utf-8"))


def add_partner(app, partner_id, name="Partner", locations=()):
    from loket.partners import add_partner as add

    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        key_id, secret = add(sess, partner_id, name, locations=locations)
    return Partner(partner_id, key_id, secret)


@pytest.fixture
def partner(loket_app):
    return add_partner(loket_app, "org-a", "Kinderopvang A")


@pytest.fixture
def other_partner(loket_app):
    return add_partner(loket_app, "org-b", "Kinderopvang B")


class SignedClient:
    """Sends requests to the loket app signed with a partner's key (as core.http.request does)."""

    def __init__(self, app, partner: Partner):
        self.app = app
        self.client = app.test_client()
        self.partner = partner
        self.batch = 0

    def request(self, method, path, *, body=None, raw: bytes | None = None, headers=None, sign=True,
                idempotency_key: str | None = "auto", signing=None):
        send = {}
        if body is not None:
            raw = json.dumps(body).encode()
        if raw is not None:
            send["Content-Type"] = "application/json"
            if idempotency_key == "auto":
                self.batch += 1
                idempotency_key = f"test-batch-{uuid.uuid4()}"
            if idempotency_key:
                send["Idempotency-Key"] = idempotency_key
        send.update(headers or {})
        if sign:
            send = http.sign(method, BASE + path, send, raw, signing or self.partner.signing)
        return self.client.open(path, method=method, data=raw, headers=send)

    def post_events(self, events, **kwargs):
        return self.request("POST", "/api/v1/events", body={"events": events}, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)


@pytest.fixture
def api(loket_app, partner):
    return SignedClient(loket_app, partner)


def vacancy_event(partner_id="org-a", *, ref="KOT-1", aggregate="KOT-1|2027-01|0-18m|full", sequence=1,
                  free=2, kind="vacancy.published", municipality="Leuven", event_id=None, month="2027-01",
                  age_band="0-18m", days=("mon", "tue")):
    return {"id": event_id or str(uuid.uuid4()), "type": kind, "partner": partner_id,
            "aggregate": {"type": "vacancy", "id": aggregate}, "sequence": sequence,
            "occurred_at": "2026-12-02T09:30:00Z",
            "data": {"location": {"ref": ref, "name": f"Locatie {ref}", "postcode": "3000",
                                  "municipality": municipality, "care_type": "groepsopvang"},
                     "age_band": age_band, "days": list(days), "month": month, "free_places": free,
                     "last_minute": False}}


def file_request(app, refs, *, child="Lena", last="Peeters", born="2026-03-01"):
    """File a registration at the loket for the locations ``refs`` (in order); returns its public id."""
    from datetime import date

    from sqlalchemy import select

    from loket import registrations
    from loket.models import Location

    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        ids = [sess.scalar(select(Location.id).where(Location.ref == ref)) for ref in refs]
        reg = registrations.file_registration(sess, registrations.RegistrationInput(
            applicant_first_name="Sofie", applicant_last_name=last, email="sofie@example.org",
            child_first_name=child, child_last_name=last, date_of_birth=date.fromisoformat(born),
            desired_start=date(2027, 3, 1), location_ids=ids, days=[{"day": "mon", "part": "full"}],
            priority_flags=["work"]))
        return reg.public_id


def assign(app, partner_id, ref, municipality="Leuven"):
    from loket.models import Partner as PartnerRow
    from loket.partners import assign_location

    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        assign_location(sess, sess.get(PartnerRow, partner_id), ref, name=f"Locatie {ref}", municipality=municipality,
                        postcode="3000", care_type="groepsopvang")
