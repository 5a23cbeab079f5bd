"""Screenshots of the screens changed for issues 12 and 13 (docs/screens/*.png), from a running demo:

    KOEPEL_DATA_DIR=$(mktemp -d) sh -c 'koepel db upgrade && koepel demo --quiet && koepel serve --dev --jobs' &
    .venv/bin/python -m tests.browser.screens --url http://127.0.0.1:5000 --data-dir "$KOEPEL_DATA_DIR"
    # only some: --only occupancy-heatmap,child-picker,location-picker
    # the pickers: --only family-picker,location-picker,child-picker,users-locations-picker,location-filter-picker
    # billing only: --only billing-landing,billing-proposal,billing-explanation,billing-invoices,billing-invoice

A parent files a request on the public form; the job worker writes the confirmation e-mail, whose
link opens the new request's status page. The status page with an offer is the demo's own (the
link ``koepel demo`` prints, read from the same database through ``--data-dir``).
"""
from __future__ import annotations

import argparse
import email
import os
import re
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from core.demo import DEMO_PASSWORD
from tests.browser_support import CHROMIUM_ARGS, DESKTOP, chromium_executable

ORG = "vzw-auricula"
LARGE = "vzw-reddie-teddy-huishulp-west-vlaanderen"


def login(page, email_address: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email_address)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()


ONLY: set[str] = set()


def shot(page, out: Path, name: str, full: bool = True) -> None:
    if ONLY and name not in ONLY:
        return
    page.screenshot(path=str(out / f"{name}.png"), full_page=full)
    print(f"wrote {out / name}.png")


def status_link(data_dir: Path, since: float) -> str | None:
    for _ in range(30):
        for eml in sorted((data_dir / "outbox-mail").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            if eml.stat().st_mtime < since:
                continue
            body = email.message_from_bytes(eml.read_bytes())
            text = "".join(part.get_payload(decode=True).decode("utf-8", "replace")
                           for part in body.walk() if part.get_content_type() == "text/plain")
            found = re.search(r"https?://\S+/status/[\w-]+(?:/confirm)?", text)
            if found:
                return found.group(0)
        time.sleep(1)
    return None


BILLING = ("billing-landing", "billing-proposal", "billing-explanation", "billing-invoices", "billing-invoice")


def billing(page, out: Path) -> None:
    """Finance of the IKT demo partner bills last month: landing, proposal, a line's explanation;
    the warnings accepted and the month finalised (once: a later run finds it finalised), the
    invoice list once the job worker made the PDFs, an invoice."""
    if ONLY and not ONLY & set(BILLING):
        return
    login(page, f"finance.{ORG}@koepel.demo")
    shot(page, out, "billing-landing", full=False)
    page.get_by_role("link", name="Voorstel openen").click()
    proposal_url = page.url
    shot(page, out, "billing-proposal", full=False)
    family = page.locator("a[href*='/families/']").first
    if family.count():
        page.goto(family.get_attribute("href") + "?line=0#explain")
        shot(page, out, "billing-explanation", full=False)
    page.goto(proposal_url)
    accept = page.locator("form[action$='/accept']")
    while accept.count():
        accept.first.locator("input[name=reason]").fill("Nagekeken met de verantwoordelijke")
        with page.expect_navigation():
            accept.first.get_by_role("button", name="Aanvaarden").click()
    finalise = page.get_by_role("button", name="Finaliseren")
    if finalise.count():
        with page.expect_navigation():
            finalise.click()
    else:
        page.get_by_role("link", name="Facturen openen").click()
    for _ in range(60):  # the job worker of `koepel serve --jobs` makes the PDFs
        if re.search(r"Pdf's klaar: (\d+) van \1\b", page.locator("main").inner_text()):
            break
        time.sleep(2)
        page.reload()
    shot(page, out, "billing-invoices", full=False)
    page.locator("table.list tbody a[href*='/facturatie/invoices/']").first.click()
    shot(page, out, "billing-invoice", full=False)


def offer_form(page, out: Path) -> None:
    """The offer form (start and answer date) of the first free place someone on the list fits:
    the candidates of each free place, page after page of the free places."""
    listing = f"/o/{ORG}/wachtlijst/vacancies"
    while listing:
        page.goto(listing)
        following = page.locator("a[rel=next]").first
        listing = following.get_attribute("href") if following.count() else None
        for href in [a.get_attribute("href") for a in page.locator("a[href*='candidates']").all()]:
            page.goto(href)
            offer = page.locator("a[href*='offers/new']").first
            if offer.count():
                offer.click()
                shot(page, out, "offer-form", full=False)
                return


def demo_links(data_dir: Path) -> list[tuple[str, str]]:
    """The modules' demo links (a status page with an open offer), from the demo's database:
    ``load_demo`` on a loaded demo changes nothing and describes it."""
    os.environ["KOEPEL_DATA_DIR"] = str(data_dir.resolve())
    from core.app import create_app
    from core.demo import load_demo

    app = create_app()
    with app.app_context():
        return load_demo(app).links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--out", default="docs/screens")
    parser.add_argument("--only", default="", help="comma-separated screenshot names to (re)take; default all")
    args = parser.parse_args()
    ONLY.update(n for n in args.only.split(",") if n)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="nl-BE", base_url=args.url)
        billing(page, out)
        if ONLY and ONLY <= set(BILLING):
            browser.close()
            return
        # the parent: public form, then the status page from the confirmation e-mail
        page.goto(f"/o/{ORG}/wachtlijst/aanvraag?lang=nl")
        shot(page, out, "public-form", full=False)
        since = time.time() - 1
        page.fill("#applicant_first_name", "Sofie")
        page.fill("#applicant_last_name", "Vandamme")
        page.fill("#email", f"sofie.vandamme.{int(time.time())}@example.be")
        page.fill("#phone", "0470 12 34 56")
        page.fill("#child_first_name", "Lou")
        page.fill("#child_last_name", "Vandamme")
        page.fill("#child_birth_date", "2026-09-01")
        page.fill("#desired_start", "2027-03-01")
        for i in range(4):
            page.select_option(f"#day_{i}", "full")
        page.select_option("#choice_1", index=1)
        with page.expect_navigation():
            page.locator("form button[type=submit]").last.click()
        link = status_link(Path(args.data_dir), since)
        if link:
            page.goto(link)
            confirm = page.get_by_role("button", name="Aanvraag bevestigen")
            if confirm.count():
                with page.expect_navigation():
                    confirm.click()
            shot(page, out, "status-page-confirmed")
        # the parent with an open offer: its start and answer date
        offer_page = next((path for _label, path in demo_links(Path(args.data_dir)) if ORG in path), None)
        if offer_page:
            page.goto(offer_page)
            shot(page, out, "status-page")
        # finance's billable days (finance lands on facturatie where it is on: open the page itself)
        login(page, f"finance.{ORG}@koepel.demo")
        page.goto(f"/o/{ORG}/planning/billable")
        shot(page, out, "finance-billable", full=False)
        # director: settings, policy, audit, report, offer
        login(page, f"director.{ORG}@koepel.demo")
        page.goto(f"/o/{ORG}/settings/")
        shot(page, out, "settings")
        page.goto(f"/o/{ORG}/wachtlijst/policy")
        shot(page, out, "policy")
        page.goto(f"/o/{ORG}/wachtlijst/reports")
        shot(page, out, "placement-report")
        # the offer form (start and answer date) of the first free place someone on the list fits
        if not ONLY or "offer-form" in ONLY:
            offer_form(page, out)
        page.goto(f"/o/{ORG}/audit")
        shot(page, out, "audit-log", full=False)
        # the day planning (Vandaag, previous and next day) and the care-plan form with its notes
        page.goto(f"/o/{ORG}/planning/day")
        shot(page, out, "day-planning", full=False)
        page.goto(f"/o/{ORG}/children/")
        href = page.locator("table a[href*='/children/']").first.get_attribute("href")
        child_id = re.search(r"/children/(\d+)", href).group(1)
        page.goto(f"/o/{ORG}/planning/children/{child_id}/plans/new")
        notes = page.get_by_label("Opmerkingen")
        if notes.count():
            notes.fill("Wennen in twee weken; mama brengt, papa haalt op. Allergie: noten.")
            notes.scroll_into_view_if_needed()
            shot(page, out, "care-plan-form", full=False)
        # the koepel's central allocation: a proposal, each line's status and outcome in words
        login(page, "coordinator@koepel.demo")
        page.goto("/koepel/wachtlijst/")
        with page.expect_navigation():
            page.get_by_role("button", name="Voorstel berekenen").click()
        shot(page, out, "central-allocation", full=False)
        # the family picker of a large partner
        login(page, f"director.{LARGE}@koepel.demo")
        page.goto(f"/o/{LARGE}/children/new")
        search = page.get_by_role("combobox", name="Gezin(nen)")
        search.fill("ma")
        page.locator("#family_ids-ts-dropdown [role=option]").first.wait_for()
        shot(page, out, "family-picker", full=False)
        # the location picker on the same form (31 homes), by municipality
        where = page.get_by_role("combobox", name="Opvanglocatie")
        where.fill("kort")
        page.locator("#location_id-ts-dropdown [role=option]").first.wait_for()
        shot(page, out, "location-picker", full=False)
        # the child picker of the absence notice (242 children): the attendance module switched on
        page.goto(f"/o/{LARGE}/modules")
        if page.locator("a[href$='/modules/aanwezigheden/enable']").count():
            page.goto(f"/o/{LARGE}/modules/aanwezigheden/enable")
            with page.expect_navigation():
                page.get_by_role("button", name="Bevestigen").click()
        page.goto(f"/o/{LARGE}/aanwezigheden/absences/new")
        search = page.get_by_role("combobox", name="Kind")
        search.fill("em")
        page.locator("#child_id-ts-dropdown [role=option]").first.wait_for()
        shot(page, out, "child-picker", full=False)
        # a caregiver's homes on the users form (a multiple choice), and the children's location filter
        page.goto(f"/o/{LARGE}/users/new")
        homes = page.get_by_role("combobox", name="Locaties (voor begeleiders)")
        homes.fill("kort")
        page.locator("#location_ids-ts-dropdown [role=option]").first.wait_for()
        homes.press("Enter")
        homes.fill("fleur")
        page.locator("#location_ids-ts-dropdown .highlight", has_text="Fleur").first.wait_for()
        shot(page, out, "users-locations-picker", full=False)
        page.goto(f"/o/{LARGE}/children/")
        where = page.get_by_role("combobox", name="Locatie")
        where.fill("fleur")
        page.locator("#location-ts-dropdown .highlight", has_text="Fleur").first.wait_for()
        shot(page, out, "location-filter-picker", full=False)
        # the occupancy heatmap of every location: one canvas, read out cell by cell by the keyboard
        page.goto(f"/o/{LARGE}/planning/occupancy?location=all")
        page.locator("canvas.heatmap").focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowRight")
        shot(page, out, "occupancy-heatmap", full=False)
        browser.close()


if __name__ == "__main__":
    main()
