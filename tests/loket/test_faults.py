"""Fault injection on a real loopback server: 503s before handling, answers held back past the
client's time-out and dropped connections after handling. A sender that retries every batch with
the same Idempotency-Key (signed anew) gets every event applied exactly once."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from core import http
from tests.loket.conftest import add_partner, vacancy_event


@pytest.fixture
def faulty_loket(tmp_path, loket_pg_url):
    from loket import create_app
    from tests.loket.conftest import LOKET_KEY

    url = loket_pg_url or f"sqlite:///{tmp_path / 'faulty.db'}"
    app = create_app({"DATABASE_URL": url, "LOKET_DATA_DIR": str(tmp_path), "SECRET_KEY": "t",
                      "LOKET_ENCRYPTION_KEY": LOKET_KEY, "LOKET_STRICT_RESPONSES": True,
                      "LOKET_CREATE_TABLES": loket_pg_url is None,
                      "LOKET_FAULTS": {"error_rate": 0.3, "timeout_rate": 0.1, "drop_rate": 0.1, "seed": 7,
                                       "timeout_seconds": 0.6}})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    if loket_pg_url:
        from sqlalchemy import text

        from loket.db import Base

        with app.extensions["loket_db"].engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in Base.metadata.sorted_tables) + " CASCADE"))
    app.extensions["loket_db"].engine.dispose()
    assert app.extensions["loket_response_errors"] == []


def test_every_event_arrives_exactly_once_through_faults(faulty_loket):
    app, base = faulty_loket
    partner = add_partner(app, "org-a")
    batches = [[vacancy_event(aggregate=f"agg-{b}-{i}", free=i) for i in range(5)] for b in range(20)]
    failures = {"503": 0, "timeout": 0, "dropped": 0}
    replayed = 0
    for batch in batches:
        key = f"batch-{uuid.uuid4()}"
        for _attempt in range(30):  # bounded: the fault rates make 30 failures in a row impossible in practice
            try:
                answer = http.post(base + "/api/v1/events", json={"events": batch}, idempotency_key=key,
                                   signing=partner.signing, timeout=0.3)
            except http.TemporaryFailure as exc:
                text = str(exc)
                kind = "503" if exc.status == 503 else "timeout" if "timed out" in text else "dropped"
                failures[kind] += 1
                continue
            assert answer.status == 200, answer.text
            replayed += answer.headers.get("Idempotent-Replayed") == "true"
            result = answer.json()
            assert sorted(result["accepted"] + result["duplicates"]) == sorted(e["id"] for e in batch)
            break
        else:
            pytest.fail("a batch never got through")
    assert all(failures.values()), failures  # each kind of fault happened
    from loket.models import ReceivedEvent

    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        rows = sess.execute(select(ReceivedEvent.outcome, func.count()).group_by(ReceivedEvent.outcome)).all()
    assert dict(rows) == {"accepted": 100}
    from loket.events import received_events

    received = received_events(app, "org-a")
    assert set(received) == {e["id"] for batch in batches for e in batch}
    assert sum(received.values()) == 100  # a retry with the batch's key gets the stored answer, nothing re-applied
    assert replayed > 0  # batches applied during a time-out or a drop came back as the stored answer
    vacancies = http.get(base + "/api/v1/health").json()
    assert vacancies["status"] == "ok"


def test_fault_option_parsing():
    from loket import faults_from_option
    from loket.faults import Faults

    assert faults_from_option("error=0.3,timeout=0.05,drop=0.05,seed=1") == {
        "error_rate": 0.3, "timeout_rate": 0.05, "drop_rate": 0.05, "seed": 1}
    assert Faults.parse('{"error_rate": 0.5}').error_rate == 0.5
    with pytest.raises(ValueError):
        Faults.parse({"error_rate": 0.8, "drop_rate": 0.5})
    with pytest.raises(ValueError):
        Faults.parse({"error_rate": -0.1})
