"""Issue 12 §4 on the reference loket: a key's end of validity in Europe/Brussels (not UTC ISO),
and the overview's count of free places with its singular."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.loket.conftest import SignedClient, add_partner, vacancy_event
from tests.loket.test_screens import browser, staff  # noqa: F401 (fixtures)


def test_key_expiry_shown_in_brussels(loket_app, browser):  # noqa: F811
    from loket.models import PartnerKey

    partner = add_partner(loket_app, "org-t", "Kinderopvang Tijd")
    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        key = sess.get(PartnerKey, partner.key_id)
        key.expires_at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    page = browser.get("/partners").get_data(as_text=True)
    assert "00:30" in page and "23:30" not in page and "2026-11-30" not in page  # 00:30 on 1 December


def test_one_free_place_at_one_partner(loket_app, browser):  # noqa: F811
    a = add_partner(loket_app, "org-a", "Kinderopvang Aa")
    SignedClient(loket_app, a).post_events([
        vacancy_event("org-a", ref="KOT-A1", aggregate="a1", municipality="Leuven", free=1, month="2027-01",
                      age_band="0-18m", days=("mon",))])
    page = browser.get("/").get_data(as_text=True)
    assert "1 vrije plaats bij 1 partner." in page
    browser.set_cookie("lang", "en")
    assert "1 free place at 1 partner." in browser.get("/").get_data(as_text=True)
