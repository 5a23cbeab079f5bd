"""Tables of the wachtlijst module: care requests (opvangvragen), their preferences, status
history, offers, priority policies and central allocation runs.

A care request is one applicant + one child (Opgroeien's counting rule): twins are two requests,
linked through ``sibling_request_id``.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import core.jobs  # noqa: F401  (the job table belongs to the migrated schema)
from core.clock import clock
from core.crypto import EncryptedString
from core.db import Base, UTCDateTime
from core.models.base import TenantMixin, TimestampMixin, str_enum


class Status(enum.StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    OFFER_MADE = "offer_made"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    PLACED = "placed"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


OPEN_STATUSES = (Status.SUBMITTED, Status.CONFIRMED, Status.OFFER_MADE, Status.DECLINED, Status.EXPIRED)
WAITING_STATUSES = (Status.CONFIRMED, Status.DECLINED, Status.EXPIRED)  # may receive an offer


class OfferStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def _texts_label(prefix: str):
    """A status in the reader's words, from the waiting list's own texts (``st_``, ``of_``, ``run_``)."""
    def label(value) -> str | None:
        from flask_babel import get_locale

        from .services.texts import TEXTS, t, valid_language

        key = f"{prefix}{value}"
        return t(key, valid_language(str(get_locale()))) if key in TEXTS else None
    return label


class CareRequest(Base, TenantMixin, TimestampMixin):
    __tablename__ = "wachtlijst_request"
    __audit_label__ = _l("Opvangvraag")
    __audit_name__ = ("child_first_name", "child_last_name")
    __audit_values__ = {"status": _texts_label("st_"),
                        "channel": {"staff": _l("medewerker"), "public": _l("publiek formulier"),
                                    "referrer": _l("doorverwijzer")}}
    __audit_fields__ = {
        "token_hash": _l("Persoonlijke link"),
        "token": _l("Persoonlijke link"),
        "channel": _l("Ingediend via"),
        "external_source": _l("Externe bron"),
        "external_id": _l("Nummer bij de externe bron"),
        "applicant_first_name": _l("Voornaam van de aanvrager"),
        "applicant_last_name": _l("Familienaam van de aanvrager"),
        "child_first_name": _l("Voornaam van het kind"),
        "child_last_name": _l("Familienaam van het kind"),
        "child_birth_date": _l("Geboortedatum van het kind"),
        "sibling_request_id": _l("Aanvraag van een broer of zus"),
        "desired_start": _l("Gewenste startdatum"),
        "days": _l("Gewenste dagen"),
        "work": _l("Werk, werk zoeken of opleiding"),
        "single_parent": _l("Alleenstaande ouder"),
        "low_income": _l("Laag inkomen"),
        "foster_child": _l("Pleegkind"),
        "sibling_in_care": _l("Broer of zus in de opvang"),
        "low_education": _l("Laag opleidingsniveau"),
        "family_member_handicap": _l("Gezinslid met een handicap"),
        "family_member_self_care": _l("Gezinslid met zorgnood"),
        "social_pedagogical": _l("Sociaal-pedagogische reden"),
        "dutch_speaking": _l("Nederlandstalig"),
        "urgent": _l("Dringend"),
        "consent_referrers": _l("Toestemming voor doorverwijzers"),
        "referrer_name": _l("Doorverwijzer"),
        "submitted_at": _l("Ingediend op"),
        "confirmed_at": _l("Bevestigd op"),
        "closed_at": _l("Afgesloten op"),
        "merged_into_id": _l("Samengevoegd met"),
        "placed_location_id": _l("Geplaatst in"),
        "anonymised_at": _l("Geanonimiseerd op"),
    }
    __audited__ = True
    __table_args__ = (
        CheckConstraint("child_birth_date IS NOT NULL OR expected_birth_date IS NOT NULL", name="birth_known"),
        # one request per id of an outside system (the loket): a repeated call finds it again
        UniqueConstraint("organisation_id", "external_source", "external_id", name="uq_wachtlijst_request_external_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status] = mapped_column(str_enum(Status, 16), default=Status.SUBMITTED, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # looks up the status page
    token: Mapped[str | None] = mapped_column(EncryptedString)  # to rebuild the link in later mails
    language: Mapped[str] = mapped_column(String(2), default="nl")
    channel: Mapped[str] = mapped_column(String(16), default="staff")  # staff | public | referrer | <source>
    # the request's id in the outside system it came from (e.g. the lokaal loket); NULL otherwise
    external_source: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(100))
    # applicant
    applicant_first_name: Mapped[str] = mapped_column(String(100))
    applicant_last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    # child
    child_first_name: Mapped[str] = mapped_column(String(100), default="")
    child_last_name: Mapped[str] = mapped_column(String(100))
    child_birth_date: Mapped[date | None] = mapped_column(Date)
    expected_birth_date: Mapped[date | None] = mapped_column(Date)
    sibling_request_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("wachtlijst_request.id", ondelete="SET NULL"))  # twins
    # wish
    desired_start: Mapped[date] = mapped_column(Date, index=True)
    days: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"weekday":0,"day_part":"full"}]
    # facts for priority
    work: Mapped[bool] = mapped_column(Boolean, default=False)  # work, looking for work or training
    single_parent: Mapped[bool] = mapped_column(Boolean, default=False)
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    foster_child: Mapped[bool] = mapped_column(Boolean, default=False)
    sibling_in_care: Mapped[bool] = mapped_column(Boolean, default=False)
    care_need: Mapped[bool] = mapped_column(Boolean, default=False)
    low_education: Mapped[bool] = mapped_column(Boolean, default=False)
    family_member_handicap: Mapped[bool] = mapped_column(Boolean, default=False)
    family_member_self_care: Mapped[bool] = mapped_column(Boolean, default=False)
    social_pedagogical: Mapped[bool] = mapped_column(Boolean, default=False)
    dutch_speaking: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_referrers: Mapped[bool] = mapped_column(Boolean, default=False)
    referrer_name: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # lifecycle
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now(), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("wachtlijst_request.id", ondelete="SET NULL"))
    placed_location_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("location.id", ondelete="SET NULL"), index=True)
    child_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("child.id", ondelete="SET NULL"))
    family_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("family.id", ondelete="SET NULL"))
    care_plan_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    preferences: Mapped[list[Preference]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Preference.rank")
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="StatusChange.id")
    offers: Mapped[list[Offer]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Offer.id")

    @property
    def birth(self) -> date:
        return self.child_birth_date or self.expected_birth_date  # type: ignore[return-value]

    @property
    def applicant_name(self) -> str:
        return f"{self.applicant_first_name} {self.applicant_last_name}"

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()


class Preference(Base, TenantMixin):
    __tablename__ = "wachtlijst_preference"
    __table_args__ = (UniqueConstraint("request_id", "location_id"), UniqueConstraint("request_id", "rank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("wachtlijst_request.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)

    request: Mapped[CareRequest] = relationship(back_populates="preferences")


class StatusChange(Base, TenantMixin):
    """Every status change: when, by whom (a user, the parent or the system) and why."""

    __tablename__ = "wachtlijst_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("wachtlijst_request.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(40), default="")  # "ouder" | "systeem" | user name
    reason: Mapped[str] = mapped_column(String(500), default="")

    request: Mapped[CareRequest] = relationship(back_populates="history")


class Offer(Base, TenantMixin, TimestampMixin):
    __tablename__ = "wachtlijst_offer"
    __audit_label__ = _l("Aanbod")
    __audit_values__ = {"status": _texts_label("of_")}
    __audit_fields__ = {
        "request_id": _l("Opvangvraag"),
        "days": _l("Aangeboden dagen"),
        "age_band": _l("Leeftijdsgroep"),
        "day_parts": _l("Dagdelen"),
        "made_by_id": _l("Aangeboden door"),
        "made_at": _l("Aangeboden op"),
        "answered_at": _l("Beantwoord op"),
        "allocation_run_id": _l("Centrale toewijzing"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("wachtlijst_request.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    age_band: Mapped[str] = mapped_column(String(40), default="")
    day_parts: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus, 16), default=OfferStatus.OPEN, index=True)
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    made_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allocation_run_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("wachtlijst_allocation_run.id", ondelete="SET NULL"))

    request: Mapped[CareRequest] = relationship(back_populates="offers")


class Policy(Base, TenantMixin, TimestampMixin):
    """The organisation's priority policy as data: an ordered list of rule keys."""

    __tablename__ = "wachtlijst_policy"
    __audit_label__ = _l("Voorrangsbeleid")
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)


class AllocationRun(Base, TimestampMixin):
    """A central allocation proposal across the koepel, kept for review and audit."""

    __tablename__ = "wachtlijst_allocation_run"
    __audit_label__ = _l("Centrale toewijzing")
    __audit_values__ = {"status": _texts_label("run_")}
    __audit_fields__ = {
        "start": _l("Start"),
        "result": _l("Resultaat"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    koepel_id: Mapped[int] = mapped_column(ForeignKey("koepel.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
    start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="proposal")  # proposal | sent
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
