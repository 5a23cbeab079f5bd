"""Generated files (PDF, XML, Excel) kept for download or as mail attachments (core.documents).
The bytes live in the database, in the same transaction as the change that made them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import clock
from core.db import Base, UTCDateTime
from core.models.base import TenantMixin


class Document(TenantMixin, Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80), index=True)  # "<module>.<name>", e.g. aanwezigheden.fo_su_05
    module: Mapped[str | None] = mapped_column(String(40))  # None: core
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only when served
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    delete_after: Mapped[date | None] = mapped_column(Date, index=True)
    # roles that may download it, comma-separated (None: every role of document.view); a
    # module's file keeps the roles of the page that made it
    roles: Mapped[str | None] = mapped_column(String(100))
