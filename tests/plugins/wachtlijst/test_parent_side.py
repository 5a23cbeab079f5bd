"""The parent's side: the organisation's name and logo on the public pages, where the request
stands in words (its priority group, how many requests are ahead for its start month and days,
naming nobody), and an offer whose start date and answer date are chosen and shown before it is
sent."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.context import context_for
from core.settings import set_setting
from plugins.wachtlijst.models import Offer
from plugins.wachtlijst.services import placing, policy
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request

MON_TUE = [{"weekday": 0, "day_part": "full"}, {"weekday": 1, "day_part": "full"}]


def test_public_form_carries_the_organisations_name_and_logo(client, session, org, location):
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    page = client.get(f"/o/{org.slug}/wachtlijst/aanvraag?lang=fr").get_data(as_text=True)
    assert f'<span class="brand">{org.name}</span>' in page
    assert '<span class="org-logo" aria-hidden="true">KZ</span>' in page  # Kinderopvang Zonneweide
    assert "koepel.css" in page and "favicon.svg" in page


@pytest.fixture
def queue(session, org, location, frozen_today):
    policy.set_rules(context_for(session, org), ["work"])
    ahead_work, _ = make_request(session, org, [location.id], email="a@example.be", child_first_name="Anouk",
                                 facts={"work": True})
    ahead_plain, _ = make_request(session, org, [location.id], email="b@example.be", child_first_name="Bram")
    later_month, _ = make_request(session, org, [location.id], email="c@example.be", child_first_name="Cato",
                                  desired_start=date(2027, 6, 1))
    other_days, _ = make_request(session, org, [location.id], email="e@example.be", child_first_name="Elif",
                                 facts={"work": True}, days=[{"weekday": 2, "day_part": "morning"}])
    mine, token = make_request(session, org, [location.id], email="d@example.be", child_first_name="Dirk",
                               days=MON_TUE)
    _worker, worker_token = make_request(session, org, [location.id], email="f@example.be",
                                         child_first_name="Fien", facts={"work": True}, days=MON_TUE)
    session.commit()
    return token, worker_token


def test_status_page_says_where_the_request_stands_without_naming_anyone(client, org, location, queue):
    token, _worker = queue
    page = client.get(f"/o/{org.slug}/wachtlijst/status/{token}?lang=nl").get_data(as_text=True)
    assert "Waar staat je aanvraag?" in page
    assert "geen voorrang" in page
    # ahead of Dirk: Anouk (work), Bram (earlier, same days) and Fien (later but work); not Cato (starts
    # in June) nor Elif (works, but asks only Wednesday morning)
    assert (f"{location.name}: 3 aanvragen staan vóór de jouwe voor een start ten laatste in januari 2027 "
            "op minstens een van dezelfde dagen.") in page
    for other in ("Anouk", "Bram", "Cato", "Elif", "Fien"):
        assert other not in page


def test_status_page_names_the_priority_group_in_the_parents_language(client, org, location, queue):
    _token, worker_token = queue
    page = client.get(f"/o/{org.slug}/wachtlijst/status/{worker_token}?lang=fr").get_data(as_text=True)
    assert "Votre demande compte dans le groupe prioritaire : Travail" in page
    # ahead of Fien: only Anouk (work, same days); Elif works too but asks other days
    assert f"{location.name} : 1 demande précède la vôtre" in page


@pytest.fixture
def slot(location):
    return placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)


@pytest.fixture
def free_place(monkeypatch, slot):
    def fake(ctx, *, start, months=12, location_ids=None):
        return [placing.Slot(slot.location_id, slot.year, slot.month, slot.age_band, slot.day_parts, 1)]

    monkeypatch.setattr(placing, "vacancies", fake)


def test_offer_shows_start_and_answer_date_before_it_is_sent(client, session, org, location, slot, free_place,
                                                             director, frozen_today):
    req, _ = make_request(session, org, [location.id], language="fr")
    session.commit()
    login(client, director)
    candidates = client.get(f"/o/{org.slug}/wachtlijst/candidates?slot={slot.key}").get_data(as_text=True)
    assert f"/o/{org.slug}/wachtlijst/offers/new?request_id={req.id}" in candidates.replace("&amp;", "&")
    form = client.get(f"/o/{org.slug}/wachtlijst/offers/new?request_id={req.id}&slot={slot.key}")
    text = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'name="start_date" value="2027-01-04"' in text  # the parent's wish, inside January
    assert 'name="deadline" value="2026-' in text
    assert "Nous vous proposons une place" in text  # what the parent will read, in French
    assert session.scalar(select(func.count()).select_from(Offer)) == 0  # nothing sent yet
    sent = client.post(f"/o/{org.slug}/wachtlijst/offers", data={
        "request_id": req.id, "slot": slot.key, "confirm": "1", "start_date": "2027-01-11", "deadline": "2026-12-04"})
    assert sent.status_code == 302
    offer = session.scalar(select(Offer).where(Offer.request_id == req.id))
    assert (offer.start_date, offer.deadline) == (date(2027, 1, 11), date(2026, 12, 4))


@pytest.mark.parametrize("start, deadline, message", [
    ("2027-02-01", "2026-12-04", "in de maand van de vrije plaats"),
    ("2026-12-31", "2026-12-04", "in de maand van de vrije plaats"),
    ("2027-01-11", "2026-11-18", "antwoorddatum"),  # today
    ("2027-01-11", "2027-01-12", "antwoorddatum"),  # after the start
    ("morgen", "2026-12-04", "in de maand van de vrije plaats"),
    ("2027-01-11", "", "antwoorddatum"),
])
def test_bad_offer_dates_are_refused_and_nothing_is_sent(client, session, org, location, slot, free_place,
                                                         director, frozen_today, start, deadline, message):
    req, _ = make_request(session, org, [location.id])
    session.commit()
    login(client, director)
    response = client.post(f"/o/{org.slug}/wachtlijst/offers", data={
        "request_id": req.id, "slot": slot.key, "confirm": "1", "start_date": start, "deadline": deadline})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Offer)) == 0
