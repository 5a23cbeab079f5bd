"""Loket staff screens: login, the vacancy overview with its filters, placements, filing a
request for a parent (and the bad input it refuses), withdrawing it; in Dutch, French, English."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.loket.conftest import SignedClient, add_partner, vacancy_event

PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff(loket_app):
    from core.passwords import hash_password
    from loket.models import StaffUser

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        sess.add(StaffUser(email="loket@example.org", name="Loket", password_hash=hash_password(PASSWORD)))
    return "loket@example.org"


@pytest.fixture
def browser(loket_app, staff):
    loket_app.config["WTF_CSRF_ENABLED"] = False
    client = loket_app.test_client()
    answer = client.post("/login", data={"email": staff, "password": PASSWORD})
    assert answer.status_code == 302
    return client


@pytest.fixture
def two_partners(loket_app):
    a = add_partner(loket_app, "org-a", "Kinderopvang Aa")
    b = add_partner(loket_app, "org-b", "Onthaal Bee")
    SignedClient(loket_app, a).post_events([
        vacancy_event("org-a", ref="KOT-A1", aggregate="a1", municipality="Leuven", free=3, month="2027-01",
                      age_band="0-18m", days=("mon", "tue")),
        vacancy_event("org-a", ref="KOT-A2", aggregate="a2", municipality="Heverlee", free=1, month="2027-02",
                      age_band="18-36m", days=("fri",)),
    ])
    SignedClient(loket_app, b).post_events([
        vacancy_event("org-b", ref="KOT-B1", aggregate="b1", municipality="Leuven", free=2, month="2027-02",
                      age_band="0-18m", days=("wed",)),
    ])
    return a, b


def test_screens_need_a_login(loket_app):
    client = loket_app.test_client()
    for path in ("/", "/placements", "/requests", "/requests/new", "/partners"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path


def test_wrong_password_is_refused(loket_app, staff):
    loket_app.config["WTF_CSRF_ENABLED"] = False
    answer = loket_app.test_client().post("/login", data={"email": staff, "password": "wrong"})
    assert answer.status_code == 200 and "klopt niet" in answer.get_data(as_text=True)


def test_login_form_needs_the_csrf_token(loket_app, staff):
    answer = loket_app.test_client().post("/login", data={"email": staff, "password": PASSWORD})
    assert answer.status_code == 400


def test_overview_shows_every_partner_and_filters(browser, two_partners):
    page = browser.get("/").get_data(as_text=True)
    assert "Kinderopvang Aa" in page and "Onthaal Bee" in page and "6 vrije plaatsen bij 2 partners" in page
    leuven = browser.get("/?municipality=Leuven").get_data(as_text=True)
    assert "Locatie KOT-A1" in leuven and "Locatie KOT-B1" in leuven and "Locatie KOT-A2" not in leuven
    band = browser.get("/?age_band=18-36m").get_data(as_text=True)
    assert "Locatie KOT-A2" in band and "Locatie KOT-A1" not in band
    wednesday = browser.get("/?day=wed").get_data(as_text=True)
    assert "Locatie KOT-B1" in wednesday and "Locatie KOT-A1" not in wednesday
    february = browser.get("/?month=2027-02&municipality=Leuven").get_data(as_text=True)
    assert "Locatie KOT-B1" in february and "Locatie KOT-A2" not in february and "Locatie KOT-A1" not in february
    nothing = browser.get("/?municipality=Gent").get_data(as_text=True)
    assert "Geen vrije plaatsen" in nothing


def test_overview_in_french_and_english(browser, two_partners):
    browser.get("/language/fr")
    assert "Places libres" in browser.get("/").get_data(as_text=True)
    browser.get("/language/en")
    assert "Free places" in browser.get("/").get_data(as_text=True)


def _form(location_id, **changes):
    data = {"applicant_first_name": "Sofie", "applicant_last_name": "Peeters", "email": "sofie@example.org",
            "language": "nl", "child_first_name": "Lena", "child_last_name": "Peeters",
            "date_of_birth": "2026-05-01", "desired_start": "2027-03-01", "preference_1": str(location_id),
            "preference_2": "0", "preference_3": "0", "days": ["mon", "tue"], "day_part": "full",
            "priority_flags": ["work"]}
    data.update(changes)
    return data


def _location_id(loket_app, ref):
    from loket.models import Location

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        return sess.scalar(select(Location.id).where(Location.ref == ref))


def test_file_a_request_for_a_parent_and_withdraw_it(loket_app, browser, two_partners):
    a, _b = two_partners
    answer = browser.post("/requests/new", data=_form(_location_id(loket_app, "KOT-A1")))
    assert answer.status_code == 302
    detail = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Lena Peeters" in detail and "werk of opleiding" in detail
    feed = SignedClient(loket_app, a).get("/api/v1/requests").get_json()["requests"]
    assert [(r["child"]["first_name"], r["status"], r["days"]) for r in feed] == [
        ("Lena", "active", [{"day": "mon", "part": "full"}, {"day": "tue", "part": "full"}])]
    # the same child again: refused, one registration per child
    again = browser.post("/requests/new", data=_form(_location_id(loket_app, "KOT-B1")))
    assert again.status_code == 422 and "al een actieve inschrijving" in again.get_data(as_text=True)
    reg_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert browser.post(f"/requests/{reg_id}/withdraw").status_code == 302
    cursor_free = SignedClient(loket_app, a).get("/api/v1/requests").get_json()["requests"]
    assert [(r["status"], r["version"]) for r in cursor_free] == [("withdrawn", 2)]
    assert "ingetrokken" in browser.get("/requests?status=withdrawn").get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"date_of_birth": "", "expected_birth_date": ""}, "één van beide"),
    ({"urgent": "y", "urgency_reason": ""}, "reden nodig"),
    ({"email": "geen-adres"}, "Ongeldig e-mailadres"),
    ({"postcode": "30000"}, "Ongeldige invoer"),
    ({"preference_1": "999999"}, "Ongeldige keuze"),
    ({"desired_start": "2027-02-30"}, "Dit veld is vereist"),
])
def test_bad_input_in_the_form_is_refused(loket_app, browser, two_partners, changes, message):
    from loket.models import Registration

    answer = browser.post("/requests/new", data=_form(_location_id(loket_app, "KOT-A1"), **changes))
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        assert sess.scalar(select(func.count(Registration.id))) == 0


def test_placements_page(loket_app, browser, two_partners):
    a, _b = two_partners
    SignedClient(loket_app, a).post_events([{
        "id": str(uuid.uuid4()), "type": "placement.started", "partner": "org-a",
        "aggregate": {"type": "placement", "id": "plan-1"}, "sequence": 1, "occurred_at": "2026-12-02T10:00:00Z",
        "data": {"location": {"ref": "KOT-A1"}, "start_date": "2027-01-04", "loket_request_id": None}}])
    page = browser.get("/placements").get_data(as_text=True)
    assert "Locatie KOT-A1" in page and "2027-01-04" in page


def test_partners_page_shows_keys_not_secrets(loket_app, browser, two_partners):
    a, _b = two_partners
    page = browser.get("/partners").get_data(as_text=True)
    assert a.key_id in page and a.secret not in page


def test_unknown_request_is_404(browser):
    assert browser.get("/requests/999999").status_code == 404
    assert browser.get("/requests/99999999999").status_code == 404


def test_five_wrong_passwords_lock_the_account_for_a_while(loket_app, staff):
    from datetime import timedelta

    from core.clock import clock

    loket_app.config["WTF_CSRF_ENABLED"] = False
    client = loket_app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"email": staff, "password": "guess"}).status_code == 200
    locked = client.post("/login", data={"email": staff, "password": PASSWORD})
    assert locked.status_code == 200 and "Te veel mislukte pogingen" in locked.get_data(as_text=True)
    loket_app.extensions["koepel_clock"].freeze(clock.now() + timedelta(minutes=16))
    try:
        assert client.post("/login", data={"email": staff, "password": PASSWORD}).status_code == 302
    finally:
        loket_app.extensions["koepel_clock"].freeze(None)


def test_favicon_ico_is_served_without_login_and_linked(loket_app):
    """Browsers ask for /favicon.ico whatever the page links: an icon, not a 404 or a login page."""
    client = loket_app.test_client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # the ICO header
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/favicon.ico"' in page and "favicon.svg" in page
    assert client.get("/static/favicon.svg").status_code == 200
