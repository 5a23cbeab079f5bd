"""Browser-test support: the real app behind a real HTTP server, driven by Playwright in Debian's
headless Chromium (``/usr/bin/chromium``; Playwright never downloads a browser here).

Loaded as a pytest plugin from ``tests/conftest.py``, so every test module can use:

``live_server`` (session)
    A :class:`LiveServer`: the app with every plugin, served by werkzeug on a random free port of
    127.0.0.1, CSRF on, against its **own** database: a migrated scratch SQLite file, or, when
    ``KOEPEL_TEST_DATABASE_URL`` is set, a dedicated PostgreSQL database ``<that db>_live`` (dropped
    and recreated per run; the shared test schema of the other tests is never touched). Nothing is
    rolled back between tests, so each test seeds its own, uniquely named data:

    * ``live_server.url`` (``http://127.0.0.1:<port>``); page URLs may be relative (``/login``).
    * ``with live_server.seed() as f:`` yields a :class:`tests.factories.Factory` bound to a unit of
      work of the live app (committed on exit): ``f.org(modules={"planning"})`` goes through
      ``enable_module``, ``f.location(org)``, ``f.child(org)``, ``f.user(org, Role.DIRECTOR)``...
      Objects stay readable after the block (``org.slug``, ``user.email``). Users get the password
      ``tests.factories.PASSWORD``.
    * ``with live_server.session() as s:`` a plain unit of work, to read what the browser did.
    * ``live_server.app``: the Flask app (push ``app.app_context()`` yourself if you need one).

``demo`` (session)
    ``core.demo.load_demo`` run once into the live server's database (about 7 s); returns the
    ``DemoResult`` (``demo.logins``; password ``core.demo.DEMO_PASSWORD``).

``browser`` (session)
    The launched Chromium. Missing Chromium or Playwright: skipped outside CI, **failed** when ``CI``
    is set (CI installs ``chromium``).

``new_context`` (function)
    ``new_context(tablet=False, bypass_csp=False, **playwright_kwargs)`` -> a fresh, isolated
    ``BrowserContext`` (own cookies and storage) with ``base_url`` set to the live server, Dutch
    locale, desktop viewport 1280x800 or, with ``tablet=True``, 768x1024 with touch. Closed after
    the test. ``bypass_csp=True`` only for injecting test tooling such as axe-core.

``browser_page`` / ``tablet_page`` (function)
    A page in a fresh desktop / tablet context. ``page.console_errors`` collects the browser's
    console errors and uncaught exceptions (CSP violations show up there; "Failed to load
    resource" is left out, assert on statuses instead); ``page.server_errors`` every 5xx answer.

Helpers: ``login_as(page, email, password=PASSWORD)`` signs in through the login form and waits
for the landing page; ``axe_violations(page, impacts=("serious", "critical"))`` runs the vendored
axe-core (``tests/browser/vendor/axe.min.js``, MPL-2.0) on the page (needs a ``bypass_csp``
context) and returns the violations of those impacts.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
AXE_JS = Path(__file__).parent / "browser" / "vendor" / "axe.min.js"
PASSWORD = "correct-horse-battery"  # same as tests.factories.PASSWORD
TIMEOUT_MS = 15_000


def chromium_executable() -> str | None:
    """``KOEPEL_CHROMIUM`` if set, else Debian's chromium on the PATH."""
    candidate = os.environ.get("KOEPEL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium: apt-get install chromium)")


# --- the live server --------------------------------------------------------------------------

def _live_database_url(folder: Path) -> str:
    """A scratch SQLite file, or a fresh PostgreSQL database beside the one the suite uses."""
    from core.db import make_engine

    base = os.environ.get("KOEPEL_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder / 'koepel-live.db'}"
    url = make_url(base)
    live = url.set(database=f"{url.database}_live")
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{live.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{live.database}"'))
    admin.dispose()
    return live.render_as_string(hide_password=False)


class LiveServer:
    """The app served over HTTP in a background thread (see the module docstring)."""

    def __init__(self, app) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # keep the test output readable
                pass

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=10)
        self.server.server_close()
        self.app.extensions["koepel_db"].engine.dispose()

    @contextmanager
    def session(self) -> Iterator:
        with self.app.app_context():
            with self.app.extensions["koepel_db"].unit_of_work() as session:
                yield session

    @contextmanager
    def seed(self) -> Iterator:
        from tests.factories import Factory

        with self.session() as session:
            yield Factory(session)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    from core.app import create_app
    from core.db import make_engine
    from core.migrate import upgrade
    from tests.conftest import ALL_PLUGINS, make_config

    folder = tmp_path_factory.mktemp("live")
    url = _live_database_url(folder)
    engine = make_engine(url)
    with engine.connect() as conn:
        upgrade(url, connection=conn)
        conn.commit()
    engine.dispose()
    config = make_config(url, folder, WTF_CSRF_ENABLED=True, TESTING=False)
    server = LiveServer(create_app(config, plugins=list(ALL_PLUGINS))).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo(live_server):
    from core.demo import load_demo

    with live_server.app.app_context():
        return load_demo(live_server.app)


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if executable is None:
        _unavailable("no Chromium found (KOEPEL_CHROMIUM, chromium on the PATH, /usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as exc:  # a broken install must not pass silently in CI
        playwright.stop()
        _unavailable(f"Chromium did not start: {exc}")
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def _watch(page) -> None:
    if hasattr(page, "console_errors"):
        return
    page.console_errors = []
    page.server_errors = []

    def on_console(msg):
        # A 404/401 page is itself a "failed resource" to Chromium: those are asserted on by status.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            page.console_errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.on("response", lambda r: r.status >= 500 and page.server_errors.append(f"{r.status} {r.url}"))


@pytest.fixture
def new_context(browser, live_server):
    contexts = []

    def make(tablet: bool = False, bypass_csp: bool = False, **kwargs):
        options = {
            "base_url": live_server.url,
            "locale": "nl-BE",
            "viewport": TABLET if tablet else DESKTOP,
            "bypass_csp": bypass_csp,
        }
        if tablet:
            options.update(has_touch=True, is_mobile=True, device_scale_factor=2)
        options.update(kwargs)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", _watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_context):
    page = new_context().new_page()
    _watch(page)
    return page


@pytest.fixture
def tablet_page(new_context):
    page = new_context(tablet=True).new_page()
    _watch(page)
    return page


def login_as(page, email: str, password: str = PASSWORD):
    """Sign in through the form; returns the landing page's response status (via the page URL)."""
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()
    assert "/login" not in page.url, f"login as {email} failed: {page.locator('main').inner_text()[:300]}"
    return page


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; the violations of the given impacts (id, help, nodes)."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]
