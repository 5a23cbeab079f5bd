"""Choosing a family where there can be hundreds: a tenant-scoped JSON search that tells
look-alikes apart (children's names, address), and a child form that no longer lists every family
of a large organisation (only the chosen ones; the picker searches the rest)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Child, ChildFamily, Family, Role
from core.views.children import PICKER_FROM
from tests.conftest import login


@pytest.fixture
def large(factory, session):
    org = factory.org()
    for i in range(PICKER_FROM + 5):
        session.add(Family(organisation_id=org.id, name=f"Gezin Peeters {i:02d}", street=f"Kerkstraat {i}",
                           postcode="8500", municipality="Kortrijk"))
    session.commit()
    twin = session.scalar(select(Family).where(Family.name == "Gezin Peeters 07"))
    factory.child(org, family=twin, first_name="Lotte")
    factory.child(org, family=twin, first_name="Mats")
    return org, twin


def test_search_tells_look_alikes_apart(client, factory, large):
    org, twin = large
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.get(f"/o/{org.slug}/families/search.json?q=peeters")
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert len(results) == 20  # capped
    found = client.get(f"/o/{org.slug}/families/search.json?q=lotte").get_json()["results"]
    assert found == [{"id": twin.id, "name": "Gezin Peeters 07",
                      "detail": "kinderen: Lotte, Mats · Kerkstraat 7, 8500 Kortrijk"}]
    by_street = client.get(f"/o/{org.slug}/families/search.json?q=kerkstraat 12").get_json()["results"]
    assert [r["name"] for r in by_street] == ["Gezin Peeters 12"]


def test_search_is_tenant_scoped_and_treats_wildcards_literally(client, factory, large, session):
    org, _twin = large
    other = factory.org()
    factory.family(other, name="Gezin Peeters Vreemd")
    login(client, factory.user(org, Role.FINANCE))
    names = [r["name"] for r in client.get(f"/o/{org.slug}/families/search.json?q=vreemd").get_json()["results"]]
    assert names == []
    assert client.get(f"/o/{org.slug}/families/search.json?q=%25%25").get_json()["results"] == []


@pytest.mark.parametrize("q", ["", "p", "x" * 101])
def test_search_refuses_too_short_or_long_queries_with_json(client, factory, large, q):
    org, _twin = large
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.get(f"/o/{org.slug}/families/search.json", query_string={"q": q})
    assert response.status_code == 400 and "2 tekens" in response.get_json()["error"]


def test_caregiver_may_not_search_families(client, factory, large):
    org, _twin = large
    login(client, factory.user(org, Role.CAREGIVER))
    assert client.get(f"/o/{org.slug}/families/search.json?q=peeters").status_code == 403


def test_large_organisation_child_form_lists_only_chosen_families(client, factory, large, session, frozen_today):
    org, twin = large
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/children/new?family={twin.id}").get_data(as_text=True)
    assert page.count("<option") < 10  # locations and the one chosen family, not 37 families
    assert f'data-search-url="/o/{org.slug}/families/search.json"' in page and "picker.js" in page
    assert "Gezin Peeters 07 (kinderen: Lotte, Mats · Kerkstraat 7, 8500 Kortrijk)" in page
    assert 'aria-describedby="None"' not in page
    other = session.scalar(select(Family).where(Family.name == "Gezin Peeters 20"))
    response = client.post(f"/o/{org.slug}/children/new", data={
        "first_name": "Nieuw", "last_name": "Kind", "date_of_birth": "2026-01-05",
        "family_ids": [str(twin.id), str(other.id)], "location_id": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    child = session.scalar(select(Child).where(Child.first_name == "Nieuw"))
    assert {link.family_id for link in child.family_links} == {twin.id, other.id}


def test_a_family_of_another_organisation_cannot_be_posted(client, factory, large, session, frozen_today):
    org, twin = large
    stranger = factory.family(factory.org(), name="Gezin Elders")
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.post(f"/o/{org.slug}/children/new", data={
        "first_name": "Fout", "last_name": "Kind", "date_of_birth": "2026-01-05",
        "family_ids": [str(stranger.id)], "location_id": "0"})
    assert response.status_code == 422
    assert session.scalar(select(Child).where(Child.first_name == "Fout")) is None
    assert session.scalar(select(ChildFamily).where(ChildFamily.family_id == stranger.id)) is None


def test_small_organisation_keeps_the_plain_list(client, factory, frozen_today):
    org = factory.org()
    for i in range(3):
        factory.family(org, name=f"Gezin Klein {i}")
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/children/new").get_data(as_text=True)
    assert all(f"Gezin Klein {i}" in page for i in range(3)) and "data-search-url" not in page
