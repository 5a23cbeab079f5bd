"""Real parallel requests against the app under a real WSGI server (werkzeug's threaded server on
loopback), on data that is really committed: the per-test rolled-back transaction of
``tests/conftest.py`` would put every request on one connection and hide every race.

``live`` commits to the test database (SQLite, or PostgreSQL with KOEPEL_TEST_DATABASE_URL) and
removes what the test added afterwards, so that the other tests find the database as migrated.
"""
from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from sqlalchemy import delete, func, inspect, select
from werkzeug.serving import make_server

from core.db import Base, Database
from tests.conftest import ALL_PLUGINS, PASSWORD, make_config

PARALLEL = 50


@dataclass
class Answer:
    status: int
    body: str
    cookies: dict[str, str]

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class HttpClient:
    """A minimal cookie-keeping HTTP client (one per simulated browser or tablet)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, form: dict | None = None, json_body=None) -> Answer:
        headers = {"X-Koepel-Tablet": "1"}  # the tablet API's header; harmless elsewhere
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            got = {}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    got[key.strip()] = val.strip()
            return Answer(response.status, text, got)
        finally:
            conn.close()

    def keep(self, answer: Answer) -> Answer:
        self.cookies.update({k: v for k, v in answer.cookies.items() if v})
        return answer

    def get(self, path: str) -> Answer:
        return self.keep(self.request("GET", path))

    def post(self, path: str, form: dict | None = None, *, json_body=None) -> Answer:
        return self.keep(self.request("POST", path, form=form, json_body=json_body))

    def login(self, email: str, password: str = PASSWORD) -> None:
        answer = self.post("/login", {"email": email, "password": password})
        assert answer.status == 302, answer.body[:300]

    def copy(self) -> HttpClient:
        return HttpClient(self.port, dict(self.cookies))


def fire(calls: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every call at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _snapshot(connection) -> dict[str, int | None]:
    """Per table, the highest id (tables with an integer ``id``) or the row count."""
    marks = {}
    for table in Base.metadata.sorted_tables:
        if not inspect(connection).has_table(table.name):
            continue
        if "id" in table.c:
            marks[table.name] = connection.scalar(select(func.max(table.c.id)))
        else:
            marks[table.name] = connection.scalar(select(func.count()).select_from(table))
    return marks


def _clean(connection, marks: dict[str, int | None]) -> None:
    """Delete what was added since ``marks``, children before parents."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in marks or table.name == "alembic_version":
            continue
        if "id" in table.c:
            top = marks[table.name]
            connection.execute(delete(table) if top is None else delete(table).where(table.c.id > top))
        elif marks[table.name] == 0:
            connection.execute(delete(table))


@dataclass
class Live:
    app: object
    port: int
    db: Database

    def client(self) -> HttpClient:
        return HttpClient(self.port)

    def freeze(self, moment) -> None:
        """Freeze the served app's clock (every request thread reads it)."""
        self.app.extensions["koepel_clock"].freeze(moment)

    def unit(self):
        """A committed unit of work in the app's context (set-up and checks)."""
        return _AppUnit(self)


class _AppUnit:
    def __init__(self, live: Live) -> None:
        self.live = live

    def __enter__(self):
        self.ctx = self.live.app.app_context()
        self.ctx.push()
        self.cm = self.live.db.unit_of_work()
        return self.cm.__enter__()

    def __exit__(self, *exc):
        try:
            return self.cm.__exit__(*exc)
        finally:
            self.ctx.pop()


@pytest.fixture
def live(engine, database_url, tmp_path):
    """The app served on loopback by a threaded WSGI server, on committed data."""
    from core.app import create_app

    app = create_app(make_config(database_url, tmp_path, TESTING=False, WACHTLIJST_PUBLIC_RATE=10_000,
                                 WACHTLIJST_CHECK_DELIVERABILITY=False),
                     plugins=list(ALL_PLUGINS))
    db = Database(database_url, **({"pool_size": 20, "max_overflow": 10, "pool_timeout": 120}
                                   if database_url.startswith("postgresql") else {}))
    app.extensions["koepel_db"] = db
    with engine.connect() as conn:
        marks = _snapshot(conn)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(app, server.server_port, db)
    finally:
        server.shutdown()
        thread.join(10)
        db.scoped.remove()
        db.engine.dispose()
        with engine.begin() as conn:
            _clean(conn, marks)
