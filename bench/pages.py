"""Page benchmark: does a page's cost grow with the size of the organisation?

Loads the demo koepel into a scratch database, logs in as the director of the largest partner
(240+ children) and of a 10-child partner, and measures the same pages for both in one run:
SQL statements per request (a ``before_cursor_execute`` listener) and server time (median and
90th percentile of N requests through the WSGI test client, after a warm-up).

    .venv/bin/python bench/pages.py                      # SQLite in bench/out/
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/koepel_bench .venv/bin/python bench/pages.py

The query ratio (large / small) must be 1.0 for every page: the script exits with status 1
otherwise. The time ratio shows what rendering more rows costs.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
# A fixed Fernet key: scratch data only, never a real deployment.
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="


@dataclass
class Measure:
    page: str
    partner: str
    children: int
    queries: int
    median_ms: float
    p90_ms: float
    rows: int | None = None  # rows written, for the Excel exports


class StatementCounter:
    """Counts SQL statements (not transaction control) sent through an engine."""

    def __init__(self, engine) -> None:
        self.count = 0
        self.last: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, *args) -> None:
        if not TRANSACTION_CONTROL.match(statement):
            self.count += 1
            self.last.append(" ".join(statement.split())[:160])


def build_app(url: str, plugins: list[str] | None):
    from core.app import create_app

    OUT.mkdir(parents=True, exist_ok=True)
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "KOEPEL_DATA_DIR": str(OUT),
        "KOEPEL_ENCRYPTION_KEY": BENCH_KEY,
        "KOEPEL_PASSWORD_HASH_FAST": True,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }
    return create_app(config, plugins=plugins)


def prepare(app, url: str) -> None:
    from core.demo import load_demo
    from core.migrate import upgrade

    upgrade(url)
    with app.app_context():
        result = load_demo(app)
    print(result.report().splitlines()[0])


def pick_partners(app) -> tuple[tuple[str, int], tuple[str, int]]:
    """The partner with the most children, and the one closest to 10 children."""
    from core.db import get_db
    from core.models import Child, Organisation

    with app.app_context(), get_db().unit_of_work() as sess:
        rows = sess.execute(
            select(Organisation.slug, func.count(Child.id))
            .join(Child, Child.organisation_id == Organisation.id)
            .group_by(Organisation.slug)
        ).all()
    large = max(rows, key=lambda r: (r[1], r[0]))
    small = min(rows, key=lambda r: (abs(r[1] - 10), r[0]))
    return (large[0], large[1]), (small[0], small[1])


def enable_module_for(app, module: str, slugs: list[str]) -> None:
    """Switch ``module`` on for these partners (idempotent): the demo enables some modules for a
    few partners only."""
    from core.db import get_db
    from core.models import Organisation
    from core.tenancy import enable_module, enabled_modules

    with app.app_context(), get_db().unit_of_work() as sess:
        for org in sess.scalars(select(Organisation).where(Organisation.slug.in_(slugs))):
            if module not in enabled_modules(sess, org):
                enable_module(sess, org, module)


def all_partners(app) -> list[str]:
    from core.db import get_db
    from core.models import Organisation

    with app.app_context(), get_db().unit_of_work() as sess:
        return list(sess.scalars(select(Organisation.slug).order_by(Organisation.slug)))


def director_client(app, slug: str):
    from core.demo import DEMO_PASSWORD

    client = app.test_client()
    login = client.post("/login", data={"email": f"director.{slug}@koepel.demo", "password": DEMO_PASSWORD})
    if login.status_code != 302:
        raise SystemExit(f"login as director of {slug} failed: {login.status_code}")
    return client


def measure(counter: StatementCounter, partners: list[tuple[str, int, object]], name: str, path: str,
            repeat: int, warmup: int, show_sql: bool = False) -> list[Measure]:
    """Requests alternate between the partners, so that a change in machine load hits both alike."""
    counts: dict[str, list[int]] = {slug: [] for slug, _n, _c in partners}
    times: dict[str, list[float]] = {slug: [] for slug, _n, _c in partners}
    for round_no in range(warmup + repeat):
        for slug, _n, client in partners:
            url = f"/o/{slug}{path}"
            counter.last = []
            before = counter.count
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if round_no >= warmup:
                times[slug].append(elapsed)
                counts[slug].append(counter.count - before)
            if show_sql and round_no == warmup:
                print(f"\n{name}, {slug}:")
                print("\n".join(f"  {i + 1:2}. {sql}" for i, sql in enumerate(counter.last)))
    results = []
    for slug, children, client in partners:
        if len(set(counts[slug])) != 1:
            print(f"  note: {name} for {slug} varied between {min(counts[slug])} and {max(counts[slug])} statements")
        ordered = sorted(times[slug])
        p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
        rows = export_rows(client.get(f"/o/{slug}{path}").data) if path.split("?")[0].endswith(".xlsx") else None
        results.append(Measure(name, slug, children, max(counts[slug]), statistics.median(ordered), p90, rows))
    return results


def export_rows(data: bytes) -> int:
    """Data rows (headers not counted) of every sheet of an Excel export, read after the timing."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return sum(sum(1 for _row in sheet.iter_rows(min_row=2)) for sheet in book.worksheets)


def table_rows(data: bytes) -> int:
    """Data rows of a page's tables (``<tbody>``; a "nothing found" row spanning the columns not
    counted)."""
    html = data.decode()
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    return sum(body.count("<tr") - body.count("colspan=") for body in bodies)


def comparable_partner(app, large: str, path: str, rows: int, count=export_rows) -> tuple[str, int] | None:
    """The partner with the fewest children (not ``large``) whose export at ``path`` writes at least
    ``rows`` rows (``count``: of an HTML page, ``table_rows``): what the large partner's export
    costs against an export as long from a small partner (the 10-child partner's default location
    has no free places, so it writes 12 rows)."""
    from core.db import get_db
    from core.models import Child, Organisation

    with app.app_context(), get_db().unit_of_work() as sess:
        sizes = sess.execute(
            select(Organisation.slug, func.count(Child.id))
            .join(Child, Child.organisation_id == Organisation.id)
            .group_by(Organisation.slug)
        ).all()
    for slug, children in sorted(sizes, key=lambda r: (r[1], r[0])):
        if slug != large and count(director_client(app, slug).get(f"/o/{slug}{path}").data) >= rows:
            return slug, children
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repeat", type=int, default=50, help="measured requests per page and partner (default 50)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--plugins", default=None,
                        help="comma-separated plugin list (default: every installed plugin; 'none' for core only)")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one request per page")
    parser.add_argument("--keep", action="store_true", help="reuse bench/out/pages.db instead of starting afresh")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL")
    if not url:
        db_file = OUT / "pages.db"
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_file}"
    plugins = None if args.plugins is None else [p for p in args.plugins.split(",") if p and p != "none"]

    app = build_app(url, plugins)
    engine = app.extensions["koepel_db"].engine
    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    print(f"plugins: {', '.join(app.extensions['koepel_plugins'].infos) or '(core only)'}")
    prepare(app, url)
    (large, n_large), (small, n_small) = pick_partners(app)
    partners = [(large, n_large, director_client(app, large)), (small, n_small, director_client(app, small))]
    counter = StatementCounter(engine)
    pages = {"children list": "/children/", "dashboard": "/"}
    rows = []
    app.config["KOEPEL_PAGE_SIZE"] = 25
    for name, path in pages.items():
        rows += measure(counter, partners, name, path, args.repeat, args.warmup, args.show_sql)
    # The whole organisation on one page: rows grow, statements must not (no N+1).
    full = {"children list, one page of all": "/children/"}
    app.config["KOEPEL_PAGE_SIZE"] = 1000
    for name, path in full.items():
        rows += measure(counter, partners, name, path, args.repeat, args.warmup, args.show_sql)

    # Planning (issue 12): one location by default (the director's first; a user's last choice is
    # remembered), free places paged; the exports and the printed day list follow the same choice.
    planning = {}
    informative = {}
    comparisons = {}  # against another partner than the 10-child one; statements follow its data
    if "planning" in app.extensions["koepel_plugins"].infos:
        planning = {"occupancy (heatmap + free places)": "/planning/occupancy",
                    "day planning": "/planning/day"}
        exports = {"occupancy export (Excel)": "/planning/occupancy.xlsx",
                   "day list (PDF)": "/planning/day.pdf"}
        app.config["KOEPEL_PAGE_SIZE"] = 25
        for name, path in planning.items():
            rows += measure(counter, partners, name, path, args.repeat, args.warmup, args.show_sql)
        few = max(3, args.repeat // 10)
        for name, path in exports.items():
            rows += measure(counter, partners, name, path, few, 1, args.show_sql)
        planning.update(exports)
        # an export's time follows the rows it writes: the large partner's against an export of at
        # least as many rows from the smallest partner that has one
        xlsx = "/planning/occupancy.xlsx"
        written = next(r.rows for r in rows if r.page == "occupancy export (Excel)" and r.partner == large)
        other = comparable_partner(app, large, xlsx, written)
        if other is not None:
            name = "occupancy export, as many rows"
            pair = [partners[0], (other[0], other[1], director_client(app, other[0]))]
            rows += measure(counter, pair, name, xlsx, few, 1, args.show_sql)
            comparisons[name] = xlsx
        # every location at once: a page of 10 locations on screen, all of them in one PDF; the
        # statements grow with the locations shown (fixed per location), so this is not checked
        informative = {"occupancy, free places of all": "/planning/occupancy?location=all",
                       "day planning, all locations": "/planning/day?location=all",
                       "day list (PDF), all locations": "/planning/day.pdf?location=all"}
        for name, path in informative.items():
            rows += measure(counter, partners, name, path, few, 1, args.show_sql)

    # Waiting list (issue 12): the free places to offer ("Vrije plaatsen"), for the location the
    # page opens on (the first, or the one chosen last: remembered); the demo has the module on for
    # two other partners, so it is switched on here for every partner (after the pages above). Fresh
    # logins: the planning pages above chose "all", which the location memory would carry over.
    waiting = {}
    if "wachtlijst" in app.extensions["koepel_plugins"].infos:
        enable_module_for(app, "wachtlijst", all_partners(app))
        waiting = {"waiting-list vacancies": "/wachtlijst/vacancies"}
        fresh = [(large, n_large, director_client(app, large)), (small, n_small, director_client(app, small))]
        app.config["KOEPEL_PAGE_SIZE"] = 25
        for name, path in waiting.items():
            rows += measure(counter, fresh, name, path, args.repeat, args.warmup, args.show_sql)
        # the 10-child partner has no free places (an empty table): the first screenful against the
        # smallest partner whose default location fills a page as well
        path = "/wachtlijst/vacancies"
        shown = table_rows(fresh[0][2].get(f"/o/{large}{path}").data)
        other = comparable_partner(app, large, path, shown, count=table_rows)
        if other is not None:
            name = "waiting-list vacancies, as many rows"
            pair = [fresh[0], (other[0], other[1], director_client(app, other[0]))]
            rows += measure(counter, pair, name, path, args.repeat, args.warmup, args.show_sql)
            comparisons[name] = path  # statements follow that partner's data (age-limited groups)
        every = {"waiting-list vacancies, all": "/wachtlijst/vacancies?location=all"}
        for name, path in every.items():
            rows += measure(counter, fresh, name, path, max(3, args.repeat // 10), 1, args.show_sql)
        informative.update(every)

    print(f"\n{args.repeat} requests per page and partner (alternating) after {args.warmup} warm-up rounds;"
          " server time through the WSGI test client\n")
    head = (f"{'page':38} {'partner':40} {'children':>8} {'queries':>7} {'median ms':>9} {'p90 ms':>7}"
            f" {'rows':>6} {'ms/100 rows':>11}")
    print(head)
    print("-" * len(head))
    for r in rows:
        per_row = f"{r.median_ms / r.rows * 100:11.1f}" if r.rows else ""
        print(f"{r.page[:38]:38} {r.partner[:40]:40} {r.children:8d} {r.queries:7d} {r.median_ms:9.1f} {r.p90_ms:7.1f}"
              f" {'' if r.rows is None else r.rows:>6} {per_row}")
    print(f"\nratios, {large} ({n_large} children) / {small} ({n_small} children), unless named:")
    ok = True
    for name in list(pages) + list(full) + list(planning) + list(waiting) + list(comparisons) + list(informative):
        big = next(r for r in rows if r.page == name and r.partner == large)
        little = next(r for r in rows if r.page == name and r.partner != large)
        q_ratio = big.queries / little.queries
        checked = name not in informative and name not in comparisons
        ok &= q_ratio == 1.0 or not checked
        warn = "" if q_ratio == 1.0 else "   <-- query count grows with the organisation" if checked \
            else "   (not checked: statements follow that partner's data, e.g. age-ranged living groups)" \
            if name in comparisons else "   (informative: statements are fixed per location shown)"
        against = "" if little.partner == small else f"   (against {little.partner}, {little.children} children)"
        print(f"  {name:38} queries {q_ratio:.2f}   time {big.median_ms / little.median_ms:.2f}{warn}{against}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
