"""The tablet in real headless Chromium (Playwright, Debian's chromium): pair, unlock with a PIN,
go offline, register, reload and 'restart' the page, unlock offline, go online again: the server
has each registration exactly once. Also: touch targets of at least 48 px, no CSP errors."""
from __future__ import annotations

from datetime import date, time

from playwright.sync_api import expect
from sqlalchemy import select

from core.clock import clock
from core.context import context_for
from core.models import Role
from plugins.aanwezigheden.models import AttendanceEvent, EventStatus
from tests.browser_support import login_as

PIN = "4821"


def seed(live_server):
    from plugins.aanwezigheden.services.devices import set_pin
    from plugins.planning.api import DayPlan, create_care_plan

    with live_server.seed() as f:
        org = f.org(name="Tabletproef vzw", modules={"aanwezigheden"})
        location = f.location(org, name="Kinderdagverblijf Tabletproef", weekdays=range(7), opens=time(6, 0),
                              closes=time(20, 0))
        expected = f.child(org, location=location, first_name="Verwachte", born=date(2025, 3, 1))
        extra = f.child(org, location=location, first_name="Onverwachte", born=date(2025, 4, 1))
        director = f.user(org, Role.DIRECTOR)
        set_pin(context_for(f.session, org), director, PIN)
        create_care_plan(context_for(f.session, org), child_id=expected.id, location_id=location.id, start_date=clock.today(),
                         days=[DayPlan(weekday=d, day_part="full") for d in range(7)])
        return org.slug, org.id, expected.id, extra.id, director.email, director.name


def enter_pin(page):
    for digit in PIN:
        page.locator(f".key[data-key='{digit}']").click()
    page.locator(".key[data-key='ok']").click()


def ready(page):
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


def queue(page, n):
    expect(page.locator("#queue")).to_have_attribute("data-count", str(n))


def test_offline_registrations_arrive_exactly_once(live_server, new_context):
    slug, org_id, expected_id, extra_id, email, name = seed(live_server)
    context = new_context(tablet=True)
    page = context.new_page()

    # The director pairs this tablet with the location, then logs out.
    login_as(page, email)
    page.goto(f"/o/{slug}/aanwezigheden/devices")
    page.get_by_label("Naam van het toestel").fill("Tablet leefgroep 1")
    page.get_by_role("button", name="Koppelen").click()
    expect(page.get_by_role("heading", name="Tablet gekoppeld")).to_be_visible()
    page.get_by_role("button", name="Afmelden").click()

    tablet = f"/o/{slug}/aanwezigheden/tablet/"
    page.goto(tablet)
    ready(page)
    for _ in range(100):  # bounded: the service worker takes control after its first activation
        if page.evaluate("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    page.get_by_role("button", name=name).click()
    enter_pin(page)
    expect(page.locator("#board")).to_be_visible()
    child = page.locator(f"#children li[data-child='{expected_id}']")
    expect(child).to_contain_text("verwacht")
    expect(page.locator("#summary")).to_contain_text("0 aanwezig · 1 nog verwacht")

    small = page.evaluate("""() => [...document.querySelectorAll('#board button, header button')]
        .filter(b => b.offsetParent !== null)
        .map(b => b.getBoundingClientRect()).filter(r => r.width < 48 || r.height < 48).length""")
    assert small == 0

    # Wi-Fi off: arrivals are queued with client ids and shown at once.
    context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("Offline")
    child.locator(".tile").click()
    queue(page, 1)
    expect(child).to_contain_text("aanwezig sinds")
    page.get_by_role("button", name="Onverwacht kind").click()
    page.locator(f"#others [data-child='{extra_id}']").click()
    queue(page, 2)

    # A reload while offline: the service worker serves the page, IndexedDB still holds the queue.
    page.reload()
    ready(page)
    queue(page, 2)
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator(f"#children li[data-child='{extra_id}']")).to_contain_text("aanwezig sinds")

    # A 'restart' (new page, session storage gone): locked; the PIN unlocks offline too.
    page.close()
    page = context.new_page()
    page.goto(tablet)
    ready(page)
    expect(page.locator("#lock")).to_be_visible()
    queue(page, 2)
    page.get_by_role("button", name=name).click()
    enter_pin(page)
    expect(page.locator("#board")).to_be_visible()
    page.locator(f"#children li[data-child='{expected_id}'] .tile").click()  # departure
    queue(page, 3)

    # Network back: everything is sent, each exactly once.
    context.set_offline(False)
    queue(page, 0)
    expect(page.locator(f"#children li[data-child='{expected_id}']")).to_contain_text("vertrokken om")
    page.evaluate("() => fetch(location.pathname + 'api/today', {headers: {'X-Koepel-Tablet': '1'}})")

    with live_server.session() as s:
        rows = list(s.scalars(select(AttendanceEvent).where(AttendanceEvent.organisation_id == org_id)))
        summary = sorted((e.child_id, e.kind.value, e.status, e.offline) for e in rows)
        assert summary == sorted([
            (expected_id, "arrival", EventStatus.ACCEPTED, True),
            (expected_id, "departure", EventStatus.ACCEPTED, True),
            (extra_id, "arrival", EventStatus.ACCEPTED, True),
        ])
        assert len({e.client_id for e in rows}) == 3
    assert page.console_errors == []  # collected by browser_support for every page


def test_a_tablet_nobody_can_unlock_yet_says_what_to_do(live_server, new_context):
    with live_server.seed() as f:
        org = f.org(name="Zonder pincodes vzw", modules={"aanwezigheden"})
        f.location(org, name="Kinderdagverblijf Zonder Pincodes", weekdays=range(7), opens=time(6, 0), closes=time(20, 0))
        director = f.user(org, Role.DIRECTOR)
        slug, email = org.slug, director.email
    page = new_context(tablet=True).new_page()
    login_as(page, email)
    page.goto(f"/o/{slug}/aanwezigheden/devices")
    page.get_by_label("Naam van het toestel").fill("Tablet zonder pincodes")
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_role("button", name="Afmelden").click()
    page.goto(f"/o/{slug}/aanwezigheden/tablet/")
    ready(page)
    expect(page.locator("#no-staff")).to_be_visible()
    expect(page.locator("#no-staff")).to_contain_text("Mijn pincode")
    assert page.locator("#staff .person").count() == 0
