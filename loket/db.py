"""The reference loket's own database: its own metadata (never core's, so core's migrations and
key rotation never see these tables), core's engine recipe (SQLite: WAL, foreign keys, BEGIN
IMMEDIATE for requests; PostgreSQL by URL) and one session per request."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session

from core.db import NAMING_CONVENTION, Database

EXTENSION = "loket_db"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def get_db() -> Database:
    return current_app.extensions[EXTENSION]


def session() -> Session:
    return get_db().scoped()


def create_all(db: Database) -> None:
    """Tables are created, never migrated (a small reference app): ``koepel loket init``."""
    from loket import models  # noqa: F401

    Base.metadata.create_all(db.engine)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    with get_db().unit_of_work() as sess:
        yield sess


def rollback_only() -> None:
    """The answer is a success but nothing may be kept (not used by the API's 200s)."""
    g.rollback_only = True


def for_update(stmt, sess: Session):
    """SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers."""
    return stmt.with_for_update() if sess.get_bind().dialect.name == "postgresql" else stmt
