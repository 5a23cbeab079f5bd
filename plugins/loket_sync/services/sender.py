"""The sender job: one batch of due events per run, signed, classified per event.

Events are taken in id order with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two workers never
send one event twice at once; SQLite has one writer). A worker killed mid-batch rolls its
transaction back: the events are pending again and go out again in a batch with the same events,
so with the same Idempotency-Key; the loket applies each event id once anyway. Temporary failures
(unreachable, timeout, 5xx, 409, garbage) put the batch back with exponential backoff and jitter
(``loket_sync.retry_base_seconds``, doubled per attempt, capped); a refused login (401/403) also
sets the state "Aanmelding geweigerd"; a rejected event is never retried."""
from __future__ import annotations

import logging
import random
from datetime import timedelta

from sqlalchemy import func, select

from core.http import AddressRefused, TemporaryFailure
from core.jobs import JITTER

from ..models import EventStatus, SyncEvent
from . import connection
from .adapters import AuthRefused, ExcelAdapter, FinalFailure, HttpAdapter, LoketAdapter
from .outbox import ensure_sender, wire

log = logging.getLogger(__name__)


def adapter_for(ctx) -> LoketAdapter | None:
    conn = connection.get(ctx)
    if conn is None:
        return None
    if conn.adapter == "excel":
        return ExcelAdapter()
    signing = connection.signing(ctx)
    if not conn.base_url or signing is None:
        return None
    return HttpAdapter(conn.base_url, signing, timeout=float(ctx.setting("loket_sync.timeout_seconds")))


def retry_delay(ctx, attempts: int, rand=random.random) -> timedelta:
    base = float(ctx.setting("loket_sync.retry_base_seconds"))
    cap = float(ctx.setting("loket_sync.retry_max_seconds"))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap) * (1 + JITTER * rand()))


def due_events(ctx, limit: int) -> list[SyncEvent]:
    stmt = (select(SyncEvent)
            .where(SyncEvent.organisation_id == ctx.org.id, SyncEvent.status == EventStatus.PENDING,
                   SyncEvent.next_attempt_at <= ctx.now())
            .order_by(SyncEvent.id).limit(limit))
    if ctx.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(ctx.session.scalars(stmt))


def send_batch(ctx, adapter: LoketAdapter | None = None) -> dict[str, int]:
    """Send one batch; returns counts per outcome. Queues the next run (now when more are due,
    else when the earliest retry is due)."""
    adapter = adapter or adapter_for(ctx)
    counts: dict[str, int] = {}
    if adapter is None:
        return counts  # not configured: the events wait
    conn = connection.get_or_create(ctx)
    events = due_events(ctx, int(ctx.setting("loket_sync.batch_size")))
    if not events:
        _schedule_next(ctx)
        return counts
    now = ctx.now()
    payload = [wire(e, conn.partner_id or ctx.org.slug) for e in events]
    try:
        answers = {a.event_id: a for a in adapter.send(payload)}
    except AuthRefused as exc:
        connection.set_state(ctx, conn, "auth_refused", str(exc))
        _retry(ctx, events, f"aanmelding geweigerd: {exc}")
        counts["retry"] = len(events)
    except (TemporaryFailure, AddressRefused, FinalFailure) as exc:
        final = isinstance(exc, (FinalFailure, AddressRefused))
        connection.set_state(ctx, conn, "error", str(exc))
        if final:
            for e in events:
                e.attempts += 1
                e.status, e.last_error = EventStatus.FAILED, str(exc)[:2000]
            counts["failed"] = len(events)
        else:
            _retry(ctx, events, str(exc))
            counts["retry"] = len(events)
        log.warning("loket %s: batch of %s events: %s", ctx.org.slug, len(events), exc)
    else:
        unsettled = []
        for e in events:
            answer = answers.get(e.event_id)
            if answer is None:
                unsettled.append(e)
                continue
            e.attempts += 1
            if answer.outcome == "rejected":
                e.status, e.last_error = EventStatus.REJECTED, answer.reason[:2000]
            else:
                e.status, e.outcome, e.sent_at, e.last_error = EventStatus.SENT, answer.outcome, now, None
            counts[answer.outcome] = counts.get(answer.outcome, 0) + 1
        if unsettled:
            _retry(ctx, unsettled, "het loket gaf geen antwoord voor deze gebeurtenis")
            counts["retry"] = len(unsettled)
        conn.last_sent_at = now
        if conn.state != "ok":
            connection.set_state(ctx, conn, "ok", "")
    ctx.session.flush()
    _schedule_next(ctx)
    return counts


def _retry(ctx, events: list[SyncEvent], error: str) -> None:
    """Back off; one moment for the whole batch, so that it goes out again as the same batch
    (the same Idempotency-Key)."""
    limit = int(ctx.setting("loket_sync.max_attempts"))
    due = ctx.now() + retry_delay(ctx, max(e.attempts for e in events) + 1)
    for e in events:
        e.attempts += 1
        e.last_error = error[:2000]
        if e.attempts >= limit:
            e.status = EventStatus.FAILED
        else:
            e.next_attempt_at = due


def _schedule_next(ctx) -> None:
    first_due = ctx.session.scalar(select(func.min(SyncEvent.next_attempt_at)).where(
        SyncEvent.organisation_id == ctx.org.id, SyncEvent.status == EventStatus.PENDING))
    if first_due is not None:
        ensure_sender(ctx.session, ctx.org.id, run_at=max(first_due, ctx.now()))


def retry_failed(ctx) -> int:
    """Put failed events back in the queue (the director fixed the settings)."""
    from sqlalchemy import update

    result = ctx.session.execute(update(SyncEvent).where(
        SyncEvent.organisation_id == ctx.org.id, SyncEvent.status == EventStatus.FAILED).values(
        status=EventStatus.PENDING, attempts=0, next_attempt_at=ctx.now()).execution_options(
        synchronize_session=False))
    ensure_sender(ctx.session, ctx.org.id)
    return result.rowcount or 0
