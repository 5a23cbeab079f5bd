"""Search-as-you-type pickers for children and locations in real headless Chromium: in an
organisation with more children and homes than a plain list takes, the director types part of a
name, sees the look-alikes told apart (date of birth and family; municipality and care type),
chooses one with the keyboard or the mouse, and the form saves that one. No console or CSP errors,
no serious axe findings."""
from __future__ import annotations

import re
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


def seed_many_homes(live_server):
    """A partner with more homes than a plain list takes (one in Harelbeke, one in Kuurne), the
    waiting list's public form open, and finance staff with an unmatched bank movement."""
    from core.settings import set_setting
    from plugins.facturatie.models import BankMovement, CodaImport, MovementState
    from tests.plugins.facturatie import payment_builders as build

    with live_server.seed() as f:
        org = f.org(name="Veel Huizen vzw", modules={"planning", "wachtlijst", "aanwezigheden", "facturatie"},
                    bic="GEBABEBB")
        homes = [f.location(org, name=f"Onthaalouder Peeters {i:02d}", care_type=CareType.GEZINSOPVANG, places=8)
                 for i in range(PICKER_FROM + 2)]
        for home in homes:
            home.municipality = "Kortrijk"
        homes[9].municipality, homes[4].municipality = "Harelbeke", "Kuurne"
        f.child(org, location=homes[9], first_name="Mila")
        f.child(org, location=homes[4], first_name="Noor")
        set_setting(f.session, org, "wachtlijst.public_form", True)
        maes = f.family(org, name="Gezin Maes")
        invoice = build.invoice(f.session, org, maes, care="60")
        imported = CodaImport(organisation_id=org.id, filename="nov.cod", sha256="0" * 64, account="",
                              statements="2026/012", movements=1, matched=0)
        f.session.add(imported)
        f.session.flush()
        f.session.add(BankMovement(organisation_id=org.id, import_id=imported.id, external_key="k-1",
                                   entry_date=date(2026, 11, 18), amount=invoice.total, communication="opvang",
                                   counterparty_name="Iemand", counterparty_iban="BE71096123456769",
                                   state=MovementState.UNMATCHED))
        director, finance = f.user(org, Role.DIRECTOR), f.user(org, Role.FINANCE)
        f.session.commit()
        return org.slug, director.email, finance.email, homes[9].id, homes[4].id, invoice.id


def test_many_homes_are_searched_on_the_users_form_the_filters_the_public_form_and_the_bank_match(
        live_server, new_context):
    """Users form, children filter, closing day (a choice removed posts the form's "0"), public form
    and bank match, with the Content-Security-Policy enforced (no bypass): Tom Select and the
    init script load from 'self' and set no inline style or script."""
    slug, director, finance, harelbeke, kuurne, invoice_id = seed_many_homes(live_server)
    page = new_context().new_page()
    login_as(page, director)

    # a caregiver for two homes: a multiple choice, each home found by its municipality
    page.goto(f"/o/{slug}/users/new")
    page.get_by_label("Naam", exact=True).fill("Els Begeleider")
    page.get_by_label("E-mailadres").fill("els.begeleider@example.be")
    page.get_by_label("Rol").select_option("caregiver")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord-2026")
    homes = page.get_by_role("combobox", name="Locaties (voor begeleiders)")
    for town, name in (("harel", "Onthaalouder Peeters 09"), ("kuurne", "Onthaalouder Peeters 04")):
        homes.fill(town)
        option = page.get_by_role("listbox").get_by_role("option", name=name)
        expect(option).to_have_count(1)
        homes.press("Enter")  # the first (only) match is active
    expect(chosen(page, "location_ids")).to_have_count(2)
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".flash-success")).to_contain_text("Els Begeleider")
    with live_server.session() as s:
        from core.models import User
        user = s.scalar(select(User).where(User.email == "els.begeleider@example.be"))
        assert sorted(loc.id for loc in user.locations) == sorted([harelbeke, kuurne])

    # the children's location filter: the page's own options searched, then "Filteren"
    page.goto(f"/o/{slug}/children/")
    where = page.get_by_role("combobox", name="Locatie")
    where.fill("harel")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    where.press("Enter")
    page.get_by_role("button", name="Filteren").click()  # at once: the button did not move away
    expect(page).to_have_url(f"{live_server.url}/o/{slug}/children/?location={harelbeke}")
    expect(page.locator("table.list tbody")).to_contain_text("Mila")
    expect(page.locator("table.list tbody")).not_to_contain_text("Noor")
    assert page.console_errors == []

    # a closing day: a home chosen then removed again is the whole organisation ("0" posted), then one home
    from plugins.planning.models import ClosingPeriod
    for remove, reason in ((True, "Brugdag"), (False, "Opleiding")):
        page.goto(f"/o/{slug}/planning/closing-days")
        where = page.locator("#location_id-ts-control")
        where.fill("kuur")
        found = page.locator("#location_id-ts-dropdown").get_by_role("option")
        expect(found).to_have_count(1)
        # Enter takes the active option: wait until the search's answer is the active one (on a
        # loaded machine the remote answer can come after the count of the local options)
        expect(found.first).to_contain_text("Kuurne")
        expect(found.first).to_have_class(re.compile(r"\bactive\b"))
        where.press("Enter")
        expect(chosen(page, "location_id")).to_contain_text("Kuurne")
        if remove:
            chosen(page, "location_id").get_by_title("Verwijderen").click()
            expect(chosen(page, "location_id")).to_have_count(0)
        page.get_by_label("Van").fill("2027-05-07" if remove else "2027-05-14")
        page.get_by_label("Omschrijving").fill(reason)
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator(".flash-success")).to_contain_text("Sluiting toegevoegd")
    with live_server.session() as s:
        from core.models import Organisation

        # the live server's database holds other tests' partners too
        saved = dict(s.execute(select(ClosingPeriod.reason, ClosingPeriod.location_id).join(
            Organisation, Organisation.id == ClosingPeriod.organisation_id).where(Organisation.slug == slug)).all())
        assert saved == {"Brugdag": None, "Opleiding": kuurne}

    # a parent, without an account: the first choice found by municipality, told apart
    parent = new_context().new_page()
    parent.goto(f"/o/{slug}/wachtlijst/aanvraag?lang=fr")
    first = parent.get_by_role("combobox", name="Choix 1")
    first.fill("kuur")
    option = parent.get_by_role("listbox").get_by_role("option", name="Onthaalouder Peeters 04")
    expect(option).to_contain_text("Kuurne · Accueil familial")
    option.click()
    expect(chosen(parent, "choice_1")).to_contain_text("Onthaalouder Peeters 04 (Kuurne · Accueil familial)")
    assert parent.locator("#choice_1").input_value() == str(kuurne)
    assert parent.console_errors == []

    # finance staff match the movement by typing the family's name, never an id
    page.context.clear_cookies()
    login_as(page, finance)
    page.goto(f"/o/{slug}/facturatie/payments/bank")
    invoice = page.get_by_role("combobox", name="Factuur")
    invoice.fill("maes")
    option = page.get_by_role("listbox").get_by_role("option")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("Gezin Maes")
    expect(option).to_contain_text("nog open € 60.00")
    option.click()
    page.get_by_role("button", name="Koppelen").last.click()
    expect(page.locator(".flash-success")).to_contain_text("Beweging gekoppeld")
    with live_server.session() as s:
        from plugins.facturatie.models import Invoice, PaymentState
        assert s.get(Invoice, invoice_id).payment_state == PaymentState.PAID
    assert page.console_errors == []
