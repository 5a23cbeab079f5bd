"""Tables of the loket_sync module: the outbox of events for the loket, the sequence counter per
aggregate, the vacancy state last sent, the connection per organisation and what came in."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import core.jobs  # noqa: F401  (the job table belongs to the migrated schema)
from core.clock import clock
from core.db import Base, UTCDateTime
from core.models.base import TenantMixin, str_enum


class EventStatus(enum.StrEnum):
    PENDING = "pending"    # waits to be sent (again, after ``next_attempt_at``)
    SENT = "sent"          # the loket answered accepted, duplicate or stale
    FAILED = "failed"      # a final answer that is not the event's fault (a 4xx for the batch, too many tries)
    REJECTED = "rejected"  # the loket refused this event (reason in last_error): never retried


class SyncEvent(Base, TenantMixin):
    """One event for the loket, written in the transaction of the change that causes it."""

    __tablename__ = "loket_sync_event"
    __table_args__ = (
        Index("ix_loket_sync_event_due", "organisation_id", "status", "next_attempt_at", "id"),
        Index("ix_loket_sync_event_aggregate", "organisation_id", "aggregate_type", "aggregate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # uuid4, the loket's dedupe key
    type: Mapped[str] = mapped_column(String(40))
    aggregate_type: Mapped[str] = mapped_column(String(20))
    aggregate_id: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, 16), default=EventStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))  # accepted | duplicate | stale (when sent)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AggregateSequence(Base, TenantMixin):
    """The last sequence number given to an aggregate (incremented with UPDATE ... RETURNING)."""

    __tablename__ = "loket_sync_sequence"
    __table_args__ = (UniqueConstraint("organisation_id", "aggregate_type", "aggregate_id",
                                       name="uq_loket_sync_sequence_aggregate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aggregate_type: Mapped[str] = mapped_column(String(20))
    aggregate_id: Mapped[str] = mapped_column(String(120))
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class VacancyState(Base, TenantMixin):
    """A vacancy as last published to the loket (deleted when withdrawn)."""

    __tablename__ = "loket_sync_vacancy_state"
    __table_args__ = (UniqueConstraint("organisation_id", "location_id", "month", "age_band", "day_parts",
                                       "last_minute", name="uq_loket_sync_vacancy_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[str] = mapped_column(String(7))  # "YYYY-MM"
    age_band: Mapped[str] = mapped_column(String(40))
    day_parts: Mapped[str] = mapped_column(String(80))
    last_minute: Mapped[bool] = mapped_column(Boolean, default=False)
    free: Mapped[int] = mapped_column(Integer)
    aggregate_id: Mapped[str] = mapped_column(String(120))


class Connection(Base, TenantMixin):
    """The organisation's loket: address, key ids (the secrets are in ``outbound_secret``), the
    pull cursor and the last state of the exchange."""

    __tablename__ = "loket_sync_connection"
    __table_args__ = (UniqueConstraint("organisation_id", name="uq_loket_sync_connection_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adapter: Mapped[str] = mapped_column(String(20), default="http")
    base_url: Mapped[str] = mapped_column(String(300), default="")
    partner_id: Mapped[str] = mapped_column(String(40), default="")  # our id at the loket (default: the slug)
    key_id: Mapped[str] = mapped_column(String(200), default="")
    old_key_id: Mapped[str] = mapped_column(String(200), default="")
    old_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the previous secret is kept until then
    cursor: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="new")  # new | ok | auth_refused | error
    state_message: Mapped[str] = mapped_column(String(500), default="")
    state_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboundRequest(Base, TenantMixin):
    """A request the loket gave this partner: the version applied, the wachtlijst request it became
    or, when it could not be mapped, why (shown to the director, never dropped)."""

    __tablename__ = "loket_sync_inbound"
    __table_args__ = (UniqueConstraint("organisation_id", "loket_request_id", name="uq_loket_sync_inbound"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loket_request_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")
    care_request_id: Mapped[int | None] = mapped_column(Integer)
    unmapped_reason: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())


class LocationRef(Base, TenantMixin):
    """The loket's own code for a location, where it is not the Opgroeien file number."""

    __tablename__ = "loket_sync_location_ref"
    __table_args__ = (UniqueConstraint("location_id", name="uq_loket_sync_location_ref_location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer, ForeignKey("location.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(60))


class SeenNonce(Base, TenantMixin):
    """Nonces of signed pushes from the loket within the signature window: a replay is refused."""

    __tablename__ = "loket_sync_seen_nonce"
    __table_args__ = (UniqueConstraint("organisation_id", "key_id", "nonce", name="uq_loket_sync_seen_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
