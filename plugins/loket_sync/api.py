"""The public contract of the loket_sync module (empty until its issue lands).

The sync itself will read and write through ``plugins.planning.api`` (vacancies) and
``plugins.wachtlijst.api`` (requests under their loket id, offers, placements), the only
modules of other plugins it may import."""
from __future__ import annotations

__all__: list[str] = []
