"""The loket's data: partners and their keys, locations, the state partners report (vacancies,
placements, request statuses as aggregates with the highest applied sequence), every event id
received (exactly once), and the registrations (one per child) with the per-partner change feed
that ``GET /requests`` pages through."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import clock
from core.db import UTCDateTime
from loket.db import Base


def _now() -> datetime:
    return clock.now()


class StaffUser(Base, UserMixin):
    __tablename__ = "loket_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(2), default="nl")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class Partner(Base):
    """A provider connected to the loket (a Koepel organisation or another platform)."""

    __tablename__ = "loket_partner"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inbound_url: Mapped[str] = mapped_column(String(500), default="")  # optional push
    pushed_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # feed position pushed so far
    push_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    events_applied: Mapped[int] = mapped_column(Integer, default=0)

    keys: Mapped[list[PartnerKey]] = relationship(back_populates="partner", order_by="PartnerKey.created_at")


class PartnerKey(Base):
    """One key id names one secret (encrypted at rest). Rotation adds a key and gives the old ones
    an ``expires_at`` (overlap): until then both verify."""

    __tablename__ = "loket_partner_key"

    key_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("loket_partner.id", ondelete="CASCADE"), index=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner] = relationship(back_populates="keys")


class SeenNonce(Base):
    """Nonces of accepted signatures within the window: a second use is a replay."""

    __tablename__ = "loket_seen_nonce"

    key_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(200), primary_key=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class IdempotencyRecord(Base):
    __tablename__ = "loket_idempotency"

    partner_id: Mapped[str] = mapped_column(ForeignKey("loket_partner.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, index=True)


class Location(Base):
    """A location ref is global at the loket; it belongs to one partner."""

    __tablename__ = "loket_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("loket_partner.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="", index=True)
    care_type: Mapped[str] = mapped_column(String(40), default="")

    partner: Mapped[Partner] = relationship()


class ReceivedEvent(Base):
    """Every event id a partner sent, once, with its outcome; ``times_received`` counts deliveries."""

    __tablename__ = "loket_received_event"

    partner_id: Mapped[str] = mapped_column(ForeignKey("loket_partner.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    aggregate_type: Mapped[str] = mapped_column(String(20))
    aggregate_id: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(10))  # accepted | stale | rejected
    reject_code: Mapped[str] = mapped_column(String(40), default="")
    reject_message: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    times_received: Mapped[int] = mapped_column(Integer, default=1)


class _Aggregate:
    partner_id: Mapped[str] = mapped_column(ForeignKey("loket_partner.id", ondelete="CASCADE"), primary_key=True)
    aggregate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Vacancy(_Aggregate, Base):
    __tablename__ = "loket_vacancy"
    __table_args__ = (Index("ix_loket_vacancy_filter", "month", "age_band"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("loket_location.id", ondelete="CASCADE"), index=True)
    age_band: Mapped[str] = mapped_column(String(40), default="")
    days: Mapped[Any] = mapped_column(JSON, default=list)
    month: Mapped[str] = mapped_column(String(7), default="")
    free_places: Mapped[int] = mapped_column(Integer, default=0)
    last_minute: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    location: Mapped[Location] = relationship()


class Placement(_Aggregate, Base):
    __tablename__ = "loket_placement"

    location_id: Mapped[int] = mapped_column(ForeignKey("loket_location.id", ondelete="CASCADE"), index=True)
    loket_request_id: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    child_first_name: Mapped[str] = mapped_column(String(100), default="")
    child_initial: Mapped[str] = mapped_column(String(2), default="")
    status: Mapped[str] = mapped_column(String(10), default="started")  # started | ended

    location: Mapped[Location] = relationship()


class RequestStatus(_Aggregate, Base):
    """What a partner reports about a request of the loket (offer made, accepted, placed...)."""

    __tablename__ = "loket_request_status"

    registration_id: Mapped[int] = mapped_column(ForeignKey("loket_registration.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    location_ref: Mapped[str] = mapped_column(String(60), default="")


class Registration(Base):
    """One registration per child at the loket (``child_key`` unique among active ones), with a
    preference list across partners' locations."""

    __tablename__ = "loket_registration"
    __table_args__ = (
        Index("uq_loket_registration_active_child", "child_key", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)  # active|withdrawn|placed
    placed_by_partner_id: Mapped[str | None] = mapped_column(ForeignKey("loket_partner.id", ondelete="SET NULL"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    child_key: Mapped[str] = mapped_column(String(300))
    applicant_first_name: Mapped[str] = mapped_column(String(100))
    applicant_last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(2), default="nl")
    child_first_name: Mapped[str] = mapped_column(String(100))
    child_last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_birth_date: Mapped[date | None] = mapped_column(Date)
    desired_start: Mapped[date] = mapped_column(Date)
    days: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{"day": "mon", "part": "full"}]
    priority_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_reason: Mapped[str] = mapped_column(String(500), default="")

    preferences: Mapped[list[Preference]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="Preference.rank")


class Preference(Base):
    __tablename__ = "loket_preference"
    __table_args__ = (UniqueConstraint("registration_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("loket_registration.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("loket_location.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)

    registration: Mapped[Registration] = relationship(back_populates="preferences")
    location: Mapped[Location] = relationship()


class FeedEntry(Base):
    """The latest change of a registration as a partner sees it; ``seq`` is global and only grows
    (one counter row, locked), so a cursor is the last ``seq`` a partner has processed."""

    __tablename__ = "loket_feed"
    __table_args__ = (Index("ix_loket_feed_partner_seq", "partner_id", "seq"),)

    partner_id: Mapped[str] = mapped_column(ForeignKey("loket_partner.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("loket_registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)


class Counter(Base):
    __tablename__ = "loket_counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
