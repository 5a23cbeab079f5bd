"""Central allocation across the koepel with planning's real free places: proposal, explanation,
review by the coordinator and offers for the accepted lines."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.models import Role
from plugins.wachtlijst.models import Offer, Status
from plugins.wachtlijst.services import central, placing
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request


def test_pattern_and_age_band_matching():
    assert placing.pattern_cells("ma-vr voormiddag") == {(w, "morning") for w in range(5)}
    assert placing.pattern_cells("wo volle dag") == {(2, "morning"), (2, "afternoon")}
    assert placing.covers("ma-vr volle dag", [{"weekday": 1, "day_part": "morning"}])
    assert not placing.covers("ma-vr voormiddag", [{"weekday": 1, "day_part": "full"}])
    assert placing.covers("onbekend patroon", [{"weekday": 1, "day_part": "full"}])
    assert placing.age_range("12-24m") == (12, 24)


def test_proposal_across_partners_and_offers(client, session, factory, frozen_today):
    a = factory.org(name="Partner Noord", modules={"wachtlijst"})
    b = factory.org(name="Partner Zuid", modules={"wachtlijst"})
    small = factory.location(a, name="Noord Klein", places=1)
    big = factory.location(b, name="Zuid Groot", places=2)
    coordinator = factory.user(None, Role.COORDINATOR)
    # two parents want the single place in the north; the one with priority gets it, the other
    # goes to her second choice... which is in the same organisation only: preferences are per partner
    first, _ = make_request(session, a, [small.id], email="p1@example.be", child_first_name="Eerste")
    prio, _ = make_request(session, a, [small.id], email="p2@example.be", child_first_name="Voorrang",
                           facts={"work": True})
    south1, _ = make_request(session, b, [big.id], email="p3@example.be", child_first_name="Zuid1")
    session.commit()
    run = central.propose(session, a.koepel_id, date(2027, 1, 1), actor=coordinator, months=1)
    lines = {line["request_id"]: line for line in run.result["lines"]}
    assert lines[prio.id]["location"] == "Noord Klein" and lines[prio.id]["choice"] == 1
    assert lines[first.id]["slot"] is None
    assert lines[first.id]["steps"][0]["outcome"] == "full_with_better_ranked"
    assert lines[first.id]["steps"][0]["rank"] == 2 and lines[first.id]["steps"][0]["cutoff"] == 1
    assert lines[south1.id]["location"] == "Zuid Groot"
    assert lines[prio.id]["rules"] == ["work"]
    session.commit()
    login(client, coordinator)
    page = client.get(f"/koepel/wachtlijst/runs/{run.id}").get_data(as_text=True)
    assert "volzet met hoger gerangschikten" in page and "Noord Klein" in page
    # the coordinator keeps only the northern proposal
    response = client.post(f"/koepel/wachtlijst/runs/{run.id}/send", data={"request_id": [str(prio.id)]})
    assert response.status_code == 302
    offers = session.scalars(select(Offer)).all()
    assert [(o.request_id, o.location_id, o.allocation_run_id) for o in offers] == [(prio.id, small.id, run.id)]
    assert offers[0].day_parts == "ma-vr volle dag"
    session.expire_all()
    assert session.get(type(prio), prio.id).status == Status.OFFER_MADE
    assert session.get(type(south1), south1.id).status == Status.CONFIRMED
    # a second proposal sees the place as promised
    run2 = central.propose(session, a.koepel_id, date(2027, 1, 1), actor=coordinator, months=1)
    assert all(line["location"] != "Noord Klein" for line in run2.result["lines"])


def test_directors_cannot_reach_the_koepel_pages(client, factory, session):
    org = factory.org(modules={"wachtlijst"})
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    assert client.get("/koepel/wachtlijst/").status_code == 403


def test_central_allocation_is_in_the_coordinators_main_menu(client, factory, session):
    org = factory.org(modules={"wachtlijst"})
    coordinator = factory.user(None, Role.COORDINATOR)
    director = factory.user(org, Role.DIRECTOR)
    slug = org.slug
    login(client, coordinator)
    menu = client.get("/koepel/").get_data(as_text=True).split('class="mainnav"')[1].split("</nav>")[0]
    assert 'href="/koepel/wachtlijst/"' in menu and "Centrale toewijzing" in menu
    client.post("/logout")
    login(client, director)
    body = client.get(f"/o/{slug}/").get_data(as_text=True)
    assert 'href="/koepel/wachtlijst/"' not in body
