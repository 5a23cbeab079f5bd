"""Synthetic demo requests (never real people) for ``koepel demo``: a waiting list to rank,
offer from and report on. Idempotent: an organisation that has requests gets none added."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from core.models import Location, PriceRegime
from core.settings import set_setting

from ..models import CareRequest, Preference, Status
from .intake import FACT_FIELDS, hash_token, set_status

FIRST = ["Lotte", "Noah", "Mila", "Arthur", "Olivia", "Louis", "Marie", "Jules", "Elena", "Finn", "Nora", "Vic"]
LAST = ["Demoens", "Voorbeeldt", "Proefmans", "Testaert", "Fictief", "Verzonnen"]


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
    return 14
