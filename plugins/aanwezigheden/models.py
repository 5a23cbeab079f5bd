"""Tables of the aanwezigheden module (all prefixed ``aanwezigheden_``).

Registrations are append-only events (arrival, departure) with a client-generated id that the
server accepts once; stays are derived from the accepted events by a pure function, so the
result does not depend on the order in which tablets synchronise.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import register_summary
from core.crypto import EncryptedString
from core.db import Base, UTCDateTime
from core.models.base import TenantMixin, TimestampMixin, str_enum


class EventKind(enum.StrEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class EventStatus(enum.StrEnum):
    ACCEPTED = "accepted"  # counts for the register
    DUPLICATE = "duplicate"  # same moment registered by another tablet; the earliest one counts
    REJECTED = "rejected"  # waits for a director's decision
    DISMISSED = "dismissed"  # does not count: a director decided so, or it was undone on the tablet (see reason)
    VOIDED = "voided"  # replaced by a director's correction


EVENT_STATUS_LABELS = {
    EventStatus.ACCEPTED: _l("aanvaard"),
    EventStatus.DUPLICATE: _l("dubbel (de eerste registratie telt)"),
    EventStatus.REJECTED: _l("geweigerd, wacht op een beslissing"),
    EventStatus.DISMISSED: _l("telt niet mee (beslist)"),
    EventStatus.VOIDED: _l("vervangen door een verbetering"),
}


class AbsenceKind(enum.StrEnum):
    RESPIJT = "respijt"
    GERECHTVAARDIGD = "gerechtvaardigd"
    ONGERECHTVAARDIGD = "ongerechtvaardigd"
    SLUITING = "sluiting"


class Device(Base, TenantMixin, TimestampMixin):
    """A tablet paired with one location; the token (only its hash is stored) is a long-lived
    device session that allows only that location's attendance."""

    __tablename__ = "aanwezigheden_device"
    __audit_label__ = _l("Tablet")
    __audit_name__ = ("name",)
    __audit_fields__ = {
        "token_hash": _l("Koppelcode"),
        "paired_by_id": _l("Gekoppeld door"),
        "expires_at": _l("Geldig tot"),
        "revoked_at": _l("Ingetrokken op"),
        "last_seen_at": _l("Laatst gezien"),
        "failed_pins": _l("Foute pincodes"),
        "locked_until": _l("Geblokkeerd tot"),
        "offline_key": _l("Sleutel zonder verbinding"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    paired_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # key of the per-device PIN verifiers for offline unlocking (hex; see services/devices.py)
    offline_key: Mapped[str | None] = mapped_column(String(64))

    def __str__(self) -> str:
        return self.name


class StaffPin(Base, TenantMixin, TimestampMixin):
    """A staff member's personal tablet PIN, hashed with argon2 (never stored in clear)."""

    __tablename__ = "aanwezigheden_staff_pin"
    __audit_label__ = _l("Pincode")
    __audit_fields__ = {
        "user_id": _l("Gebruiker"),
        "pin_hash": _l("Pincode"),
        "offline_salt": _l("Sleutel zonder verbinding"),
        "offline_iterations": _l("Sleutel zonder verbinding"),
        "offline_hash": _l("Sleutel zonder verbinding"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    pin_hash: Mapped[str] = mapped_column(String(255))
    # PBKDF2-SHA256 of the PIN (hex) with its own salt: the base of the per-device verifiers a
    # tablet checks offline. Renewed with every PIN change (new salt).
    offline_salt: Mapped[str | None] = mapped_column(String(32))
    offline_iterations: Mapped[int | None] = mapped_column(Integer)
    offline_hash: Mapped[str | None] = mapped_column(String(64))


class EncryptedText(EncryptedString):
    """``core.crypto.EncryptedString`` without the 255-character limit (bearer tokens can be long
    JWTs); being an EncryptedString, ``koepel crypto rotate`` re-encrypts it with the other columns."""

    impl = Text
    cache_ok = True


class KotCredential(Base, TenantMixin):
    """The organisation's bearer token for the KOT API, encrypted at rest (``core.crypto``); never
    shown again after it was entered. Not audited by value: changes write an audit entry without it."""

    __tablename__ = "aanwezigheden_kot_credential"
    __audit_label__ = _l("KOT-toegangssleutel")
    __audit_summary__ = ()  # the stored summary is Dutch; the change says it
    __audit_fields__ = {
        "token": _l("KOT-toegangssleutel"),
    }
    __table_args__ = (UniqueConstraint("organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column("token_encrypted", EncryptedText)  # plain in Python, encrypted in the row
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )


class ChildCode(Base, TenantMixin, TimestampMixin):
    """Per-child facts only this module needs: the Opgroeien kindcode (FO-SU-05), sex and school
    start (KOT payload), and whether the child is the onthaalouder's own child."""

    __tablename__ = "aanwezigheden_child_code"
    __audit_label__ = _l("Kindcode (Opgroeien)")
    __audit_fields__ = {
        "kindcode": _l("Kindcode"),
        "sex": _l("Geslacht"),
        "school_start": _l("Naar school vanaf"),
        "school_part_time": _l("Deeltijds naar school"),
        "own_child": _l("Eigen kind van de onthaalouder"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), unique=True)
    kindcode: Mapped[str | None] = mapped_column(String(13))
    sex: Mapped[str | None] = mapped_column(String(1))  # "M" | "V"
    school_start: Mapped[date | None] = mapped_column(Date)
    # part-time school (deeltijds kleuteronderwijs) does not make care out-of-school (FO-SU-05 BO)
    school_part_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    own_child: Mapped[bool] = mapped_column(Boolean, default=False)


class HouseholdKindcode(Base, TenantMixin, TimestampMixin):
    """A second (or further) kindcode: under co-parenting each household can hold its own attest
    inkomenstarief for the same child, so FO-SU-05 reports the child once per kindcode, with the
    days of the household whose care plan they belong to (domain rules §3.3, "Matching")."""

    __tablename__ = "aanwezigheden_household_kindcode"
    __audit_label__ = _l("Kindcode per gezin (Opgroeien)")
    __audit_fields__ = {
        "kindcode": _l("Kindcode"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("child_id", "family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    kindcode: Mapped[str] = mapped_column(String(13))


class AttendanceEvent(Base, TenantMixin):
    """One tap on a tablet (or a director's correction). Never edited except its status."""

    __tablename__ = "aanwezigheden_event"
    __audit_label__ = _l("Registratie")
    __audit_summary__ = ("kind", "child_id", "day")
    __audit_values__ = {"kind": {"arrival": _l("aankomst"), "departure": _l("vertrek")},
                        "status": EVENT_STATUS_LABELS}
    __audit_fields__ = {
        "at": _l("Tijdstip"),
        "corrects": _l("Verbetert registratie"),
        "by": _l("Door"),
        "client_id": _l("Registratiecode van het toestel"),
        "offline": _l("Zonder verbinding geregistreerd"),
    }
    # not __audited__: a tap is itself the record; corrections and decisions write audit entries
    __table_args__ = (
        UniqueConstraint("organisation_id", "client_id"),
        Index("ix_aanwezigheden_event_child_day", "child_id", "day"),
        Index("ix_aanwezigheden_event_location_day", "location_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    child_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("child.id", ondelete="SET NULL"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)  # tablet time, recorded offline
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("aanwezigheden_device.id", ondelete="SET NULL")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, 12), default=EventStatus.ACCEPTED)
    message: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")  # corrections and decisions
    corrects_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("aanwezigheden_event.id", ondelete="SET NULL")
    )
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # raw input of rejected items

    def __str__(self) -> str:
        return register_summary(self.kind, self.child_id, self.day)


class Absence(Base, TenantMixin, TimestampMixin):
    """An absence on a reserved day (or a parent's notice entered ahead of time)."""

    __tablename__ = "aanwezigheden_absence"
    __audit_label__ = _l("Afwezigheid")
    __audit_summary__ = ("kind", "child_id", "day")
    __audit_values__ = {"kind": {"respijt": _l("respijtdag"), "gerechtvaardigd": _l("gerechtvaardigd"),
                                 "ongerechtvaardigd": _l("ongerechtvaardigd"), "sluiting": _l("sluitingsdag")}}
    __audit_fields__ = {
        "notified_in_advance": _l("Vooraf gemeld"),
        "client_id": _l("Registratiecode van het toestel"),
        "recorded_by_id": _l("Geregistreerd door"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("child_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[AbsenceKind] = mapped_column(str_enum(AbsenceKind, 20))
    reason: Mapped[str] = mapped_column(String(40), default="")  # e.g. "ziekte" (organisation setting)
    note: Mapped[str] = mapped_column(String(500), default="")
    notified_in_advance: Mapped[bool] = mapped_column(Boolean, default=False)
    client_id: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )

    def __str__(self) -> str:
        return register_summary(self.kind, self.child_id, self.day)


class Confirmation(Base, TenantMixin):
    """A parent's confirmation of the register: per pickup (one day) or per week."""

    __tablename__ = "aanwezigheden_confirmation"
    __audit_label__ = _l("Bevestiging door ouder")
    __audit_summary__ = ("kind", "child_id", "start_day")
    __audit_values__ = {"kind": {"pickup": _l("bij het ophalen"), "week": _l("voor de hele week")}}
    __audit_fields__ = {
        "client_id": _l("Registratiecode van het toestel"),
        "start_day": _l("Eerste dag"),
        "end_day": _l("Laatste dag"),
        "confirmed_by": _l("Bevestigd door"),
        "at": _l("Tijdstip"),
        "offline": _l("Zonder verbinding geregistreerd"),
        "device_id": _l("Tablet"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))  # "pickup" | "week"
    confirmed_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    device_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("aanwezigheden_device.id", ondelete="SET NULL")
    )

    def __str__(self) -> str:
        return register_summary(self.kind, self.child_id, self.start_day)


class ReportSubmission(Base, TenantMixin):
    """A report sent to Opgroeien (or the attempt): kept as proof and for the dashboard."""

    __tablename__ = "aanwezigheden_report_submission"
    __table_args__ = (Index("ix_aanwezigheden_report_submission_loc_period", "location_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # "YYYY-MM"
    kind: Mapped[str] = mapped_column(String(10))  # "kot" | "fo-su-05"
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    http_status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(String(2000), default="")
    sent_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )


class RejectedItem(Base, TenantMixin):
    """An absence or confirmation queued offline that the server refused at sync time: kept for a
    director's decision (refused arrivals and departures stay in ``aanwezigheden_event``)."""

    __tablename__ = "aanwezigheden_rejected_item"
    __audit_label__ = _l("Geweigerde registratie")
    __audit_summary__ = ("item_type",)
    __audit_values__ = {"decision": {"accepted": _l("aanvaard"), "dismissed": _l("telt niet mee (beslist)")},
                        "item_type": {"absence": _l("afwezigheid"), "confirmation": _l("bevestiging")}}
    __audit_fields__ = {
        "decision": _l("Beslissing"),
    }
    __table_args__ = (UniqueConstraint("organisation_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("aanwezigheden_device.id", ondelete="SET NULL")
    )
    item_type: Mapped[str] = mapped_column(String(20))  # "absence" | "confirmation"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str] = mapped_column(String(10), default="")  # "" | "accepted" | "dismissed"
    reason: Mapped[str] = mapped_column(String(500), default="")
