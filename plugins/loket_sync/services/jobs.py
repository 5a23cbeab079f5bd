"""Job handlers of the loket_sync module (run by the job worker after the commit)."""
from __future__ import annotations

from sqlalchemy import exists, select

from core.context import context_for_job

from ..models import EventStatus, SyncEvent
from . import inbound, sender, vacancies
from .outbox import SEND, ensure_sender

RESYNC = "loket_sync.resync"
DAILY = "loket_sync.daily"


def register(registry) -> None:
    registry.add(SEND, send)
    registry.add(vacancies.RECOMPUTE, recompute)
    registry.add(inbound.PULL, pull)
    registry.add(RESYNC, resync)
    registry.add(DAILY, daily)


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


def schedule_daily(ctx):
    """Tomorrow at 03:00 (Brussels), one waiting at a time per organisation."""
    from datetime import datetime, time, timedelta

    from core.clock import BRUSSELS
    from core.jobs import enqueue

    tomorrow = ctx.today() + timedelta(days=1)
    return enqueue(ctx.session, DAILY, {}, key=f"{DAILY}:{ctx.org.id}", organisation_id=ctx.org.id,
                   run_at=datetime.combine(tomorrow, time(3, 0), tzinfo=BRUSSELS), module="loket_sync")


def daily(session, job) -> None:
    """What changes with the calendar alone: the current month's free places and its last-minute
    places are recomputed (days pass), past months are withdrawn."""
    ctx = _ctx(session, job)
    if ctx is None:
        return
    vacancies.daily(ctx)
    schedule_daily(ctx)
