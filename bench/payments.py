"""facturatie payments: the cost of importing and matching a CODA file, of a pain.008 file and of
the Belcotax-on-web file, each for a small and a large organisation in the same run.

1. CODA: a statement of N movements (one per open invoice; every 7th short, every 11th too much,
   every 13th with a free communication) against N open invoices: ``coda.import_file`` (parse +
   match + record, one transaction) against parsing the same bytes alone with febelfin-coda;
   prints the ratio (aim <= 2).
2. pain.008: ``sepa.build_batch`` + ``render_batch`` for M families with a mandate.
3. Belcotax: ``fiscal.issue`` + ``belcotax.build_xml`` for M certificates.

SQL statements are counted for each step on both sizes: they must not grow with the number of
families. The seeded tables are analysed before measuring (the planner's statistics a database in
use has; without them PostgreSQL joins thousands of fresh rows with nested loops).

    .venv/bin/python bench/payments.py                       # PostgreSQL koepel_bench_payments (recreated)
    BENCH_DATABASE_URL=sqlite:////tmp/pay.db .venv/bin/python bench/payments.py --small 100 --large 1000
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from common import recreate_database  # noqa: E402  (bench/common.py, beside this script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="  # scratch data only
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_payments"


class Counter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _on(self, *args):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._on)


def rrn(born: date, seq: int) -> str:
    base = f"{born:%y%m%d}{seq % 1000:03d}"
    number = int(("2" if born.year >= 2000 else "") + base)
    return base + f"{97 - number % 97:02d}"


def ogm(n: int) -> str:
    base = f"{n:010d}"
    return base + f"{int(base) % 97 or 97:02d}"


def seed(s, koepel_id: int, slug: str, families: int, *, open_year: int, paid_year: int) -> int:
    """An organisation with ``families`` families (contact with a national number, a child, a
    mandate), one open invoice each (for CODA and pain.008) and one invoice paid in ``paid_year``
    (for the certificates). Bulk inserts: seeding is not what is measured."""
    from sqlalchemy import insert

    from core.models import Child, ChildFamily, ContactPerson, Family, Organisation
    from core.tenancy import enable_module
    from plugins.facturatie.models import (
        BillingProfile,
        Invoice,
        InvoiceLine,
        InvoiceLineDay,
        LineKind,
        Payment,
        PaymentAllocation,
        PaymentMethod,
        PaymentState,
        SepaMandate,
    )

    org = Organisation(koepel_id=koepel_id, slug=slug, name=f"Bench {slug}", iban="BE68539007547034",
                       bic="GEBABEBB", sepa_creditor_id="BE11ZZZ0403170701",
                       enterprise_number="0403170701" if slug == "large" else "0202239951",
                       street="Kerkstraat 1", postcode="9000", municipality="Gent")
    s.add(org)
    s.flush()
    for module in ("planning", "aanwezigheden", "facturatie"):
        enable_module(s, org, module)
    oid = org.id
    fam_ids = s.scalars(insert(Family).returning(Family.id, sort_by_parameter_order=True),
                        [{"organisation_id": oid, "name": f"Gezin {slug} {i}", "street": "Dorp 1", "postcode": "9000",
                          "municipality": "Gent"} for i in range(families)]).all()
    contact_ids = s.scalars(insert(ContactPerson).returning(ContactPerson.id, sort_by_parameter_order=True), [
        {"organisation_id": oid, "family_id": f, "first_name": "Ouder", "last_name": f"Bench{i}",
         "email": f"ouder{i}@{slug}.example", "national_number": rrn(date(1985, 1, 1 + i % 28), i)}
        for i, f in enumerate(fam_ids)]).all()
    child_ids = s.scalars(insert(Child).returning(Child.id, sort_by_parameter_order=True), [
        {"organisation_id": oid, "first_name": "Kind", "last_name": f"Bench{i}", "date_of_birth": date(2024, 1, 1),
         "national_number": rrn(date(2024, 1, 1), i)} for i in range(families)]).all()
    s.execute(insert(ChildFamily), [{"organisation_id": oid, "child_id": c, "family_id": f}
                                    for c, f in zip(child_ids, fam_ids, strict=True)])
    s.execute(insert(BillingProfile), [{"organisation_id": oid, "family_id": f,
                                        "payment_method": PaymentMethod.DIRECT_DEBIT} for f in fam_ids])
    s.execute(insert(SepaMandate), [{"organisation_id": oid, "family_id": f, "reference": f"MDT-{i}",
                                     "debtor_name": f"Ouder Bench{i}", "iban": "BE71096123456769", "bic": "GKCCBEBB",
                                     "signed_on": date(2025, 1, 1), "needs_first": i % 2 == 0}
                                    for i, f in enumerate(fam_ids)])
    rows = []
    base = oid * 1_000_000
    for i, (f, c) in enumerate(zip(fam_ids, contact_ids, strict=True)):
        for kind, (year, month) in (("open", (open_year, 10)), ("paid", (paid_year, 5))):
            n = len(rows) + 1
            rows.append({"organisation_id": oid, "year": year, "number": n, "display_number": f"{year}-{n:06d}",
                         "period_year": year, "period_month": month, "family_id": f, "debtor_contact_id": c,
                         "debtor_name": f"Ouder Bench{i}", "issue_date": date(year, month, 28),
                         "due_date": date(year, month, 28) + timedelta(days=30), "total": Decimal("120.00"),
                         "ogm": ogm(base + n), "paid_amount": Decimal("120.00") if kind == "paid" else Decimal("0"),
                         "payment_state": PaymentState.PAID if kind == "paid" else PaymentState.OPEN})
    inv_ids = s.scalars(insert(Invoice).returning(Invoice.id, sort_by_parameter_order=True), rows).all()
    lines = []
    for idx, inv_id in enumerate(inv_ids):
        child = child_ids[idx // 2]
        lines.append({"organisation_id": oid, "invoice_id": inv_id, "position": 1, "kind": LineKind.CARE,
                      "child_id": child, "description": "opvang", "unit_price": Decimal("100"),
                      "amount": Decimal("100.00")})
        lines.append({"organisation_id": oid, "invoice_id": inv_id, "position": 2, "kind": LineKind.MEALS,
                      "child_id": child, "description": "maaltijden", "unit_price": Decimal("20"),
                      "amount": Decimal("20.00")})
    line_ids = s.scalars(insert(InvoiceLine).returning(InvoiceLine.id, sort_by_parameter_order=True), lines).all()
    days = []
    for idx in range(0, len(line_ids), 2):  # the care lines: 5 days at 20 €
        inv = rows[idx // 2]
        for d in range(5):
            days.append({"organisation_id": oid, "line_id": line_ids[idx], "child_id": lines[idx]["child_id"],
                         "day": date(inv["period_year"], inv["period_month"], 1 + d), "category": "full",
                         "day_price": Decimal("20"), "amount": Decimal("20")})
    s.execute(insert(InvoiceLineDay), days)
    pays = [{"organisation_id": oid, "family_id": fam_ids[i], "received_on": date(paid_year, 6, 10),
             "amount": Decimal("120.00"), "method": PaymentMethod.TRANSFER, "source": "manual",
             "external_key": f"seed-{i}", "unallocated": Decimal("0")} for i in range(families)]
    pay_ids = s.scalars(insert(Payment).returning(Payment.id, sort_by_parameter_order=True), pays).all()
    s.execute(insert(PaymentAllocation), [{"organisation_id": oid, "payment_id": pid, "invoice_id": inv_ids[2 * i + 1],
                                           "amount": Decimal("120.00")} for i, pid in enumerate(pay_ids)])
    return oid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--debits", type=int, default=5000, help="families in the pain.008 and Belcotax runs")
    parser.add_argument("--only", choices=("coda", "sepa", "belcotax"), help="run one part only")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("KOEPEL_ENCRYPTION_KEY", BENCH_KEY)
    recreate_database(url)

    from core.app import create_app
    from core.clock import app_clock
    from core.db import get_db
    from core.migrate import upgrade
    from core.models import Koepel

    upgrade(url)
    folder = tempfile.mkdtemp(prefix="koepel-bench-pay-")
    app = create_app({"DATABASE_URL": url, "KOEPEL_DATA_DIR": folder, "SECRET_KEY": "bench",
                      "KOEPEL_ENCRYPTION_KEY": BENCH_KEY}, plugins=["planning", "aanwezigheden", "facturatie"])
    sizes = {"small": args.small, "large": args.large}
    print(f"database: {url.split('://')[0]}")
    with app.app_context():
        app_clock().freeze(datetime(2026, 11, 18, 9, tzinfo=UTC))
        db = get_db()
        engine = db.engine
        t0 = time.perf_counter()
        with db.unit_of_work() as s:
            koepel = Koepel(name="Benchkoepel")
            s.add(koepel)
            s.flush()
            orgs = {name: seed(s, koepel.id, name, n, open_year=2026, paid_year=2025) for name, n in sizes.items()}
        with engine.begin() as conn:  # the statistics autovacuum would gather a minute later
            conn.exec_driver_sql("ANALYZE")
        print(f"seeded {sum(sizes.values())} families in {time.perf_counter() - t0:.1f} s")

        parts = {args.only} if args.only else {"coda", "sepa", "belcotax"}
        if "coda" in parts:
            coda_part(db, engine, orgs)
        if "sepa" in parts:
            sepa_part(db, engine, orgs, args)
        if "belcotax" in parts:
            belcotax_part(db, engine, orgs)
    return 0


def coda_part(db, engine, orgs) -> None:
    """1. CODA: import and match against parsing alone, per organisation."""
    from coda import CODA

    from core.context import build_context
    from core.models import Organisation
    from plugins.facturatie.services import coda
    from plugins.facturatie.services.coda_sample import sample_from_open_invoices

    print("\nCODA import and matching (one transaction per file) against parsing alone with febelfin-coda")
    print(f"{'size':>8} {'movements':>9} {'parse s':>8} {'import s':>9} {'ratio':>6} {'matched':>8} {'SQL':>5}")
    for name in ("small", "large"):
        with db.unit_of_work() as s:
            ctx = build_context(s, s.get(Organisation, orgs[name]))
            data = sample_from_open_invoices(ctx, date(2026, 11, 18))
        text = data.decode("windows-1252")
        t = time.perf_counter()
        parsed_alone = CODA(io.StringIO(text)).statements
        parse_s = time.perf_counter() - t
        moves = sum(len(st.moves) for st in parsed_alone)
        with db.unit_of_work() as s, Counter(engine) as q:
            ctx = build_context(s, s.get(Organisation, orgs[name]))
            t = time.perf_counter()
            result = coda.import_file(ctx, f"{name}.cod", data)
            s.flush()
            import_s = time.perf_counter() - t
        print(f"{name:>8} {moves:>9} {parse_s:>8.2f} {import_s:>9.2f} {import_s / parse_s:>6.1f} "
              f"{result.matched:>8} {q.count:>5}")


def sepa_part(db, engine, orgs, args) -> None:
    """2. pain.008 (families whose invoice is still open after the CODA run: reopen them)."""
    from sqlalchemy import select

    from core.context import build_context
    from core.models import Organisation
    from plugins.facturatie.models import Invoice, PaymentState
    from plugins.facturatie.services import sepa

    print("\npain.008 of the open invoices of families with a mandate (build + XML + schema check)")
    print(f"{'size':>8} {'debits':>7} {'seconds':>8} {'SQL':>5} {'bytes':>9}")
    for name, limit in (("small", args.small // 10), ("large", args.debits)):
        with db.unit_of_work() as s:
            org_id = orgs[name]
            ids = s.scalars(select(Invoice.id).where(Invoice.organisation_id == org_id,
                                                     Invoice.period_year == 2026).order_by(Invoice.id)).all()
            s.execute(Invoice.__table__.update().where(Invoice.id.in_(ids)).values(
                payment_state=PaymentState.OPEN, paid_amount=0))
            keep = set(ids[:limit])
            s.execute(Invoice.__table__.update().where(Invoice.id.in_([i for i in ids if i not in keep])).values(
                payment_state=PaymentState.PAID))
        with db.unit_of_work() as s, Counter(engine) as q:
            ctx = build_context(s, s.get(Organisation, org_id))
            t = time.perf_counter()
            batch = sepa.build_batch(ctx, date(2026, 11, 20)).batch
            xml = sepa.render_batch(ctx, batch)
            secs = time.perf_counter() - t
        print(f"{name:>8} {batch.count:>7} {secs:>8.2f} {q.count:>5} {len(xml):>9}")


def belcotax_part(db, engine, orgs) -> None:
    """3. 281.86 certificates and the Belcotax XML."""
    from core.context import build_context
    from core.models import Organisation
    from plugins.facturatie.services import belcotax, fiscal

    print("\n281.86 certificates of 2025 and the Belcotax-on-web XML")
    print(f"{'size':>8} {'certs':>7} {'issue s':>8} {'xml s':>6} {'SQL':>5}")
    for name in ("small", "large"):
        with db.unit_of_work() as s, Counter(engine) as q:
            ctx = build_context(s, s.get(Organisation, orgs[name]))
            t = time.perf_counter()
            certs, problems = fiscal.issue(ctx, 2025)
            issued = time.perf_counter() - t
            belcotax.build_xml(ctx, 2025, certs)
            s.flush()
            built = time.perf_counter() - t - issued
        print(f"{name:>8} {len(certs):>7} {issued:>8.2f} {built:>6.2f} {q.count:>5}")


if __name__ == "__main__":
    sys.exit(main())
