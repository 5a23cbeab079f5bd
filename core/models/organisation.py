"""The koepel (umbrella), its partner organisations (organisatoren) and their module switches."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models.base import TimestampMixin, str_enum

if TYPE_CHECKING:
    from core.models.location import Location


class PriceRegime(enum.StrEnum):
    INKOMENSTARIEF = "inkomenstarief"
    VRIJE_PRIJS = "vrije_prijs"


class SubsidyLevel(enum.StrEnum):
    TRAP_0 = "trap_0"
    TRAP_1 = "trap_1"
    TRAP_2 = "trap_2"
    TRAP_3 = "trap_3"


class Koepel(Base, TimestampMixin):
    __tablename__ = "koepel"
    __audit_name__ = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    municipality: Mapped[str] = mapped_column(String(100), default="")

    organisations: Mapped[list[Organisation]] = relationship(back_populates="koepel")


class Organisation(Base, TimestampMixin):
    """A partner organisation (organisator): the tenant."""

    __tablename__ = "organisation"
    __audit_label__ = _l("Organisatie")
    __audit_name__ = ("name",)
    __audit_fields__ = {
        "slug": _l("Adres in de app"),
        "legal_form": _l("Rechtsvorm"),
        "enterprise_number": _l("Ondernemingsnummer"),
        "sepa_creditor_id": _l("SEPA-schuldeiseridentificatie"),
        "price_regime": _l("Prijsregeling"),
        "subsidy_level": _l("Subsidietrap"),
        "logo": _l("Logo"),
        "logo_content_type": _l("Soort logobestand"),
        "logo_sha256": _l("Controlegetal van het logo"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    koepel_id: Mapped[int] = mapped_column(ForeignKey("koepel.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(40), default="")
    enterprise_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    sepa_creditor_id: Mapped[str | None] = mapped_column(String(35))
    price_regime: Mapped[PriceRegime] = mapped_column(
        str_enum(PriceRegime), default=PriceRegime.INKOMENSTARIEF
    )
    subsidy_level: Mapped[SubsidyLevel] = mapped_column(
        str_enum(SubsidyLevel), default=SubsidyLevel.TRAP_2
    )
    # the logo on PDFs, the page header and the parents' pages (core/branding.py); loaded only when served
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_content_type: Mapped[str | None] = mapped_column(String(40))
    logo_sha256: Mapped[str | None] = mapped_column(String(64))

    koepel: Mapped[Koepel] = relationship(back_populates="organisations")
    locations: Mapped[list[Location]] = relationship(
        back_populates="organisation", order_by="Location.name"
    )
    modules: Mapped[list[OrganisationModule]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class OrganisationModule(Base):
    """A row means: this module is enabled for this organisation (since, by whom)."""

    __tablename__ = "organisation_module"
    __table_args__ = (UniqueConstraint("organisation_id", "module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    module: Mapped[str] = mapped_column(String(40))
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enabled_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )

    organisation: Mapped[Organisation] = relationship(back_populates="modules")


def _setting_label(key: str) -> str | None:
    """A setting's key in words: its definition's label (None for a key no module defines)."""
    from core.settings import definitions

    definition = definitions().get(key)
    return None if definition is None else str(definition.label)


class OrganisationSetting(Base):
    """A per-organisation override of a SettingDefinition's default."""

    __tablename__ = "organisation_setting"
    __audit_label__ = _l("Instelling")
    __audit_summary__ = ("key",)
    __audit_values__ = {"key": lambda key: _setting_label(key)}
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)

    def __str__(self) -> str:
        return self.key  # the audit summary: the page names the setting (``__audit_summary__``)
