"""The module's operations. They add and flush, never commit (one unit of work per request)."""
from __future__ import annotations


class AttendanceError(ValueError):
    """Bad input or a refused action; ``message`` is Dutch and shown to the user as is."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 422, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.field = field

    def as_json(self) -> dict:
        data = {"error": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data
