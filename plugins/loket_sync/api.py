"""The public contract of the loket_sync module: the only module of it other plugins may import.

The sync reads and writes other modules only through ``plugins.planning.api`` (free places) and
``plugins.wachtlijst.api`` (requests under their loket id, offers, placements). Others may ask
the state of the exchange and plug in another kind of loket behind ``LoketAdapter``."""
from __future__ import annotations

from .services.adapters import Answer, ExcelAdapter, HttpAdapter, LoketAdapter, RequestPage
from .services.status import Summary, summary, vacancy_checksum

__all__ = ["Answer", "ExcelAdapter", "HttpAdapter", "LoketAdapter", "RequestPage", "Summary", "sync_state",
           "vacancy_checksum"]


def sync_state(ctx) -> Summary:
    """Counts per event status (pending, sent, failed, rejected), the oldest waiting event and its
    lag in seconds, and the number of loket requests that could not be mapped, for ``ctx.org``."""
    return summary(ctx)
