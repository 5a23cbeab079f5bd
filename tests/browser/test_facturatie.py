"""Billing in a real browser, as finance staff do it at the start of a month: sign in, land on the
facturatie page, open last month's proposal, accept its blocking warnings with a reason,
finalise, follow the PDFs on the invoice list and open an invoice. axe on every page; the same
pages once more under the real Content-Security-Policy without console errors. The partner is
filled like the demo fills its billing partners, in its own organisation (the shared demo stays
untouched)."""
from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from core.models import PriceRegime, Role
from tests.browser_support import axe_violations, login_as


def _last_month(today: date) -> tuple[int, int]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.year, last.month


@pytest.fixture
def billing_partner(live_server):
    """An IKT partner with the demo's families, care plans, registrations, attests and tariffs."""
    from core.demo import _families_and_children
    from core.tenancy import tenant_hook

    token = uuid.uuid4().hex[:6]
    with live_server.seed() as f:
        org = f.org(name=f"Kinderopvang Regenboog {token}", modules={"planning", "aanwezigheden", "facturatie"},
                    price_regime=PriceRegime.INKOMENSTARIEF, bic="GEBABEBB")
        f.location(org, name=f"Regenboog {token}", places=6)
        finance = f.user(org, role=Role.FINANCE, email=f"fin-{token}@example.be")
        f.session.refresh(org)
        _families_and_children(f.session, org, random.Random(7), date.today())
        f.session.commit()
        tenant_hook(f.session, org).populate_demo(session=f.session, org=org, seed=7)
        return {"slug": org.slug, "finance": finance.email}


def _check(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_finance_bills_last_month_in_the_browser(live_server, billing_partner, new_context, browser_page):
    from core.db import get_db
    from core.jobs import run_pending

    slug = billing_partner["slug"]
    year, month = _last_month(date.today())
    page = new_context(bypass_csp=True).new_page()
    login_as(page, billing_partner["finance"])
    expect(page).to_have_url(re.compile(rf"/o/{slug}/facturatie/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturatie")
    _check(page, "facturatie landing")

    page.get_by_role("link", name="Voorstel openen").click()
    expect(page).to_have_url(re.compile(rf"/facturatie/{year}/{month}/$"))
    _check(page, "proposal")
    accept = page.locator("form[action$='/accept']")
    assert accept.count() > 0, "the demo data should leave a warning to decide"
    expect(page.get_by_role("button", name="Finaliseren")).to_have_count(0)
    while accept.count():  # one by one in a warning's row, then the rest at once ("Alle aanvaarden")
        form = accept.last
        form.locator("input[name=reason]").fill("Nagekeken met de verantwoordelijke")
        with page.expect_navigation():
            form.get_by_role("button", name=re.compile("aanvaarden", re.IGNORECASE)).click()
        expect(page.locator(".flash-success")).to_contain_text(re.compile("waarschuwing(en)? aanvaard", re.I))
    _check(page, "proposal with accepted warnings")

    with page.expect_navigation():
        page.get_by_role("button", name="Finaliseren").click()
    expect(page).to_have_url(re.compile(rf"/facturatie/invoices\?year={year}&month={month}$"))
    expect(page.locator(".flash-success")).to_contain_text("facturen opgemaakt")
    total = int(re.search(r"Pdf's klaar: 0 van (\d+)", page.locator("main").inner_text()).group(1))
    assert total > 0
    _check(page, "invoice list, PDFs pending")

    with live_server.app.app_context():  # the job worker of `koepel serve --jobs`, in-process
        assert run_pending(get_db(), kinds=["facturatie.render_pdfs"]).done == 1
    page.reload()
    expect(page.locator("main")).to_contain_text(f"Pdf's klaar: {total} van {total}")
    _check(page, "invoice list, PDFs done")

    first = page.locator("table.list tbody a[href*='/facturatie/invoices/']").first
    number = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Factuur {number}")
    pdf = page.get_by_role("link", name="Pdf downloaden")
    expect(pdf).to_be_visible()
    invoice_url = page.url
    _check(page, "invoice")
    assert page.request.get(pdf.get_attribute("href")).body().startswith(b"%PDF")

    # the same pages with the real Content-Security-Policy: no console or CSP errors, no 500
    strict = browser_page
    login_as(strict, billing_partner["finance"])
    for url in (f"/o/{slug}/facturatie/", f"/o/{slug}/facturatie/{year}/{month}/",
                f"/o/{slug}/facturatie/invoices?year={year}&month={month}", invoice_url):
        assert strict.goto(url).status == 200, url
    assert strict.console_errors == [] and strict.server_errors == []
    assert page.console_errors == [] and page.server_errors == []
