"""Invoicing benchmark on PostgreSQL: a synthetic IKT organisation of 1,000 families (1,200
children, a month of reservations and registrations, attests) and a second one of 100 families.

* the proposal (``plugins.facturatie.api.compute_proposal``): its SQL statements for 100 and for
  1,000 families (they must be the same: bulk loading) and its time, against one plain SQL read
  of the same month's registration rows in the same run (the ratio is printed);
* (the finalisation part is added by the finalising work: ``bench_finalise``).

    .venv/bin/python bench/invoicing.py [--families 1000] [--small 100] [--repeat 3]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_invoicing (default)
    .venv/bin/python bench/invoicing.py --sqlite      # a quick look on SQLite (bench/out/invoicing.db)

The benchmark database is dropped and recreated (SQLite: the file is replaced).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, insert, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import recreate_database  # noqa: E402  (bench/common.py, beside this script)

OUT = ROOT / "bench" / "out"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_invoicing"
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="  # scratch data only
PLUGINS = ["planning", "aanwezigheden", "facturatie"]

BASELINE_SQL = """
SELECT e.child_id, e.location_id, e.day, e.kind, e.at
FROM aanwezigheden_event e
WHERE e.organisation_id = :org AND e.day >= :lo AND e.day <= :hi AND e.status = 'accepted'
"""


def build_app(url: str):
    from core.app import create_app
    from core.migrate import upgrade

    upgrade(url)
    OUT.mkdir(parents=True, exist_ok=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "KOEPEL_DATA_DIR": str(OUT),
                       "KOEPEL_ENCRYPTION_KEY": BENCH_KEY, "KOEPEL_PASSWORD_HASH_FAST": True}, plugins=PLUGINS)


def _month_before(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def build_dataset(app, *, families: int, name: str, seed: int = 2026) -> int:
    """An IKT organisation with ``families`` families (one in five with two children), one care
    plan per child (mostly full weeks), an attest per child (a few without), last month's
    arrivals and departures (a few absences and unrecorded days) and weekly confirmations.
    Rows are inserted in bulk. Returns the organisation's id."""
    from core.clock import BRUSSELS, clock
    from core.db import get_db
    from core.models import (
        CareType,
        Child,
        ChildFamily,
        ContactPerson,
        Family,
        Koepel,
        Location,
        OpeningHours,
        Organisation,
    )
    from core.tenancy import enable_module
    from plugins.aanwezigheden.models import (
        Absence,
        AbsenceKind,
        AttendanceEvent,
        Confirmation,
        EventKind,
    )
    from plugins.facturatie.models import IncomeTariffAttest
    from plugins.planning.models import CarePlan, CarePlanVersion, PatternDay

    rng = random.Random(seed)
    first, last = _month_before(clock.today())
    with app.app_context(), get_db().unit_of_work() as session:
        koepel = Koepel(name=f"Bench {name}", municipality="Kortrijk")
        session.add(koepel)
        session.flush()
        org = Organisation(koepel_id=koepel.id, slug=name, name=f"Bench {name}", iban="BE68539007547034")
        session.add(org)
        session.flush()
        for module in ("planning", "aanwezigheden", "facturatie"):
            enable_module(session, org, module)
        locations = []
        for n in range(max(1, families // 60)):
            loc = Location(organisation_id=org.id, name=f"Locatie {n + 1}", care_type=CareType.GROEPSOPVANG,
                           licensed_places=120, opgroeien_file_no=f"{900000000 + n}")
            loc.opening_hours = [OpeningHours(organisation_id=org.id, weekday=d, opens=clock_time(7),
                                              closes=clock_time(18, 30)) for d in range(5)]
            locations.append(loc)
        session.add_all(locations)
        session.flush()
        fam_rows, child_rows = [], []
        for f in range(families):
            fam = Family(organisation_id=org.id, name=f"Gezin {f:05d}", street=f"Straat {f}", postcode="8500",
                         municipality="Kortrijk")
            fam.contacts.append(ContactPerson(organisation_id=org.id, first_name="Ouder", last_name=f"{f:05d}",
                                              email=f"ouder{f}@bench.example" if rng.random() < 0.95 else None))
            fam_rows.append(fam)
        session.add_all(fam_rows)
        session.flush()
        for f, fam in enumerate(fam_rows):
            for k in range(2 if f % 5 == 0 else 1):
                loc = locations[f % len(locations)]
                child = Child(organisation_id=org.id, first_name=f"Kind{k}", last_name=f"{f:05d}",
                              date_of_birth=date(2025, 1 + (f % 12), 1 + k), location_id=loc.id)
                child.family_links.append(ChildFamily(organisation_id=org.id, family_id=fam.id))
                child_rows.append((child, fam, loc))
        session.add_all([c for c, _, _ in child_rows])
        session.flush()
        start = first - timedelta(days=120)
        for i, (child, fam, loc) in enumerate(child_rows):
            weekdays = range(5) if rng.random() < 0.6 else sorted(rng.sample(range(5), 3))
            plan = CarePlan(organisation_id=org.id, child_id=child.id, location_id=loc.id, family_id=fam.id,
                            start_date=start)
            plan.versions.append(CarePlanVersion(organisation_id=org.id, start_date=start, kind="weekly", days=[
                PatternDay(organisation_id=org.id, weekday=d, day_part="full") for d in weekdays]))
            session.add(plan)
            if rng.random() < 0.97:
                session.add(IncomeTariffAttest(organisation_id=org.id, child_id=child.id,
                                               kindcode=f"250101-{i % 1000:03d}-01",
                                               day_price=Decimal(rng.randint(599, 3218)) / 100,
                                               valid_from=date(first.year, 1, 1)))
            day = first
            events, absences, confirmations = [], [], []
            while day <= last:
                if day.weekday() in weekdays:
                    roll = rng.random()
                    if roll < 0.04:
                        absences.append(dict(organisation_id=org.id, child_id=child.id, location_id=loc.id,
                                             day=day, kind=AbsenceKind.GERECHTVAARDIGD, reason="ziekte",
                                             note="", notified_in_advance=True))
                    elif roll > 0.06:
                        arrive = datetime.combine(day, clock_time(7, 30), tzinfo=BRUSSELS) + timedelta(
                            minutes=rng.randint(0, 90))
                        leave = arrive + timedelta(minutes=rng.randint(180, 620))
                        for kind, at in ((EventKind.ARRIVAL, arrive), (EventKind.DEPARTURE, leave)):
                            events.append(dict(organisation_id=org.id, client_id=f"b-{child.id}-{day}-{kind.value}",
                                               location_id=loc.id, child_id=child.id, day=day, kind=kind, at=at,
                                               offline=False, received_at=at, status="accepted", reason=""))
                if day.weekday() == 0:
                    confirmations.append(dict(organisation_id=org.id, client_id=f"c-{child.id}-{day}",
                                              child_id=child.id, location_id=loc.id, start_day=day,
                                              end_day=day + timedelta(days=6), kind="week", confirmed_by="ouder",
                                              at=datetime.combine(day, clock_time(18), tzinfo=BRUSSELS),
                                              offline=False))
                day += timedelta(days=1)
            if events:
                session.execute(insert(AttendanceEvent), events)
            if absences:
                session.execute(insert(Absence), absences)
            if confirmations:
                session.execute(insert(Confirmation), confirmations)
        session.flush()
        return org.id


class Counter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args) -> None:
        statement = args[2]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.count += 1


def _timed(fn, repeat: int, counter: Counter):
    fn()  # warm-up
    wall, statements, result = [], 0, None
    for _ in range(repeat):
        before = counter.count
        start = time.perf_counter()
        result = fn()
        wall.append((time.perf_counter() - start) * 1000)
        statements = counter.count - before
    return statistics.median(wall), statements, result


def bench_proposal(app, org_ids: dict[str, int], repeat: int = 3) -> dict:
    """Statements and median time of the month's proposal per organisation, and one plain read
    of the same month's registration rows of the largest (the baseline). Returns the figures."""
    from core.clock import clock
    from core.context import build_context
    from core.db import get_db
    from core.models import Organisation
    from plugins.facturatie import api

    first, last = _month_before(clock.today())
    figures: dict = {"month": f"{first:%Y-%m}", "orgs": {}}
    with app.app_context(), app.test_request_context():
        counter = Counter(get_db().engine)
        for label, org_id in org_ids.items():
            with get_db().unit_of_work() as session:
                org = session.get(Organisation, org_id)

                def proposal(session=session, org=org):
                    return api.compute_proposal(build_context(session, org), first.year, first.month)

                ms, statements, result = _timed(proposal, repeat, counter)
                rows = session.execute(text(BASELINE_SQL), {"org": org_id, "lo": first, "hi": last}).all()
                base_ms, base_statements, _ = _timed(
                    lambda session=session, org_id=org_id: session.execute(text(BASELINE_SQL),
                                                            {"org": org_id, "lo": first, "hi": last}).all(),
                    repeat, counter)
                figures["orgs"][label] = {
                    "invoices": len(result.invoices), "lines": sum(len(i.lines) for i in result.invoices),
                    "days": sum(len(line.days) for i in result.invoices for line in i.lines),
                    "warnings": len(result.warnings), "statements": statements, "ms": round(ms, 1),
                    "baseline_rows": len(rows), "baseline_ms": round(base_ms, 1),
                    "ratio": round(ms / base_ms, 1) if base_ms else None}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="bench/out/invoicing.db instead of PostgreSQL")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{OUT / 'invoicing.db'}" if args.sqlite else os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    app = build_app(url)
    started = time.perf_counter()
    orgs = {f"{args.small} families": build_dataset(app, families=args.small, name="bench-small"),
            f"{args.families} families": build_dataset(app, families=args.families, name="bench-large", seed=7)}
    print(f"dataset built in {time.perf_counter() - started:.1f} s ({url.split('@')[-1]})")
    figures = bench_proposal(app, orgs, args.repeat)
    print(f"proposal of {figures['month']}:")
    for label, f in figures["orgs"].items():
        print(f"  {label:>14}: {f['invoices']} invoices, {f['lines']} lines, {f['days']} days, {f['warnings']} warnings;"
              f" {f['statements']} SQL statements, {f['ms']} ms; plain read of {f['baseline_rows']} registration rows"
              f" {f['baseline_ms']} ms; ratio {f['ratio']}")
    counts = {f["statements"] for f in figures["orgs"].values()}
    print("statements independent of the number of families:", "yes" if len(counts) == 1 else f"NO {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
