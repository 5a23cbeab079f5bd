"""Choosing a child or a location where there can be hundreds: tenant-scoped JSON searches that tell
look-alikes apart (a child's date of birth and family, a location's municipality and care type),
the child form's location field and the absence form's child field that list only the chosen one
in a large organisation (the picker searches the rest), and posted ids of another organisation
refused."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.models import CareType, Child, Location, Role
from core.views.locations import PICKER_FROM
from tests.conftest import login


@pytest.fixture
def homes(factory, session):
    """An organisation with more family daycare homes than the plain list takes."""
    org = factory.org(modules={"aanwezigheden", "planning"})
    for i in range(PICKER_FROM + 3):
        location = factory.location(org, name=f"Onthaalouder Peeters {i:02d}", care_type=CareType.GEZINSOPVANG,
                                    places=8)
        location.municipality = "Kuurne" if i == 7 else "Kortrijk"
    session.commit()
    return org


def test_location_search_tells_look_alikes_apart(client, factory, homes):
    login(client, factory.user(homes, Role.DIRECTOR))
    results = client.get(f"/o/{homes.slug}/locations/search.json?q=peeters").get_json()["results"]
    assert len(results) == 20  # capped
    found = client.get(f"/o/{homes.slug}/locations/search.json?q=kuurne").get_json()["results"]
    assert [(r["name"], r["detail"]) for r in found] == [("Onthaalouder Peeters 07", "Kuurne · Gezinsopvang")]


def test_location_search_never_returns_another_partners_or_another_caregivers_locations(client, factory, homes,
                                                                                        session):
    other = factory.org()
    factory.location(other, name="Onthaalouder Peeters Vreemd")
    login(client, factory.user(homes, Role.DIRECTOR))
    assert client.get(f"/o/{homes.slug}/locations/search.json?q=vreemd").get_json()["results"] == []
    assert client.get(f"/o/{homes.slug}/locations/search.json?q=%25%25").get_json()["results"] == []
    mine = session.scalar(select(Location).where(Location.name == "Onthaalouder Peeters 03"))
    client.get("/logout")
    login(client, factory.user(homes, Role.CAREGIVER, locations=[mine]))
    names = [r["name"] for r in client.get(f"/o/{homes.slug}/locations/search.json?q=peeters").get_json()["results"]]
    assert names == ["Onthaalouder Peeters 03"]


@pytest.mark.parametrize("endpoint", ["locations", "children"])
@pytest.mark.parametrize("q", ["", "p", "x" * 101])
def test_searches_refuse_too_short_or_long_queries_with_json(client, factory, homes, endpoint, q):
    login(client, factory.user(homes, Role.DIRECTOR))
    response = client.get(f"/o/{homes.slug}/{endpoint}/search.json", query_string={"q": q})
    assert response.status_code == 400 and "2 tekens" in response.get_json()["error"]


def test_child_search_shows_date_of_birth_and_family_and_stays_in_its_organisation(client, factory, homes, session):
    home = session.scalar(select(Location).where(Location.name == "Onthaalouder Peeters 01"))
    family = factory.family(homes, name="Gezin Claes")
    factory.child(homes, family=family, location=home, first_name="Lotte", born=date(2025, 3, 14))
    factory.child(homes, family=factory.family(homes, name="Gezin Wouters"), location=home, first_name="Lotte",
                  born=date(2024, 11, 2))
    stranger = factory.org()
    factory.child(stranger, family=factory.family(stranger, name="Gezin Claes"), first_name="Lotte")
    login(client, factory.user(homes, Role.DIRECTOR))
    results = client.get(f"/o/{homes.slug}/children/search.json?q=lotte").get_json()["results"]
    details = sorted(r["detail"] for r in results)
    assert details == ["geboren 02/11/2024 · gezin Gezin Wouters", "geboren 14/03/2025 · gezin Gezin Claes"]
    by_family = client.get(f"/o/{homes.slug}/children/search.json?q=claes").get_json()["results"]
    assert len(by_family) == 1 and by_family[0]["detail"].endswith("gezin Gezin Claes")  # not the stranger's
    # another partner's children are never returned, whatever the query
    theirs = {c.id for c in session.scalars(select(Child).where(Child.organisation_id == stranger.id))}
    for q in ("lotte", "claes", "kind", "achternaam"):
        found = {r["id"] for r in client.get(f"/o/{homes.slug}/children/search.json",
                                             query_string={"q": q}).get_json()["results"]}
        assert not found & theirs


def test_child_search_keeps_a_caregiver_to_her_locations_and_placed_filters(client, factory, homes, session):
    mine, other = session.scalars(select(Location).where(Location.organisation_id == homes.id)
                                  .order_by(Location.name).limit(2)).all()
    factory.child(homes, location=mine, first_name="Mira")
    factory.child(homes, location=other, first_name="Mirte")
    factory.child(homes, location=None, first_name="Mirabel")
    login(client, factory.user(homes, Role.CAREGIVER, locations=[mine]))
    names = [r["name"].split()[0] for r in client.get(f"/o/{homes.slug}/children/search.json?q=mir").get_json()["results"]]
    assert names == ["Mira"]
    client.get("/logout")
    login(client, factory.user(homes, Role.DIRECTOR))
    every = client.get(f"/o/{homes.slug}/children/search.json?q=mir").get_json()["results"]
    placed = client.get(f"/o/{homes.slug}/children/search.json?q=mir&placed=1").get_json()["results"]
    assert len(every) == 3 and sorted(r["name"].split()[0] for r in placed) == ["Mira", "Mirte"]


def test_large_organisation_child_form_lists_only_the_chosen_location(client, factory, homes, session,
                                                                       frozen_today):
    login(client, factory.user(homes, Role.DIRECTOR))
    family = factory.family(homes)
    page = client.get(f"/o/{homes.slug}/children/new?family={family.id}").get_data(as_text=True)
    assert f'data-search-url="/o/{homes.slug}/locations/search.json"' in page and "picker.js" in page
    assert "Onthaalouder Peeters 12" not in page  # 33 homes are searched, not listed
    home = session.scalar(select(Location).where(Location.name == "Onthaalouder Peeters 12"))
    response = client.post(f"/o/{homes.slug}/children/new", data={
        "first_name": "Nieuw", "last_name": "Kind", "date_of_birth": "2026-01-05",
        "family_ids": [str(family.id)], "location_id": str(home.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert session.scalar(select(Child.location_id).where(Child.first_name == "Nieuw")) == home.id
    edit = client.get(f"/o/{homes.slug}/children/{session.scalar(select(Child.id).where(Child.first_name == 'Nieuw'))}"
                      "/edit").get_data(as_text=True)
    assert "Onthaalouder Peeters 12 (Kortrijk · Gezinsopvang)" in edit  # the chosen one, with its details


def test_a_location_of_another_organisation_cannot_be_posted(client, factory, homes, session, frozen_today):
    foreign = factory.location(factory.org(), name="Elders")
    family = factory.family(homes)
    login(client, factory.user(homes, Role.DIRECTOR))
    response = client.post(f"/o/{homes.slug}/children/new", data={
        "first_name": "Fout", "last_name": "Kind", "date_of_birth": "2026-01-05",
        "family_ids": [str(family.id)], "location_id": str(foreign.id)})
    assert response.status_code == 422
    assert session.scalar(select(Child).where(Child.first_name == "Fout")) is None


def test_absence_form_of_a_large_organisation_searches_children(client, factory, homes, session, frozen_today):
    home = session.scalar(select(Location).where(Location.name == "Onthaalouder Peeters 02"))
    kids = [factory.child(homes, location=home, first_name=f"Kind{i:02d}") for i in range(PICKER_FROM + 1)]
    stranger = factory.org(modules={"aanwezigheden"})
    theirs = factory.child(stranger, location=factory.location(stranger), first_name="Vreemd")
    login(client, factory.user(homes, Role.DIRECTOR))
    page = client.get(f"/o/{homes.slug}/aanwezigheden/absences/new").get_data(as_text=True)
    assert f'data-search-url="/o/{homes.slug}/children/search.json"' in page and "picker.js" in page
    assert "Kind05" not in page
    response = client.post(f"/o/{homes.slug}/aanwezigheden/absences/new",
                           data={"child_id": str(theirs.id), "day": "2026-11-20", "kind": "ongerechtvaardigd"})
    assert response.status_code == 422 and "Kies een kind" in response.get_data(as_text=True)
    response = client.post(f"/o/{homes.slug}/aanwezigheden/absences/new",
                           data={"child_id": "abc", "day": "2026-11-20", "kind": "ongerechtvaardigd"})
    assert response.status_code == 422
    response = client.post(f"/o/{homes.slug}/aanwezigheden/absences/new",
                           data={"child_id": str(kids[5].id), "day": "not-a-date", "kind": "ongerechtvaardigd"})
    assert response.status_code == 422
    kept = response.get_data(as_text=True)
    assert f'<option value="{kids[5].id}" selected>Kind05' in kept  # the chosen child stays chosen


def test_absence_form_of_a_small_organisation_lists_children_with_details(client, factory, session, frozen_today):
    org = factory.org(modules={"aanwezigheden"})
    home = factory.location(org)
    factory.child(org, family=factory.family(org, name="Gezin Maes"), location=home, first_name="Noor",
                  born=date(2025, 1, 9))
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/aanwezigheden/absences/new").get_data(as_text=True)
    assert "data-search-url" not in page
    assert "(geboren 09/01/2025 · gezin Gezin Maes)" in page


def test_planning_forms_of_a_large_organisation_search_locations(client, factory, homes, session, frozen_today):
    from plugins.planning.models import ClosingPeriod

    home = session.scalar(select(Location).where(Location.name == "Onthaalouder Peeters 05"))
    child = factory.child(homes, location=home, first_name="Plan")
    login(client, factory.user(homes, Role.DIRECTOR))
    plan_page = client.get(f"/o/{homes.slug}/planning/children/{child.id}/plans/new").get_data(as_text=True)
    assert f'data-search-url="/o/{homes.slug}/locations/search.json"' in plan_page and "picker.js" in plan_page
    assert "Onthaalouder Peeters 05 (Kortrijk · Gezinsopvang)" in plan_page  # the child's own home, chosen
    assert "Onthaalouder Peeters 06" not in plan_page.split('id="location_id"')[1].split("</select>")[0]
    closing = client.get(f"/o/{homes.slug}/planning/closing-days").get_data(as_text=True)
    assert f'data-search-url="/o/{homes.slug}/locations/search.json"' in closing
    foreign = factory.location(factory.org(), name="Elders")
    response = client.post(f"/o/{homes.slug}/planning/closing-days", data={
        "start_date": "2027-05-07", "location_id": str(foreign.id), "kind": "bridge", "reason": "brug"})
    assert response.status_code == 422
    assert session.scalar(select(ClosingPeriod).where(ClosingPeriod.reason == "brug")) is None
    response = client.post(f"/o/{homes.slug}/planning/closing-days", data={
        "start_date": "2027-05-07", "location_id": str(home.id), "kind": "bridge", "reason": "brug"})
    assert response.status_code in (200, 302)
    assert session.scalar(select(ClosingPeriod.location_id).where(ClosingPeriod.reason == "brug")) == home.id


def test_tablet_pairing_of_a_large_organisation_searches_the_location(client, factory, homes, session):
    login(client, factory.user(homes, Role.DIRECTOR))
    page = client.get(f"/o/{homes.slug}/aanwezigheden/devices").get_data(as_text=True)
    assert f'data-search-url="/o/{homes.slug}/locations/search.json"' in page and "picker.js" in page
    assert "Onthaalouder Peeters 12" not in page
    foreign = factory.location(factory.org(), name="Elders")
    response = client.post(f"/o/{homes.slug}/aanwezigheden/devices", data={"location_id": str(foreign.id),
                                                                           "name": "Tablet"})
    assert response.status_code == 422 and "Kies een locatie" in response.get_data(as_text=True)
