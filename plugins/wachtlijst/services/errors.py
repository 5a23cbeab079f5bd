"""Errors of the wachtlijst module: a code that names the text in ``texts.py``, so the same error
reads right for a director (Dutch) and for a parent (in the parent's language)."""
from __future__ import annotations

from .texts import t


class WachtlijstError(ValueError):
    def __init__(self, code: str, field: str | None = None, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.field, self.detail = code, field, detail

    def message(self, lang: str = "nl") -> str:
        text = t(self.code, lang)
        return text % self.detail if "%s" in text else text

    def __str__(self) -> str:
        return self.message("nl")


class ValidationFailed(WachtlijstError):
    """Several field errors at once: ``errors`` maps a field name to an error code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form_errors")
        self.errors = errors

    def messages(self, lang: str = "nl") -> dict[str, str]:
        return {name: t(code, lang) for name, code in self.errors.items()}
