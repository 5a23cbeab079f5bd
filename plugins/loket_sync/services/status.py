"""What the sync page and ``koepel loket-sync status`` show: counts per status, lag, recent
events (paged in SQL), unmapped requests. A fixed number of queries, whatever the volume."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..models import EventStatus, InboundRequest, SyncEvent


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    oldest_pending: datetime | None
    lag_seconds: int | None
    unmapped: int


def summary(ctx) -> Summary:
    rows = ctx.session.execute(select(SyncEvent.status, func.count(), func.min(SyncEvent.created_at)).where(
        SyncEvent.organisation_id == ctx.org.id).group_by(SyncEvent.status)).all()
    counts = {s.value: 0 for s in EventStatus}
    oldest = None
    for status, n, first in rows:
        counts[EventStatus(status).value] = n
        if EventStatus(status) == EventStatus.PENDING:
            oldest = first
    unmapped = ctx.session.scalar(select(func.count()).select_from(InboundRequest).where(
        InboundRequest.organisation_id == ctx.org.id, InboundRequest.unmapped_reason.is_not(None)))
    lag = int((ctx.now() - oldest).total_seconds()) if oldest else None
    return Summary(counts, oldest, lag, unmapped or 0)


def events_query(ctx, status: str | None = None):
    stmt = select(SyncEvent).where(SyncEvent.organisation_id == ctx.org.id).order_by(SyncEvent.id.desc())
    if status in {s.value for s in EventStatus}:
        stmt = stmt.where(SyncEvent.status == EventStatus(status))
    return stmt


def unmapped_query(ctx):
    return (select(InboundRequest).where(InboundRequest.organisation_id == ctx.org.id,
                                         InboundRequest.unmapped_reason.is_not(None))
            .order_by(InboundRequest.received_at.desc()))
