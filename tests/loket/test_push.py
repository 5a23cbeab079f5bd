"""Push: changed requests are POSTed, signed, to the partner's inbound URL in feed order; a
partner that fails keeps its place and gets the rest on the next round."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import select
from werkzeug.serving import make_server

from core import http
from tests.loket.conftest import assign, file_request


@pytest.fixture
def receiver():
    """A partner's inbound endpoint on loopback: verifies each signature, answers 503 on demand."""
    app = Flask("receiver")
    state = {"received": [], "fail": 0, "refused": 0, "secrets": {}, "nonces": set()}

    def seen(key_id, nonce, created):
        if (key_id, nonce) in state["nonces"]:
            return True
        state["nonces"].add((key_id, nonce))
        return False

    @app.post("/inbound")
    def inbound():
        body = request.get_data()
        try:
            http.verify_request("POST", request.url, request.headers, body,
                                secret_for=state["secrets"].get, seen=seen, now=datetime.now(UTC))
        except http.SignatureRefused:
            state["refused"] += 1
            return jsonify({"error": "signature"}), 401
        if state["fail"]:
            state["fail"] -= 1
            return jsonify({"error": "busy"}), 503
        state["received"].append((request.headers["Idempotency-Key"], request.get_json()))
        return jsonify({"ok": True})

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/inbound"
    yield state
    server.shutdown()
    thread.join(timeout=5)


def test_push_delivers_signed_requests_in_order_and_resumes(loket_app, receiver):
    from loket import registrations
    from loket.models import Partner, Registration
    from loket.partners import add_partner
    from loket.push import push_pending

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        key_id, secret = add_partner(sess, "org-p", "Push partner", inbound_url=receiver["url"])
    receiver["secrets"][key_id] = secret.encode()
    assign(loket_app, "org-p", "KOT-P")
    first = file_request(loket_app, ["KOT-P"], child="Een")
    second = file_request(loket_app, ["KOT-P"], child="Twee")
    receiver["fail"] = 1
    report = push_pending(loket_app, timeout=5)
    assert (report.sent, report.failed, receiver["received"]) == (0, 1, [])
    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        assert "503" in sess.get(Partner, "org-p").push_error
    report = push_pending(loket_app, timeout=5)
    assert report.sent == 2 and receiver["refused"] == 0
    assert [(k, r["loket_request_id"], r["version"]) for k, r in receiver["received"]] == [
        (f"{first}-v1", first, 1), (f"{second}-v1", second, 1)]
    assert push_pending(loket_app, timeout=5).sent == 0  # nothing new
    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        registrations.withdraw(sess, sess.scalar(select(Registration).where(Registration.public_id == first)))
    push_pending(loket_app, timeout=5)
    assert receiver["received"][-1][1]["status"] == "withdrawn" and receiver["received"][-1][1]["version"] == 2


def test_inbound_url_must_be_https_or_this_machine(loket_app):
    from loket.partners import PartnerError, add_partner

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        with pytest.raises(PartnerError):
            add_partner(sess, "org-q", "Q", inbound_url="http://partner.example.org/inbound")
