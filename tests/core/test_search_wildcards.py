"""A user's ``%`` and ``_`` in a list search match themselves, not "any text" / "any character"."""
from __future__ import annotations

import re

import pytest

from core.models import Role
from core.views.listing import escape_like
from tests.conftest import login

ROW_LINK = re.compile(r'<a href="/o/[^/]+/(?:children|families|locations)/\d+">([^<]+)</a>')


@pytest.fixture
def world(factory):
    org = factory.org()
    for name in ("Gezin 100%", "Gezin 1000", "Gezin A_B", "Gezin AxB", "Gezin C\\D", "Gezin CxD"):
        factory.family(org, name=name)
    return org, factory.user(org, Role.DIRECTOR)


def search(client, org, q) -> list[str]:
    response = client.get(f"/o/{org.slug}/families/", query_string={"q": q})
    assert response.status_code == 200
    return sorted(ROW_LINK.findall(response.get_data(as_text=True)))


def test_percent_matches_only_a_percent(client, world):
    org, director = world
    login(client, director)
    assert search(client, org, "100%") == ["Gezin 100%"]
    assert search(client, org, "%") == ["Gezin 100%"]
    assert search(client, org, "100") == ["Gezin 100%", "Gezin 1000"]  # plain text still a substring search


def test_underscore_matches_only_an_underscore(client, world):
    org, director = world
    login(client, director)
    assert search(client, org, "a_b") == ["Gezin A_B"]
    assert search(client, org, "_") == ["Gezin A_B"]


def test_backslash_is_literal_too(client, world):
    org, director = world
    login(client, director)
    assert search(client, org, "c\\d") == ["Gezin C\\D"]
    assert search(client, org, "\\") == ["Gezin C\\D"]


def test_a_search_for_wildcards_alone_finds_nothing_when_no_name_has_them(client, factory):
    org = factory.org()
    factory.family(org, name="Gezin Peeters")
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    assert search(client, org, "%%") == []
    assert search(client, org, "__") == []


@pytest.mark.parametrize(("raw", "escaped"), [("50%", "50\\%"), ("a_b", "a\\_b"), ("c\\d", "c\\\\d"), ("plain", "plain")])
def test_escape_like(raw, escaped):
    assert escape_like(raw) == escaped
