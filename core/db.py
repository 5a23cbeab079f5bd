"""Database access: one declarative base with a naming convention, one session per request.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy) so that services, the CLI, jobs and tests share the
same session handling, and tests can bind the session to an outer transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


def _sqlite_fixups(engine: Engine) -> None:
    """Make pysqlite honour BEGIN/SAVEPOINT and foreign keys (SQLAlchemy docs recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver hook
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - driver hook
        conn.exec_driver_sql("BEGIN")


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
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction outside a request (CLI, jobs): commit on success, roll back on error."""
        session = self.scoped()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            self.scoped.remove()


def get_db() -> Database:
    return current_app.extensions["koepel_db"]


def session() -> Session:
    """The session of the current request or unit of work."""
    return current_app.extensions["koepel_db"].scoped()


def utcnow() -> datetime:
    from core.clock import clock

    return clock.now()


IN_LIST_SIZE = 500  # ids per IN (...) list: SQLite's and the drivers' parameter limits


def chunks(ids: Iterable[int], size: int = IN_LIST_SIZE) -> Iterator[list[int]]:
    """``ids`` in lists short enough for one ``IN (...)``."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
