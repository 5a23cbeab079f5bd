"""The tablet (768x1024, touch) on the main pages: no horizontal scrolling, touch targets of at
least 44x44 px for navigation links and buttons, and a skip link that works from the keyboard."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.browser_support import login_as

DIRECTOR = "director.ocmw-kortrijk@koepel.demo"  # the largest demo partner: 19 locations
COORDINATOR = "coordinator@koepel.demo"
ORG = "ocmw-kortrijk"

COORDINATOR_PAGES = ["/koepel/", f"/o/{ORG}/organisation", f"/o/{ORG}/modules"]
DIRECTOR_PAGES = [
    f"/o/{ORG}/", f"/o/{ORG}/organisation", f"/o/{ORG}/locations/", f"/o/{ORG}/children/",
    f"/o/{ORG}/families/", f"/o/{ORG}/children/new", f"/o/{ORG}/users",
]
MIN_TARGET = 44

OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > doc.clientWidth + 1)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5)};
}"""

TARGETS_JS = """(min) => [...document.querySelectorAll(
    'nav a, button, .button, input[type=submit], input[type=button]')]
  .filter(el => el.offsetParent !== null && !el.closest('.skip-link'))
  .map(el => { const r = el.getBoundingClientRect();
               return {text: (el.innerText || el.value || '').trim(), w: r.width, h: r.height}; })
  .filter(t => t.w < min || t.h < min)"""


def _check_layout(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"{url} scrolls sideways: {overflow}"
    too_small = page.evaluate(TARGETS_JS, MIN_TARGET)
    assert too_small == [], f"{url}: touch targets under {MIN_TARGET}px: {too_small}"


def test_login_page_fits_the_tablet(live_server, tablet_page):
    _check_layout(tablet_page, "/login")


@pytest.mark.parametrize(("email", "pages"), [(COORDINATOR, COORDINATOR_PAGES), (DIRECTOR, DIRECTOR_PAGES)],
                         ids=["coordinator", "director"])
def test_main_pages_fit_the_tablet_with_big_touch_targets(demo, tablet_page, email, pages):
    login_as(tablet_page, email, DEMO_PASSWORD)
    for url in pages:
        _check_layout(tablet_page, url)
    assert tablet_page.console_errors == [] and tablet_page.server_errors == []


def test_skip_link_moves_keyboard_focus_to_the_content(demo, tablet_page):
    page = tablet_page
    login_as(page, DIRECTOR, DEMO_PASSWORD)
    page.goto(f"/o/{ORG}/locations/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab lands inside the content, not back in the header or menu.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("email", [COORDINATOR, "director.vzw-auricula@koepel.demo"], ids=["coordinator", "director"])
def test_every_menu_page_fits_the_tablet(demo, tablet_page, email):
    """Whatever the enabled modules put in the menu must fit the tablet too."""
    login_as(tablet_page, email, DEMO_PASSWORD)
    if email == COORDINATOR:
        tablet_page.goto("/o/vzw-auricula/")
    hrefs = tablet_page.locator(".mainnav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 3, hrefs
    for href in dict.fromkeys(hrefs):
        _check_layout(tablet_page, href)
    assert tablet_page.console_errors == [] and tablet_page.server_errors == []
