"""The dashboard's counts for a caregiver cover her own locations only; directors see the whole
organisation."""
from __future__ import annotations

import re

import pytest

from core.models import Role
from core.views.org import organisation_counts
from tests.conftest import login


@pytest.fixture
def world(factory):
    org = factory.org()
    mine, other = factory.location(org, places=8), factory.location(org, places=18)
    shared = factory.family(org)  # one child at each location
    factory.child(org, family=shared, location=mine)
    factory.child(org, family=shared, location=other)
    home = factory.family(org)  # two children at her location: counted once
    factory.child(org, family=home, location=mine)
    factory.child(org, family=home, location=mine)
    for _ in range(3):
        factory.child(org, location=other)  # three families elsewhere
    factory.child(org, location=None)  # a family whose child has no location yet
    factory.family(org)  # a family without children
    stranger = factory.org()
    factory.child(stranger, location=factory.location(stranger))
    return {
        "org": org,
        "caregiver": factory.user(org, Role.CAREGIVER, locations=[mine]),
        "idle": factory.user(org, Role.CAREGIVER),
        "director": factory.user(org, Role.DIRECTOR),
    }


def test_caregiver_counts_are_her_locations(world):
    counts = organisation_counts(world["org"], world["caregiver"])
    assert counts == {"locations": 1, "places": 8, "children": 3, "families": 2}


def test_director_counts_are_the_whole_organisation(world):
    counts = organisation_counts(world["org"], world["director"])
    assert counts == {"locations": 2, "places": 26, "children": 8, "families": 7}


def test_caregiver_without_locations_counts_nothing(world):
    counts = organisation_counts(world["org"], world["idle"])
    assert counts == {"locations": 0, "places": 0, "children": 0, "families": 0}


def stats(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))


def test_the_dashboard_page_shows_the_scoped_counts(client, world):
    login(client, world["caregiver"])
    response = client.get(f"/o/{world['org'].slug}/")
    assert response.status_code == 200
    shown = stats(response.get_data(as_text=True))
    assert shown["Gezinnen"] == "2" and shown["Kinderen"] == "3" and shown["Locaties"] == "1"
