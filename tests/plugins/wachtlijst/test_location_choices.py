"""The preferred locations (choice 1 to 5) where a partner has dozens of homes: each choice tells
look-alikes apart (municipality and care type); a large organisation's form lists only the chosen
ones and searches the rest, staff through core's locations.search, parents (no login) through
wachtlijst.public_locations, which gives only public fields of this organisation's locations. The
posted choices are still saved, and another organisation's location is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import CareType, Location
from core.settings import set_setting
from core.views.locations import PICKER_FROM
from plugins.wachtlijst.models import CareRequest
from tests.conftest import login

FORM = {"applicant_first_name": "Marie", "applicant_last_name": "Dubois", "email": "marie@example.be",
        "child_first_name": "Léa", "child_last_name": "Dubois", "child_birth_date": "2026-08-01",
        "desired_start": "2027-02-01", "day_0": "full", "language": "nl"}


@pytest.fixture
def homes(factory, session, org):
    """More family daycare homes than a plain list takes, one in Harelbeke, with a caregiver's name
    and a street (not public)."""
    for i in range(PICKER_FROM + 2):
        home = factory.location(org, name=f"Onthaalouder Janssens {i:02d}", care_type=CareType.GEZINSOPVANG,
                                places=8)
        home.municipality, home.postcode = ("Harelbeke", "8530") if i == 9 else ("Kortrijk", "8500")
        home.street, home.caregiver_name = f"Thuisstraat {i}", f"Els Geheim{i:02d}"
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    return session.scalars(select(Location).where(Location.organisation_id == org.id)
                           .order_by(Location.name)).all()


def public_search(client, slug, q, **args):
    return client.get(f"/o/{slug}/wachtlijst/aanvraag/locaties.json", query_string={"q": q, **args})


def test_public_search_gives_only_public_fields_of_this_organisations_locations(client, factory, session, org,
                                                                                  homes, frozen_today):
    other = factory.org(name="Ander Huis", modules={"wachtlijst"})
    factory.location(other, name="Onthaalouder Janssens Elders")
    session.commit()
    slug = org.slug
    found = public_search(client, slug, "harel").get_json()["results"]
    assert found == [{"id": homes[9].id, "name": "Onthaalouder Janssens 09", "detail": "Harelbeke · Gezinsopvang"}]
    everything = public_search(client, slug, "janssens").get_json()["results"]
    assert len(everything) == 20 and "Elders" not in str(everything)
    assert all(set(r) == {"id", "name", "detail"} for r in everything)
    assert "Thuisstraat" not in str(everything) and "Geheim" not in str(everything)
    assert public_search(client, slug, "geheim").get_json()["results"] == []  # no search on a caregiver's name
    assert public_search(client, slug, "8530").get_json()["results"][0]["id"] == homes[9].id
    assert public_search(client, slug, "harel", lang="fr").get_json()["results"][0]["detail"] == \
        "Harelbeke · Accueil familial"
    assert public_search(client, slug, "h").status_code == 400


def test_public_search_is_closed_with_the_form(client, session, org, homes, frozen_today):
    set_setting(session, org, "wachtlijst.public_form", False)
    session.commit()
    assert public_search(client, org.slug, "harel").status_code == 404


def test_public_search_is_throttled_with_room_for_typing(app, client, org, homes, frozen_today):
    slug = org.slug
    app.config["WACHTLIJST_PUBLIC_RATE"] = 1  # 5 searches a minute
    statuses = [public_search(client, slug, "harel").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]


def test_public_form_of_a_large_organisation_lists_only_the_chosen_and_saves_them(client, session, org, homes,
                                                                                   frozen_today):
    url = f"/o/{org.slug}/wachtlijst/aanvraag"
    page = client.get(url + "?lang=fr").get_data(as_text=True)
    assert page.count(f'data-search-url="/o/{org.slug}/wachtlijst/aanvraag/locaties.json"') == 5
    assert 'data-search-params="lang=fr"' in page and "tom-select.complete.min.js" in page
    assert "Onthaalouder Janssens" not in page  # none listed until chosen
    chosen = {**FORM, "choice_1": str(homes[9].id), "choice_2": str(homes[3].id), "choice_3": "",
              "child_birth_date": "bad"}
    again = client.post(url, data=chosen).get_data(as_text=True)  # refused: the choices stay, told apart
    assert "Onthaalouder Janssens 09 (Harelbeke · Gezinsopvang)" in again
    assert "Onthaalouder Janssens 03 (Kortrijk · Gezinsopvang)" in again and "Janssens 04" not in again
    response = client.post(url, data={**chosen, "child_birth_date": "2026-08-01"})
    assert response.status_code == 200
    req = session.scalar(select(CareRequest).where(CareRequest.email == "marie@example.be"))
    assert [p.location_id for p in req.preferences] == [homes[9].id, homes[3].id]


def test_staff_form_searches_with_locations_search_and_refuses_another_organisations_location(
        client, factory, session, org, homes, director, frozen_today):
    other = factory.location(factory.org(name="Ander Huis"), name="Vreemd")
    session.commit()
    login(client, director)
    page = client.get(f"/o/{org.slug}/wachtlijst/new").get_data(as_text=True)
    assert page.count(f'data-search-url="/o/{org.slug}/locations/search.json"') == 5
    refused = client.post(f"/o/{org.slug}/wachtlijst/new", data={**FORM, "choice_1": str(other.id)})
    assert refused.status_code == 422 and session.scalar(select(CareRequest)) is None
    done = client.post(f"/o/{org.slug}/wachtlijst/new", data={**FORM, "choice_1": str(homes[0].id)})
    assert done.status_code == 302
    req = session.scalar(select(CareRequest).where(CareRequest.email == "marie@example.be"))
    assert [p.location_id for p in req.preferences] == [homes[0].id]


def test_small_organisation_keeps_the_plain_list_with_details(client, session, org, location, frozen_today):
    location.municipality = "Gent"
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    page = client.get(f"/o/{org.slug}/wachtlijst/aanvraag").get_data(as_text=True)
    assert "data-search-url" not in page and "tom-select" not in page
    assert f'<option value="{location.id}">Zonneweide Centrum (Gent · Groepsopvang)</option>' in page
