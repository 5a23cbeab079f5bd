"""Privacy: request data are kept 5 years (decree art. 24, a setting) and then anonymised; a
family's request data can be exported on request. Anonymising keeps the dates, statuses and
priority facts (so the yearly counts stay right) and blanks everything that identifies someone:
in the request, its status history and offers, in the audit entries that copied those values, and
in the mails queued for it (the outbox keeps a row per mail so that a mail is never sent twice).
The child and family created on acceptance follow core's retention (``core/retention.py``)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, time

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from core.clock import BRUSSELS
from core.db import IN_LIST_SIZE, chunks
from core.jobs import Job
from core.models import AuditEntry, Location
from core.retention import LEGAL_MINIMUM_YEARS

from ..models import CareRequest, Offer, StatusChange

BLANK = {"applicant_first_name": "", "applicant_last_name": "", "phone": "", "street": "", "postcode": "",
         "child_first_name": "", "child_last_name": "-", "notes": "", "referrer_name": "", "token": None}


def due_for_anonymisation(ctx) -> list[CareRequest]:
    """Requests whose last activity lies more than the retention period ago, not yet anonymised.

    The period counts from the request's last activity, not its submission (decree art. 24,
    domain rules §3.2: data are kept 5 years after the last involvement): a change to the request,
    a status change, an offer made or answered. A stored period below the decree's floor is not
    applied (the floor is)."""
    session = ctx.session
    org = ctx.org
    years = max(int(ctx.setting("wachtlijst.retention_years")), LEGAL_MINIMUM_YEARS["child_family"])
    limit = datetime.combine(ctx.today() - relativedelta(years=years), time.min, tzinfo=BRUSSELS).astimezone(UTC)
    recent_change = exists().where(StatusChange.request_id == CareRequest.id, StatusChange.at >= limit)
    recent_offer = exists().where(Offer.request_id == CareRequest.id, or_(
        Offer.updated_at >= limit, Offer.made_at >= limit, Offer.answered_at >= limit))
    return session.scalars(select(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.anonymised_at.is_(None),
        CareRequest.submitted_at < limit, CareRequest.updated_at < limit,
        or_(CareRequest.confirmed_at.is_(None), CareRequest.confirmed_at < limit),
        or_(CareRequest.closed_at.is_(None), CareRequest.closed_at < limit),
        ~recent_change, ~recent_offer).order_by(CareRequest.id)).all()


def anonymise(ctx, *, dry_run: bool = False) -> list[int]:
    """Anonymise every due request of ``org``; with ``dry_run`` only list their ids."""
    session = ctx.session
    due = due_for_anonymisation(ctx)
    if dry_run:
        return [r.id for r in due]
    for req in due:
        for name, value in BLANK.items():
            setattr(req, name, value)
        req.email = f"geanonimiseerd-{req.id}@invalid"
        req.token_hash = f"anon-{req.id}"
        req.anonymised_at = ctx.now()
        for change in req.history:
            change.reason = ""
            if change.actor_label.startswith("toeleider"):
                change.actor_label = "toeleider"
        for offer in req.offers:
            offer.decline_reason = "(geanonimiseerd)" if offer.decline_reason else ""
    session.flush()  # the audit listener writes the changes, old values included: scrubbed below
    ids = [r.id for r in due]
    offer_ids = [o.id for r in due for o in r.offers]
    _scrub_audit(ctx, "wachtlijst_request", ids)
    _scrub_audit(ctx, "wachtlijst_offer", offer_ids)
    _scrub_mails(ctx, ids, offer_ids)
    for obj in list(session.identity_map.values()):  # Core updates: loaded copies must not linger
        if isinstance(obj, AuditEntry | Job):
            session.expire(obj)
    return ids


PERSONAL = set(BLANK) | {"email", "token_hash", "decline_reason", "child_birth_date", "expected_birth_date"}
SCRUBBED = "(geanonimiseerd)"


def _scrub_audit(ctx, entity: str, ids: list[int]) -> None:
    """Blank the personal values the audit trail copied (who changed what and when stays)."""
    session = ctx.session
    org = ctx.org
    for part in chunks(ids):
        for entry in session.execute(select(AuditEntry.id, AuditEntry.changes).where(
                AuditEntry.organisation_id == org.id, AuditEntry.entity == entity,
                AuditEntry.entity_id.in_(part))).all():
            changes = {key: ([None if v is None else SCRUBBED for v in value] if key in PERSONAL else value)
                       for key, value in (entry.changes or {}).items()}
            # a Core statement: through the ORM the audit listener would log this update too
            session.execute(update(AuditEntry.__table__).where(AuditEntry.__table__.c.id == entry.id)
                            .values(summary="", changes=changes or None))


def _scrub_mails(ctx, ids: list[int], offer_ids: list[int]) -> None:
    """The outbox rows of the mails to these requests keep their key (idempotency), not their text."""
    session = ctx.session
    org = ctx.org
    keys = [f"mail:wachtlijst:confirm:{i}" for i in ids] + [
        f"mail:wachtlijst:{kind}:{i}" for i in offer_ids for kind in ("offer", "reminder")]
    table = Job.__table__
    for start in range(0, max(len(keys), len(ids)), IN_LIST_SIZE):
        key_part, id_part = keys[start:start + IN_LIST_SIZE], ids[start:start + IN_LIST_SIZE]
        session.execute(update(table).where(
            table.c.organisation_id == org.id,
            or_(table.c.key.in_(key_part), *(table.c.key.like(f"mail:wachtlijst:outcome:{i}:%") for i in id_part)))
            .values(payload={"to": "", "subject": "", "body": SCRUBBED}, last_error=None))


def export(ctx, email: str) -> dict:
    """Everything the waiting list holds about the family behind ``email`` (GDPR access)."""
    session = ctx.session
    org = ctx.org
    reqs = session.scalars(select(CareRequest).where(
        CareRequest.organisation_id == org.id, func.lower(CareRequest.email) == email.strip().lower())
        .options(selectinload(CareRequest.preferences), selectinload(CareRequest.history),
                 selectinload(CareRequest.offers)).order_by(CareRequest.id)).all()
    names = dict(session.execute(select(Location.id, Location.name).where(Location.organisation_id == org.id)).all())
    skip = {"token", "token_hash", "organisation_id"}

    def plain(obj) -> dict:
        return {c.key: _json(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}

    return {
        "organisation": org.name, "exported_at": ctx.now().isoformat(), "email": email,
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


def export_json(ctx, email: str) -> str:
    return json.dumps(export(ctx, email), ensure_ascii=False, indent=2)

