"""Menus and gates agree: every link of the main menu, as rendered for each role of an
organisation with every module enabled, opens (2xx); and a module's item is missing for a role its
page would refuse (the visibility is read from the endpoint's declared Action)."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from core.models import Location, Role
from tests.conftest import ALL_PLUGINS, login

ROLES = [Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER]
NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def menu_links(client, slug: str) -> list[str]:
    page = client.get(f"/o/{slug}/")
    assert page.status_code == 200
    nav = NAV.search(page.get_data(as_text=True))
    return HREF.findall(nav.group(1)) if nav else []


@pytest.fixture
def everything_on(factory, session):
    org = factory.org(name="Alles Aan", modules=set(ALL_PLUGINS))
    factory.location(org)
    session.commit()
    return org


def user_of(factory, session, org, role):
    locations = session.query(Location).filter_by(organisation_id=org.id).all()
    return factory.user(None if role == Role.COORDINATOR else org, role,
                        locations=locations if role == Role.CAREGIVER else ())


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_menu_link_shown_to_a_role_opens(app, factory, session, everything_on, role):
    slug = everything_on.slug
    user = user_of(factory, session, everything_on, role)
    client = app.test_client()
    login(client, SimpleNamespace(email=user.email))
    links = menu_links(client, slug)
    assert f"/o/{slug}/" in links  # the dashboard: the menu was found at all
    problems = [f"{role.value} {url}: {status}" for url in links
                if not 200 <= (status := client.get(url).status_code) < 300]
    assert not problems, "\n".join(problems)


def test_the_coordinator_no_longer_sees_the_attendance_menu(app, factory, session, everything_on):
    """The case that started it: the attendance pages are for the organisation's own staff."""
    slug = everything_on.slug
    coordinator = user_of(factory, session, everything_on, Role.COORDINATOR)
    client = app.test_client()
    login(client, SimpleNamespace(email=coordinator.email))
    links = menu_links(client, slug)
    assert client.get(f"/o/{slug}/aanwezigheden/").status_code == 403
    assert f"/o/{slug}/aanwezigheden/" not in links
    assert f"/o/{slug}/modules" in links  # what the coordinator may open stays


def test_a_menu_item_of_a_disabled_module_is_not_shown(app, factory, session):
    """An item pointing into a module's blueprint is dropped when the module is off, even if an
    enabled module (or core) offered it."""
    from flask_login import login_user

    from core.security import may_open

    org = factory.org(modules={"planning"})
    director = factory.user(org, Role.DIRECTOR)
    with app.test_request_context(f"/o/{org.slug}/"):
        login_user(director)
        assert may_open(director, "planning.day", {"planning"})
        assert not may_open(director, "aanwezigheden.index", {"planning"})
        assert not may_open(director, "no.such_endpoint", {"planning"})
