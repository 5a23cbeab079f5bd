"""Writing events for the loket: a stable uuid, the partner, the aggregate and a sequence number
per aggregate, in the caller's transaction, and the sender job queued with it (coalesced).

The sequence is taken with ``UPDATE ... RETURNING`` on a counter row (created once with
``INSERT ... ON CONFLICT DO NOTHING``): the UPDATE locks the row, so two transactions touching one
aggregate get 1, 2, ... and never the same number (PostgreSQL row lock, SQLite's single writer)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import object_session

from core.clock import clock
from core.db import upsert_ignore
from core.jobs import enqueue_job
from core.models import Location

from ..models import AggregateSequence, EventStatus, LocationRef, SyncEvent

SEND = "loket_sync.send"
EVENT_TYPES = ("vacancy.published", "vacancy.changed", "vacancy.withdrawn", "placement.started",
               "placement.ended", "request.status")


def next_sequence(session, org_id: int, aggregate_type: str, aggregate_id: str) -> int:
    session.execute(upsert_ignore(session, AggregateSequence.__table__,
                                  ["organisation_id", "aggregate_type", "aggregate_id"]).values(
        organisation_id=org_id, aggregate_type=aggregate_type, aggregate_id=aggregate_id, last_sequence=0))
    return session.execute(
        update(AggregateSequence)
        .where(AggregateSequence.organisation_id == org_id, AggregateSequence.aggregate_type == aggregate_type,
               AggregateSequence.aggregate_id == aggregate_id)
        .values(last_sequence=AggregateSequence.last_sequence + 1)
        .returning(AggregateSequence.last_sequence)
        .execution_options(synchronize_session=False)).scalar_one()


def emit(ctx, event_type: str, aggregate_type: str, aggregate_id: str, data: dict,
         occurred_at: datetime | None = None) -> SyncEvent:
    """Store one event (status pending) and make sure a sender job waits for it."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown loket event type {event_type!r}")
    session = ctx.session
    event = SyncEvent(organisation_id=ctx.org.id, event_id=str(uuid.uuid4()), type=event_type,
                      aggregate_type=aggregate_type, aggregate_id=str(aggregate_id),
                      sequence=next_sequence(session, ctx.org.id, aggregate_type, str(aggregate_id)),
                      occurred_at=occurred_at or ctx.now(), data=data, status=EventStatus.PENDING, attempts=0,
                      next_attempt_at=ctx.now(), created_at=ctx.now())
    session.add(event)
    session.flush()
    ensure_sender(session, ctx.org.id)
    return event


def ensure_sender(session, org_id: int, run_at: datetime | None = None):
    """The organisation's sender job (one waiting at a time: coalesced by its key); a waiting one
    due later (a retry) is brought forward to ``run_at`` (default now)."""
    run_at = run_at or clock.now()
    job, new = enqueue_job(session, SEND, {}, key=f"{SEND}:{org_id}", organisation_id=org_id, run_at=run_at,
                           module="loket_sync")
    if not new and job.run_at > run_at:
        job.run_at = run_at
        session.flush()
    return job


def location_ref(location: Location) -> str:
    """How the loket knows a location: the loket's own code when one was given
    (``loket_sync_location_ref``), else its Opgroeien file number, else a koepel reference. The
    codes of an organisation are read once per session."""
    session = object_session(location)
    if session is not None:
        cache = session.info.setdefault("loket_sync_refs", {})
        if location.organisation_id not in cache:
            cache[location.organisation_id] = dict(session.execute(select(LocationRef.location_id, LocationRef.ref).where(
                LocationRef.organisation_id == location.organisation_id)).all())
        own = cache[location.organisation_id].get(location.id)
        if own:
            return own
    return (location.opgroeien_file_no or "").strip() or f"koepel-{location.id}"


def set_location_ref(ctx, location: Location, ref: str) -> None:
    """Give a location the loket's own code (empty: back to the file number)."""
    row = ctx.session.scalar(select(LocationRef).where(LocationRef.location_id == location.id))
    if not ref.strip():
        if row is not None:
            ctx.session.delete(row)
    elif row is None:
        ctx.session.add(LocationRef(organisation_id=ctx.org.id, location_id=location.id, ref=ref.strip()[:60]))
    else:
        row.ref = ref.strip()[:60]
    ctx.session.flush()
    ctx.session.info.pop("loket_sync_refs", None)


def location_info(location: Location) -> dict:
    return {"ref": location_ref(location), "name": location.name, "municipality": location.municipality or "",
            "postcode": location.postcode or "", "care_type": str(getattr(location.care_type, "value",
                                                                            location.care_type))}


def locations_by_ref(ctx) -> dict[str, Location]:
    rows = ctx.session.scalars(select(Location).where(Location.organisation_id == ctx.org.id))
    return {location_ref(loc): loc for loc in rows}


def wire(event: SyncEvent, partner: str) -> dict:
    """The event as the loket API carries it (docs/loket-api.yaml)."""
    return {"id": event.event_id, "type": event.type, "partner": partner,
            "aggregate": {"type": event.aggregate_type, "id": event.aggregate_id},
            "sequence": event.sequence, "occurred_at": event.occurred_at.isoformat(), "data": event.data}
