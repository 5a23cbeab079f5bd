"""Job handlers of the wachtlijst module (run by ``koepel jobs run`` after the commit)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from core.clock import BRUSSELS, clock
from core.context import TenantContext, build_context, context_for_org_id
from core.jobs import Job, enqueue
from core.models import Location, Organisation

from ..models import Offer, OfferStatus

REMINDER = "wachtlijst.offer_reminder"
EXPIRY = "wachtlijst.offer_expiry"
RETENTION = "wachtlijst.retention"


def register(registry) -> None:
    """The module's job handlers (called by the ``register_job_handlers`` hook)."""
    registry.add(REMINDER, remind)
    registry.add(EXPIRY, expire)
    registry.add(RETENTION, retention)


def _offer(session: Session, job: Job) -> tuple[TenantContext, Offer] | None:
    """The offer of the job with the TenantContext of its organisation (None when the offer is
    gone or the module was switched off meanwhile)."""
    offer = session.get(Offer, job.payload["offer_id"])
    if offer is None:
        return None
    ctx = context_for_org_id(session, offer.organisation_id)
    if not ctx.is_enabled("wachtlijst"):
        return None
    return ctx, offer


def remind(session: Session, job: Job) -> None:
    from .messages import send_reminder

    found = _offer(session, job)
    if found and found[1].status == OfferStatus.OPEN and found[0].today() <= found[1].deadline:
        ctx, offer = found
        send_reminder(ctx, offer.request, offer, session.get(Location, offer.location_id))


def expire(session: Session, job: Job) -> None:
    from .offers import expire as expire_offer

    found = _offer(session, job)
    if found:
        ctx, offer = found
        expire_offer(ctx, offer)


def schedule_retention(session: Session) -> Job:
    """The daily anonymisation run (one waiting at a time, coalesced by its key)."""
    tomorrow = clock.today() + timedelta(days=1)
    return enqueue(session, RETENTION, {}, key=RETENTION, lock_key=RETENTION,
                   run_at=datetime.combine(tomorrow, time(3, 0), tzinfo=BRUSSELS))


def retention(session: Session, job: Job) -> None:
    from sqlalchemy import select

    from core.models import OrganisationModule

    from .privacy import anonymise

    orgs = session.scalars(select(Organisation).join(
        OrganisationModule, OrganisationModule.organisation_id == Organisation.id).where(
        OrganisationModule.module == "wachtlijst")).all()
    for org in orgs:
        anonymise(build_context(session, org))
    schedule_retention(session)
