"""With the production defaults: CSRF enforced on every form (nothing written without a token)
and session cookies that are HttpOnly, SameSite=Lax and Secure."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.config import defaults
from core.models import Family, LoginThrottle, OrganisationModule, Role
from tests.conftest import PASSWORD, make_config

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def app_config(database_url, tmp_path, monkeypatch):
    """Production cookie and CSRF defaults (only the database and keys are the test's)."""
    monkeypatch.delenv("KOEPEL_INSECURE_COOKIES", raising=False)
    config = make_config(database_url, tmp_path)
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "WTF_CSRF_ENABLED"):
        config.pop(key)
    return config


@pytest.fixture
def https_client(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def token_of(response) -> str:
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def login_with_token(client, user):
    token = token_of(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return response


def test_defaults_are_secure(monkeypatch):
    monkeypatch.delenv("KOEPEL_INSECURE_COOKIES", raising=False)
    config = defaults()
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["WTF_CSRF_ENABLED"] is True


def test_session_cookie_flags(app, https_client, factory):
    user = factory.user(factory.org(), Role.DIRECTOR)
    cookie = login_with_token(https_client, user).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "secure" in flags and "httponly" in flags
    assert flags["samesite"].lower() == "samesite=lax"


def test_login_without_token_is_refused_and_counts_nothing(app, https_client, session, factory):
    user = factory.user(factory.org(), Role.DIRECTOR)
    response = https_client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert session.scalar(select(func.count(LoginThrottle.id))) == 0
    assert https_client.get("/koepel/").status_code == 302  # not logged in


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_form_post_without_valid_token_writes_nothing(app, https_client, session, factory, token):
    org = factory.org()
    slug, org_id = org.slug, org.id
    login_with_token(https_client, factory.user(org, Role.DIRECTOR))
    before = session.scalar(select(func.count(Family.id)).where(Family.organisation_id == org_id))
    data = {"name": "Gezin Zonder Token"}
    if token:
        data["csrf_token"] = token
    response = https_client.post(f"/o/{slug}/families/new", data=data)
    assert response.status_code == 400
    assert session.scalar(select(func.count(Family.id)).where(Family.organisation_id == org_id)) == before
    # the same post with the page's token goes through: the refusal above was the token
    good = token_of(https_client.get(f"/o/{slug}/families/new"))
    assert https_client.post(f"/o/{slug}/families/new", data={**data, "csrf_token": good}).status_code == 302
    assert session.scalar(select(func.count(Family.id)).where(Family.organisation_id == org_id)) == before + 1


def test_logout_and_module_switch_need_a_token(app, https_client, session, factory):
    org = factory.org()
    slug, org_id = org.slug, org.id
    login_with_token(https_client, factory.user(org, Role.DIRECTOR))
    assert https_client.post(f"/o/{slug}/modules/planning/enable").status_code == 400
    modules = session.scalars(select(OrganisationModule.module).where(OrganisationModule.organisation_id == org_id))
    assert list(modules) == []
    assert https_client.post("/logout").status_code == 400
    assert https_client.get(f"/o/{slug}/").status_code == 200  # still logged in
