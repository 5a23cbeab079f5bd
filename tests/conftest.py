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


# One app per set of plugins and configuration, reused across tests (building one costs ~65 ms of
# CPU, and most tests need one): each test still gets fresh state (its own transaction bound to the
# app's database, a fresh clock, a fresh app context so an empty ``g``, the configuration and the
# app's extensions restored afterwards). A test that changed the app's shape (registered a route or
# a blueprint) makes the next test build a new one. Apps with ad-hoc PluginInfo objects (tests of
# the plugin machinery) are never shared.
_APPS: dict[tuple, tuple] = {}


def _app_key(app_config: dict, plugins) -> tuple | None:
    if not all(isinstance(p, str) for p in plugins):
        return None
    config = sorted((k, repr(v)) for k, v in app_config.items() if k != "KOEPEL_DATA_DIR")
    return (tuple(plugins), tuple(config))


def _shape(application) -> tuple:
    return (tuple(application.view_functions), tuple(application.blueprints),
            len(application.url_map._rules), tuple(application.jinja_env.globals),
            tuple(application.jinja_env.filters), repr(application.before_request_funcs),
            repr(application.after_request_funcs), repr(application.error_handler_spec))


def _build_app(app_config: dict, plugins) -> tuple:
    from flask import request_started

    from core.app import create_app

    application = create_app(app_config, plugins=plugins)
    request_started.connect(_fresh_request_globals, application)
    return application, dict(application.config), set(application.extensions), _shape(application)


def _discard(application) -> None:
    from flask import request_started

    request_started.disconnect(_fresh_request_globals, application)
    application.extensions["koepel_db"].engine.dispose()


@pytest.fixture
def app(engine, app_config, plugins):
    from core.clock import Clock

    key = _app_key(app_config, plugins)
    built = _APPS.get(key) if key is not None else None
    if built is None:
        built = _build_app(app_config, plugins)
        if key is not None:
            _APPS[key] = built
    application, config, extensions, shape = built
    application.config["KOEPEL_DATA_DIR"] = app_config["KOEPEL_DATA_DIR"]
    application.extensions["koepel_clock"] = Clock()
    db = application.extensions["koepel_db"]
    connection = engine.connect()
    outer = connection.begin()
    db.bind_to(connection)
    ctx = application.app_context()
    ctx.push()
    try:
        yield application
    finally:
        ctx.pop()
        db.scoped.remove()
        if outer.is_active:
            outer.rollback()
        connection.close()
        if key is None or _shape(application) != shape:
            _APPS.pop(key, None)
            _discard(application)
        else:
            application.config.clear()
            application.config.update(config)
            for name in set(application.extensions) - extensions:
                del application.extensions[name]
            application._got_first_request = False  # tests may add setup functions again


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
