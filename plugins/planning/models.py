"""Tables of the planning module (prefix ``planning_``).

A care plan (opvangplan) is one agreement for one child at one location (two under co-parenting,
one per household). What was agreed lives in versions: a version starts at its effective date and
ends the day before the next one starts, so an addendum never rewrites history. Periods are
inclusive (``start_date``..``end_date``) with a CHECK; overlaps are refused by the service.
"""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.labels import DAY_PARTS as DAY_PART_LABELS
from core.models.base import TenantMixin, TimestampMixin

DAY_PARTS = ("morning", "afternoon", "full", "hours")
PATTERN_KINDS = ("weekly", "alternating", "custom")


class CarePlan(Base, TenantMixin, TimestampMixin):
    """The agreement: who, where, from when until when (or a description), with which household."""

    __tablename__ = "planning_care_plan"
    __audit_label__ = _l("Opvangplan")
    __audit_fields__ = {
        "own_child": _l("Eigen kind van de onthaalouder"),
    }
    __audited__ = True
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date <= end_date", name="start_before_end"),
        CheckConstraint("settling_in_until IS NULL OR settling_in_until >= start_date", name="settling_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="SET NULL"), index=True)
    living_group_id: Mapped[int | None] = mapped_column(ForeignKey("living_group.id", ondelete="SET NULL"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_description: Mapped[str] = mapped_column(String(200), default="")
    settling_in_until: Mapped[date | None] = mapped_column(Date)
    # the onthaalouder's own child (domain-rules §3.6, §4.2): when present it counts in capacity
    # and ratio like any child, but is never billed and has no respijtdagen
    own_child: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))

    versions: Mapped[list[CarePlanVersion]] = relationship(
        back_populates="care_plan", cascade="all, delete-orphan", order_by="CarePlanVersion.start_date"
    )
    extra_days: Mapped[list[ExtraDay]] = relationship(
        back_populates="care_plan", cascade="all, delete-orphan", order_by="ExtraDay.day"
    )


class CarePlanVersion(Base, TenantMixin, TimestampMixin):
    """The pattern agreed from ``start_date`` (the effective date) until ``end_date`` inclusive.

    ``kind``: weekly (same every week), alternating (week A/B; week A is the ISO week of
    ``reference_date``), custom (explicit dates, e.g. shift work, in planning_schedule_day)."""

    __tablename__ = "planning_care_plan_version"
    __audit_label__ = _l("Versie van een opvangplan")
    __audit_values__ = {"kind": {"weekly": _l("elke week hetzelfde"), "alternating": _l("week A en week B"),
                                 "custom": _l("eigen rooster")}}
    __audit_fields__ = {
        "reference_date": _l("Begin van week A"),
    }
    __audited__ = True
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date <= end_date", name="start_before_end"),
        CheckConstraint("kind IN ('weekly', 'alternating', 'custom')", name="kind_known"),
        UniqueConstraint("care_plan_id", "start_date"),
        # a plan's versions are read under the organisation's filter (tenant guard, bulk_plans): with
        # only single-column indexes SQLite walked every version of the organisation for each plan
        Index("ix_planning_care_plan_version_plan_org", "care_plan_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = mapped_column(ForeignKey("planning_care_plan.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12), default="weekly")
    reference_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))

    care_plan: Mapped[CarePlan] = relationship(back_populates="versions")
    days: Mapped[list[PatternDay]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="PatternDay.weekday"
    )
    schedule: Mapped[list[ScheduleDay]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ScheduleDay.day"
    )


class PatternDay(Base, TenantMixin):
    """One weekday of a weekly or alternating pattern: a day part, or hours from-to."""

    __tablename__ = "planning_pattern_day"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("day_part IN ('morning', 'afternoon', 'full', 'hours')", name="day_part_known"),
        CheckConstraint("week IS NULL OR week IN ('A', 'B')", name="week_known"),
        CheckConstraint("start_time IS NULL OR end_time IS NULL OR start_time < end_time", name="start_before_end"),
        # read per version under the organisation's filter, like the versions per plan
        Index("ix_planning_pattern_day_version_org", "version_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("planning_care_plan_version.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    week: Mapped[str | None] = mapped_column(String(1))
    day_part: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)

    version: Mapped[CarePlanVersion] = relationship(back_populates="days")


class ScheduleDay(Base, TenantMixin):
    """One date of a custom (shift-work) schedule version."""

    __tablename__ = "planning_schedule_day"
    __table_args__ = (
        UniqueConstraint("version_id", "day"),
        CheckConstraint("day_part IN ('morning', 'afternoon', 'full', 'hours')", name="day_part_known"),
        CheckConstraint("start_time IS NULL OR end_time IS NULL OR start_time < end_time", name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("planning_care_plan_version.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date, index=True)
    day_part: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)

    version: Mapped[CarePlanVersion] = relationship(back_populates="schedule")


class ExtraDay(Base, TenantMixin, TimestampMixin):
    """An occasionally agreed extra care day (no plan change needed, domain-rules §2.2 point 6)."""

    __tablename__ = "planning_extra_day"
    __audit_values__ = {"day_part": DAY_PART_LABELS}
    __audit_label__ = _l("Extra dag")
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("care_plan_id", "day"),
        CheckConstraint("day_part IN ('morning', 'afternoon', 'full', 'hours')", name="day_part_known"),
        CheckConstraint("start_time IS NULL OR end_time IS NULL OR start_time < end_time", name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = mapped_column(ForeignKey("planning_care_plan.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    day_part: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)

    care_plan: Mapped[CarePlan] = relationship(back_populates="extra_days")


class ClosingPeriod(Base, TenantMixin, TimestampMixin):
    """A collective closure or bridge day, for the whole organisation (location_id NULL) or one
    location. Public holidays are not stored: they come from the ``holidays`` package."""

    __tablename__ = "planning_closing_period"
    __audit_values__ = {"kind": {"closure": _l("collectieve sluiting"), "bridge": _l("brugdag")}}
    __audit_label__ = _l("Sluitingsperiode")
    __audited__ = True
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="start_before_end"),
        CheckConstraint("kind IN ('closure', 'bridge')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10), default="closure")
    reason: Mapped[str] = mapped_column(String(200))


class RespiteUse(Base, TenantMixin, TimestampMixin):
    """A respijtdag (or half) used by a child on a reserved day of one agreement (domain-rules
    §2.4), written by the attendance module through the api."""

    __tablename__ = "planning_respite_use"
    __audit_label__ = _l("Respijtdag")
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("child_id", "day"),
        CheckConstraint("amount > 0 AND amount <= 1", name="amount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    # the agreement whose balance the day is taken from (co-parenting: each household its own);
    # NULL only for days booked before respite was kept per agreement and not matched since
    care_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("planning_care_plan.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(3, 1), default=Decimal("1"))


class StaffShift(Base, TenantMixin):
    """Planned caregivers at a location per weekday and time span (optional: when known, the
    ratio check compares the staff needed with it)."""

    __tablename__ = "planning_staff_shift"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
        CheckConstraint("caregivers >= 0", name="caregivers_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    living_group_id: Mapped[int | None] = mapped_column(ForeignKey("living_group.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    caregivers: Mapped[int] = mapped_column(Integer)
    # logistiek medewerkers: from 2027 they count for at most 25 % of the caregivers required
    logistics: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class HouseRules(Base, TenantMixin, TimestampMixin):
    """One dated version of the huishoudelijk reglement (domain-rules §2.3, §2.5): a text or an
    uploaded PDF, in force from ``effective_date``. Versions are kept, never rewritten, so that
    every agreement can say which version the family signed."""

    __tablename__ = "planning_house_rules"
    __audit_label__ = _l("Huishoudelijk reglement")
    __audit_name__ = ("title",)
    __audit_fields__ = {
        "effective_date": _l("Geldt vanaf"),
        "title": _l("Titel"),
        "text": _l("Tekst"),
        "pdf": _l("PDF-bestand"),
        "pdf_name": _l("Naam van het PDF-bestand"),
        "to_detriment": _l("In het nadeel van de gezinnen"),
        "families_notified": _l("Verwittigde gezinnen"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "effective_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_name: Mapped[str] = mapped_column(String(200), default="")
    # a change to the families' detriment: 2 months' written notice (domain-rules §2.5)
    to_detriment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    families_notified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))


class CareAgreement(Base, TenantMixin, TimestampMixin):
    """The schriftelijke overeenkomst of one care plan (one per household under co-parenting,
    domain-rules §2.1), with the house-rules version it refers to and the deposit billing reads.
    Accepted once: by the parent's signed link or by a scanned signed copy."""

    __tablename__ = "planning_agreement"
    __audit_label__ = _l("Schriftelijke overeenkomst")
    __audit_fields__ = {
        "number": _l("Nummer"),
        "house_rules_id": _l("Huishoudelijk reglement"),
        "deposit_amount": _l("Waarborg"),
        "deposit_cap": _l("Maximale waarborg"),
        "low_income": _l("Laag inkomen"),
        "accepted_at": _l("Aanvaard op"),
        "accepted_via": _l("Aanvaard via"),
        "accepted_ip": _l("Aanvaard vanaf IP-adres"),
        "signed_copy": _l("Ondertekend exemplaar"),
        "signed_copy_name": _l("Naam van het ondertekende exemplaar"),
        "signed_copy_type": _l("Soort ondertekend exemplaar"),
    }
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("care_plan_id", "number"),
        CheckConstraint("deposit_amount >= 0", name="deposit_positive"),
        CheckConstraint("accepted_via IS NULL OR accepted_via IN ('link', 'scan')", name="accepted_via_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = mapped_column(ForeignKey("planning_care_plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # 1, 2, ... per care plan (addenda)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="SET NULL"))
    house_rules_id: Mapped[int] = mapped_column(ForeignKey("planning_house_rules.id", ondelete="RESTRICT"))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    deposit_amount: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0"))
    deposit_cap: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # None: free price, no legal cap
    low_income: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_via: Mapped[str | None] = mapped_column(String(4))
    accepted_ip: Mapped[str | None] = mapped_column(String(45))
    signed_copy: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    signed_copy_name: Mapped[str] = mapped_column(String(200), default="")
    signed_copy_type: Mapped[str] = mapped_column(String(40), default="")
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))

    house_rules: Mapped[HouseRules] = relationship()
