""""Send everything again": every vacancy scope recomputed and sent in full, the current
placements and the status of every loket request again, each with a new sequence number. The
loket's duplicate and stale rules make it harmless; its state converges to ours."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

import plugins.planning.api as planning
import plugins.wachtlijst.api as wachtlijst
from core.jobs import enqueue
from core.models import Location

from . import vacancies
from .listeners import child_of
from .outbox import emit, location_info


def request(ctx) -> None:
    """Queue the resync (coalesced: pressing twice queues one)."""
    from .jobs import RESYNC

    enqueue(ctx.session, RESYNC, {}, key=f"{RESYNC}:{ctx.org.id}", organisation_id=ctx.org.id,
            module="loket_sync")


def resync(ctx) -> dict[str, int]:
    counts = {"scopes": vacancies.schedule_all(ctx, force=True), "placements": 0, "requests": 0}
    locations = {loc.id: loc for loc in ctx.session.scalars(
        select(Location).where(Location.organisation_id == ctx.org.id))}
    today = ctx.today()
    loket_plans = {p.care_plan_id: p for p in wachtlijst.placements(ctx) if p.external_source == "loket"}
    for agreement in planning.agreements(ctx, start=today, end=date(today.year + 5, 12, 31)):
        loc = locations.get(agreement.location_id)
        if loc is None:
            continue
        placed = loket_plans.get(agreement.care_plan_id)
        info = wachtlijst.get_request(ctx, placed.request_id) if placed is not None else None
        emit(ctx, "placement.started", "placement", str(agreement.care_plan_id),
             {"location": location_info(loc), "start_date": agreement.start.isoformat(),
              "end_date": agreement.end.isoformat() if agreement.end else None,
              "loket_request_id": placed.external_id if info else None, "child": child_of(info) if info else None})
        counts["placements"] += 1
    for info in wachtlijst.list_requests(ctx, limit=100000):
        if info.external_source == "loket" and info.status not in ("submitted", "confirmed"):
            emit(ctx, "request.status", "request", info.external_id,
                 {"loket_request_id": info.external_id, "status": info.status, "at": ctx.now().isoformat()})
            counts["requests"] += 1
    return counts
