"""The public contract of the wachtlijst module: the only module other plugins may import
(the loket sync, billing, reports), thin over ``services/``.

Every function takes the :class:`~core.context.TenantContext` first (``ctx.session``,
``ctx.org``, ``ctx.today()``) and returns plain frozen dataclasses, never ORM rows, so a caller
cannot change a request behind the module's back. Writes add and flush; the caller's unit of
work commits. Refused input raises :class:`WachtlijstError` (``code`` names the message,
``field`` the input it concerns) before anything is written.

Words: a *care request* is an *opvangvraag* (one applicant + one child); an *offer* is an
*aanbod* of a place; a *placement* is a request that ended with a care plan; a *vacancy* is a
free place type (location, month, age band, day parts) as planning computes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .models import CareRequest, Offer, OfferStatus, Status
from .services import intake as _intake
from .services import offers as _offers
from .services import placing as _placing
from .services.errors import ValidationFailed, WachtlijstError
from .services.intake import RequestData

__all__ = [
    "CareRequestInfo", "OfferInfo", "PlacementInfo", "RequestData", "Status", "OfferStatus", "VacancyInfo",
    "ValidationFailed", "WachtlijstError", "answer_offer", "create_external_request", "find_external_request",
    "get_request", "list_offers", "list_requests", "placements", "update_external_request", "vacancies",
    "withdraw_request",
]


# --- what callers get back ---------------------------------------------------------------------

@dataclass(frozen=True)
class OfferInfo:
    id: int
    request_id: int
    location_id: int
    start_date: date
    deadline: date
    status: str
    age_band: str
    day_parts: str


@dataclass(frozen=True)
class CareRequestInfo:
    """An opvangvraag as other modules see it (no status-page token, no notes)."""

    id: int
    status: str
    channel: str
    external_source: str | None
    external_id: str | None
    applicant_name: str
    email: str
    child_name: str
    child_birth_date: date | None
    expected_birth_date: date | None
    desired_start: date
    days: tuple[tuple[int, str], ...]          # (weekday 0=Monday, "full" | "morning" | "afternoon")
    location_ids: tuple[int, ...]               # preferences, first choice first
    submitted_at: datetime
    closed_at: datetime | None
    placed_location_id: int | None
    child_id: int | None
    care_plan_id: int | None
    offers: tuple[OfferInfo, ...]


@dataclass(frozen=True)
class PlacementInfo:
    """A request that ended in a place: what the loket needs to close it on its side."""

    request_id: int
    external_source: str | None
    external_id: str | None
    location_id: int
    child_id: int | None
    care_plan_id: int | None
    start_date: date | None
    placed_at: datetime | None


@dataclass(frozen=True)
class VacancyInfo:
    """A free place type (location, month, age band, day-part pattern) with the number free."""

    location_id: int
    year: int
    month: int
    age_band: str
    day_parts: str
    free: int
    last_minute: bool


def _offer_info(offer: Offer) -> OfferInfo:
    return OfferInfo(id=offer.id, request_id=offer.request_id, location_id=offer.location_id,
                     start_date=offer.start_date, deadline=offer.deadline, status=str(offer.status.value),
                     age_band=offer.age_band, day_parts=offer.day_parts)


def _request_info(req: CareRequest) -> CareRequestInfo:
    return CareRequestInfo(
        id=req.id, status=str(req.status.value), channel=req.channel, external_source=req.external_source,
        external_id=req.external_id, applicant_name=req.applicant_name, email=req.email,
        child_name=req.child_name, child_birth_date=req.child_birth_date,
        expected_birth_date=req.expected_birth_date, desired_start=req.desired_start,
        days=tuple((int(d["weekday"]), str(d["day_part"])) for d in req.days or ()),
        location_ids=tuple(p.location_id for p in req.preferences), submitted_at=req.submitted_at,
        closed_at=req.closed_at, placed_location_id=req.placed_location_id, child_id=req.child_id,
        care_plan_id=req.care_plan_id, offers=tuple(_offer_info(o) for o in req.offers),
    )


def _requests(ctx):
    """The organisation's live requests: not merged into another, not anonymised."""
    return (select(CareRequest)
            .where(CareRequest.organisation_id == ctx.org.id, CareRequest.merged_into_id.is_(None),
                   CareRequest.anonymised_at.is_(None))
            .options(selectinload(CareRequest.preferences), selectinload(CareRequest.offers)))


def _load(ctx, request_id: int) -> CareRequest:
    req = ctx.session.scalar(_requests(ctx).where(CareRequest.id == request_id))
    if req is None:
        raise WachtlijstError("not_found")
    return req


# --- care requests -----------------------------------------------------------------------------

def list_requests(ctx, *, statuses: tuple[str, ...] | None = None, changed_since: datetime | None = None,
                  limit: int = 1000) -> list[CareRequestInfo]:
    """The organisation's requests, oldest first, optionally only some statuses or those
    changed since a moment (what a sync sends again). Two SELECTs, whatever the number."""
    stmt = _requests(ctx).order_by(CareRequest.submitted_at, CareRequest.id).limit(limit)
    if statuses:
        stmt = stmt.where(CareRequest.status.in_([Status(s) for s in statuses]))
    if changed_since is not None:
        stmt = stmt.where(CareRequest.updated_at >= changed_since)
    return [_request_info(r) for r in ctx.session.scalars(stmt)]


def get_request(ctx, request_id: int) -> CareRequestInfo | None:
    """One request of the organisation, or None (also for another organisation's id)."""
    req = ctx.session.scalar(_requests(ctx).where(CareRequest.id == request_id))
    return _request_info(req) if req is not None else None


def find_external_request(ctx, source: str, external_id: str) -> CareRequestInfo | None:
    """The request an outside system (``source``, e.g. ``"loket"``) knows as ``external_id``."""
    req = ctx.session.scalar(_requests(ctx).where(CareRequest.external_source == source,
                                                  CareRequest.external_id == external_id))
    return _request_info(req) if req is not None else None


def create_external_request(ctx, source: str, external_id: str, data: RequestData) -> CareRequestInfo:
    """Store a request that arrived from an outside system (the loket) under its id there.

    Idempotent: calling again with the same ``source`` and ``external_id`` returns the request
    stored the first time and changes nothing, also when two calls race (a unique constraint
    decides, the loser reads the winner's row). The outside system has already confirmed the
    parent, so the request is confirmed at once and no confirmation mail is sent. One external id
    is one child: twins arrive as two requests. Bad data raises ValidationFailed."""
    source, external_id = (source or "").strip(), (external_id or "").strip()
    if not source or not external_id or len(source) > 32 or len(external_id) > 100:
        raise WachtlijstError("external_id_invalid", "external_id")
    if data.twin_first_name.strip():
        raise WachtlijstError("external_one_child", "twin_first_name")
    existing = find_external_request(ctx, source, external_id)
    if existing is not None:
        return existing
    try:
        with ctx.session.begin_nested():
            [(req, _token)] = _intake.create_requests(ctx, data, channel=source[:16],
                                                      confirmed=True)
            req.external_source, req.external_id = source, external_id
            ctx.session.flush()
    except IntegrityError:
        existing = find_external_request(ctx, source, external_id)
        if existing is None:
            raise
        return existing
    return get_request(ctx, req.id)  # type: ignore[return-value]


def update_external_request(ctx, source: str, external_id: str, data: RequestData) -> CareRequestInfo:
    """Apply a change the outside system made to a request it gave us (desired start, days,
    preferences, priority facts). A closed request raises WachtlijstError("not_waiting"), an
    unknown one ("not_found"), bad data ValidationFailed; nothing is written then."""
    req = ctx.session.scalar(_requests(ctx).where(CareRequest.external_source == source,
                                                  CareRequest.external_id == external_id))
    if req is None:
        raise WachtlijstError("not_found")
    _intake.update_external(ctx, req, data)
    return _request_info(req)


def withdraw_request(ctx, request_id: int, *, reason: str) -> CareRequestInfo:
    """Close an open request on the parent's behalf (e.g. the loket reports a place elsewhere);
    its open offers are withdrawn. A closed request raises WachtlijstError("not_waiting")."""
    if not (reason or "").strip():
        raise WachtlijstError("reason_required", "reason")
    req = _load(ctx, request_id)
    _intake.withdraw(ctx, req, reason=reason.strip())
    return _request_info(req)


# --- offers and placements ---------------------------------------------------------------------

def list_offers(ctx, *, request_id: int | None = None, statuses: tuple[str, ...] | None = None) -> list[OfferInfo]:
    """The organisation's offers, newest first."""
    stmt = select(Offer).where(Offer.organisation_id == ctx.org.id).order_by(Offer.id.desc())
    if request_id is not None:
        stmt = stmt.where(Offer.request_id == request_id)
    if statuses:
        stmt = stmt.where(Offer.status.in_([OfferStatus(s) for s in statuses]))
    return [_offer_info(o) for o in ctx.session.scalars(stmt)]


def answer_offer(ctx, offer_id: int, *, accepted: bool, reason: str = "") -> OfferInfo:
    """Record the parent's answer to an offer that reached the parent through another channel
    (the loket): accepting creates family, child and care plan (a placement), all or nothing;
    declining needs a reason. An expired or answered offer raises WachtlijstError."""
    offer = ctx.session.scalar(select(Offer).where(Offer.id == offer_id, Offer.organisation_id == ctx.org.id))
    if offer is None:
        raise WachtlijstError("not_found")
    if accepted:
        _offers.accept(ctx, offer)
    else:
        _offers.decline(ctx, offer, reason)
    return _offer_info(offer)


def placements(ctx, *, since: datetime | None = None) -> list[PlacementInfo]:
    """Requests that ended in a place (status ``placed``), oldest first; ``since``: placed at or
    after that moment."""
    stmt = (select(CareRequest)
            .where(CareRequest.organisation_id == ctx.org.id, CareRequest.status == Status.PLACED)
            .options(selectinload(CareRequest.offers))
            .order_by(CareRequest.closed_at, CareRequest.id))
    if since is not None:
        stmt = stmt.where(CareRequest.closed_at >= since)
    found = []
    for req in ctx.session.scalars(stmt):
        accepted = [o for o in req.offers if o.status == OfferStatus.ACCEPTED]
        found.append(PlacementInfo(
            request_id=req.id, external_source=req.external_source, external_id=req.external_id,
            location_id=req.placed_location_id, child_id=req.child_id, care_plan_id=req.care_plan_id,
            start_date=accepted[-1].start_date if accepted else None, placed_at=req.closed_at))
    return found


# --- vacancies ---------------------------------------------------------------------------------

def vacancies(ctx, *, start: date | None = None, months: int = 12,
              location_ids: list[int] | None = None) -> list[VacancyInfo]:
    """Free place types from ``start`` (default: today's month) for ``months`` months, as
    planning counts them (places minus reserved days); only types with a free place."""
    if not 1 <= months <= 36:
        raise WachtlijstError("months_invalid", "months")
    first = (start or ctx.today()).replace(day=1)
    return [VacancyInfo(s.location_id, s.year, s.month, s.age_band, s.day_parts, s.free, s.last_minute)
            for s in _placing.vacancies(ctx, start=first, months=months, location_ids=location_ids)]
