"""Offers and placement: ranked candidates for a free place (query count independent of the
number of requests), offer with deadline, accept (family, child and care plan in one step through
planning's api), decline with reason, expiry by a job, and the refusals."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.db import get_db
from core.jobs import Job, JobStatus, run_pending
from core.models import Child, Family
from core.plugins import hookimpl
from plugins.wachtlijst.models import CareRequest, Offer, OfferStatus, Status
from plugins.wachtlijst.services import offers, placing
from plugins.wachtlijst.services.errors import WachtlijstError
from tests.conftest import QueryCounter, login
from tests.plugins.wachtlijst.helpers import make_request


@pytest.fixture
def slot(location):
    return placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)


@pytest.fixture
def fixed_vacancies(monkeypatch, slot):
    """Planning's free places, pinned for the logic tests (the integration test uses the real ones)."""
    state = {"free": 1}

    def fake(ctx, *, start, months=12, location_ids=None):
        return [placing.Slot(slot.location_id, slot.year, slot.month, slot.age_band, slot.day_parts, state["free"])]

    monkeypatch.setattr(placing, "vacancies", fake)
    return state


def test_candidates_ranked_with_reasons(session, org, location, slot, fixed_vacancies, frozen_today):
    plain, _ = make_request(session, org, [location.id], email="a@example.be")
    worker, _ = make_request(session, org, [location.id], email="b@example.be", child_first_name="Bo",
                             facts={"work": True})
    too_late, _ = make_request(session, org, [location.id], email="c@example.be", child_first_name="Cas",
                               desired_start=date(2027, 6, 1))
    ranked, reqs = offers.candidates(context_for(session, org), slot)
    assert [r.request_id for r in ranked] == [worker.id, plain.id]
    assert too_late.id not in reqs
    assert ranked[0].matched == ["work"]
    assert any("Werk" in line for line in ranked[1].reasons)


def test_ranking_query_count_does_not_grow(app, session, factory, org, location, slot, fixed_vacancies, frozen_today):
    for i in range(3):
        make_request(session, org, [location.id], email=f"x{i}@example.be")
    session.expire_all()
    with QueryCounter(session.connection()) as small:
        assert len(offers.candidates(context_for(session, org), slot)[0]) == 3
    for i in range(3, 30):
        make_request(session, org, [location.id], email=f"x{i}@example.be", facts={"work": i % 2 == 0})
    session.expire_all()
    with QueryCounter(session.connection()) as large:
        assert len(offers.candidates(context_for(session, org), slot)[0]) == 30
    assert large.count == small.count


def test_offer_deadline_mail_and_jobs(session, org, location, slot, fixed_vacancies, director, frozen_today):
    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=director)
    assert offer.deadline == frozen_today + timedelta(days=10)
    assert offer.start_date == date(2027, 1, 4)  # the parent's wish inside the vacancy month
    assert req.status == Status.OFFER_MADE and "Zonneweide Centrum" in req.history[-1].reason
    kinds = sorted(session.scalars(select(Job.kind).where(Job.organisation_id == org.id)))
    assert kinds == ["mail.send", "wachtlijst.offer_expiry", "wachtlijst.offer_reminder"]
    # the one place is now promised: a second offer on it is refused, nothing written
    other, _ = make_request(session, org, [location.id], email="other@example.be")
    with pytest.raises(WachtlijstError) as info:
        offers.make_offer(context_for(session, org), other, slot, actor=director)
    assert info.value.code == "place_taken"
    assert other.status == Status.CONFIRMED
    assert session.scalar(select(func.count()).select_from(Offer).where(Offer.request_id == other.id)) == 0


def test_offer_on_a_place_that_is_no_longer_free(session, org, location, slot, fixed_vacancies, frozen_today):
    req, _ = make_request(session, org, [location.id])
    fixed_vacancies["free"] = 0
    with pytest.raises(WachtlijstError) as info:
        offers.make_offer(context_for(session, org), req, slot, actor=None)
    assert info.value.message_in("fr") == "Cette place n'est plus libre."


def test_decline_requires_a_reason_and_fires_event(app, session, org, location, slot, fixed_vacancies, frozen_today):
    seen = []

    class Listener:
        @hookimpl
        def on_offer_declined(self, event):
            seen.append(event)

    app.extensions["koepel_plugins"].register(Listener(), name="listener-declined")
    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    with pytest.raises(WachtlijstError):
        offers.decline(context_for(session, org), offer, "  ")
    offers.decline(context_for(session, org), offer, "te ver van het werk")
    assert offer.status == OfferStatus.DECLINED and req.status == Status.DECLINED
    assert seen and seen[0].reason == "te ver van het werk" and seen[0].offer_id == offer.id
    # back on the list: a new offer can be made
    assert req.id in offers.candidates(context_for(session, org), slot)[1]


def test_expiry_job_expires_and_accepting_late_is_refused(app, session, org, location, slot, fixed_vacancies,
                                                          frozen_today):
    seen = []

    class Listener:
        @hookimpl
        def on_offer_expired(self, event):
            seen.append(event)

    app.extensions["koepel_plugins"].register(Listener(), name="listener-expired")
    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    session.commit()
    app_clock().freeze(datetime.combine(offer.deadline + timedelta(days=1), datetime.min.time(), tzinfo=BRUSSELS)
                 + timedelta(hours=1))
    with pytest.raises(WachtlijstError) as info:
        offers.accept(context_for(session, org), offer)
    assert info.value.code == "offer_expired"
    report = run_pending(get_db(), kinds=["wachtlijst.offer_expiry", "wachtlijst.offer_reminder"])
    assert report.done == 2  # the reminder found the offer past its deadline and sent nothing
    session.expire_all()
    offer = session.get(Offer, offer.id)
    assert offer.status == OfferStatus.EXPIRED and offer.request.status == Status.EXPIRED
    assert offer.request.history[-1].actor_label == "systeem"
    assert [(e.offer_id, e.care_request_id) for e in seen] == [(offer.id, offer.request_id)]
    with pytest.raises(WachtlijstError) as info:
        offers.accept(context_for(session, org), offer)
    assert info.value.code == "offer_expired"


def test_accept_creates_family_child_and_care_plan_in_one_step(app, session, org, location, slot, fixed_vacancies,
                                                               frozen_today):
    seen = []

    class Listener:
        @hookimpl
        def on_placement_confirmed(self, event):
            seen.append(event)

    app.extensions["koepel_plugins"].register(Listener(), name="listener-placed")
    req, _ = make_request(session, org, [location.id], facts={"single_parent": True})
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    offers.accept(context_for(session, org), offer)
    assert req.status == Status.PLACED and offer.status == OfferStatus.ACCEPTED
    assert [h.new_status for h in req.history][-2:] == ["accepted", "placed"]
    child = session.get(Child, req.child_id)
    family = session.get(Family, req.family_id)
    assert child.first_name == "Lotte" and child.location_id == location.id
    assert family.contacts[0].email == "ouder@example.be"
    plans = placing.planning_api().reserved_days(context_for(session, org), start=date(2027, 1, 4), end=date(2027, 1, 8),
                                                child_ids=[child.id])
    assert {d.day for d in plans} == {date(2027, 1, 4) + timedelta(days=i) for i in range(5)}
    assert seen[0].care_plan_id == req.care_plan_id and seen[0].child_id == child.id
    with pytest.raises(WachtlijstError) as info:
        offers.accept(context_for(session, org), offer)
    assert info.value.code == "offer_closed"


def test_failed_placement_writes_nothing(session, org, location, slot, fixed_vacancies, frozen_today, monkeypatch):
    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    children = session.scalar(select(func.count()).select_from(Child))
    error = placing.planning_api().PlanningError("De opvang is die dag gesloten.")

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(placing, "create_care_plan", failing)
    with pytest.raises(WachtlijstError) as info:
        offers.accept(context_for(session, org), offer)
    assert "gesloten" in info.value.message_in("nl")
    assert session.scalar(select(func.count()).select_from(Child)) == children
    assert req.status == Status.OFFER_MADE and offer.status == OfferStatus.OPEN


def test_parent_answers_on_the_status_page(client, session, org, location, slot, fixed_vacancies, frozen_today):
    req, token = make_request(session, org, [location.id], language="en")
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    session.commit()
    url = f"/o/{org.slug}/wachtlijst/status/{token}"
    page = client.get(url).get_data(as_text=True)
    assert "We offer a place at Zonneweide Centrum" in page
    refused = client.post(url + "/answer", data={"offer_id": offer.id, "answer": "decline", "reason": ""})
    assert refused.status_code == 409 and "Give a reason." in refused.get_data(as_text=True)  # the catalogue's English
    done = client.post(url + "/answer", data={"offer_id": offer.id, "answer": "accept"})
    assert done.status_code == 200 and "You accepted the offer" in done.get_data(as_text=True)
    req = session.get(CareRequest, req.id)
    assert req.status == Status.PLACED and req.history[-1].actor_label == "ouder"


def test_director_makes_an_offer_from_the_candidates_page(client, session, org, location, slot, fixed_vacancies,
                                                          director, frozen_today):
    req, _ = make_request(session, org, [location.id])
    session.commit()
    login(client, director)
    slug = org.slug
    page = client.get(f"/o/{slug}/wachtlijst/candidates?slot={slot.key}").get_data(as_text=True)
    assert "Lotte Peeters" in page and "Aanbod doen" in page
    response = client.post(f"/o/{slug}/wachtlijst/offers", data={"request_id": req.id, "slot": slot.key})
    assert response.status_code == 302
    again = client.post(f"/o/{slug}/wachtlijst/offers", data={"request_id": req.id, "slot": slot.key})
    assert again.status_code == 409
    assert session.scalar(select(func.count()).select_from(Offer).where(Offer.request_id == req.id)) == 1
    assert session.scalar(select(func.count()).select_from(Job).where(Job.status == JobStatus.PENDING)) >= 3


@pytest.mark.parametrize("how", ["merge", "lapse", "withdraw"])
def test_closing_a_request_withdraws_its_open_offer(session, org, location, slot, fixed_vacancies, director,
                                                    frozen_today, how):
    from plugins.wachtlijst.services import intake

    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=director)
    assert offers.free_now(context_for(session, org), slot) == 0
    if how == "merge":
        keep, _ = make_request(session, org, [location.id], email="ander-adres@example.be")
        intake.merge(context_for(session, org), keep, req, actor=director)
    elif how == "lapse":
        intake.lapse(context_for(session, org), req, actor=director, reason="miskraam")
    else:
        intake.withdraw(context_for(session, org), req, reason="elders opvang gevonden")
    closed = req.status
    assert offer.status == OfferStatus.WITHDRAWN
    assert offers.free_now(context_for(session, org), slot) == 1  # the place is free again
    children = session.scalar(select(func.count()).select_from(Child))
    with pytest.raises(WachtlijstError) as info:
        offers.accept(context_for(session, org), offer)
    assert info.value.code == "offer_closed"
    assert session.scalar(select(func.count()).select_from(Child)) == children and req.status == closed


def test_expiry_never_reopens_a_closed_request(session, org, location, slot, fixed_vacancies, frozen_today):
    """Data from before closing withdrew open offers: the late expiry leaves the request closed."""
    from plugins.wachtlijst.services import intake

    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    intake.withdraw(context_for(session, org), req, reason="verhuisd")
    offer.status = OfferStatus.OPEN  # as it used to be left
    with pytest.raises(WachtlijstError) as info:
        offers.accept(context_for(session, org), offer)
    assert info.value.code == "not_waiting"
    app_clock().freeze(datetime.combine(offer.deadline + timedelta(days=1), datetime.min.time(), tzinfo=BRUSSELS))
    assert offers.expire(context_for(session, org), offer)
    assert offer.status == OfferStatus.EXPIRED and req.status == Status.WITHDRAWN


def test_accepting_an_expired_offer_on_the_status_page_in_french_writes_nothing(
        client, session, org, location, slot, fixed_vacancies, frozen_today):
    req, token = make_request(session, org, [location.id], language="fr")
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    session.commit()
    req_id, offer_id = req.id, offer.id
    app_clock().freeze(datetime.combine(offer.deadline + timedelta(days=1), datetime.min.time(), tzinfo=BRUSSELS)
                 + timedelta(hours=9))
    before = (session.scalar(select(func.count()).select_from(Child)),
              session.scalar(select(func.count()).select_from(Family)))
    response = client.post(f"/o/{org.slug}/wachtlijst/status/{token}/answer",
                           data={"offer_id": offer_id, "answer": "accept"})
    assert response.status_code == 409
    assert "Cette offre a expiré et ne peut plus être acceptée." in response.get_data(as_text=True)
    session.expire_all()
    assert (session.scalar(select(func.count()).select_from(Child)),
            session.scalar(select(func.count()).select_from(Family))) == before
    assert session.get(CareRequest, req_id).status == Status.OFFER_MADE
    assert session.get(Offer, offer_id).status == OfferStatus.OPEN  # the expiry job will close it


def test_free_now_counts_a_month_once_beside_its_last_minute_row(session, org, location, slot, monkeypatch):
    """Planning gives the current month a regular row and a last-minute row for the same places:
    an offer's free places are the month's, not their sum."""
    both = [placing.Slot(slot.location_id, slot.year, slot.month, slot.age_band, slot.day_parts, 2),
            placing.Slot(slot.location_id, slot.year, slot.month, slot.age_band, slot.day_parts, 2, last_minute=True)]
    monkeypatch.setattr(placing, "vacancies", lambda ctx, *, start, months=12, location_ids=None: both)
    assert offers.free_now(context_for(session, org), slot) == 2
