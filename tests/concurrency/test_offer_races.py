"""Races on the waiting list, 50 real parallel requests each (docs/concurrency.md): two
directors offering the last place of a slot (one offer, the others a clear 409, free places
never negative); the staff screen and the parent's status page accepting one offer at the same
moment (one placement: one child, one family, one care plan)."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS
from core.context import context_for
from core.models import Child, Family, Role
from plugins.wachtlijst.models import CareRequest, Offer, OfferStatus, Status
from plugins.wachtlijst.services import offers, placing
from tests.concurrency.conftest import PARALLEL, fire
from tests.factories import Factory
from tests.plugins.wachtlijst.helpers import make_request


@pytest.fixture
def one_free_place(monkeypatch):
    """Planning's free places pinned to one place of one slot (what is raced for is the offers)."""
    state = {}

    def fake(ctx, *, start, months=12, location_ids=None):
        slot = state["slot"]
        return [placing.Slot(slot.location_id, slot.year, slot.month, slot.age_band, slot.day_parts, 1)]

    monkeypatch.setattr(placing, "vacancies", fake)
    return state


def _waiting_list(live, one_free_place, requests: int):
    from datetime import datetime

    live.freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules={"planning", "wachtlijst"})
        s.commit()
        location = factory.location(org)
        directors = [factory.user(org, Role.DIRECTOR) for _ in range(2)]
        made = [make_request(s, org, [location.id], email=f"ouder{i}@example.be", child_first_name=f"Kind{i}",
                             child_birth_date=date(2026, 6, 1)) for i in range(requests)]
        slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)
        one_free_place["slot"] = slot
        ids = {"org": org.slug, "org_id": org.id, "slot": slot.key,
               "requests": [(req.id, token) for req, token in made]}
        emails = [d.email for d in directors]
    clients = []
    for email in emails:
        client = live.client()
        client.login(email)
        clients.append(client)
    return ids, clients, slot


def test_two_directors_offering_the_last_place_make_one_offer(live, one_free_place):
    ids, directors, slot = _waiting_list(live, one_free_place, PARALLEL)
    url = f"/o/{ids['org']}/wachtlijst/offers"

    def offer(i):
        request_id = ids["requests"][i][0]
        return lambda: directors[i % 2].copy().request("POST", url, form={"request_id": request_id,
                                                                          "slot": ids["slot"]})

    answers = fire([offer(i) for i in range(PARALLEL)])
    statuses = Counter(a.status for a in answers)
    assert statuses == {302: 1, 409: PARALLEL - 1}, statuses
    refused = next(a for a in answers if a.status == 409)
    assert "plaats" in refused.body.lower()  # the clear message that the place is taken
    with live.unit() as s:
        org = s.get(__import__("core.models", fromlist=["Organisation"]).Organisation, ids["org_id"])
        assert s.scalar(select(func.count()).select_from(Offer).where(Offer.organisation_id == ids["org_id"])) == 1
        assert offers.free_now(context_for(s, org), slot) == 0


def test_staff_and_parent_accepting_at_once_place_the_child_once(live, one_free_place):
    ids, directors, slot = _waiting_list(live, one_free_place, 1)
    request_id, token = ids["requests"][0]
    with live.unit() as s:
        from core.models import Organisation

        org = s.get(Organisation, ids["org_id"])
        offer_id = offers.make_offer(context_for(s, org), s.get(CareRequest, request_id), slot, actor=None).id
        children_before = s.scalar(select(func.count()).select_from(Child))
        families_before = s.scalar(select(func.count()).select_from(Family))
    staff_url = f"/o/{ids['org']}/wachtlijst/offers/{offer_id}/answer"
    parent_url = f"/o/{ids['org']}/wachtlijst/status/{token}/answer"
    parent = live.client()

    def answer(i):
        if i % 2:
            return lambda: directors[i % 4 // 2].copy().request("POST", staff_url, form={"answer": "accept"})
        return lambda: parent.copy().request("POST", parent_url, form={"answer": "accept", "offer_id": offer_id})

    answers = fire([answer(i) for i in range(PARALLEL)])
    statuses = Counter(a.status for a in answers)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[302] + statuses[200] == 1 and statuses[409] == PARALLEL - 1, statuses
    with live.unit() as s:
        req = s.get(CareRequest, request_id)
        assert req.status == Status.PLACED and s.get(Offer, offer_id).status == OfferStatus.ACCEPTED
        assert s.scalar(select(func.count()).select_from(Child)) == children_before + 1
        assert s.scalar(select(func.count()).select_from(Family)) == families_before + 1
        plans = placing.planning_api().reserved_days(context_for(s, s.get(Organisation, ids["org_id"])),
                                                     start=date(2027, 1, 4), end=date(2027, 1, 4))
        assert len({d.care_plan_id for d in plans}) == 1
