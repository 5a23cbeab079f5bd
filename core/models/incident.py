"""The register of complaints and crisis situations (klachten en crisissituaties): kept 10 years
by decree art. 24 (domain rules §3.2), longer when the organisation's setting says so."""
from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models.base import TenantMixin, TimestampMixin, str_enum


class IncidentKind(enum.StrEnum):
    KLACHT = "klacht"
    CRISIS = "crisis"


class IncidentEntry(Base, TenantMixin, TimestampMixin):
    """One complaint or crisis situation: when, what, and what was done about it."""

    __tablename__ = "incident_register"
    __audit_label__ = _l("Klacht of crisissituatie")
    __audit_values__ = {"kind": {"klacht": _l("Klacht"), "crisis": _l("Crisissituatie")}}
    __audit_fields__ = {
        "occurred_on": _l("Datum van het voorval"),
        "summary": _l("Samenvatting"),
        "follow_up": _l("Opvolging"),
        "last_activity_on": _l("Laatste opvolging op"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind, 16))
    summary: Mapped[str] = mapped_column(Text)
    follow_up: Mapped[str] = mapped_column(Text, default="")
    # the last day something happened with it: the 10 years count from here
    last_activity_on: Mapped[date] = mapped_column(Date, index=True)
