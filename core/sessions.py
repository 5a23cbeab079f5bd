"""Server-side sessions: the signed session cookie alone no longer signs a user in.

At login the browser's session gets a random token and the server stores its SHA-256
(``UserSession``). Every request loads the user together with that row (one statement): logging
out deletes the row, so a copied cookie stops working; a new password, a new role or a
deactivated account deletes the user's other sessions (a flush listener, whatever code changes
the account: a page, the CLI, a shell).
"""
from __future__ import annotations

import hashlib
import secrets

from flask import has_request_context
from flask import session as cookie_session
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from core.clock import clock
from core.models import User, UserSession

SESSION_KEY = "_koepel_sid"
#: Changing one of these ends the user's other sessions.
SESSION_ENDING_FIELDS = ("password_hash", "role", "active", "organisation_id", "koepel_id")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_token_hash() -> str | None:
    if not has_request_context():
        return None
    token = cookie_session.get(SESSION_KEY)
    return _digest(token) if isinstance(token, str) and token else None


def start(db: Session, user: User) -> None:
    """A new server-side session for ``user``, its token in the (signed) session cookie."""
    token = secrets.token_urlsafe(32)
    db.add(UserSession(user_id=user.id, token_hash=_digest(token), created_at=clock.now()))
    cookie_session[SESSION_KEY] = token


def end(db: Session) -> None:
    """Forget the current browser's session on the server."""
    digest = current_token_hash()
    if digest is not None:
        db.execute(delete(UserSession).where(UserSession.token_hash == digest))
    cookie_session.pop(SESSION_KEY, None)


def load_user(db: Session, user_id: str) -> User | None:
    """The active user of the session cookie, only while its server-side session exists."""
    digest = current_token_hash()
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    if digest is None or not 0 < uid < 2**31:
        return None
    user = db.scalar(select(User).join(UserSession, UserSession.user_id == User.id)
                     .where(User.id == uid, UserSession.token_hash == digest))
    return user if user is not None and user.active else None


def end_other_sessions(db: Session, user_id: int) -> None:
    """Delete every session of the user except the current browser's (if it is theirs)."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    digest = current_token_hash()
    if digest is not None:
        stmt = stmt.where(UserSession.token_hash != digest)
    db.execute(stmt)


@event.listens_for(Session, "before_flush")
def _account_changed(db: Session, _context, _instances) -> None:
    for obj in list(db.dirty):
        if isinstance(obj, User) and obj.id is not None:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in SESSION_ENDING_FIELDS):
                end_other_sessions(db, obj.id)
