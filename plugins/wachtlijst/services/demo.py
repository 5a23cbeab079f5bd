"""Synthetic demo requests (never real people) for ``koepel demo``: a waiting list to rank,
offer from and report on, and a few offers made through the waiting list's own services (three
accepted, so placed with a care plan; one declined; two still open, so that a parent's status page
shows an offer with its answer date). Runs after planning's demo (the offers take places its care
plans leave free). Idempotent: an organisation that has requests gets none added."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from core.models import Location, PriceRegime
from core.settings import set_setting

from ..models import WAITING_STATUSES, CareRequest, Offer, OfferStatus, Preference, Status
from . import offers, placing
from .errors import WachtlijstError
from .intake import FACT_FIELDS, hash_token, set_status

FIRST = ["Lotte", "Noah", "Mila", "Arthur", "Olivia", "Louis", "Marie", "Jules", "Elena", "Finn", "Nora", "Vic"]
LAST = ["Demoens", "Voorbeeldt", "Proefmans", "Testaert", "Fictief", "Verzonnen"]
ANSWERS = ("accept", "accept", "accept", "decline", "open", "open")  # one offer each, in this order


def populate(ctx, seed: int) -> int:
    session = ctx.session
    org = ctx.org
    if session.scalar(select(func.count()).select_from(CareRequest).where(CareRequest.organisation_id == org.id)):
        return 0
    locations = session.scalars(select(Location.id).where(Location.organisation_id == org.id)).all()
    if not locations:
        return 0
    rng = random.Random(seed)
    today = ctx.today()
    set_setting(session, org, "wachtlijst.public_form", True)
    if org.price_regime == PriceRegime.INKOMENSTARIEF:  # a synthetic id, so that FO-RE-19 can be tried
        set_setting(session, org, "wachtlijst.subsidiegroep_id", str(900000 + org.id))
    for n in range(14):
        born = rng.random() < 0.7
        birth = today - timedelta(days=rng.randint(30, 300)) if born else today + timedelta(days=rng.randint(20, 200))
        token = secrets.token_urlsafe(24)
        req = CareRequest(
            organisation_id=org.id, token_hash=hash_token(token), token=token, channel=rng.choice(["staff", "public"]),
            language=rng.choice(["nl", "nl", "fr", "en"]), status=Status.SUBMITTED,
            submitted_at=ctx.now() - timedelta(days=rng.randint(1, 200)),
            applicant_first_name="Ouder", applicant_last_name=rng.choice(LAST), email=f"demo{n}.{org.slug}@example.be",
            child_first_name=rng.choice(FIRST), child_last_name=rng.choice(LAST),
            child_birth_date=birth if born else None, expected_birth_date=None if born else birth,
            desired_start=max(birth, today) + timedelta(days=rng.randint(30, 240)),
            days=[{"weekday": d, "day_part": "full"} for d in range(5) if rng.random() < 0.8] or
                 [{"weekday": 0, "day_part": "full"}],
            **{name: rng.random() < (0.6 if name == "work" else 0.12) for name in FACT_FIELDS},
        )
        req.preferences = [Preference(organisation_id=org.id, location_id=loc, rank=i)
                           for i, loc in enumerate(rng.sample(locations, min(len(locations), rng.randint(1, 3))), 1)]
        session.add(req)
        session.flush()
        set_status(ctx, req, Status.SUBMITTED, actor_label="demo")
        if rng.random() < 0.9:
            set_status(ctx, req, Status.CONFIRMED, actor_label="demo")
    session.flush()
    make_offers(ctx)
    return 14


def make_offers(ctx) -> int:
    """Offer free places of the coming months to the best-ranked waiting request, one offer per
    request, and answer them as ANSWERS says (the parent's own answer: no staff actor)."""
    made = 0
    offered: set[int] = set()
    today = ctx.today()
    waiting = ctx.session.scalars(select(CareRequest).where(
        CareRequest.organisation_id == ctx.org.id, CareRequest.status.in_(WAITING_STATUSES))).all()
    wishes = [(req, {p.location_id for p in req.preferences}) for req in waiting]
    for slot in placing.vacancies(ctx, start=today.replace(day=1), months=12):
        if made == len(ANSWERS):
            break
        if slot.last_minute or not any(  # ranking costs queries: only where someone fits
                req.id not in offered and slot.location_id in where and offers.eligible(req, slot, today)
                for req, where in wishes):
            continue
        ranked, _rows = offers.candidates(ctx, slot)
        pick = next((r.request_id for r in ranked if r.request_id not in offered), None)
        if pick is None:
            continue
        try:
            with ctx.session.begin_nested():
                offer = offers.make_offer(ctx, ctx.session.get(CareRequest, pick), slot, actor=None)
        except WachtlijstError:  # taken by an earlier demo offer of the same type
            continue
        offered.add(pick)
        answer = ANSWERS[made]
        if answer == "accept":
            offers.accept(ctx, offer)
        elif answer == "decline":
            offers.decline(ctx, offer, "We vonden opvang dichter bij huis")
        made += 1
    return made


def links(ctx) -> list[tuple[str, str]]:
    """The status page of the first parent with an open offer (its answer date on it)."""
    req = ctx.session.scalar(select(CareRequest).join(Offer, Offer.request_id == CareRequest.id).where(
        Offer.organisation_id == ctx.org.id, Offer.status == OfferStatus.OPEN).order_by(Offer.id).limit(1))
    if req is None or not req.token:
        return []
    return [(f"statuspagina van een ouder met een open aanbod ({ctx.org.name})",
             f"/o/{ctx.org.slug}/wachtlijst/status/{req.token}?lang=nl")]
