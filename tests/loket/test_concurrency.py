"""Real parallel requests on a loopback server: the same events sent at once in several batches
are applied once; staff pages keep their query count when registrations grow."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select
from werkzeug.serving import make_server

from core import http
from tests.loket.conftest import LOKET_KEY, add_partner, assign, file_request, vacancy_event


@pytest.fixture
def served_loket(tmp_path, loket_pg_url):
    from loket import create_app

    url = loket_pg_url or f"sqlite:///{tmp_path / 'parallel.db'}"
    app = create_app({"DATABASE_URL": url, "LOKET_DATA_DIR": str(tmp_path), "SECRET_KEY": "t",
                      "LOKET_ENCRYPTION_KEY": LOKET_KEY, "LOKET_STRICT_RESPONSES": True,
                      "LOKET_CREATE_TABLES": loket_pg_url is None})
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


def test_the_same_events_in_parallel_batches_are_applied_once(served_loket):
    app, base = served_loket
    partner = add_partner(app, "org-a")
    events = [vacancy_event(aggregate=f"agg-{i}", sequence=1, free=i) for i in range(20)]

    def send(_n):
        answer = http.post(base + "/api/v1/events", json={"events": events}, idempotency_key=f"k-{uuid.uuid4()}",
                           signing=partner.signing, timeout=30)
        assert answer.status == 200, answer.text
        return answer.json()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(send, range(4)))
    accepted = [event_id for result in results for event_id in result["accepted"]]
    assert sorted(accepted) == sorted(e["id"] for e in events)  # each once, over all batches
    assert sum(len(r["duplicates"]) for r in results) == 3 * len(events)
    state = http.get(base + "/api/v1/state", signing=partner.signing).json()
    assert state["vacancies"]["count"] == 20 and state["events_applied"] == 20


def _count_queries(app, client, path):
    engine = app.extensions["loket_db"].engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_staff_pages_do_not_grow_their_query_count(loket_app):
    from core.passwords import hash_password
    from loket.models import Registration, StaffUser

    add_partner(loket_app, "org-a")
    assign(loket_app, "org-a", "KOT-A")
    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        sess.add(StaffUser(email="s@example.org", name="S", password_hash=hash_password("pw-pw-pw-pw")))
    loket_app.config["WTF_CSRF_ENABLED"] = False
    client = loket_app.test_client()
    client.post("/login", data={"email": "s@example.org", "password": "pw-pw-pw-pw"})
    file_request(loket_app, ["KOT-A"], child="Kind0", born="2026-01-01")
    small = {path: _count_queries(loket_app, client, path) for path in ("/", "/requests", "/placements")}
    for i in range(1, 15):
        file_request(loket_app, ["KOT-A"], child=f"Kind{i}", born=f"2026-01-{i + 1:02d}")
    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        assert sess.scalar(select(func.count(Registration.id))) == 15
    large = {path: _count_queries(loket_app, client, path) for path in ("/", "/requests", "/placements")}
    assert large == small
