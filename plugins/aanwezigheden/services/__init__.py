"""The module's operations. They add and flush, never commit (one unit of work per request)."""
from __future__ import annotations

from core.errors import DomainError, render


class AttendanceError(DomainError, ValueError):
    """Bad input or a refused action: core's DomainError with the message given as a (lazy or
    already translated) Flask-Babel string, a short ``code`` for the tablet's client and the HTTP
    ``status``. The code is kept unprefixed because the tablet's offline client matches on it."""

    def __init__(self, message, *, code: str = "invalid", status: int = 422, field: str | None = None):
        super().__init__(code, field)
        self.text = message
        self.status = status

    def template(self):
        return self.text

    def message_in(self, locale: str | None) -> str:
        if hasattr(self.text, "_args"):  # lazy: rendered in the reader's language
            return render(self.text, None, locale)
        return str(self.text)

    def as_json(self) -> dict:
        """The tablet protocol's error shape (``error`` is the code; kept for offline clients)."""
        data = {"error": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data
