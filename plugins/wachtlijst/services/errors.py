"""Errors of the wachtlijst module: core's DomainError whose code names a text of ``texts.py`` (one
Babel catalogue), so the same error reads right for a director (the screen's language) and for a
parent (``message_in(parent_language)``)."""
from __future__ import annotations

from core.errors import DomainError, render

from .texts import TEXTS, t


class WachtlijstError(DomainError, ValueError):
    def __init__(self, code: str, field: str | None = None, detail: str = "") -> None:
        super().__init__(code, field, detail=detail)
        self.detail = detail

    def template(self):
        return TEXTS.get(self.code)

    def message_in(self, locale: str | None) -> str:
        template = self.template()
        if template is None:
            return self.code
        text = render(template, None, locale)
        return text % self.detail if "%s" in text else text


class ValidationFailed(WachtlijstError):
    """Several field errors at once: ``errors`` maps a field name to an error code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form_errors")
        self.errors = errors

    def messages(self, lang: str = "nl") -> dict[str, str]:
        return {name: t(code, lang) for name, code in self.errors.items()}
