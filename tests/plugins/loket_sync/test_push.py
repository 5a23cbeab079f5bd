"""The loket's push: signed with the partner's key (also the previous one during a rotation),
a replay refused, then applied like a pulled request."""
from __future__ import annotations

import json

import pytest

from core.http import Signing, sign
from plugins.loket_sync.services import connection
from plugins.loket_sync.services.outbox import location_ref

from .test_inbound import loket_request

SECRET = "push-secret-0123456789"


@pytest.fixture
def connected(ctx, session):
    connection.configure(ctx, base_url="http://127.0.0.1:5050", key_id="k-1", secret=SECRET)
    session.commit()
    return ctx


def _signed(slug, item, key_id="k-1", secret=SECRET):
    url = f"http://localhost/o/{slug}/loket_sync/push"
    body = json.dumps(item).encode() if not isinstance(item, bytes) else item
    headers = {"Content-Type": "application/json", "Idempotency-Key": "LK-1-v1"}
    return url, body, sign("POST", url, headers, body, Signing(key_id, secret.encode()))


def test_signed_push_is_applied_once(client, org, location, connected, frozen_today):
    slug, ref = org.slug, location_ref(location)
    url, body, headers = _signed(slug, loket_request(location_ref(location)))
    answer = client.post(url, data=body, headers=headers)
    assert answer.status_code == 200 and answer.json == {"outcome": "created"}
    replay = client.post(url, data=body, headers=headers)
    assert replay.status_code == 401 and replay.json["error"]["code"] == "signature_replayed"
    url, body, headers = _signed(slug, loket_request(ref))  # a fresh signature, same version
    assert client.post(url, data=body, headers=headers).json == {"outcome": "stale"}


def test_unsigned_or_wrongly_signed_push_is_refused(client, org, location, connected, frozen_today):
    slug = org.slug
    url, body, headers = _signed(slug, loket_request(location_ref(location)), secret="not-the-secret-at-all")
    assert client.post(url, data=body, headers=headers).status_code == 401
    assert client.post(url, data=body, headers={"Content-Type": "application/json"}).status_code == 401
    url, body, headers = _signed(slug, b"{not json")
    assert client.post(url, data=body, headers=headers).status_code == 400


def test_previous_key_works_during_the_overlap(client, org, location, connected, session, frozen_today):
    slug = org.slug
    connection.configure(connected, base_url="http://127.0.0.1:5050", key_id="k-2", secret="the-new-secret-0123456")
    session.commit()
    url, body, headers = _signed(slug, loket_request(location_ref(location)))
    assert client.post(url, data=body, headers=headers).status_code == 200
