"""Shared fixtures: the schema is built once per run through Alembic; every test runs inside a
transaction that is rolled back (sessions join it through savepoints).

Set KOEPEL_TEST_DATABASE_URL to run the same suite on PostgreSQL.
"""
from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import event, text

from core.clock import BRUSSELS, app_clock
from core.db import make_engine

pytest_plugins = ["tests.browser_support"]

# The machine (and CI) is shared and its load varies: no per-example time limit for property tests.
hypothesis_settings.register_profile("koepel", deadline=None)
hypothesis_settings.load_profile("koepel")

ALL_PLUGINS = ["planning", "aanwezigheden", "wachtlijst", "facturatie", "loket_sync"]
TEST_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="
PASSWORD = "correct-horse-battery"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("KOEPEL_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_root / 'koepel-test.db'}"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url):
    from core.migrate import upgrade

    eng = make_engine(database_url)
    with eng.connect() as conn:
        upgrade(database_url, connection=conn)
        conn.commit()
    yield eng
    eng.dispose()


def make_config(database_url: str, tmp_path: Path, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "KOEPEL_DATA_DIR": str(tmp_path),
        "KOEPEL_ENCRYPTION_KEY": TEST_KEY,
        "KOEPEL_PASSWORD_HASH_FAST": True,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
    }
    config.update(extra)
    return config


@pytest.fixture
def plugins() -> list[str]:
    """Override in a test module to run with fewer plugins."""
    return list(ALL_PLUGINS)


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    return make_config(database_url, tmp_path)


def _fresh_request_globals(sender, **extra):
    """The fixture keeps one app context pushed for the whole test, and Flask reuses a pushed
    context for every test request, so ``g`` (the logged-in user of Flask-Login, the locale of
    Flask-Babel, ``g.org``, the module caches) would leak from one request into the next, even
    across clients. Each test request starts with an empty ``g``, as in production."""
    from flask import g

    g.__dict__.clear()


@pytest.fixture
def app(engine, app_config, plugins):
    from flask import request_started

    from core.app import create_app

    application = create_app(app_config, plugins=plugins)
    request_started.connect(_fresh_request_globals, application)
    db = application.extensions["koepel_db"]
    connection = engine.connect()
    outer = connection.begin()
    db.bind_to(connection)
    ctx = application.app_context()
    ctx.push()
    try:
        yield application
    finally:
        request_started.disconnect(_fresh_request_globals, application)
        ctx.pop()
        db.scoped.remove()
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def session(app):
    return app.extensions["koepel_db"].scoped()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def frozen_today(app):
    """Freeze the app's clock on a fixed weekday so that date-dependent tests are stable."""
    moment = datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS)
    app_clock().freeze(moment)
    yield moment.date()


@pytest.fixture
def factory(app, session):
    from tests.factories import Factory

    return Factory(session)


def login(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


class QueryCounter:
    """Counts SQL statements on an engine or connection while active."""

    def __init__(self, target) -> None:
        self.target = target
        self.statements: list[str] = []

    def _on(self, conn, cursor, statement, *args):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement):
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.target, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self.target, "before_cursor_execute", self._on)

    @property
    def count(self) -> int:
        return len(self.statements)


def a_date(year: int, month: int, day: int) -> date:
    return date(year, month, day)
