"""Job handlers of the wachtlijst module (run by ``koepel jobs run`` after the commit)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from core.clock import BRUSSELS, clock
from core.context import TenantContext, context_for_org_id
from core.jobs import Job, enqueue, handler
from core.models import Location, Organisation

from ..models import Offer, OfferStatus


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


@handler("wachtlijst.offer_reminder")
def remind(session: Session, job: Job) -> None:
    from .messages import send_reminder

    found = _offer(session, job)
    if found and found[1].status == OfferStatus.OPEN and found[0].today() <= found[1].deadline:
        ctx, offer = found
        send_reminder(session, ctx.org, offer.request, offer, session.get(Location, offer.location_id))


@handler("wachtlijst.offer_expiry")
def expire(session: Session, job: Job) -> None:
    from .offers import expire as expire_offer

    found = _offer(session, job)
    if found:
        ctx, offer = found
        expire_offer(session, ctx.org, offer)


def schedule_retention(session: Session) -> Job:
    """The daily anonymisation run (one job per day, idempotent by its key)."""
    tomorrow = clock.today() + timedelta(days=1)
    return enqueue(session, "wachtlijst.retention", {}, key=f"wachtlijst:retention:{tomorrow.isoformat()}",
                   run_at=datetime.combine(tomorrow, time(3, 0), tzinfo=BRUSSELS))


@handler("wachtlijst.retention")
def retention(session: Session, job: Job) -> None:
    from sqlalchemy import select

    from core.models import OrganisationModule

    from .privacy import anonymise

    orgs = session.scalars(select(Organisation).join(
        OrganisationModule, OrganisationModule.organisation_id == Organisation.id).where(
        OrganisationModule.module == "wachtlijst")).all()
    for org in orgs:
        anonymise(session, org)
    schedule_retention(session)
