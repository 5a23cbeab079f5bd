"""The module's refusals, with translated messages (core.errors; codes prefixed loket_sync.)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, register_messages

register_messages({
    "loket_sync.adapter_unknown": _l("Onbekende manier van uitwisselen."),
    "loket_sync.url_refused": _l("Geef een https-adres (http alleen naar deze machine)."),
    "loket_sync.partner_id_invalid": _l("Partner-id: kleine letters, cijfers, - en _ (hoogstens 40)."),
    "loket_sync.key_id_required": _l("Geef de sleutel-id die het loket u gaf."),
    "loket_sync.secret_required": _l("Geef het geheim dat het loket u gaf."),
    "loket_sync.secret_invalid": _l("Het geheim moet 16 tot 500 tekens lang zijn."),
})


class LoketSyncError(DomainError):
    """Bad settings for the loket connection (``code`` without the prefix)."""

    def __init__(self, code: str, field: str | None = None, **params) -> None:
        super().__init__(f"loket_sync.{code}", field, **params)
