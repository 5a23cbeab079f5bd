"""Secrets of an organisation for outbound calls (API tokens, signing keys), encrypted at rest
with ``core.crypto`` and re-encrypted by ``koepel crypto rotate`` (core.http)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.crypto import EncryptedString
from core.db import Base, UTCDateTime
from core.models.base import TenantMixin


class EncryptedText(EncryptedString):
    """An EncryptedString without a length limit (tokens and keys may be long)."""

    impl = Text
    cache_ok = True


class OutboundSecret(TenantMixin, Base):
    __tablename__ = "outbound_secret"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))  # "<module>.<purpose>", e.g. loket_sync.signing_key
    value: Mapped[str] = mapped_column("value_encrypted", EncryptedText)
    key_id: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
