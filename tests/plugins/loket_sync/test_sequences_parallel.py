"""Sequence numbers under real parallel transactions (committed data, one connection each): one
aggregate written by several writers at once gets 1..n, each number once."""
from __future__ import annotations

import threading

from sqlalchemy import select

from core.context import context_for_org_id

from .test_reliability import _unit, committed  # noqa: F401  (fixture)

WRITERS, EACH = 6, 15


def test_parallel_writers_get_distinct_sequences(committed):  # noqa: F811
    from core.models import Koepel, Organisation
    from plugins.loket_sync.models import SyncEvent
    from plugins.loket_sync.services import outbox

    with _unit(committed) as session:
        koepel = Koepel(name="Parallel")
        session.add(koepel)
        session.flush()
        org = Organisation(koepel_id=koepel.id, slug="parallel-seq", name="Parallel")
        session.add(org)
        session.flush()
        org_id = org.id
    barrier = threading.Barrier(WRITERS)
    errors = []

    def write():
        try:
            barrier.wait()
            for _ in range(EACH):
                with _unit(committed) as session:
                    outbox.emit(context_for_org_id(session, org_id), "vacancy.changed", "vacancy", "SAME", {})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:1]
    with _unit(committed) as session:
        sequences = sorted(session.scalars(select(SyncEvent.sequence).where(SyncEvent.organisation_id == org_id)))
    assert sequences == list(range(1, WRITERS * EACH + 1))
