"""Job handlers of the loket_sync module (run by the job worker after the commit)."""
from __future__ import annotations

from sqlalchemy import exists, select

from core.context import context_for_job

from ..models import EventStatus, SyncEvent
from . import inbound, sender, vacancies
from .outbox import SEND, ensure_sender

RESYNC = "loket_sync.resync"


def register(registry) -> None:
    registry.add(SEND, send)
    registry.add(vacancies.RECOMPUTE, recompute)
    registry.add(inbound.PULL, pull)
    registry.add(RESYNC, resync)


def _ctx(session, job):
    ctx = context_for_job(session, job)
    return ctx if ctx is not None and ctx.is_enabled("loket_sync") else None


def send(session, job) -> None:
    ctx = _ctx(session, job)
    if ctx is not None:
        sender.send_batch(ctx)


def recompute(session, job) -> None:
    ctx = _ctx(session, job)
    if ctx is not None:
        vacancies.recompute(ctx, int(job.payload["location_id"]), str(job.payload["month"]),
                            force=bool(job.payload.get("force")))


def pull(session, job) -> None:
    """Fetch the loket's requests, then queue the next pull; also wakes the sender when events
    wait (after a worker died mid-batch its job is held until its lease ends)."""
    ctx = _ctx(session, job)
    if ctx is None:
        return
    inbound.pull(ctx)
    if session.scalar(select(exists().where(SyncEvent.organisation_id == ctx.org.id,
                                            SyncEvent.status == EventStatus.PENDING,
                                            SyncEvent.next_attempt_at <= ctx.now()))):
        ensure_sender(session, ctx.org.id)
    inbound.schedule(ctx)


def resync(session, job) -> None:
    ctx = _ctx(session, job)
    if ctx is not None:
        from .resync import resync as run

        run(ctx)
