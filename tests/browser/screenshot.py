"""Take the README screenshot: the coordinator's partner overview of the demo koepel, 1280 wide and
the whole list (the partners with more modules than planning come after the first five).

    KOEPEL_DATA_DIR=$(mktemp -d) sh -c 'koepel db upgrade && koepel demo --quiet && koepel serve --dev' &
    .venv/bin/python -m tests.browser.screenshot --url http://127.0.0.1:5000 --out docs/screenshot.png

On a fresh demo, before tests/browser/screens.py (which switches attendance on at Reddie Teddy).
"""
from __future__ import annotations

import argparse

from playwright.sync_api import sync_playwright

from core.demo import DEMO_PASSWORD
from tests.browser_support import CHROMIUM_ARGS, DESKTOP, chromium_executable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", default="docs/screenshot.png")
    parser.add_argument("--email", default="coordinator@koepel.demo")
    args = parser.parse_args()
    executable = chromium_executable()
    if executable is None:
        raise SystemExit("no Chromium: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="nl-BE", base_url=args.url)
        page.goto("/login")
        page.get_by_label("E-mailadres").fill(args.email)
        page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Aanmelden").click()
        page.get_by_role("heading", name="Partners van de koepel").wait_for()
        page.screenshot(path=args.out, full_page=True)
        browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
