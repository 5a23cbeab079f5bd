"""core.http.verify_request, the receiver's side of core.http.sign (the loket, a partner's push
endpoint): required components, the window both ways, the nonce, replays, unknown keys."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import http
from core.clock import clock

SECRET = b"a-shared-secret-of-enough-length-123"
URL = "https://loket.example.org/api/v1/events"


def _signed(body=b'{"events": []}', **headers):
    return http.sign("POST", URL, {"Content-Type": "application/json", "Idempotency-Key": "k-1", **headers}, body,
                     http.Signing("k1", SECRET))


def _verify(headers, body=b'{"events": []}', url=URL, **kwargs):
    return http.verify_request("POST", url, headers, body, secret_for={"k1": SECRET}.get, **kwargs)


def test_good_signature_names_key_nonce_and_coverage():
    result = _verify(_signed())
    assert result.key_id == "k1" and len(result.nonce) >= 16
    assert {'"@method"', '"@target-uri"', '"content-digest"', '"idempotency-key"'} <= set(result.covered)


def test_every_signature_has_its_own_nonce():
    assert _verify(_signed()).nonce != _verify(_signed()).nonce


@pytest.mark.parametrize("change, code", [
    (lambda h: {k: v for k, v in h.items() if k != "Signature"}, "signature_missing"),
    (lambda h: {**h, "Signature-Input": "koepel=garbage"}, "signature_invalid"),
    (lambda h: {**h, "Idempotency-Key": "k-2"}, "signature_invalid"),
    (lambda h: {**h, "Signature-Input": h["Signature-Input"].replace('keyid="k1"', 'keyid="k9"')}, "unknown_key"),
])
def test_refused_headers(change, code):
    with pytest.raises(http.SignatureRefused) as refused:
        _verify(change(_signed()))
    assert refused.value.code == code


def test_body_and_address_are_covered():
    headers = _signed()
    with pytest.raises(http.SignatureRefused):
        _verify(headers, body=b'{"events": [1]}')
    with pytest.raises(http.SignatureRefused):
        _verify(headers, url=URL + "?x=1")


def test_window_both_ways():
    headers = _signed()
    assert _verify(headers, now=clock.now() + timedelta(seconds=290))
    for skew in (timedelta(seconds=310), -timedelta(seconds=310)):
        with pytest.raises(http.SignatureRefused) as refused:
            _verify(headers, now=clock.now() + skew)
        assert refused.value.code == "signature_expired"
    assert _verify(headers, now=clock.now() + timedelta(minutes=9), window=timedelta(minutes=10))


def test_replay_is_refused_through_the_callers_store():
    store = set()

    def seen(key_id, nonce, created):
        hit = (key_id, nonce) in store
        store.add((key_id, nonce))
        return hit

    headers = _signed()
    _verify(headers, seen=seen)
    with pytest.raises(http.SignatureRefused) as refused:
        _verify(headers, seen=seen)
    assert refused.value.code == "signature_replayed"
