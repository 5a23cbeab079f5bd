"""The care-plan form and the day planning in real headless Chromium (Playwright, Debian's
chromium): a plan that exceeds the licensed places is shown with its warning and saved only after
"toch bewaren" is ticked; a shift-work schedule is typed one date a line; the day planning then
shows both children and the capacity warning. No console or CSP errors, no serious axe findings."""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from core.clock import clock
from core.context import context_for
from core.models import Role
from plugins.planning.models import CarePlan
from tests.browser_support import axe_violations, login_as


def seed(live_server, monday: date):
    from plugins.planning.api import DayPlan, create_care_plan

    with live_server.seed() as f:
        org = f.org(name="Planningproef vzw", modules={"planning"})
        location = f.location(org, name="Kinderdagverblijf Eén Plaats", places=1)
        family = f.family(org)
        first = f.child(org, family=family, location=location, first_name="Eerste", born=date(2025, 5, 1))
        second = f.child(org, family=family, location=location, first_name="Tweede", born=date(2025, 6, 1))
        third = f.child(org, family=family, location=location, first_name="Derde", born=date(2025, 7, 1))
        director = f.user(org, Role.DIRECTOR)
        create_care_plan(context_for(f.session, org), child_id=first.id, location_id=location.id, start_date=monday,
                         days=[DayPlan(weekday=d, day_part="full") for d in range(5)], family_id=family.id)
        return org.slug, second.id, third.id, director.email


def plans_of(live_server, child_id: int) -> int:
    with live_server.session() as s:
        return s.scalar(select(func.count(CarePlan.id)).where(CarePlan.child_id == child_id))


def test_capacity_warning_toch_bewaren_and_day_planning(live_server, new_context):
    today = clock.today()
    monday = today + timedelta(days=7 - today.weekday())
    slug, second_id, third_id, email = seed(live_server, monday)
    page = new_context(bypass_csp=True).new_page()
    login_as(page, email)

    page.goto(f"/o/{slug}/planning/children/{second_id}/plans/new")
    page.get_by_label("Begindatum").fill(monday.isoformat())
    for weekday in ("maandag", "dinsdag"):
        page.get_by_label(f"{weekday} week A").select_option("full")
    page.get_by_role("button", name="Bewaren").click()
    warnings = page.locator("#warnings")
    expect(warnings).to_contain_text("overschrijdt de capaciteit")
    expect(warnings).to_contain_text(re.compile(r"\b1 vergunde plaats\b"))  # singular (ngettext)
    assert plans_of(live_server, second_id) == 0
    assert axe_violations(page) == []
    page.get_by_label("Toch bewaren ondanks de waarschuwingen").check()
    page.get_by_role("button", name="Toch bewaren").click()
    expect(page.locator(".flash-success")).to_contain_text("De waarschuwingen werden bevestigd")
    assert plans_of(live_server, second_id) == 1

    # shift work: a schedule typed one date a line, on a day the location is closed: a Dutch error
    page.goto(f"/o/{slug}/planning/children/{third_id}/plans/new")
    page.get_by_label("Begindatum").fill(monday.isoformat())
    saturday = monday + timedelta(days=5)
    page.get_by_label("Rooster op maat (ploegenwerk)").fill(
        f"{monday + timedelta(days=2):%d/%m/%Y} voormiddag\n{saturday:%d/%m/%Y} volledige dag")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator("main")).to_contain_text("zaterdag gesloten")
    expect(page.locator(".flash-error")).to_contain_text("Er werd niets bewaard")
    assert plans_of(live_server, third_id) == 0

    page.goto(f"/o/{slug}/planning/day?date={monday.isoformat()}")
    main = page.locator("main")
    expect(main).to_contain_text("Eerste")
    expect(main).to_contain_text("Tweede")
    expect(main).to_contain_text("Capaciteit overschreden: 2 kinderen tegelijk voor 1 plaats")
    assert axe_violations(page) == []
    assert page.console_errors == []  # collected by browser_support for every page


def test_occupancy_heatmap_is_one_canvas_that_the_keyboard_reads_out(live_server, new_context):
    """Every location at once: the heatmap is one drawn <canvas> (not an SVG of thousands of
    elements); arrow keys announce each cell through the live region; the table with the same
    figures stays on the page, closed once the canvas is drawn; no CSP or console errors."""
    today = clock.today()
    with live_server.seed() as f:
        org = f.org(name="Heatmapproef vzw", modules={"planning"})
        first = f.location(org, name="Aaa Kinderdagverblijf", places=4)
        f.location(org, name="Bbb Onthaal", places=8)
        child = f.child(org, location=first, born=date(2025, 5, 1))
        director = f.user(org, Role.DIRECTOR)
        from plugins.planning.api import DayPlan, create_care_plan
        create_care_plan(context_for(f.session, org), child_id=child.id, location_id=first.id,
                         start_date=today - timedelta(days=40),
                         days=[DayPlan(weekday=d, day_part="full") for d in range(5)])
        slug, email = org.slug, director.email
    page = new_context().new_page()
    login_as(page, email)
    page.goto(f"/o/{slug}/planning/occupancy?location=all")
    canvas = page.locator("canvas.heatmap")
    expect(canvas).to_be_visible()
    assert page.locator("svg.heatmap").count() == 0
    assert page.locator("#heatmap-table").get_attribute("open") is None  # the script closed the table
    box = canvas.bounding_box()
    assert box["width"] > 600 and box["height"] > 100  # 2 rows x 12 months drawn
    # something was painted: the top-left cell's pixel is not transparent
    painted = page.evaluate("""() => { const c = document.querySelector('canvas.heatmap');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
    assert painted > 1000
    canvas.focus()
    live = page.locator("#heatmap-live")
    expect(live).to_contain_text("Aaa Kinderdagverblijf")
    page.keyboard.press("ArrowDown")
    expect(live).to_contain_text("Bbb Onthaal")
    first_month = live.inner_text()
    page.keyboard.press("End")  # the last of the 12 months, same location
    expect(live).not_to_have_text(first_month)
    expect(live).to_contain_text("Bbb Onthaal")
    page.locator("#heatmap-table summary").click()
    expect(page.locator("#heatmap-table table")).to_contain_text("Bbb Onthaal")
    assert page.console_errors == []
