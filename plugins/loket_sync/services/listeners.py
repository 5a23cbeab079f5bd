"""What the module does when another module reports a change (called from plugin.py's event
hooks, inside the transaction of the change): events and scope jobs, nothing that leaves the
process."""
from __future__ import annotations

from sqlalchemy import select

import plugins.wachtlijst.api as wachtlijst
from core.db import session as db_session
from core.models import Location

from ..models import EventStatus, SyncEvent
from . import vacancies
from .outbox import emit, location_info

LOKET = "loket"
# wachtlijst statuses the loket hears about for its own requests (submitted and confirmed came from it)
REPORTED = frozenset({"offer_made", "accepted", "declined", "expired", "placed", "withdrawn", "lapsed"})


def _ctx(organisation_id: int):
    """The context of the code that fired the event (its session: the same transaction)."""
    from core.context import context_for, current_context, firing_context

    ctx = firing_context(organisation_id)
    if ctx is not None:
        return ctx
    try:
        ctx = current_context()
        if ctx.org.id == organisation_id:
            return ctx
    except RuntimeError:
        pass
    from core.models import Organisation

    session = db_session()
    return context_for(session, session.get(Organisation, organisation_id))


def vacancies_changed(event) -> None:
    ctx = _ctx(event.organisation_id)
    vacancies.schedule(ctx, event.location_id, vacancies.touched_months(ctx, event.from_date))


def care_plan_changed(event) -> None:
    """Placement started (a new care plan) or ended (last day set, or removed). The child stays
    anonymous unless the placement closes a loket request (``placement_confirmed`` adds it)."""
    if event.change == "versioned":
        return
    ctx = _ctx(event.organisation_id)
    location = ctx.session.get(Location, event.location_id)
    if location is None:
        return
    if event.change == "created":
        emit(ctx, "placement.started", "placement", str(event.care_plan_id),
             {"location": location_info(location), "start_date": event.effective_date.isoformat(),
              "end_date": None, "loket_request_id": None, "child": None})
    else:  # ended, or removed (then it ends on the day it was removed)
        emit(ctx, "placement.ended", "placement", str(event.care_plan_id),
             {"location": location_info(location), "end_date": event.effective_date.isoformat()})


def placement_confirmed(event) -> None:
    """A loket request was placed: its placement event, still unsent in this transaction, names
    the loket's request and the child (the loket closes the registration with it)."""
    ctx = _ctx(event.organisation_id)
    info = wachtlijst.get_request(ctx, event.care_request_id)
    if info is None or info.external_source != LOKET:
        return
    pending = ctx.session.scalar(select(SyncEvent).where(
        SyncEvent.organisation_id == ctx.org.id, SyncEvent.type == "placement.started",
        SyncEvent.aggregate_type == "placement", SyncEvent.aggregate_id == str(event.care_plan_id),
        SyncEvent.status == EventStatus.PENDING))
    if pending is not None:
        pending.data = {**pending.data, "loket_request_id": info.external_id, "child": child_of(info)}
        ctx.session.flush()


def child_of(info) -> dict:
    """What the loket may know of a child it placed: first name and the initial of the last name."""
    first, _space, last = info.child_name.partition(" ")
    return {"first_name": first or "?", "initial": last[:1].upper()}


def request_status_changed(event) -> None:
    if event.new_status not in REPORTED:
        return
    ctx = _ctx(event.organisation_id)
    info = wachtlijst.get_request(ctx, event.care_request_id)
    if info is None or info.external_source != LOKET:
        return
    data = {"loket_request_id": info.external_id, "status": event.new_status, "at": ctx.now().isoformat()}
    open_offers = [o for o in info.offers if o.status in ("open", "accepted")]
    if event.new_status in ("offer_made", "accepted", "placed") and open_offers:
        offer = open_offers[-1]
        location = ctx.session.get(Location, offer.location_id)
        if location is not None:
            data["location"] = location_info(location)
        data["start_date"] = offer.start_date.isoformat()
    emit(ctx, "request.status", "request", info.external_id, data)
