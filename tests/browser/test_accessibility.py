"""axe-core (vendored, MPL-2.0) on the core pages: no serious or critical violations. The pages are
also opened once with the real Content-Security-Policy to prove they raise no CSP or script errors
(axe itself needs a context that bypasses CSP to be injected)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations, login_as

COORDINATOR = "coordinator@koepel.demo"
DIRECTOR = "director.vzw-auricula@koepel.demo"
ORG = "vzw-auricula"


def _assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_login_page_and_login_errors_are_accessible(live_server, new_context):
    page = new_context(bypass_csp=True).new_page()
    page.goto("/login")
    _assert_accessible(page, "login page")
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator(".field.has-error")).to_have_count(2)
    _assert_accessible(page, "login form with errors")
    page.get_by_label("E-mailadres").fill("nobody@example.be")
    page.get_by_label("Wachtwoord").fill("wrong")
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_be_visible()
    _assert_accessible(page, "login with a wrong password")


@pytest.mark.parametrize("tablet", [False, True], ids=["desktop", "tablet"])
def test_partner_overview_and_partner_pages_are_accessible(demo, new_context, tablet):
    page = new_context(bypass_csp=True, tablet=tablet).new_page()
    login_as(page, COORDINATOR, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners van de koepel")
    _assert_accessible(page, "partner overview")
    for url in (f"/o/{ORG}/organisation", f"/o/{ORG}/modules", f"/o/{ORG}/modules/wachtlijst/disable"):
        assert page.goto(url).status == 200, url
        _assert_accessible(page, url)


def test_forms_with_errors_are_accessible(demo, new_context):
    page = new_context(bypass_csp=True).new_page()
    login_as(page, DIRECTOR, DEMO_PASSWORD)
    for url in (f"/o/{ORG}/children/new", f"/o/{ORG}/families/new", f"/o/{ORG}/locations/new",
                f"/o/{ORG}/users/new", f"/o/{ORG}/organisation/edit"):
        assert page.goto(url).status == 200, url
        _assert_accessible(page, url)
        for field in page.locator("form.grid-form input[type=text], form.grid-form input:not([type])").all():
            field.fill("")
        with page.expect_navigation() as nav:
            page.locator("form.grid-form button[type=submit]").first.click()
        assert nav.value.status == 422, f"{url}: an empty form should answer 422"
        expect(page.locator(".field.has-error").first).to_be_visible()
        _assert_accessible(page, f"{url} with errors")


def test_pages_raise_no_csp_or_script_errors(demo, browser_page):
    page = browser_page
    login_as(page, DIRECTOR, DEMO_PASSWORD)
    for url in (f"/o/{ORG}/", f"/o/{ORG}/organisation", f"/o/{ORG}/children/", f"/o/{ORG}/children/new",
                f"/o/{ORG}/families/", f"/o/{ORG}/locations/"):
        assert page.goto(url).status == 200, url
    assert page.console_errors == [], page.console_errors
    assert page.server_errors == [], page.server_errors
