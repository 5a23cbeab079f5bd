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


def vacancy_checksum(ctx) -> tuple[int, str]:
    """Count and checksum of the vacancies as last published, computed as docs/loket-api.yaml
    defines it for ``GET /state``: SHA-256 of the sorted lines ``{aggregate id}|{free}|{0|1}``."""
    import hashlib

    from ..models import VacancyState

    lines = sorted(f"{aid}|{free}|{1 if lm else 0}" for aid, free, lm in ctx.session.execute(
        select(VacancyState.aggregate_id, VacancyState.free, VacancyState.last_minute).where(
            VacancyState.organisation_id == ctx.org.id)))
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def events_query(ctx, status: str | None = None):
    stmt = select(SyncEvent).where(SyncEvent.organisation_id == ctx.org.id).order_by(SyncEvent.id.desc())
    if status in {s.value for s in EventStatus}:
        stmt = stmt.where(SyncEvent.status == EventStatus(status))
    return stmt


def unmapped_query(ctx):
    return (select(InboundRequest).where(InboundRequest.organisation_id == ctx.org.id,
                                         InboundRequest.unmapped_reason.is_not(None))
            .order_by(InboundRequest.received_at.desc()))


@dataclass(frozen=True)
class PartnerState:
    org_name: str
    org_slug: str
    state: str
    state_message: str
    counts: dict[str, int]
    oldest_pending: datetime | None
    unmapped: int


def koepel_overview(session, koepel_id: int) -> list[PartnerState]:
    """Every partner of the koepel with loket_sync on: four queries, whatever their number."""
    from core.models import Organisation, OrganisationModule

    from ..models import Connection

    orgs = session.execute(select(Organisation.id, Organisation.name, Organisation.slug).join(
        OrganisationModule, OrganisationModule.organisation_id == Organisation.id).where(
        Organisation.koepel_id == koepel_id, OrganisationModule.module == "loket_sync").order_by(Organisation.name)).all()
    ids = [o.id for o in orgs]
    if not ids:
        return []
    counts: dict[int, dict[str, int]] = {i: {s.value: 0 for s in EventStatus} for i in ids}
    oldest: dict[int, datetime] = {}
    for org_id, state, n, first in session.execute(
            select(SyncEvent.organisation_id, SyncEvent.status, func.count(), func.min(SyncEvent.created_at))
            .where(SyncEvent.organisation_id.in_(ids)).group_by(SyncEvent.organisation_id, SyncEvent.status)):
        counts[org_id][EventStatus(state).value] = n
        if EventStatus(state) == EventStatus.PENDING:
            oldest[org_id] = first
    unmapped = dict(session.execute(select(InboundRequest.organisation_id, func.count()).where(
        InboundRequest.organisation_id.in_(ids), InboundRequest.unmapped_reason.is_not(None))
        .group_by(InboundRequest.organisation_id)).all())
    conns = {c.organisation_id: c for c in session.scalars(select(Connection).where(Connection.organisation_id.in_(ids)))}
    return [PartnerState(o.name, o.slug, conns[o.id].state if o.id in conns else "new",
                         conns[o.id].state_message if o.id in conns else "", counts[o.id], oldest.get(o.id),
                         unmapped.get(o.id, 0)) for o in orgs]
