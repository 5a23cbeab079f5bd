"""Audit trail written in the same transaction as the change it describes.

Models opt in with ``__audited__ = True``; values of ``__secret__`` fields are never copied
into the log (only the fact that they changed). Opening a child's file is recorded with
``record_view``.
"""
from __future__ import annotations

import contextvars
import enum
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from core.clock import clock

# values never copied into the log (a PIN behind a hash is a few minutes of brute force)
SECRET_FIELDS = {"national_number", "national_number_hash", "password_hash", "pin_hash", "offline_salt",
                 "offline_hash", "offline_key", "token_hash", "token"}
IGNORED_FIELDS = {"created_at", "updated_at", "last_login_at"}

# "<kind> kind <child id> <iso day>": a register row's summary; older confirmations start with
# "bevestiging" instead of their kind
REGISTER_SUMMARY = re.compile(r"^(?:(\S+) )?kind (\d+) (\d{4}-\d{2}-\d{2})$")

_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("koepel_actor", default=None)


def set_actor(user_id: int | None) -> contextvars.Token:
    """Outside a request (CLI, jobs) name who acts; inside a request the logged-in user is used."""
    return _actor.set(user_id)


def current_actor_id() -> int | None:
    try:
        from flask import has_request_context
        from flask_login import current_user

        if has_request_context() and current_user and current_user.is_authenticated:
            return current_user.id
    except Exception:  # pragma: no cover - outside Flask entirely
        pass
    return _actor.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"  # an uploaded file: its size, never its content
    return value


def _org_of(obj: Any) -> int | None:
    from core.models import Organisation

    if isinstance(obj, Organisation):
        return obj.id
    return getattr(obj, "organisation_id", None)


def _describe(obj: Any) -> str:
    if type(obj).__str__ is object.__str__:
        return ""  # no readable name: not "<... object at 0x...>" in the log (entity and id say which)
    try:
        return str(obj)[:300]
    except Exception:  # pragma: no cover
        return ""


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    result: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS or key == "id":
            continue
        hist = state.attrs[key].history
        if action == "update" and not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else (None if action == "create" else hist.unchanged[0] if hist.unchanged else None)
        new = hist.added[0] if hist.added else (hist.unchanged[0] if hist.unchanged else None)
        if action == "delete":
            old, new = new if old is None else old, None
        if action == "create" and new is None:
            continue
        if key in SECRET_FIELDS:
            result[key] = ["***" if old else None, "***" if new else None]
        else:
            result[key] = [_jsonable(old), _jsonable(new)]
    return result


def _entry(obj: Any, action: str, changes: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "organisation_id": _org_of(obj),
        "user_id": current_actor_id(),
        "at": clock.now(),
        "action": action,
        "entity": type(obj).__tablename__,
        "entity_id": getattr(obj, "id", None),
        "summary": _describe(obj),
        "changes": changes,
    }


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _ctx, _instances) -> None:
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj, include_collections=False):
            changes = _changes(obj, "update")
            if changes:
                pending.append((obj, "update", changes))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            pending.append((obj, "delete", _changes(obj, "delete")))
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            pending.append((obj, "create", None))


@event.listens_for(Session, "after_flush")
def _write(session: Session, _ctx) -> None:
    from core.models import AuditEntry

    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    rows = []
    for obj, action, changes in pending:
        if action == "create":
            changes = _changes(obj, "create")
        rows.append(_entry(obj, action, changes))
    session.connection().execute(insert(AuditEntry.__table__), rows)


def register_summary(kind, child_id: int | None, day) -> str:
    """A register row's (tap, absence, confirmation) audit summary: values only, no words, so that
    the audit page says it in the reader's language (the model's ``__audit_summary__`` fields)."""
    return f"{getattr(kind, 'value', kind)} kind {child_id} {day}"


def record_view(session: Session, obj: Any, what: str = "") -> None:
    """Record that the current user opened a sensitive file (e.g. a child's)."""
    from core.models import AuditEntry

    entry = _entry(obj, "view", {"opened": what} if what else None)
    session.add(AuditEntry(**entry))



def audit_labels() -> dict[str, str]:
    """What audit entries are about, in the reader's language: ``__audit_label__`` of each model
    by table name (models without one keep their table name in the log)."""
    from core.db import Base

    return {m.class_.__tablename__: str(m.class_.__audit_label__) for m in Base.registry.mappers
            if getattr(m.class_, "__audit_label__", None) is not None}
