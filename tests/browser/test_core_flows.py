"""Issue 2's user story in a real browser: the coordinator's overview of the partners, modules
switched on and off at runtime, a director confined to their own organisation, the Dutch login
error, and the language switch."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select

from core.demo import DEMO_PASSWORD
from core.models import Koepel, Location, Organisation
from tests.browser_support import login_as

CARE_TYPE_LABELS = {
    "groepsopvang": "Groepsopvang",
    "gezinsopvang": "Gezinsopvang",
    "buitenschoolse_opvang": "Buitenschoolse opvang",
    "opvang_zieke_kinderen": "Opvang zieke kinderen",
}


def _demo_partners(live_server):
    """What the database says about the demo koepel's partners, to compare the page with."""
    with live_server.session() as s:
        koepel_id = s.scalar(select(Koepel.id).where(Koepel.name == "CKO De Koepel Kortrijk"))
        orgs = s.scalars(select(Organisation).where(Organisation.koepel_id == koepel_id)).all()
        partners = {}
        for org in orgs:
            locations = s.scalars(select(Location).where(Location.organisation_id == org.id)).all()
            partners[org.name] = {
                "slug": org.slug,
                "locations": len(locations),
                "places": sum(loc.licensed_places or 0 for loc in locations),
                "care_types": {CARE_TYPE_LABELS[loc.care_type.value] for loc in locations},
                "names": sorted(loc.name for loc in locations),
            }
        totals = s.execute(
            select(func.count(Location.id), func.coalesce(func.sum(Location.licensed_places), 0))
            .join(Organisation).where(Organisation.koepel_id == koepel_id)
        ).one()
    return partners, totals


def test_coordinator_sees_every_partner_with_locations_care_types_and_places(live_server, demo, browser_page):
    page = browser_page
    partners, (location_count, place_count) = _demo_partners(live_server)
    assert len(partners) >= 10

    login_as(page, "coordinator@koepel.demo", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/koepel/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners van de koepel")
    expect(page.locator("p.lead")).to_have_text(f"{location_count} locaties, {place_count} vergunde kindplaatsen")

    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(len(partners))
    for name, facts in partners.items():
        row = rows.filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row).to_have_count(1)
        cells = row.locator("td")
        expect(cells.nth(1)).to_contain_text(str(facts["locations"]))
        for label in facts["care_types"]:
            expect(cells.nth(2)).to_contain_text(label)
        expect(cells.nth(3)).to_have_text(str(facts["places"]))

    # Open a partner with a handful of named locations: the detail page lists them with their places.
    name = next(n for n, f in sorted(partners.items()) if 1 < f["locations"] <= 3)
    page.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/o/{partners[name]['slug']}/organisation$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    location_rows = page.locator("table.list tbody tr")
    expect(location_rows).to_have_count(partners[name]["locations"])
    for location_name in partners[name]["names"]:
        expect(page.get_by_role("link", name=location_name, exact=True)).to_be_visible()
    assert page.console_errors == [] and page.server_errors == []


def _menu(page):
    return page.get_by_role("navigation", name="Hoofdmenu")


def _module_links(page, slug: str, module: str):
    """Menu links into a module's pages (by URL, whatever the module calls them)."""
    return _menu(page).locator(f'a[href^="/o/{slug}/{module}/"]')


def _module_row(page, title: str):
    """The modules table's row of one module (by its title, not its description)."""
    name = page.locator("td:first-child strong", has_text=re.compile(rf"^{title}$"))
    return page.locator("table.list tbody tr").filter(has=name)


def test_coordinator_switches_a_module_on_and_off_and_the_director_sees_it_at_once(
    small_koepel, new_context
):
    k = small_koepel
    director = new_context().new_page()
    login_as(director, k.director.email)
    expect(director).to_have_url(re.compile(rf"/o/{k.org.slug}/$"))
    expect(_module_links(director, k.org.slug, "wachtlijst")).to_have_count(0)
    expect(_module_links(director, k.org.slug, "planning")).to_have_count(0)
    assert director.goto(f"/o/{k.org.slug}/wachtlijst/").status == 404

    coordinator = new_context().new_page()
    login_as(coordinator, k.coordinator.email)
    coordinator.get_by_role("link", name=k.org.name, exact=True).click()
    coordinator.get_by_role("link", name="Modules beheren").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Modules van {k.org.name}")

    # Switch the waiting list on: the confirm page shows that planning comes with it.
    _module_row(coordinator, "Wachtlijst").get_by_role("link", name="Inschakelen").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Wachtlijst inschakelen")
    expect(coordinator.locator("ul.cascade")).to_contain_text("Planning")
    coordinator.get_by_role("button", name="Bevestigen").click()
    expect(coordinator.locator(".flash-success")).to_have_text(re.compile(r"Ingeschakeld: .*Planning.*Wachtlijst"))
    for title in ("Planning", "Wachtlijst"):
        expect(_module_row(coordinator, title).locator("td").nth(2)).to_have_text("aan")

    # The director's already open session: menu and pages follow without a restart.
    director.goto(f"/o/{k.org.slug}/")
    expect(_module_links(director, k.org.slug, "wachtlijst").first).to_be_visible()
    expect(_module_links(director, k.org.slug, "planning").first).to_be_visible()
    with director.expect_navigation() as nav:
        _module_links(director, k.org.slug, "wachtlijst").first.click()
    assert nav.value.status == 200
    expect(director).to_have_url(re.compile(rf"/o/{k.org.slug}/wachtlijst/"))

    # Switch planning off: the waiting list depends on it and goes off too.
    _module_row(coordinator, "Planning").get_by_role("link", name="Uitschakelen").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Planning uitschakelen")
    expect(coordinator.locator("ul.cascade")).to_contain_text("Wachtlijst")
    coordinator.get_by_role("button", name="Bevestigen").click()
    expect(coordinator.locator(".flash-success")).to_have_text(re.compile(r"Uitgeschakeld: .*Wachtlijst.*Planning"))

    response = director.goto(f"/o/{k.org.slug}/wachtlijst/")
    assert response.status == 404
    expect(director.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
    director.goto(f"/o/{k.org.slug}/")
    expect(_module_links(director, k.org.slug, "wachtlijst")).to_have_count(0)
    expect(_module_links(director, k.org.slug, "planning")).to_have_count(0)
    expect(_menu(director)).to_be_visible()  # the core items remain
    assert coordinator.console_errors == [] and director.console_errors == []
    assert coordinator.server_errors == [] and director.server_errors == []


def test_director_sees_only_their_own_organisation(small_koepel, browser_page):
    k, page = small_koepel, browser_page
    login_as(page, k.director.email)
    expect(page).to_have_url(re.compile(rf"/o/{k.org.slug}/$"))
    expect(page.locator(".org-name")).to_have_text(k.org.name)
    expect(page.get_by_role("link", name="Alle partners")).to_have_count(0)

    assert page.goto(f"/o/{k.org.slug}/organisation").status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(k.org.name)

    for url in (f"/o/{k.other.slug}/organisation", f"/o/{k.other.slug}/", f"/o/{k.other.slug}/locations/"):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
        expect(page.locator("main")).not_to_contain_text(k.other.name)

    assert page.goto("/koepel/").status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")


def test_wrong_password_shows_the_dutch_error_and_does_not_sign_in(small_koepel, browser_page):
    page = browser_page
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(small_koepel.director.email)
    page.get_by_label("Wachtwoord").fill("not-the-password")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Aanmelden").click()
    assert nav.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("E-mailadres of wachtwoord is onjuist.")
    expect(page).to_have_url(re.compile(r"/login$"))
    assert page.goto(f"/o/{small_koepel.org.slug}/").url.endswith(
        f"/login?next=/o/{small_koepel.org.slug}/?"
    )


def test_empty_login_form_shows_field_errors(browser_page):
    page = browser_page
    page.goto("/login")
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator(".field.has-error")).to_have_count(2)
    expect(page.locator("p.error").first).to_have_text("Dit veld is verplicht.")
    expect(page.get_by_label("E-mailadres")).to_have_attribute("aria-invalid", "true")


def test_language_switch_to_french_changes_the_layout_and_keeps_it(small_koepel, browser_page):
    from babel.support import Translations

    import core

    french = Translations.load(str(Path(core.__file__).parent / "translations"), ["fr"])
    strings = {nl: french.gettext(nl) for nl in ("Naar de inhoud", "Afmelden", "Alle partners",
                                                  "Partners van de koepel")}
    assert all(fr and fr != nl for nl, fr in strings.items()), f"French catalogue incomplete: {strings}"

    page = browser_page
    login_as(page, small_koepel.coordinator.email)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("navigation", name="Taal").get_by_role("link", name="FR").click()
    expect(page).to_have_url(re.compile(r"/koepel/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".lang a[aria-current]")).to_have_text("FR")
    expect(page.locator(".skip-link")).to_have_text(strings["Naar de inhoud"])
    expect(page.locator("form.logout button")).to_have_text(strings["Afmelden"])
    expect(page.locator(".mainnav")).to_contain_text(strings["Alle partners"])
    expect(page.get_by_role("heading", level=1)).to_have_text(strings["Partners van de koepel"])

    # The choice sticks on the next page, and Dutch comes back with NL.
    page.get_by_role("link", name=small_koepel.org.name, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".skip-link")).to_have_text(strings["Naar de inhoud"])
    page.locator(".lang").get_by_role("link", name="NL").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".skip-link")).to_have_text("Naar de inhoud")
