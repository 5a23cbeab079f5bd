"""core.http, the one outbound client, against a local stand-in server on loopback: the address
rule (nothing sent elsewhere over plain http), timeouts, temporary failures retried by the job
(backoff with jitter), final answers returned, no redirects followed, idempotency keys, RFC 9421
signatures (HMAC-SHA256) a receiver can verify, and secrets encrypted at rest."""
from __future__ import annotations

import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from sqlalchemy import text

from core import http
from core.clock import app_clock, clock
from core.crypto import decrypt, encrypted_columns
from core.db import Base, get_db
from core.jobs import (
    JITTER,
    Job,
    JobStatus,
    enqueue,
    idempotency_key_for_job,
    registry,
    run_pending,
)
from core.models import OutboundSecret

SECRET = b"gedeelde-sleutel-voor-hmac-0123456789"


class StandIn(BaseHTTPRequestHandler):
    received: list = []
    answers: list = []  # (status, extra headers) to give, in order; then 200

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        StandIn.received.append((self.command, self.path, dict(self.headers), body))
        status, extra = StandIn.answers.pop(0) if StandIn.answers else (200, {})
        if status == "slow":
            time.sleep(1.5)
            status = 200
        data = json.dumps({"ok": status == 200}).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more: connection refused


@pytest.fixture
def stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    StandIn.received, StandIn.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("url, safe", [
    ("https://api.opgroeien.be/kot", True),
    ("https://10.0.0.5/x", True),  # https anywhere: the rule is about clear text
    ("http://127.0.0.1:8099/kot", True),
    ("http://127.0.0.2:8099/kot", True),  # all of 127.0.0.0/8 is this machine
    ("http://[::1]:8099/kot", True),
    ("http://localhost:8099", True),
    ("http://LOCALHOST:8099", True),
    ("http://api.opgroeien.be/kot", False),  # a token must not travel in clear
    ("http://10.0.0.5/kot", False),
    ("http://192.168.1.10/kot", False),
    ("http://[::ffff:10.0.0.1]/kot", False),
    ("http://localhost.example.org/kot", False),  # looks local, is not
    ("http://127.0.0.1.example.org/kot", False),
    ("http://user:pw@127.0.0.1/kot", False),
    ("http://127.0.0.1:99999/kot", False),
    ("https://", False),
    ("ftp://127.0.0.1/kot", False),
    ("", False),
])
def test_https_or_plain_http_only_to_this_machine(url, safe):
    assert http.safe_url(url) is safe


def test_a_refused_address_sends_nothing(monkeypatch):
    opened = []
    monkeypatch.setattr(http._OPENER, "open", lambda *a, **kw: opened.append(a))
    with pytest.raises(http.AddressRefused):
        http.post("http://api.opgroeien.be/kot", json={"x": 1})
    assert opened == []


def test_a_json_post_with_an_idempotency_key(stand_in):
    answer = http.post(stand_in + "/in", json={"naam": "Zoë"}, idempotency_key="koepel-x-1",
                       headers={"Authorization": "Bearer t"})
    assert answer.status == 200 and answer.json() == {"ok": True}
    [(method, path, headers, body)] = StandIn.received
    assert (method, path) == ("POST", "/in") and json.loads(body) == {"naam": "Zoë"}
    assert headers["Idempotency-Key"] == "koepel-x-1" and headers["Content-Type"] == "application/json"
    assert "Signature" not in headers  # signing is an option


def test_final_answers_are_returned_and_temporary_ones_raise(stand_in):
    StandIn.answers = [(400, {}), (503, {}), (429, {})]
    assert http.get(stand_in + "/a").status == 400
    with pytest.raises(http.TemporaryFailure) as exc:
        http.get(stand_in + "/a")
    assert exc.value.status == 503
    with pytest.raises(http.TemporaryFailure):
        http.get(stand_in + "/a")


def test_redirects_are_not_followed(stand_in):
    StandIn.answers = [(302, {"Location": "http://api.opgroeien.be/steal"})]
    answer = http.get(stand_in + "/a")
    assert answer.status == 302 and len(StandIn.received) == 1


def test_a_timeout_and_a_closed_port_are_temporary(stand_in):
    StandIn.answers = [("slow", {})]
    with pytest.raises(http.TemporaryFailure, match="unreachable"):
        http.get(stand_in + "/slow", timeout=0.3)
    with pytest.raises(http.TemporaryFailure, match="unreachable"):
        http.get(closed_port_url() + "/x", timeout=2)


def test_signed_requests_verify_with_the_key_and_not_without(stand_in):
    signing = http.Signing(key_id="koepel-org-1", secret=SECRET)
    url = stand_in + "/signed?x=1"
    http.post(url, json={"a": 1}, idempotency_key="k-1", signing=signing)
    [(_m, _p, headers, body)] = StandIn.received
    assert 'keyid="koepel-org-1"' in headers["Signature-Input"] and 'alg="hmac-sha256"' in headers["Signature-Input"]
    assert '"idempotency-key"' in headers["Signature-Input"] and '"content-digest"' in headers["Signature-Input"]
    results = http.verify("POST", url, headers, body, "koepel-org-1", SECRET)
    assert results and results[0].parameters["keyid"] == "koepel-org-1"
    with pytest.raises(HTTPMessageSignaturesException, match="(?i)signature"):
        http.verify("POST", url, headers, body, "koepel-org-1", b"een andere sleutel van dezelfde lengte!")
    with pytest.raises(HTTPMessageSignaturesException):  # a changed body no longer matches its digest
        http.verify("POST", url, headers, body + b" ", "koepel-org-1", SECRET)


def test_the_job_retries_with_backoff_and_jitter_not_a_sleep_loop(app, session, stand_in, frozen_today):
    def call(s, job):
        http.post(stand_in + "/job", json=job.payload, idempotency_key=idempotency_key_for_job(job))

    registry().add("test.http", call)
    StandIn.answers = [(503, {}), (502, {})]
    job = enqueue(session, "test.http", {"n": 1})
    session.commit()
    db = get_db()
    assert run_pending(db, kinds=["test.http"]).retried == 1 and len(StandIn.received) == 1
    job = session.get(Job, job.id)
    assert clock.now() + timedelta(seconds=30) <= job.run_at <= clock.now() + timedelta(seconds=30 * (1 + JITTER))
    assert "503" in job.last_error
    app_clock().freeze(clock.now() + timedelta(minutes=1))
    assert run_pending(db, kinds=["test.http"]).retried == 1
    app_clock().freeze(clock.now() + timedelta(minutes=2))
    assert run_pending(db, kinds=["test.http"]).done == 1
    keys = {headers["Idempotency-Key"] for _m, _p, headers, _b in StandIn.received}
    assert len(StandIn.received) == 3 and keys == {f"koepel-test.http-{job.id}"}  # one key for every retry
    session.expire_all()
    assert session.get(Job, job.id).status == JobStatus.DONE


def test_a_refused_address_in_a_job_is_recorded_as_its_error(app, session, frozen_today):
    registry().add("test.http-bad", lambda s, job: http.post("http://api.opgroeien.be/x", json={}))
    job = enqueue(session, "test.http-bad", max_attempts=1)
    session.commit()
    assert run_pending(get_db(), kinds=["test.http-bad"]).failed == 1
    session.expire_all()
    assert "AddressRefused" in session.get(Job, job.id).last_error


def test_secrets_are_encrypted_at_rest_and_rotated(app, session, factory):
    org = factory.org()
    other = factory.org()
    http.set_secret(session, org, "loket_sync.signing_key", SECRET.decode(), key_id="loket-1")
    raw = session.execute(text("SELECT value_encrypted FROM outbound_secret")).scalar()
    assert SECRET.decode() not in raw and decrypt(raw) == SECRET.decode()
    assert http.get_secret(session, org, "loket_sync.signing_key") == SECRET.decode()
    assert http.get_secret(session, other, "loket_sync.signing_key") is None
    signing = http.signing_for(session, org, "loket_sync.signing_key")
    assert signing.key_id == "loket-1" and signing.secret == SECRET and SECRET.decode() not in repr(signing)
    assert OutboundSecret.__table__.c.value_encrypted in encrypted_columns(Base.metadata)
    http.set_secret(session, org, "loket_sync.signing_key", "")
    assert http.get_secret(session, org, "loket_sync.signing_key") is None
