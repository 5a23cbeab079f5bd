"""Privacy: request data are kept 5 years (decree art. 24, a setting) and then anonymised; a
family's request data can be exported on request. Anonymising keeps the dates, statuses and
priority facts (so the yearly counts stay right) and blanks everything that identifies someone."""
from __future__ import annotations

import json
from datetime import UTC, datetime, time

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.clock import BRUSSELS, clock
from core.models import Location, Organisation
from core.settings import get_setting
from plugins.wachtlijst.models import CareRequest

BLANK = {"applicant_first_name": "", "applicant_last_name": "", "phone": "", "street": "", "postcode": "",
         "child_first_name": "", "child_last_name": "-", "notes": "", "referrer_name": "", "token": None}


def due_for_anonymisation(session: Session, org: Organisation) -> list[CareRequest]:
    """Requests registered more than the retention period ago and not yet anonymised."""
    years = int(get_setting(session, org, "wachtlijst.retention_years"))
    limit = datetime.combine(clock.today() - relativedelta(years=years), time.min, tzinfo=BRUSSELS).astimezone(UTC)
    return session.scalars(select(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.anonymised_at.is_(None),
        CareRequest.submitted_at < limit).order_by(CareRequest.id)).all()


def anonymise(session: Session, org: Organisation, *, dry_run: bool = False) -> list[int]:
    """Anonymise every due request of ``org``; with ``dry_run`` only list their ids."""
    due = due_for_anonymisation(session, org)
    if dry_run:
        return [r.id for r in due]
    for req in due:
        for name, value in BLANK.items():
            setattr(req, name, value)
        req.email = f"geanonimiseerd-{req.id}@invalid"
        req.token_hash = f"anon-{req.id}"
        req.anonymised_at = clock.now()
        for change in req.history:
            change.reason = ""
        for offer in req.offers:
            offer.decline_reason = "(geanonimiseerd)" if offer.decline_reason else ""
    session.flush()
    return [r.id for r in due]


def export(session: Session, org: Organisation, email: str) -> dict:
    """Everything the waiting list holds about the family behind ``email`` (GDPR access)."""
    reqs = session.scalars(select(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.email == email.strip().lower())
        .options(selectinload(CareRequest.preferences), selectinload(CareRequest.history),
                 selectinload(CareRequest.offers)).order_by(CareRequest.id)).all()
    names = dict(session.execute(select(Location.id, Location.name).where(Location.organisation_id == org.id)).all())
    skip = {"token", "token_hash", "organisation_id"}

    def plain(obj) -> dict:
        return {c.key: _json(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}

    return {
        "organisation": org.name, "exported_at": clock.now().isoformat(), "email": email,
        "requests": [{
            **plain(r),
            "preferences": [names.get(p.location_id, p.location_id) for p in r.preferences],
            "history": [plain(h) for h in r.history],
            "offers": [{**plain(o), "location": names.get(o.location_id)} for o in r.offers],
        } for r in reqs],
    }


def _json(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def export_json(session: Session, org: Organisation, email: str) -> str:
    return json.dumps(export(session, org, email), ensure_ascii=False, indent=2)

