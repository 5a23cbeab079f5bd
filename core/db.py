"""Database access: one declarative base with a naming convention, one session per request.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy) so that services, the CLI, jobs and tests share the
same session handling, and tests can bind the session to an outer transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always come back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.clock for aware UTC timestamps")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_fixups(engine: Engine) -> None:
    """Make pysqlite honour BEGIN/SAVEPOINT and foreign keys (SQLAlchemy docs recipe), and
    serialise writers (docs/concurrency.md): a transaction of a request or a unit of work starts
    with ``BEGIN IMMEDIATE``, so it takes SQLite's write lock before it reads and waits for it
    (busy timeout) instead of failing later with "database is locked" when it upgrades a read
    snapshot that another writer has made stale."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver hook
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - driver hook
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writes_expected() else "BEGIN")


_unit_of_work_depth = ContextVar("koepel_unit_of_work", default=0)


def _writes_expected() -> bool:
    """A request or a unit of work may write: take SQLite's write lock at BEGIN. The test
    fixture's outer transaction (opened outside both) stays deferred."""
    from flask import has_request_context

    return has_request_context() or _unit_of_work_depth.get() > 0


def make_engine(url: str, **kwargs) -> Engine:
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_fixups(engine)
    return engine


class Database:
    """Holds the engine and the scoped session of one app (stored in app.extensions)."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.scoped = scoped_session(self.session_factory)

    def bind_to(self, connection) -> None:
        """Tests: every session joins this connection's transaction through savepoints."""
        self.scoped.remove()
        self.session_factory = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self.scoped = scoped_session(self.session_factory)

    @contextmanager
    def side_session(self) -> Iterator[Session]:
        """A short session of its own, beside the current unit of work (e.g. a job's progress,
        committed while the job's own transaction goes on). The caller commits; anything left
        uncommitted is rolled back. In tests bound to one connection it is a savepoint there."""
        side = self.session_factory()
        try:
            yield side
        except BaseException:
            side.rollback()
            raise
        finally:
            side.close()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction outside a request (CLI, jobs): commit on success, roll back on error."""
        session = self.scoped()
        token = _unit_of_work_depth.set(_unit_of_work_depth.get() + 1)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            self.scoped.remove()
            _unit_of_work_depth.reset(token)


def upsert_ignore(sess: Session, table, index_elements: list[str]):
    """``INSERT ... ON CONFLICT (index_elements) DO NOTHING`` for the session's database
    (PostgreSQL and SQLite): create a row that a parallel request may be creating too."""
    if sess.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=index_elements)


def get_db() -> Database:
    return current_app.extensions["koepel_db"]


def session() -> Session:
    """The session of the current request or unit of work."""
    return current_app.extensions["koepel_db"].scoped()


def utcnow() -> datetime:
    from core.clock import clock

    return clock.now()


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers on both databases


def row_id(value) -> int | None:
    """An id from a JSON body or a form: a positive integer (or its digits) that a row can have;
    anything else (a float, a boolean, a list, a number too big for the column) is None, so
    that it names no row instead of failing in the database."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ROW_ID else None


IN_LIST_SIZE = 500  # ids per IN (...) list: SQLite's and the drivers' parameter limits


def chunks(ids: Iterable[int], size: int = IN_LIST_SIZE) -> Iterator[list[int]]:
    """``ids`` in lists short enough for one ``IN (...)``."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
