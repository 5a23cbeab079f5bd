"""Childcare locations (opvanglocaties), their opening hours and living groups (leefgroepen)."""
from __future__ import annotations

import enum
from datetime import time
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Time, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models.base import TenantMixin, TimestampMixin, str_enum

if TYPE_CHECKING:
    from core.models.organisation import Organisation


class CareType(enum.StrEnum):
    GROEPSOPVANG = "groepsopvang"
    GEZINSOPVANG = "gezinsopvang"
    BUITENSCHOOLSE_OPVANG = "buitenschoolse_opvang"
    OPVANG_ZIEKE_KINDEREN = "opvang_zieke_kinderen"


class Location(Base, TenantMixin, TimestampMixin):
    __tablename__ = "location"
    __audit_label__ = _l("Locatie")
    __audit_name__ = ("name",)
    __audit_fields__ = {
        "care_type": _l("Opvangvorm"),
        "opgroeien_file_no": _l("Dossiernummer Opgroeien"),
        "licensed_places": _l("Vergunde kindplaatsen"),
        "caregiver_name": _l("Onthaalouder (gezinsopvang)"),
        "flex_subsidy": _l("Subsidie flexibele opvang"),
        "out_of_school_permission": _l("Mag buitenschoolse opvang registreren"),
    }
    __audited__ = True
    __table_args__ = (CheckConstraint("licensed_places >= 0", name="licensed_places_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    care_type: Mapped[CareType] = mapped_column(str_enum(CareType))
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    opgroeien_file_no: Mapped[str | None] = mapped_column(String(10))
    licensed_places: Mapped[int | None] = mapped_column(Integer)
    caregiver_name: Mapped[str | None] = mapped_column(String(200))  # the onthaalouder of a home
    flex_subsidy: Mapped[bool] = mapped_column(default=False)
    # Opgroeien's permission to register out-of-school care (BO tick of FO-SU-05); IKT
    # kinderdagverblijven may have it, out-of-school locations have it by nature
    out_of_school_permission: Mapped[bool] = mapped_column(default=False, server_default=false())

    organisation: Mapped[Organisation] = relationship(back_populates="locations")
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="location", cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )
    living_groups: Mapped[list[LivingGroup]] = relationship(
        back_populates="location", cascade="all, delete-orphan", order_by="LivingGroup.name"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def registers_out_of_school(self) -> bool:
        """Whether FO-SU-05 may tick BO here: the permission, implied by out-of-school care."""
        return bool(self.out_of_school_permission) or self.care_type == CareType.BUITENSCHOOLSE_OPVANG


class OpeningHours(Base, TenantMixin):
    """Opening hours for one weekday (0 = Monday). A weekday without a row is closed."""

    __tablename__ = "location_opening_hours"
    __table_args__ = (
        UniqueConstraint("location_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    location: Mapped[Location] = relationship(back_populates="opening_hours")


class LivingGroup(Base, TenantMixin):
    """A leefgroep within a location (max 18 children in group care)."""

    __tablename__ = "living_group"
    __audit_name__ = ("name",)
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)
    min_age_months: Mapped[int | None] = mapped_column(Integer)
    max_age_months: Mapped[int | None] = mapped_column(Integer)

    location: Mapped[Location] = relationship(back_populates="living_groups")

    def __str__(self) -> str:
        return self.name
