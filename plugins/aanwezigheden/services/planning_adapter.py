"""The one seam to the planning module: every call goes through ``plugins.planning.api``
(imported lazily, so this module loads even before planning's implementation does). Every
function takes the TenantContext first, as the planning API does."""
from __future__ import annotations

from datetime import date
from decimal import Decimal


def _api():
    import plugins.planning.api as api

    return api


def expected_children(ctx, location_id: int, day: date) -> list:
    return list(_api().expected_children(ctx, location_id, day))


def reserved_days(ctx, *, start: date, end: date, child_ids=None, location_id=None) -> list:
    return list(_api().reserved_days(ctx, start=start, end=end, child_ids=child_ids,
                                     location_id=location_id))


def closing_days(ctx, location_id: int, start: date, end: date) -> dict[date, str]:
    return dict(_api().closing_days(ctx, location_id, start, end))


def use_respite_day(ctx, child_id: int, day: date) -> bool:
    return bool(_api().use_respite_day(ctx, child_id, day))


def release_respite_day(ctx, child_id: int, day: date) -> None:
    _api().release_respite_day(ctx, child_id, day)


def respite_balance(ctx, child_id: int, year: int):
    return _api().respite_balance(ctx, child_id, year)


def book_respite_day(ctx, child_id: int, day: date, *, amount: Decimal = Decimal(1),
                     location_id: int | None = None):
    """Planning's RespiteOutcome: ``booked``, ``reason`` and a ``message`` when nothing was used."""
    return _api().book_respite_day(ctx, child_id, day, amount=amount, location_id=location_id)


def agreements(ctx, *, start: date, end: date, child_ids=None, location_id=None) -> list:
    return list(_api().agreements(ctx, start=start, end=end, child_ids=child_ids, location_id=location_id))
