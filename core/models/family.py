"""Families (gezinnen, the billing unit), their contact persons and children.

A child may belong to two households (co-parenting): ``ChildFamily`` links them.
"""
from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedString
from core.db import Base
from core.models.base import TenantMixin, TimestampMixin, str_enum

if TYPE_CHECKING:
    from core.models.location import Location


class Language(enum.StrEnum):
    NL = "nl"
    FR = "fr"
    EN = "en"


class Family(Base, TenantMixin, TimestampMixin):
    __tablename__ = "family"
    __audit_label__ = _l("Gezin")
    __audit_name__ = ("name",)
    __audit_fields__ = {
        "name": _l("Naam van het gezin"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")

    contacts: Mapped[list[ContactPerson]] = relationship(
        back_populates="family", cascade="all, delete-orphan", order_by="ContactPerson.id"
    )
    child_links: Mapped[list[ChildFamily]] = relationship(
        back_populates="family", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class ContactPerson(Base, TenantMixin, TimestampMixin):
    __tablename__ = "contact_person"
    __audit_label__ = _l("Contactpersoon")
    __audit_name__ = ("first_name", "last_name")
    __audit_fields__ = {
        "relation": _l("Relatie"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(40), default="ouder")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[Language] = mapped_column(str_enum(Language, 2), default=Language.NL)
    national_number: Mapped[str | None] = mapped_column(EncryptedString)

    family: Mapped[Family] = relationship(back_populates="contacts")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Child(Base, TenantMixin, TimestampMixin):
    __tablename__ = "child"
    __audit_label__ = _l("Kind")
    __audit_name__ = ("first_name", "last_name")
    __audit_fields__ = {
        "date_of_birth": _l("Geboortedatum"),
    }
    __audited__ = True
    __sensitive__ = ("national_number",)
    __table_args__ = (
        CheckConstraint(
            "date_of_birth IS NOT NULL OR expected_birth_date IS NOT NULL", name="birth_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_birth_date: Mapped[date | None] = mapped_column(Date)
    national_number: Mapped[str | None] = mapped_column(EncryptedString)
    national_number_hash: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"lookup_hash_of": "national_number"}  # rebuilt by `koepel crypto rotate`
    )
    care_need: Mapped[bool] = mapped_column(default=False)  # specifieke zorgbehoefte
    location_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("location.id", ondelete="SET NULL"), index=True
    )

    location: Mapped[Location | None] = relationship()
    family_links: Mapped[list[ChildFamily]] = relationship(
        back_populates="child", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def birth_date(self) -> date:
        """Date of birth, or the expected one for an unborn child."""
        return self.date_of_birth or self.expected_birth_date  # type: ignore[return-value]

    def __str__(self) -> str:
        return self.full_name


class ChildFamily(Base, TenantMixin):
    """A child's membership of a household; two rows for co-parenting."""

    __tablename__ = "child_family"
    __table_args__ = (UniqueConstraint("child_id", "family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)

    child: Mapped[Child] = relationship(back_populates="family_links")
    family: Mapped[Family] = relationship(back_populates="child_links")
