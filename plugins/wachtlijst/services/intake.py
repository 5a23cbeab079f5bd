"""Intake of care requests (staff form, public parent form, referrers), the status history,
confirmation by e-mail, duplicates and merging."""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.models import Location, User
from core.plugins.events import CareRequestStatusChanged

from ..models import OPEN_STATUSES, CareRequest, Preference, Status, StatusChange
from .errors import ValidationFailed, WachtlijstError
from .texts import valid_language

FACT_FIELDS = ("work", "single_parent", "low_income", "foster_child", "sibling_in_care", "care_need",
               "low_education", "family_member_handicap", "family_member_self_care", "social_pedagogical",
               "dutch_speaking", "urgent")
MAX_PREFERENCES = 5
DAY_PARTS = ("full", "morning", "afternoon")


@dataclass
class RequestData:
    applicant_first_name: str
    applicant_last_name: str
    email: str
    child_last_name: str
    desired_start: date | None
    location_ids: list[int]
    days: list[dict] = field(default_factory=list)
    child_first_name: str = ""
    child_birth_date: date | None = None
    expected_birth_date: date | None = None
    twin_first_name: str = ""
    phone: str = ""
    street: str = ""
    postcode: str = ""
    municipality: str = ""
    language: str = "nl"
    consent_referrers: bool = False
    referrer_name: str = ""
    notes: str = ""
    facts: dict[str, bool] = field(default_factory=dict)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


def check_email(address: str) -> str:
    """The normalised address; raises for an invalid one, and, only when WACHTLIJST_CHECK_DELIVERABILITY
    is on (off by default), for a domain that the DNS answers does not exist or takes no mail. A DNS
    that does not answer within WACHTLIJST_DNS_TIMEOUT seconds, or no network at all, never refuses
    an address: a parent is not turned away because the server cannot look it up."""
    import email_validator
    from email_validator import EmailNotValidError, EmailUndeliverableError

    try:
        valid = email_validator.validate_email(address or "", check_deliverability=False)
    except EmailUndeliverableError as exc:
        raise WachtlijstError("email_undeliverable", "email") from exc
    except EmailNotValidError as exc:
        raise WachtlijstError("email_invalid", "email") from exc
    if current_app.config.get("WACHTLIJST_CHECK_DELIVERABILITY", False) and not _domain_accepts_mail(valid):
        raise WachtlijstError("email_undeliverable", "email")
    return valid.normalized


_DEFINITE = ("does not exist", "does not accept email", "does not send email")


def _domain_accepts_mail(valid) -> bool:
    """False only when the DNS answered that the domain does not exist or takes no mail."""
    from email_validator import EmailUndeliverableError
    from email_validator.deliverability import validate_email_deliverability

    timeout = float(current_app.config.get("WACHTLIJST_DNS_TIMEOUT", 2))
    try:
        validate_email_deliverability(valid.ascii_domain, valid.domain, timeout=timeout)
    except EmailUndeliverableError as exc:
        return not any(word in str(exc) for word in _DEFINITE)
    except Exception:  # noqa: BLE001 - no resolver, no network: unknown, so accepted
        return True
    return True


def check_phone(number: str) -> str:
    """'' or the number in international form; raises for one that is no Belgian or international number."""
    from core.validators import normalise_phone

    if not (number or "").strip():
        return ""
    try:
        return normalise_phone(number.strip())
    except ValueError as exc:
        raise WachtlijstError("phone_invalid", "phone") from exc


def validate(ctx, data: RequestData) -> dict[str, str]:
    """Field name -> error code for everything wrong with ``data`` (empty when fine)."""
    session = ctx.session
    org = ctx.org
    errors: dict[str, str] = {}
    today = ctx.today()
    for name in ("applicant_first_name", "applicant_last_name", "child_last_name"):
        if not (getattr(data, name) or "").strip():
            errors[name] = "required"
    try:
        data.email = check_email(data.email.strip())
    except WachtlijstError as exc:
        errors["email"] = exc.code
    try:
        data.phone = check_phone(data.phone)
    except WachtlijstError as exc:
        errors["phone"] = exc.code
    if data.child_birth_date and data.expected_birth_date:
        errors["child_birth_date"] = "birth_both"
    elif not data.child_birth_date and not data.expected_birth_date:
        errors["child_birth_date"] = "birth_missing"
    elif data.child_birth_date and data.child_birth_date > today:
        errors["child_birth_date"] = "birth_future"
    elif data.expected_birth_date and data.expected_birth_date > today + relativedelta(months=10):
        errors["expected_birth_date"] = "expected_too_far"
    birth = data.child_birth_date or data.expected_birth_date
    if data.desired_start is None:
        errors["desired_start"] = "required"
    elif data.desired_start < today:
        errors["desired_start"] = "start_past"
    elif birth and data.desired_start < birth and "child_birth_date" not in errors:
        errors["desired_start"] = "start_before_birth"
    ids = [int(i) for i in data.location_ids if i]
    if not ids:
        errors["location_ids"] = "no_location"
    elif len(set(ids)) != len(ids):
        errors["location_ids"] = "location_twice"
    elif len(ids) > MAX_PREFERENCES:
        errors["location_ids"] = "too_many_locations"
    else:
        found = set(session.scalars(select(Location.id).where(Location.organisation_id == org.id, Location.id.in_(ids))))
        if found != set(ids):
            errors["location_ids"] = "location_unknown"
    data.location_ids = ids
    days = [d for d in data.days if d.get("day_part") in DAY_PARTS and 0 <= int(d.get("weekday", -1)) <= 6]
    if not days:
        errors["days"] = "no_days"
    data.days = [{"weekday": int(d["weekday"]), "day_part": d["day_part"]} for d in days]
    if data.referrer_name.strip() and not data.consent_referrers:
        errors["consent_referrers"] = "consent_required"
    if not errors and exact_duplicate(ctx, data):
        errors["child_last_name"] = "duplicate"
    return errors


def _open_requests(ctx):
    org = ctx.org
    return select(CareRequest).where(
        CareRequest.organisation_id == org.id,
        CareRequest.status.in_(OPEN_STATUSES),
        CareRequest.merged_into_id.is_(None),
        CareRequest.anonymised_at.is_(None),
    )


def exact_duplicate(ctx, data: RequestData) -> CareRequest | None:
    """An open request for the same child (name, birth date) from the same e-mail address."""
    session = ctx.session
    birth = data.child_birth_date or data.expected_birth_date
    names = {normalise_name(f"{data.child_first_name} {data.child_last_name}")}
    if data.twin_first_name:
        names.add(normalise_name(f"{data.twin_first_name} {data.child_last_name}"))
    stmt = _open_requests(ctx).where(CareRequest.email == data.email)
    for req in session.scalars(stmt):
        if req.birth == birth and normalise_name(f"{req.child_first_name} {req.child_last_name}") in names:
            return req
    return None


def set_status(ctx, req: CareRequest, new: Status, *,
               actor: User | None = None, actor_label: str = "", reason: str = "") -> None:
    """Change the status and write who and why in the history; fires the status event."""
    session = ctx.session
    org = ctx.org
    old = req.status.value if req.history and req.status else None  # the first entry has no "before"
    req.status = new
    if new in (Status.PLACED, Status.WITHDRAWN, Status.LAPSED):
        req.closed_at = ctx.now()
    req.history.append(StatusChange(
        organisation_id=org.id, old_status=old, new_status=new.value, at=ctx.now(),
        actor_id=actor.id if actor else None,
        actor_label=(actor.name if actor else actor_label or "systeem")[:40], reason=reason[:500],
    ))
    session.flush()
    ctx.hook.on_care_request_status_changed(
        event=CareRequestStatusChanged(organisation_id=org.id, care_request_id=req.id,
                                       old_status=old, new_status=new.value))


def create_requests(ctx, data: RequestData, *, channel: str,
                    actor: User | None = None, confirmed: bool = False) -> list[tuple[CareRequest, str]]:
    """Validate and store one request (two for twins). Returns (request, status-page token) pairs.

    Staff-entered requests, and those an outside system already confirmed (``confirmed``), are
    confirmed at once; public ones wait for the e-mail link."""
    session = ctx.session
    org = ctx.org
    errors = validate(ctx, data)
    if errors:
        raise ValidationFailed(errors)
    if data.referrer_name.strip():
        channel = "referrer"
    first_names = [data.child_first_name] + ([data.twin_first_name] if data.twin_first_name.strip() else [])
    created: list[tuple[CareRequest, str]] = []
    for first_name in first_names:
        token = secrets.token_urlsafe(24)
        req = CareRequest(
            organisation_id=org.id, token_hash=hash_token(token), token=token, channel=channel,
            language=valid_language(data.language), status=Status.SUBMITTED, submitted_at=ctx.now(),
            applicant_first_name=data.applicant_first_name.strip(), applicant_last_name=data.applicant_last_name.strip(),
            email=data.email, phone=data.phone.strip(), street=data.street.strip(), postcode=data.postcode.strip(),
            municipality=data.municipality.strip(), child_first_name=first_name.strip(),
            child_last_name=data.child_last_name.strip(), child_birth_date=data.child_birth_date,
            expected_birth_date=data.expected_birth_date, desired_start=data.desired_start, days=data.days,
            consent_referrers=data.consent_referrers, referrer_name=data.referrer_name.strip(),
            notes=data.notes.strip(), created_by_id=actor.id if actor else None,
            **{name: bool(data.facts.get(name)) for name in FACT_FIELDS},
        )
        req.preferences = [Preference(organisation_id=org.id, location_id=loc, rank=i)
                           for i, loc in enumerate(data.location_ids, start=1)]
        session.add(req)
        session.flush()
        label = "ouder" if channel == "public" else ("toeleider: " + data.referrer_name.strip() if channel == "referrer" else "")
        set_status(ctx, req, Status.SUBMITTED, actor=actor, actor_label=label,
                   reason="" if channel != "referrer" else "ingediend door toeleider met toestemming van het gezin")
        created.append((req, token))
    if len(created) == 2:
        created[0][0].sibling_request_id = created[1][0].id
        created[1][0].sibling_request_id = created[0][0].id
    for req, token in created:
        if channel == "staff" or confirmed:
            confirm(ctx, req, actor=actor,
                    reason="ingevoerd door medewerker" if channel == "staff" else f"bevestigd via {channel}")
        else:
            from .messages import send_confirmation

            send_confirmation(ctx, req, token)
    session.flush()
    return created


def update_external(ctx, req: CareRequest, data: RequestData) -> None:
    """Apply a changed request from an outside system (the loket) to an open request: desired
    start, days, preferences and priority facts; names and contact stay as they are."""
    if req.status not in OPEN_STATUSES:
        raise WachtlijstError("not_waiting")
    errors = validate(ctx, data)
    if errors.get("child_last_name") == "duplicate":
        del errors["child_last_name"]  # itself
    if data.desired_start == req.desired_start:
        errors.pop("desired_start", None)  # unchanged: it may lie in the past by now
    if errors:
        raise ValidationFailed(errors)
    req.desired_start, req.days = data.desired_start, data.days
    for name in FACT_FIELDS:
        setattr(req, name, bool(data.facts.get(name)))
    if [p.location_id for p in sorted(req.preferences, key=lambda p: p.rank)] != data.location_ids:
        req.preferences.clear()
        ctx.session.flush()
        req.preferences.extend(Preference(organisation_id=ctx.org.id, location_id=loc, rank=i)
                               for i, loc in enumerate(data.location_ids, start=1))
    ctx.session.flush()


def find_by_token(ctx, token: str) -> CareRequest:
    session = ctx.session
    org = ctx.org
    req = session.scalar(select(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.token_hash == hash_token(token or ""),
        CareRequest.anonymised_at.is_(None)))
    if req is None:
        raise WachtlijstError("token_unknown")
    return req


def confirm(ctx, req: CareRequest, *, actor: User | None = None,
            reason: str = "") -> bool:
    """Confirm a submitted request (idempotent: a second click changes nothing)."""
    if req.status != Status.SUBMITTED:
        return False
    req.confirmed_at = ctx.now()
    set_status(ctx, req, Status.CONFIRMED, actor=actor, actor_label="ouder", reason=reason)
    return True


def withdraw(ctx, req: CareRequest, *, actor: User | None = None,
             reason: str = "") -> None:
    if req.status not in OPEN_STATUSES:
        raise WachtlijstError("not_waiting")
    withdraw_open_offers(req, ctx.now())
    set_status(ctx, req, Status.WITHDRAWN, actor=actor, actor_label="ouder", reason=reason)


def withdraw_open_offers(req: CareRequest, now: datetime) -> None:
    """A closed request keeps no open offer: it could not be answered and would hold the place."""
    from ..models import OfferStatus

    for offer in req.offers:
        if offer.status == OfferStatus.OPEN:
            offer.status = OfferStatus.WITHDRAWN
            offer.answered_at = now


def lapse(ctx, req: CareRequest, *, actor: User, reason: str) -> None:
    """The request no longer applies (e.g. a miscarriage): not counted as unanswered."""
    if req.status not in OPEN_STATUSES:
        raise WachtlijstError("not_waiting")
    withdraw_open_offers(req, ctx.now())
    set_status(ctx, req, Status.LAPSED, actor=actor, reason=reason)


@dataclass(frozen=True)
class DuplicatePair:
    first: CareRequest
    second: CareRequest
    matches: tuple[str, ...]  # which of "name", "birth", "email" agree


def find_duplicates(ctx) -> list[DuplicatePair]:
    """Open requests that look like the same child: two of name, birth date and e-mail agree.
    Linked twins are not duplicates. One query; grouping in memory."""
    session = ctx.session
    reqs = session.scalars(_open_requests(ctx).order_by(CareRequest.id)).all()
    buckets: dict[tuple, list[CareRequest]] = {}
    for req in reqs:
        name = normalise_name(f"{req.child_first_name} {req.child_last_name}")
        for key in (("nb", name, req.birth), ("eb", req.email.lower(), req.birth), ("ne", name, req.email.lower())):
            buckets.setdefault(key, []).append(req)
    seen: dict[tuple[int, int], DuplicatePair] = {}
    for group in buckets.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.sibling_request_id == b.id or (a.id, b.id) in seen:
                    continue
                matches = tuple(m for m, same in (
                    ("name", normalise_name(f"{a.child_first_name} {a.child_last_name}")
                     == normalise_name(f"{b.child_first_name} {b.child_last_name}")),
                    ("birth", a.birth == b.birth), ("email", a.email.lower() == b.email.lower())) if same)
                seen[(a.id, b.id)] = DuplicatePair(a, b, matches)
    return list(seen.values())


def merge(ctx, keep: CareRequest, drop: CareRequest, *, actor: User) -> None:
    """Merge ``drop`` into ``keep``: the earliest registration date and every preference and
    priority fact are kept; ``drop`` is closed with a reference."""
    session = ctx.session
    org = ctx.org
    if keep.id == drop.id or keep.organisation_id != org.id or drop.organisation_id != org.id:
        raise WachtlijstError("not_waiting")
    if drop.status not in OPEN_STATUSES or keep.status not in OPEN_STATUSES:
        raise WachtlijstError("not_waiting")
    keep.submitted_at = min(keep.submitted_at, drop.submitted_at)
    for name in FACT_FIELDS:
        setattr(keep, name, getattr(keep, name) or getattr(drop, name))
    have = {p.location_id for p in keep.preferences}
    rank = max((p.rank for p in keep.preferences), default=0)
    for pref in drop.preferences:
        if pref.location_id not in have and len(have) < MAX_PREFERENCES:
            rank += 1
            keep.preferences.append(Preference(organisation_id=org.id, location_id=pref.location_id, rank=rank))
            have.add(pref.location_id)
    withdraw_open_offers(drop, ctx.now())
    drop.merged_into_id = keep.id
    set_status(ctx, drop, Status.WITHDRAWN, actor=actor, reason=f"samengevoegd met aanvraag #{keep.id}")
    keep.history.append(StatusChange(organisation_id=org.id, old_status=keep.status.value,
                                     new_status=keep.status.value, at=ctx.now(), actor_id=actor.id,
                                     actor_label=actor.name[:40], reason=f"aanvraag #{drop.id} samengevoegd"))
    session.flush()


def load_requests(ctx, ids: list[int]) -> list[CareRequest]:
    session = ctx.session
    org = ctx.org
    return session.scalars(select(CareRequest).where(CareRequest.organisation_id == org.id, CareRequest.id.in_(ids))
                           .options(selectinload(CareRequest.preferences))).all()
