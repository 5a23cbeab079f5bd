"""Accounts, roles and login throttling."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models.base import TimestampMixin, str_enum
from core.models.family import Language
from core.models.location import Location
from core.models.organisation import Koepel, Organisation


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"  # koepel coordinator: every partner
    DIRECTOR = "director"  # own organisation
    FINANCE = "finance"  # own organisation's billing
    CAREGIVER = "caregiver"  # begeleider / onthaalouder: own locations only
    LOKET = "loket"  # central loket client: API only


user_location = Table(
    "user_location",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base, UserMixin, TimestampMixin):
    __tablename__ = "user_account"
    __audit_label__ = _l("Gebruiker")
    __audit_name__ = ("name",)
    __audit_values__ = {"role": {"coordinator": _l("Koepelcoördinator"), "director": _l("Verantwoordelijke"),
                                 "finance": _l("Financiën"), "caregiver": _l("Begeleider / onthaalouder"),
                                 "loket": _l("Lokaal loket")}}
    __audit_fields__ = {
        "role": _l("Rol"),
    }
    __audited__ = True
    __sensitive__ = ("password_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 20))
    koepel_id: Mapped[int | None] = mapped_column(ForeignKey("koepel.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[Language] = mapped_column(str_enum(Language, 2), default=Language.NL)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    koepel: Mapped[Koepel | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    locations: Mapped[list[Location]] = relationship(secondary=user_location)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def __str__(self) -> str:
        return self.name


class LoginThrottle(Base):
    """Failed logins per e-mail address (known or not), so both answer and count alike."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(254), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A signed-in browser session, known to the server: logging out deletes it (a copied
    cookie stops working), and a new password, role or deactivation deletes the user's other
    sessions (``core.sessions``). Only the SHA-256 of the session's token is stored."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
