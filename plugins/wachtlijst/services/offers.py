"""Offers: ranked candidates for a free place, the offer with its deadline, and the parent's
answer. Acceptance creates family, child and care plan in one savepoint: all or nothing."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import BRUSSELS
from core.jobs import enqueue
from core.models import (
    Child,
    ChildFamily,
    ContactPerson,
    Family,
    Language,
    Location,
    User,
)
from core.plugins.events import OfferDeclined, OfferExpired, PlacementConfirmed

from ..models import (
    WAITING_STATUSES,
    CareRequest,
    Offer,
    OfferStatus,
    Preference,
    Status,
)
from . import messages, placing
from .errors import WachtlijstError
from .intake import set_status
from .placing import Slot, age_range
from .policy import (
    Facts,
    Ranked,
    flags_of,
    get_rules,
    location_quotas,
    rank,
)


def age_months(birth, on) -> int:
    """Completed months of age on ``on`` (same as dateutil's relativedelta, without its cost): a
    month is completed on the same day of the month, or on the month's last day when it is shorter
    (born on 29 January: 13 months old on 28 February of the next year)."""
    month_not_done = on.day < birth.day and on.day != calendar.monthrange(on.year, on.month)[1]
    return (on.year - birth.year) * 12 + on.month - birth.month - month_not_done


def offer_start(req: CareRequest, slot: Slot, today: date):
    return max(slot.start, req.desired_start, today)


def eligible(req: CareRequest, slot: Slot, today: date) -> bool:
    """Can this place be offered to this request (start wish, age band)?"""
    if req.desired_start > slot.end or not placing.covers(slot.day_parts, req.days):
        return False
    band = age_range(slot.age_band)
    if band is not None:
        start = offer_start(req, slot, today)
        if start < req.birth:
            return False
        if not band[0] <= age_months(req.birth, start) < band[1]:
            return False
    return True


def waiting_at(ctx, location_id: int):
    org = ctx.org
    return (
        select(CareRequest)
        .join(Preference, Preference.request_id == CareRequest.id)
        .where(CareRequest.organisation_id == org.id, Preference.location_id == location_id,
               CareRequest.status.in_(WAITING_STATUSES), CareRequest.merged_into_id.is_(None),
               CareRequest.anonymised_at.is_(None))
    )


RANK_COLUMNS = ("id", "submitted_at", "desired_start", "child_birth_date", "expected_birth_date", "days",
                "child_first_name", "child_last_name", "work", "single_parent", "low_income", "foster_child",
                "sibling_in_care", "care_need", "low_education", "family_member_handicap", "family_member_self_care",
                "social_pedagogical", "dutch_speaking", "urgent")


class RankRow:
    """The columns ranking needs, without building full ORM objects (5,000 rows stay cheap)."""

    __slots__ = RANK_COLUMNS

    def __init__(self, row) -> None:
        for name in RANK_COLUMNS:
            setattr(self, name, getattr(row, name))

    birth = CareRequest.birth
    child_name = CareRequest.child_name


def candidates(ctx, slot: Slot) -> tuple[list[Ranked], dict[int, RankRow]]:
    """Eligible requests for ``slot`` ranked by the policy, with reasons. A fixed number of
    queries, whatever the number of requests."""
    session = ctx.session
    org = ctx.org
    location = session.get(Location, slot.location_id)
    if location is None or location.organisation_id != org.id:
        raise WachtlijstError("location_unknown")
    stmt = waiting_at(ctx, slot.location_id).with_only_columns(
        *(getattr(CareRequest, name) for name in RANK_COLUMNS))
    reqs = {r.id: r for r in map(RankRow, session.execute(stmt)) if eligible(r, slot, ctx.today())}
    return _rank_at(ctx, location, reqs), reqs


def ranking(ctx, location_id: int) -> tuple[list[Ranked], dict[int, RankRow]]:
    """Every request waiting for ``location_id`` in the policy's order (no slot filter)."""
    session = ctx.session
    org = ctx.org
    location = session.get(Location, location_id)
    if location is None or location.organisation_id != org.id:
        raise WachtlijstError("location_unknown")
    stmt = waiting_at(ctx, location_id).with_only_columns(
        *(getattr(CareRequest, name) for name in RANK_COLUMNS))
    reqs = {r.id: r for r in map(RankRow, session.execute(stmt))}
    return _rank_at(ctx, location, reqs), reqs


def _rank_at(ctx, location: Location, reqs: dict[int, RankRow]) -> list[Ranked]:
    """The policy's order at ``location``, with its quotas (vulnerable reserve, Brussels share)."""
    session = ctx.session
    org = ctx.org
    min_criteria = int(ctx.setting("wachtlijst.vulnerable_min_criteria"))
    quotas = location_quotas(session, [org], [location])[location.id]
    facts = [Facts(r.id, r.submitted_at, flags_of(r, min_criteria)) for r in reqs.values()]
    return rank(facts, get_rules(ctx), quotas=quotas)


def free_now(ctx, slot: Slot) -> int:
    """Free places of this type per planning, minus offers still open on it. Offers are made on a
    month's places: the last-minute rows of the same month count the same places again, so they
    are left out."""
    session = ctx.session
    org = ctx.org
    found = [s for s in placing.vacancies(ctx, start=slot.start, months=1, location_ids=[slot.location_id])
             if not s.last_minute
             and (s.year, s.month, s.age_band, s.day_parts) == (slot.year, slot.month, slot.age_band, slot.day_parts)]
    free = sum(s.free for s in found)
    pending = session.scalar(select(func.count()).select_from(Offer).where(
        Offer.organisation_id == org.id, Offer.location_id == slot.location_id, Offer.status == OfferStatus.OPEN,
        Offer.age_band == slot.age_band, Offer.day_parts == slot.day_parts,
        Offer.start_date >= slot.start, Offer.start_date <= slot.end))
    return free - (pending or 0)


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=BRUSSELS)


def lock_location(ctx, location_id: int) -> Location | None:
    """The location's row, locked for this transaction (docs/concurrency.md): offers of one
    location are made one after the other, each counting the places the previous one took."""
    session = ctx.session
    org = ctx.org
    return session.scalar(select(Location).where(Location.id == location_id, Location.organisation_id == org.id)
                          .with_for_update().execution_options(populate_existing=True))


def lock_offer(session: Session, offer: Offer) -> Offer:
    """The offer and its request re-read under a row lock on the offer: the staff screen and the
    parent's status page answering at the same moment are served one after the other, and the
    second sees the offer closed."""
    session.scalar(select(Offer).where(Offer.id == offer.id, Offer.organisation_id == offer.organisation_id)
                   .with_for_update().execution_options(populate_existing=True))
    session.refresh(offer.request)
    return offer


def default_deadline(ctx):
    return ctx.today() + timedelta(days=int(ctx.setting("wachtlijst.offer_days")))


def check_offer_dates(slot: Slot, start: date, deadline: date, today: date) -> None:
    """A chosen start in the slot's month (not in the past) and an answer date after today, no later
    than the start; WachtlijstError otherwise."""
    if not (max(slot.start, today) <= start <= slot.end):
        raise WachtlijstError("offer_start_outside", "start_date")
    if not (today < deadline <= start):
        raise WachtlijstError("offer_deadline_invalid", "deadline")


def make_offer(ctx, req: CareRequest, slot: Slot, *, actor: User | None,
               allocation_run_id: int | None = None, start_date: date | None = None,
               deadline: date | None = None) -> Offer:
    """Offer ``slot`` to ``req``: from ``start_date`` (default: the later of the month's first day
    and the parent's wish), answer by ``deadline`` (default: wachtlijst.offer_days from today).
    The location's row is locked first (docs/concurrency.md)."""
    session = ctx.session
    org = ctx.org
    if lock_location(ctx, slot.location_id) is None:
        raise WachtlijstError("location_unknown")
    session.refresh(req)  # its status as committed by a parallel offer that held the lock before us
    if req.organisation_id != org.id or req.status not in WAITING_STATUSES or req.merged_into_id:
        raise WachtlijstError("not_waiting")
    if not eligible(req, slot, ctx.today()):
        raise WachtlijstError("not_waiting")
    start = start_date or offer_start(req, slot, ctx.today())
    answer_by = deadline or default_deadline(ctx)
    if start_date is not None or deadline is not None:
        check_offer_dates(slot, start, answer_by, ctx.today())
    if free_now(ctx, slot) <= 0:
        raise WachtlijstError("place_taken")
    location = session.get(Location, slot.location_id)
    offer = Offer(organisation_id=org.id, request=req, location_id=slot.location_id,
                  start_date=start, days=list(req.days), age_band=slot.age_band,
                  day_parts=slot.day_parts, deadline=answer_by,
                  status=OfferStatus.OPEN, made_by_id=actor.id if actor else None, made_at=ctx.now(),
                  allocation_run_id=allocation_run_id)
    session.add(offer)
    session.flush()
    set_status(ctx, req, Status.OFFER_MADE, actor=actor,
               reason=f"aanbod {location.name} vanaf {offer.start_date:%d/%m/%Y}, antwoord tegen {offer.deadline:%d/%m/%Y}")
    messages.send_offer(ctx, req, offer, location)
    reminder_days = int(ctx.setting("wachtlijst.reminder_days"))
    if reminder_days > 0 and offer.deadline - timedelta(days=reminder_days) > ctx.today():
        enqueue(session, "wachtlijst.offer_reminder", {"offer_id": offer.id}, key=f"wachtlijst:remind:{offer.id}",
                run_at=_at(offer.deadline - timedelta(days=reminder_days), 9), organisation_id=org.id)
    enqueue(session, "wachtlijst.offer_expiry", {"offer_id": offer.id}, key=f"wachtlijst:expire:{offer.id}",
            run_at=_at(offer.deadline + timedelta(days=1), 0), organisation_id=org.id)
    return offer


def offer_in_group(ctx, req: CareRequest, group: str, *, actor: User | None,
                   allocation_run_id: int | None = None) -> Offer:
    """Offer a place of a central-allocation place type (location, month, age band): the
    narrowest day-part pattern that covers the parent's wish and is still free."""
    session = ctx.session
    wanted = Slot.from_key(group)
    found = [s for s in placing.vacancies(ctx, start=wanted.start, months=1, location_ids=[wanted.location_id])
             if (s.year, s.month, s.age_band) == (wanted.year, wanted.month, wanted.age_band) and not s.last_minute
             and eligible(req, s, ctx.today())]
    found.sort(key=lambda s: (len(placing.pattern_cells(s.day_parts) or ()), s.day_parts))
    for slot in found:
        try:
            with session.begin_nested():
                return make_offer(ctx, req, slot, actor=actor, allocation_run_id=allocation_run_id)
        except WachtlijstError as exc:
            if exc.code != "place_taken":
                raise
    raise WachtlijstError("place_taken")


def _check_open(offer: Offer, today: date) -> None:
    if offer.status == OfferStatus.EXPIRED or (offer.status == OfferStatus.OPEN and today > offer.deadline):
        raise WachtlijstError("offer_expired")
    if offer.status != OfferStatus.OPEN:
        raise WachtlijstError("offer_closed")
    if offer.request.status != Status.OFFER_MADE or offer.request.merged_into_id:
        raise WachtlijstError("not_waiting")  # withdrawn, lapsed or merged meanwhile


def accept(ctx, offer: Offer, *, actor: User | None = None) -> CareRequest:
    """The parent accepts: family, child and care plan are created, all or nothing."""
    session = ctx.session
    org = ctx.org
    lock_offer(session, offer)
    _check_open(offer, ctx.today())
    req = offer.request
    label = "ouder" if actor is None else ""
    try:
        with session.begin_nested():
            family = Family(organisation_id=org.id, name=req.applicant_last_name, street=req.street,
                            postcode=req.postcode, municipality=req.municipality)
            family.contacts.append(ContactPerson(
                organisation_id=org.id, first_name=req.applicant_first_name, last_name=req.applicant_last_name,
                email=req.email, phone=req.phone or None, street=req.street, postcode=req.postcode,
                municipality=req.municipality, language=Language(req.language)))
            session.add(family)
            session.flush()
            child = Child(organisation_id=org.id, first_name=req.child_first_name or "?",
                          last_name=req.child_last_name, date_of_birth=req.child_birth_date,
                          expected_birth_date=req.expected_birth_date, care_need=req.care_need,
                          location_id=offer.location_id)
            child.family_links.append(ChildFamily(organisation_id=org.id, family_id=family.id))
            session.add(child)
            session.flush()
            plan_id = placing.create_care_plan(ctx, child_id=child.id, location_id=offer.location_id,
                                               start_date=offer.start_date, days=offer.days or req.days,
                                               family_id=family.id, actor_id=actor.id if actor else None)
            offer.status = OfferStatus.ACCEPTED
            offer.answered_at = ctx.now()
            req.family_id, req.child_id, req.care_plan_id = family.id, child.id, plan_id
            req.placed_location_id = offer.location_id
            set_status(ctx, req, Status.ACCEPTED, actor=actor, actor_label=label, reason="aanbod aanvaard")
            set_status(ctx, req, Status.PLACED, actor=actor, actor_label=label,
                       reason=f"opvangplan vanaf {offer.start_date:%d/%m/%Y}")
            ctx.hook.on_placement_confirmed(event=PlacementConfirmed(
                organisation_id=org.id, care_request_id=req.id, child_id=child.id, care_plan_id=plan_id,
                location_id=offer.location_id, start_date=offer.start_date))
    except WachtlijstError:
        raise
    except Exception as exc:
        message = placing.planning_error_message(exc)
        if message is None:
            raise
        raise WachtlijstError("placement_failed", detail=message) from exc
    messages.send_outcome(ctx, req, f"placed:{offer.id}")
    return req


def decline(ctx, offer: Offer, reason: str, *, actor: User | None = None) -> None:
    session = ctx.session
    org = ctx.org
    if not (reason or "").strip():
        raise WachtlijstError("reason_required", "reason")
    lock_offer(session, offer)
    _check_open(offer, ctx.today())
    offer.status = OfferStatus.DECLINED
    offer.decline_reason = reason.strip()[:500]
    offer.answered_at = ctx.now()
    req = offer.request
    set_status(ctx, req, Status.DECLINED, actor=actor, actor_label="ouder" if actor is None else "",
               reason=f"aanbod geweigerd: {offer.decline_reason}")
    ctx.hook.on_offer_declined(event=OfferDeclined(
        organisation_id=org.id, care_request_id=req.id, offer_id=offer.id, reason=offer.decline_reason))
    messages.send_outcome(ctx, req, f"declined:{offer.id}")


def expire(ctx, offer: Offer) -> bool:
    """Expire an unanswered offer after its deadline (the job calls this; idempotent)."""
    session = ctx.session
    org = ctx.org
    lock_offer(session, offer)
    if offer.status != OfferStatus.OPEN or ctx.today() <= offer.deadline:
        return False
    offer.status = OfferStatus.EXPIRED
    offer.answered_at = ctx.now()
    req = offer.request
    if req.status != Status.OFFER_MADE:  # closed meanwhile: the offer lapses, the request stays closed
        return True
    set_status(ctx, req, Status.EXPIRED, actor_label="systeem",
               reason=f"geen antwoord tegen {offer.deadline:%d/%m/%Y}")
    ctx.hook.on_offer_expired(event=OfferExpired(
        organisation_id=org.id, care_request_id=req.id, offer_id=offer.id))
    messages.send_outcome(ctx, req, f"expired:{offer.id}")
    return True


def expire_due(ctx) -> int:
    """Expire every overdue open offer of ``org`` (a safety net next to the per-offer jobs)."""
    session = ctx.session
    org = ctx.org
    due = session.scalars(select(Offer).where(Offer.organisation_id == org.id, Offer.status == OfferStatus.OPEN,
                                              Offer.deadline < ctx.today())).all()
    return sum(expire(ctx, offer) for offer in due)
