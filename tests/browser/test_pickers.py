"""Search-as-you-type pickers for children and locations in real headless Chromium: in an
organisation with more children and homes than a plain list takes, the director types part of a
name, sees the look-alikes told apart (date of birth and family; municipality and care type),
chooses one with the keyboard or the mouse, and the form saves that one. No console or CSP errors,
no serious axe findings."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import clock
from core.context import context_for
from core.models import CareType, Child, Role
from core.views.locations import PICKER_FROM
from tests.browser_support import axe_violations, login_as


def chosen(page, select_id: str):
    """The chosen items Tom Select shows beside the (hidden) select."""
    return page.locator(f"#{select_id} + .ts-wrapper .ts-control .item")


def arrive_by_keys(search, option_id: str, most: int = 25) -> None:
    """Press ArrowDown until the combobox points at ``option_id`` (aria-activedescendant)."""
    for _ in range(most):
        if search.get_attribute("aria-activedescendant") == option_id:
            return
        search.press("ArrowDown")
    raise AssertionError(f"{option_id} never became the active option")


def seed(live_server, monday: date):
    from plugins.planning.api import DayPlan, create_care_plan

    with live_server.seed() as f:
        org = f.org(name="Pickerproef vzw", modules={"aanwezigheden", "planning"})
        homes = []
        for i in range(PICKER_FROM + 2):
            home = f.location(org, name=f"Onthaalouder Janssens {i:02d}", care_type=CareType.GEZINSOPVANG, places=8)
            homes.append(home)
        homes[4].municipality = "Kuurne"
        homes[9].municipality = "Harelbeke"
        claes, wouters = f.family(org, name="Gezin Claes"), f.family(org, name="Gezin Wouters")
        lotte = f.child(org, family=claes, location=homes[0], first_name="Lotte", born=date(2025, 3, 14))
        f.child(org, family=wouters, location=homes[1], first_name="Lotte", born=date(2024, 11, 2))
        for i in range(PICKER_FROM):
            f.child(org, location=homes[i % 5], first_name=f"Kind{i:02d}")
        director = f.user(org, Role.DIRECTOR)
        create_care_plan(context_for(f.session, org), child_id=lotte.id, location_id=homes[0].id,
                         start_date=monday, days=[DayPlan(weekday=d, day_part="full") for d in range(5)],
                         family_id=claes.id)
        f.session.commit()
        return org.slug, director.email, claes.id


def test_director_picks_a_child_and_a_location_by_typing(live_server, new_context):
    today = clock.today()
    monday = today + timedelta(days=7 - today.weekday())
    slug, email, claes_id = seed(live_server, monday)
    page = new_context(bypass_csp=True).new_page()
    login_as(page, email)

    # the absence notice: type, see both Lottes told apart, choose the Claes one with the keyboard
    page.goto(f"/o/{slug}/aanwezigheden/absences/new")
    search = page.get_by_role("combobox", name="Kind")
    search.fill("lotte")
    results = page.get_by_role("listbox")
    options = results.get_by_role("option")
    expect(options).to_have_count(2)
    expect(results).to_contain_text("geboren 14/03/2025 · gezin Gezin Claes")
    expect(results).to_contain_text("geboren 02/11/2024 · gezin Gezin Wouters")
    claes = options.filter(has_text="Gezin Claes")
    arrive_by_keys(search, claes.get_attribute("id"))
    search.press("Enter")
    expect(chosen(page, "child_id")).to_have_count(1)
    expect(chosen(page, "child_id")).to_contain_text("geboren 14/03/2025 · gezin Gezin Claes")
    page.get_by_label("Datum").fill((monday + timedelta(days=1)).isoformat())  # a reserved Tuesday
    page.get_by_label("Soort").select_option("ongerechtvaardigd")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".flash-success")).to_contain_text("De afwezigheid is bewaard")

    # a new child: the location is chosen by typing the municipality, with the mouse
    page.goto(f"/o/{slug}/children/new?family={claes_id}")
    page.get_by_label("Voornaam").fill("Nieuwe")
    page.get_by_label("Familienaam").fill("Claes")
    page.get_by_label("Geboortedatum", exact=True).fill("2026-01-05")
    where = page.get_by_role("combobox", name="Opvanglocatie")
    where.fill("harel")
    choice = page.get_by_role("listbox").get_by_role("option", name="Onthaalouder Janssens 09")
    expect(choice).to_contain_text("Harelbeke · Gezinsopvang")
    choice.click()
    expect(chosen(page, "location_id")).to_have_count(1)
    expect(chosen(page, "location_id")).to_contain_text("Onthaalouder Janssens 09 (Harelbeke · Gezinsopvang)")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".flash-success")).to_be_visible()
    with live_server.session() as s:
        child = s.scalar(select(Child).where(Child.first_name == "Nieuwe"))
        assert child.location.name == "Onthaalouder Janssens 09"
    assert page.console_errors == []
