"""Server-side sessions: logging out ends the session on the server (a copied cookie no longer
works); a new password or role ends the user's other sessions, not the one that made the change."""
from __future__ import annotations

from sqlalchemy import func, select

from core.models import Role, User, UserSession
from core.passwords import hash_password
from tests.conftest import login


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _copy(app, client):
    other = app.test_client()
    other.set_cookie("session", _cookie(client))
    return other


def test_a_copied_cookie_stops_working_after_logout(app, factory, session):
    org = factory.org()
    user = factory.user(org, Role.DIRECTOR)
    client = app.test_client()
    login(client, user)
    thief = _copy(app, client)
    assert thief.get(f"/o/{org.slug}/").status_code == 200  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    assert session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0
    answer = thief.get(f"/o/{org.slug}/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_session_cookie_without_a_server_side_session_signs_nobody_in(app, factory):
    org = factory.org()
    user = factory.user(org, Role.DIRECTOR)
    client = app.test_client()
    with client.session_transaction() as cookie:  # what a forged or pre-upgrade cookie holds
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
    answer = client.get(f"/o/{org.slug}/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_new_password_ends_the_other_sessions_but_not_this_one(app, factory, session):
    org = factory.org()
    user = factory.user(org, Role.DIRECTOR)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    with app.test_request_context():
        from flask import session as cookie_session

        from core.sessions import SESSION_KEY

        with laptop.session_transaction() as laptop_cookie:
            cookie_session[SESSION_KEY] = laptop_cookie[SESSION_KEY]
        account = session.get(User, user.id)
        account.password_hash = hash_password("een-nieuw-wachtwoord")
        session.commit()
    assert laptop.get(f"/o/{org.slug}/").status_code == 200
    assert phone.get(f"/o/{org.slug}/").status_code == 302


def test_a_new_role_ends_every_session_of_that_user(app, factory, session):
    org = factory.org()
    user = factory.user(org, Role.DIRECTOR)
    client = app.test_client()
    login(client, user)
    assert client.get(f"/o/{org.slug}/audit").status_code == 200
    account = session.get(User, user.id)
    account.role = Role.CAREGIVER
    session.commit()
    answer = client.get(f"/o/{org.slug}/audit")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
