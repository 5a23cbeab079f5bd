"""Rate limits shared by every worker process: the count lives in the database (the
``login_throttle`` table, keyed by purpose and a hash of the client's address), not in memory.

Same pattern as every other check-then-write (docs/concurrency.md): the row is created with
``INSERT ... ON CONFLICT DO NOTHING``, locked, then read and updated. The count is committed at
once, so that requests answered with an error (a guessed token's 404) count too.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock
from core.db import upsert_ignore
from core.models import LoginThrottle


def throttle_key(purpose: str, client: str) -> str:
    """The row's key: the purpose and a hash of the address (no address is stored in clear)."""
    return f"{purpose}:{hashlib.sha256(client.encode()).hexdigest()[:40]}"


def hit(session: Session, purpose: str, client: str, *, limit: int, seconds: int) -> bool:
    """Count one request of ``client`` in a window of ``seconds``; False once over ``limit``."""
    key = throttle_key(purpose, client)
    session.execute(upsert_ignore(session, LoginThrottle.__table__, ["key"]).values(key=key, failures=0))
    row = session.scalar(select(LoginThrottle).where(LoginThrottle.key == key)
                        .with_for_update().execution_options(populate_existing=True))
    now = clock.now()
    if row.first_failure_at is None or now - row.first_failure_at >= timedelta(seconds=seconds):
        row.first_failure_at, row.failures = now, 0
    allowed = row.failures < limit
    if allowed:
        row.failures += 1
    session.commit()  # the count must survive an error answer of this request
    return allowed
