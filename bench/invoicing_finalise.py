"""Invoicing benchmark, finalisation part (issue 13, "Measure"): the whole finalisation of a month
with its PDFs on PostgreSQL, against the baseline of WeasyPrint rendering the same invoices' HTML
in one process, 100 invoices per document, split per invoice with pikepdf, in the same run.
Prints both times, the ratio (aim: at most 0.7 on a 2-core machine) and the time per invoice.

    .venv/bin/python bench/invoicing_finalise.py [--families 1000] [--batch 100] [--processes 2] [--rounds 1]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_invoicing (default)

* The app: ``finalise`` (lock the month and the number counter, one invoice per family with its
  lines and days in bulk, OGM, audit entry, commit) and ``render_month`` (the HTML of each
  invoice in its family's language with the EPC QR code, laid out in batches in worker
  processes, cut per invoice with pikepdf, stored in the document store with its sha256,
  committed per batch).
* The baseline: the HTML of the same invoices (made beforehand, not timed), laid out by
  WeasyPrint in one process (a fresh one, timed inside it) 100 per document and cut per invoice
  with pikepdf.

The month's proposal is built here from synthetic families (one child, ~20 care days, meals):
the proposal's own benchmark (SQL statements, time against a plain read) is bench/invoicing.py.
The benchmark database is dropped and recreated. Each round finalises another month; odd rounds
time the baseline before the app (use ``--rounds 2`` or more on a shared machine, and read the
load average printed per round: with more runnable processes than cores, parallel rendering
cannot show its gain).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import recreate_database  # noqa: E402  (bench/common.py, beside this script)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_invoicing"
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="  # scratch data only
LANGUAGES = ("nl", "nl", "nl", "fr", "en")


def seed(app, families: int) -> tuple[int, list[tuple[int, int, int, str]]]:
    """One organisation with ``families`` families of one child each: (org id, [(family, contact, child, name)])."""
    from core.db import get_db
    from core.models import Child, ChildFamily, ContactPerson, Family, Koepel, Organisation
    from core.tenancy import enable_module

    out = []
    with app.app_context(), get_db().unit_of_work() as s:
        koepel = Koepel(name="Benchkoepel")
        s.add(koepel)
        s.flush()
        org = Organisation(koepel_id=koepel.id, slug="bench", name="Kinderopvang Bench vzw", iban="BE68539007547034",
                           bic="GEBABEBB", enterprise_number="0123456749", street="Marktplein 1", postcode="8500",
                           municipality="Kortrijk")
        s.add(org)
        s.flush()
        for module in ("planning", "aanwezigheden", "facturatie"):
            enable_module(s, org, module)
        rows = []
        for n in range(families):
            family = Family(organisation_id=org.id, name=f"Gezin Bench{n:04d}", street=f"Kerkstraat {n}",
                            postcode="8500", municipality="Kortrijk")
            contact = ContactPerson(organisation_id=org.id, first_name="Ouder", last_name=f"Bench{n:04d}",
                                    email=f"ouder{n}@bench.example")
            family.contacts.append(contact)
            child = Child(organisation_id=org.id, first_name=f"Kind{n}", last_name=f"Bench{n:04d}",
                          date_of_birth=dt.date(2025, 1, 1))
            child.family_links.append(ChildFamily(organisation_id=org.id, family=family))
            s.add_all([family, child])
            rows.append((family, contact, child))
        s.flush()
        out = [(f.id, c.id, k.id, f.name) for f, c, k in rows]
        return org.id, out


def build_proposal(year: int, month: int, families):
    from plugins.facturatie.models import LineKind, PaymentMethod
    from plugins.facturatie.services.drafts import DraftDay, DraftInvoice, DraftLine, Proposal

    first = dt.date(year, month, 1)
    days = [first + dt.timedelta(d) for d in range(31) if (first + dt.timedelta(d)).month == month
            and (first + dt.timedelta(d)).weekday() < 5]
    price = Decimal("24.37")
    invoices = []
    for n, (family_id, contact_id, child_id, name) in enumerate(families):
        priced = []
        for i, day in enumerate(days):
            half = i % 7 == 3
            fraction = Decimal("0.6") if half else Decimal("1")
            priced.append(DraftDay(child_id, day, "half" if half else "full", "ikt.half" if half else "ikt.full",
                                   fraction, price, (price * fraction).quantize(Decimal("0.01")),
                                   {"reserved": "07:30-17:00", "registered": "07:41-16:52"}))
        care = DraftLine(LineKind.CARE, child_id, f"Opvang Kind{n}", "ikt.full",
                         sum((d.fraction for d in priced), Decimal("0")), price,
                         sum((d.amount for d in priced), Decimal("0")), tuple(priced),
                         {"days": {"full": sum(1 for d in priced if d.category == "full"),
                                   "half": sum(1 for d in priced if d.category == "half")},
                          "respijt_used": n % 3, "respijt_left": 18 - n % 3,
                          "absences": {"justified": n % 2, "unjustified": 0}})
        meals = DraftLine(LineKind.MEALS, child_id, "Maaltijden", "extra.meal", Decimal(len(days)), Decimal("2.50"),
                          Decimal("2.50") * len(days))
        invoices.append(DraftInvoice(family_id, contact_id, name, f"Kerkstraat {n}", "8500", "Kortrijk",
                                     f"ouder{n}@bench.example", LANGUAGES[n % len(LANGUAGES)],
                                     PaymentMethod.TRANSFER, (care, meals)))
    return Proposal(year, month, tuple(invoices))


def run_app(app, org_id: int, year: int, month: int, families, batch: int, processes: int) -> tuple[float, int]:
    """Finalise the month and render its PDFs as the job would (commit per batch); seconds, invoices."""
    from core.context import context_for_org_id
    from core.db import get_db
    from plugins.facturatie.services import documents, finalise

    proposal = build_proposal(year, month, families)  # what compute_proposal hands over (not timed)
    start = time.perf_counter()
    with app.app_context():
        db = get_db()
        with db.unit_of_work() as s:
            done = finalise.finalise(context_for_org_id(s, org_id), proposal)
        with db.unit_of_work() as s:
            report = documents.render_month(context_for_org_id(s, org_id), year, month, batch_size=batch,
                                            processes=processes, checkpoint=s.commit)
    elapsed = time.perf_counter() - start
    assert report.failed == 0 and report.rendered == len(done.invoice_ids), report
    return elapsed, len(done.invoice_ids)


def baseline_html(app, org_id: int, year: int, month: int, batch: int) -> list[tuple[str, int]]:
    """The same invoices' HTML, 100 per document (made before the clock starts)."""
    from sqlalchemy import select

    from core.context import context_for_org_id
    from core.db import get_db
    from plugins.facturatie.models import Invoice
    from plugins.facturatie.services import documents
    from plugins.facturatie.services.documents import (
        _load,
        batch_html,
        organisation_data,
        render_fragment,
    )

    with app.app_context(), get_db().unit_of_work() as s:
        ctx = context_for_org_id(s, org_id)
        ids = list(s.scalars(select(Invoice.id).where(Invoice.organisation_id == org_id, Invoice.period_year == year,
                                                      Invoice.period_month == month).order_by(Invoice.number)))
        org = organisation_data(ctx)
        out = []
        for i in range(0, len(ids), batch):
            invoices, names, credited = _load(ctx, ids[i:i + batch])
            out.append((batch_html(ctx, [render_fragment(inv, org, names, credited) for inv in invoices]),
                        len(invoices)))
        del documents
        return out


def _layout_all(documents_html) -> tuple[float, int]:
    """In a fresh process: every batch laid out and cut, one after the other; (seconds, PDFs)."""
    from plugins.facturatie.services.pdf_worker import layout

    start = time.perf_counter()
    parts = sum(len(layout(html, count)) for html, count in documents_html)
    return time.perf_counter() - start, parts


def run_baseline(documents_html) -> float:
    """The baseline in one process of its own (a fresh interpreter like the app's workers, so
    neither side carries the other's heap), timed inside that process."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from plugins.facturatie.services.pdf_worker import own_session

    # a session of its own like the app's workers (Linux's autogroup shares the CPU per session)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=own_session) as pool:
        pool.submit(time.sleep, 0).result()  # the interpreter is up before the clock starts
        elapsed, parts = pool.submit(_layout_all, documents_html).result()
    assert parts == sum(count for _html, count in documents_html)
    return elapsed


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    from sqlalchemy import text

    from core.app import create_app
    from core.db import make_engine
    from core.migrate import upgrade

    engine = make_engine(url)
    with engine.connect() as conn:
        upgrade(url, connection=conn)
        conn.commit()
    engine.dispose()
    data_dir = tempfile.mkdtemp(prefix="koepel-bench-invoicing-")
    app = create_app({"DATABASE_URL": url, "KOEPEL_DATA_DIR": data_dir, "SECRET_KEY": "bench-only",
                      "KOEPEL_ENCRYPTION_KEY": BENCH_KEY})
    app.extensions["koepel_clock"].freeze(dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC))
    org_id, families = seed(app, args.families)
    print(f"{args.families} families, batches of {args.batch}, {args.processes} processes, {os.cpu_count()} cores")
    app_times, base_times = [], []
    html = None
    for round_no in range(args.rounds):
        year, month = 2026, 10 - round_no
        # odd rounds time the baseline first (on the previous round's invoices, the same shape and
        # number), so that a change of load on a shared machine hits both sides alike
        if round_no % 2 == 1:
            base_times.append(run_baseline(html))
        took, count = run_app(app, org_id, year, month, families, args.batch, args.processes)
        app_times.append(took)
        html = baseline_html(app, org_id, year, month, args.batch)
        if round_no % 2 == 0:
            base_times.append(run_baseline(html))
        print(f"round {round_no + 1}: app {took:.1f} s ({1000 * took / count:.0f} ms/invoice), "
              f"baseline {base_times[-1]:.1f} s ({1000 * base_times[-1] / count:.0f} ms/invoice), "
              f"ratio {took / base_times[-1]:.2f}, load average {os.getloadavg()[0]:.1f}")
    with make_engine(url).connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT sha256) FROM document "
                                   "WHERE kind = 'facturatie.invoice'")).one()
    total_app, total_base = sum(app_times), sum(base_times)
    invoices = args.families * args.rounds
    print(f"finalisation with PDFs: {total_app:.1f} s, {1000 * total_app / invoices:.0f} ms per invoice")
    print(f"baseline (WeasyPrint, one process, {args.batch} per document, pikepdf split): {total_base:.1f} s, "
          f"{1000 * total_base / invoices:.0f} ms per invoice")
    print(f"ratio app/baseline: {total_app / total_base:.2f} (aim <= 0.70); PDFs stored: {stored[0]} "
          f"({stored[1]} distinct)")


if __name__ == "__main__":
    main()
