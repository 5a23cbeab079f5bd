"""Lists: search and pagination in SQL for organisations, locations, families and children, and
only the own organisation's rows (the caregiver: only the own locations' children)."""
from __future__ import annotations

import re

import pytest

from core.models import Koepel, Organisation, Role
from tests.conftest import login

ROW_LINK = re.compile(r'<a href="/o/[^/]+/(?:children|families|locations)/\d+">([^<]+)</a>')


@pytest.fixture
def small_pages(app):
    app.config["KOEPEL_PAGE_SIZE"] = 3


@pytest.fixture
def world(factory, session, small_pages):
    mine = factory.org(name="Appelboom vzw")
    other = factory.org(name="Perenboom vzw")
    locations = [factory.location(mine, name=f"Appelhof {i}") for i in range(1, 5)]
    factory.location(other, name="Appelhof Vreemd")
    for i in range(1, 8):
        family = factory.family(mine, name=f"Gezin Appel{i:02d}")
        factory.child(mine, family=family, location=locations[i % 2], first_name=f"Appel{i:02d}")
    factory.child(mine, family=factory.family(mine, name="Gezin Banaan"), location=locations[0], first_name="Banaan")
    stranger_family = factory.family(other, name="Gezin Appel99")
    factory.child(other, family=stranger_family, first_name="Appel99")
    return {"slug": mine.slug, "mine": mine, "locations": [loc.id for loc in locations],
            "director": factory.user(mine, Role.DIRECTOR),
            "caregiver": factory.user(mine, Role.CAREGIVER, locations=[locations[1]])}


def names(response) -> list[str]:
    return ROW_LINK.findall(response.get_data(as_text=True))


def summary(response) -> str:
    match = re.search(r"(\d+) resultaten, pagina (\d+) van (\d+)", response.get_data(as_text=True))
    assert match, "no pager"
    return match.group(0)


def test_children_search_and_pages(client, world):
    login(client, world["director"])
    slug = world["slug"]
    first = client.get(f"/o/{slug}/children/", query_string={"q": "appel"})
    assert summary(first) == "7 resultaten, pagina 1 van 3"
    assert len(names(first)) == 3
    assert 'rel="next"' in first.get_data(as_text=True) and "q=appel" in first.get_data(as_text=True)
    seen = []
    for page in (1, 2, 3):
        seen += names(client.get(f"/o/{slug}/children/", query_string={"q": "APPEL", "page": page}))
    assert len(seen) == 7 and len(set(seen)) == 7
    assert all("Appel99" not in name for name in seen)
    assert "Banaan" not in " ".join(seen)
    last = client.get(f"/o/{slug}/children/", query_string={"q": "appel", "page": 3})
    assert 'rel="next"' not in last.get_data(as_text=True) and 'rel="prev"' in last.get_data(as_text=True)


@pytest.mark.parametrize("page", ["abc", "-4", "0", "99999999999999999999"])
def test_bad_page_numbers_do_not_break_the_list(client, world, page):
    login(client, world["director"])
    response = client.get(f"/o/{world['slug']}/children/", query_string={"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize("q", ["%", "_", "'; DROP TABLE child; --", "x" * 500, "Appel99"])
def test_odd_searches_stay_in_the_organisation(client, world, q):
    login(client, world["director"])
    response = client.get(f"/o/{world['slug']}/children/", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Appel99" not in body.split("<main")[1].replace(f'value="{q}"', "")


def test_location_filter_and_caregiver_scope(client, world):
    login(client, world["director"])
    slug, first = world["slug"], world["locations"][0]
    filtered = client.get(f"/o/{slug}/children/", query_string={"location": first})
    assert summary(filtered).startswith("4 resultaten")  # Appel02, 04, 06 and Banaan
    client.post("/logout")
    login(client, world["caregiver"])
    own = client.get(f"/o/{slug}/children/")
    assert summary(own).startswith("4 resultaten")  # Appel01, 03, 05, 07
    assert all(n.split(", ")[1] in {"Appel01", "Appel03", "Appel05", "Appel07"} for n in names(own))
    # asking for another location's children gives nothing, not the other location
    other = client.get(f"/o/{slug}/children/", query_string={"location": first})
    assert summary(other).startswith("0 resultaten")
    locations = client.get(f"/o/{slug}/locations/")
    assert names(locations) == ["Appelhof 2"]


def test_locations_search(client, world):
    login(client, world["director"])
    response = client.get(f"/o/{world['slug']}/locations/", query_string={"q": "appelhof"})
    assert summary(response) == "4 resultaten, pagina 1 van 2"
    assert "Appelhof Vreemd" not in response.get_data(as_text=True)
    assert names(client.get(f"/o/{world['slug']}/locations/", query_string={"q": "hof 3"})) == ["Appelhof 3"]


def test_families_search(client, world):
    login(client, world["director"])
    slug = world["slug"]
    response = client.get(f"/o/{slug}/families/", query_string={"q": "gezin"})
    assert summary(response) == "8 resultaten, pagina 1 van 3"
    every = []
    for page in (1, 2, 3):
        every += names(client.get(f"/o/{slug}/families/", query_string={"q": "gezin", "page": page}))
    assert sorted(every) == sorted([f"Gezin Appel{i:02d}" for i in range(1, 8)] + ["Gezin Banaan"])
    assert names(client.get(f"/o/{slug}/families/", query_string={"q": "banaan"})) == ["Gezin Banaan"]


def test_organisations_search_for_the_coordinator(client, session, factory, world):
    elsewhere = Koepel(name="Koepel Elders")
    session.add(elsewhere)
    session.commit()
    session.add(Organisation(koepel_id=elsewhere.id, slug="elders-boom", name="Eikenboom Elders"))
    session.commit()
    for name in ("Eikenboom", "Berkenboom"):
        factory.org(name=name)
    login(client, factory.user(None, Role.COORDINATOR))
    response = client.get("/koepel/", query_string={"q": "boom"})
    text = response.get_data(as_text=True)
    assert summary(response) == "4 resultaten, pagina 1 van 2"
    assert "Eikenboom Elders" not in text
    page_two = client.get("/koepel/", query_string={"q": "boom", "page": 2}).get_data(as_text=True)
    assert "Eikenboom Elders" not in page_two
    listed = re.findall(r'<a href="/o/[^/]+/organisation">([^<]+)</a>', text + page_two)
    assert sorted(listed) == ["Appelboom vzw", "Berkenboom", "Eikenboom", "Perenboom vzw"]


def test_a_page_past_the_end_shows_the_last_page(client, world):
    login(client, world["director"])
    response = client.get(f"/o/{world['slug']}/children/", query_string={"q": "appel", "page": 40})
    assert summary(response) == "7 resultaten, pagina 3 van 3"
    assert len(names(response)) == 1


@pytest.mark.parametrize("path", [
    "/o/{slug}/children/99999999999999999999", "/o/{slug}/children/2147483648", "/o/{slug}/families/2147483648",
    "/o/{slug}/locations/9223372036854775808/edit", "/o/{slug}/children/-1",
])
def test_ids_beyond_any_row_are_not_found(client, world, path):
    login(client, world["director"])
    assert client.get(path.format(slug=world["slug"])).status_code == 404
    assert client.post(path.format(slug=world["slug"])).status_code in (404, 405)


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "-9223372036854775809"])
def test_out_of_range_query_numbers_are_a_bad_request(client, world, value):
    login(client, world["director"])
    slug = world["slug"]
    response = client.get(f"/o/{slug}/children/", query_string={"location": value})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "Ongeldige vraag" in response.get_data(as_text=True)
    assert client.get(f"/o/{slug}/children/").status_code == 200  # the next request is fine
