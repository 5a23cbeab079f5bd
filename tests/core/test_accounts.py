"""Accounts: login and logout, one answer for every failed login, throttling and lock-out with a
frozen clock, argon2 hashes, safe ``next`` redirects, security headers, no UI for the loket role."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock, clock
from core.models import LoginThrottle, Role, User
from core.passwords import verify_password
from tests.conftest import PASSWORD, login

CSRF = re.compile(r'name="csrf_token"[^>]*value="[^"]*"')


def attempt(client, email, password, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def normalised(response, email):
    """The body with the CSRF token and the typed e-mail address taken out."""
    return CSRF.sub("", response.get_data(as_text=True)).replace(email, "<email>")


@pytest.fixture
def org(factory):
    return factory.org(name="Kinderdagverblijf Het Nest")


@pytest.fixture
def director(factory, org):
    return factory.user(org, Role.DIRECTOR, email="directie@nest.example")


def test_login_then_logout(client, org, director):
    slug = org.slug
    response = attempt(client, "Directie@Nest.example ", PASSWORD)  # case and spaces do not matter
    assert response.status_code == 302
    assert client.get(f"/o/{slug}/").status_code == 200
    assert client.post("/logout").status_code == 302
    after = client.get(f"/o/{slug}/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")


def test_logout_needs_post(client, director):
    login(client, director)
    assert client.get("/logout").status_code == 405


def test_last_login_is_recorded(client, session, director, frozen_today):
    login(client, director)
    assert session.get(User, director.id).last_login_at == clock.now()


def test_wrong_password_answers_exactly_like_an_unknown_user(client, director):
    wrong = attempt(client, "directie@nest.example", "not-the-password")
    unknown = attempt(client, "niemand@nest.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert normalised(wrong, "directie@nest.example") == normalised(unknown, "niemand@nest.example")
    assert "E-mailadres of wachtwoord is onjuist." in wrong.get_data(as_text=True)
    assert wrong.headers.get("Set-Cookie", "").split("=")[0] == unknown.headers.get("Set-Cookie", "").split("=")[0]


@pytest.mark.parametrize("kind", ["inactive", "loket"])
def test_inactive_and_loket_accounts_answer_like_a_wrong_password(client, session, factory, org, kind):
    user = factory.user(org, Role.LOKET if kind == "loket" else Role.DIRECTOR)
    if kind == "inactive":
        user.active = False
        session.commit()
    email = user.email
    refused = attempt(client, email, PASSWORD)
    wrong = attempt(client, email, "not-the-password")
    assert refused.status_code == wrong.status_code == 401
    assert normalised(refused, email) == normalised(wrong, email)
    assert client.get(f"/o/{org.slug}/").status_code == 302  # not logged in


def throttle_row(session, email):
    return session.scalar(select(LoginThrottle).where(LoginThrottle.key == email))


@pytest.mark.parametrize("email", ["directie@nest.example", "niemand@nest.example"])
def test_known_and_unknown_addresses_are_both_throttled(app, client, session, director, email, frozen_today):
    app.config["KOEPEL_LOGIN_MAX_FAILURES"] = 3
    for _ in range(3):
        assert attempt(client, email, "fout-wachtwoord").status_code == 401
    locked = attempt(client, email, PASSWORD)
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.get_data(as_text=True)
    assert throttle_row(session, email).locked_until > clock.now()


def test_lock_blocks_even_the_right_password_and_lifts_after_the_lock_time(app, client, session, org, director):
    app.config["KOEPEL_LOGIN_MAX_FAILURES"] = 4
    app.config["KOEPEL_LOGIN_LOCK_SECONDS"] = 600
    start = datetime(2026, 11, 18, 9, 0, tzinfo=BRUSSELS)
    app_clock().freeze(start)
    for _ in range(3):
        assert attempt(client, director.email, "fout").status_code == 401
    assert attempt(client, "directie@nest.example", PASSWORD).status_code == 302  # 3 < 4: still allowed
    client.post("/logout")
    for _ in range(4):
        attempt(client, "directie@nest.example", "fout")
    assert attempt(client, "directie@nest.example", PASSWORD).status_code == 429
    app_clock().freeze(start + timedelta(seconds=599))
    assert attempt(client, "directie@nest.example", PASSWORD).status_code == 429
    app_clock().freeze(start + timedelta(seconds=601))
    response = attempt(client, "directie@nest.example", PASSWORD)
    assert response.status_code == 302
    assert client.get(f"/o/{org.slug}/").status_code == 200
    assert throttle_row(session, "directie@nest.example").failures == 0


def test_a_successful_login_resets_the_failure_count(app, client, session, director):
    app.config["KOEPEL_LOGIN_MAX_FAILURES"] = 3
    for _ in range(2):
        attempt(client, "directie@nest.example", "fout")
    assert attempt(client, "directie@nest.example", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(2):
        attempt(client, "directie@nest.example", "fout")
    assert attempt(client, "directie@nest.example", PASSWORD).status_code == 302


def test_passwords_are_stored_as_argon2id(client, session, factory, org, director):
    login(client, director)
    response = client.post(f"/o/{org.slug}/users/new", data={
        "name": "Nieuwe Begeleider", "email": "nieuw@nest.example", "role": "finance", "language": "nl",
        "password": "een-lang-wachtwoord"})
    assert response.status_code == 302
    stored = session.scalar(select(User.password_hash).where(User.email == "nieuw@nest.example"))
    assert stored.startswith("$argon2id$")
    assert "een-lang-wachtwoord" not in stored
    assert verify_password(stored, "een-lang-wachtwoord") and not verify_password(stored, "iets-anders")


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "http:evil.example", "/\t/evil.example", " //evil.example", "/%5Cevil.example",
])
def test_open_redirects_are_refused(client, director, target):
    response = client.post("/login", query_string={"next": target},
                           data={"email": director.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert same_site_path(location), location
    lang = client.get("/lang/fr", query_string={"next": target})
    assert same_site_path(lang.headers["Location"]), lang.headers["Location"]


def same_site_path(location: str) -> bool:
    """A browser stays on this host: a path, not '//host', no backslash, no scheme."""
    parsed = urlparse(location)
    return (not parsed.scheme and not parsed.netloc and location.startswith("/")
            and not location.startswith("//") and "\\" not in location)


def test_a_local_next_is_followed(client, org, director):
    target = f"/o/{org.slug}/children/?q=a"
    response = client.post("/login", query_string={"next": target},
                           data={"email": director.email, "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("path", ["/login", "/o/bestaat-niet/", "/healthz"])
def test_security_headers_on_every_answer(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_failed_logins_do_not_write_anything_but_the_throttle(client, session, director):
    users_before = session.scalar(select(func.count(User.id)))
    attempt(client, "directie@nest.example", "fout")
    assert session.scalar(select(func.count(User.id))) == users_before
    assert session.get(User, director.id).last_login_at is None


def test_the_redirect_judge_itself():
    assert same_site_path("/o/x/children/")
    for bad in ("//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "evil.example"):
        assert not same_site_path(bad), bad
