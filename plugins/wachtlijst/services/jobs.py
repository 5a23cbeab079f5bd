"""Job handlers of the wachtlijst module (run by ``koepel jobs run`` after the commit)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from core.clock import BRUSSELS, clock
from core.jobs import Job, enqueue
from core.models import Location, Organisation
from core.tenancy import enabled_modules

from ..models import Offer, OfferStatus

REMINDER = "wachtlijst.offer_reminder"
EXPIRY = "wachtlijst.offer_expiry"
RETENTION = "wachtlijst.retention"


def register(registry) -> None:
    """The module's job handlers (called by the ``register_job_handlers`` hook)."""
    registry.add(REMINDER, remind)
    registry.add(EXPIRY, expire)
    registry.add(RETENTION, retention)


def _offer(session: Session, job: Job) -> tuple[Organisation, Offer] | None:
    offer = session.get(Offer, job.payload["offer_id"])
    if offer is None:
        return None
    org = session.get(Organisation, offer.organisation_id)
    if "wachtlijst" not in enabled_modules(session, org):
        return None
    return org, offer


def remind(session: Session, job: Job) -> None:
    from .messages import send_reminder

    found = _offer(session, job)
    if found and found[1].status == OfferStatus.OPEN and clock.today() <= found[1].deadline:
        org, offer = found
        send_reminder(session, org, offer.request, offer, session.get(Location, offer.location_id))


def expire(session: Session, job: Job) -> None:
    from .offers import expire as expire_offer

    found = _offer(session, job)
    if found:
        expire_offer(session, *found)


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
        anonymise(session, org)
    schedule_retention(session)
