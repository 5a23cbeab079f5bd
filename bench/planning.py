"""Planning benchmark: the 12-month occupancy forecast of the whole demo koepel and the day
planning of its largest location, each against a baseline run in the same process: loading the
same care-plan rows with one plain SQL query (what any implementation has to read at least).

    .venv/bin/python bench/planning.py                  # SQLite, bench/out/planning.db (reused)
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_plan .venv/bin/python bench/planning.py

The first run loads the demo koepel (core.demo.load_demo) and gives every demo child a care plan
through the planning service (create_care_plan, plus a new version for some); later runs reuse
them. Prints medians, statement counts and the ratio to the baseline.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import event, func, select, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="

BASELINE_SQL = """
SELECT p.id, p.child_id, p.location_id, p.start_date, p.end_date, v.start_date, v.end_date, v.kind,
       v.reference_date, d.weekday, d.week, d.day_part, d.start_time, d.end_time
FROM planning_care_plan p
JOIN planning_care_plan_version v ON v.care_plan_id = p.id
JOIN planning_pattern_day d ON d.version_id = v.id
WHERE p.organisation_id IN ({orgs}) {extra}
  AND p.start_date <= :hi AND (p.end_date IS NULL OR p.end_date >= :lo)
  AND v.start_date <= :hi AND (v.end_date IS NULL OR v.end_date >= :lo)
"""


def build_app(url: str):
    from core.app import create_app

    OUT.mkdir(parents=True, exist_ok=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "KOEPEL_DATA_DIR": str(OUT),
                       "KOEPEL_ENCRYPTION_KEY": BENCH_KEY, "KOEPEL_PASSWORD_HASH_FAST": True},
                      plugins=["planning"])


def _pattern(rng: random.Random):
    from datetime import time as t

    from plugins.planning.api import DayPlan

    roll = rng.random()
    if roll < 0.45:
        return [DayPlan(d, "full") for d in range(5)]
    if roll < 0.65:
        return [DayPlan(d, "full") for d in sorted(rng.sample(range(5), 4))]
    if roll < 0.80:
        return [DayPlan(d, rng.choice(["full", "morning", "afternoon"])) for d in sorted(rng.sample(range(5), 3))]
    if roll < 0.92:
        return ([DayPlan(d, "full", week="A") for d in (0, 1, 2)] + [DayPlan(d, "full", week="B") for d in (3, 4)])
    return [DayPlan(d, "hours", t(8, 30), t(16, rng.choice((0, 30)))) for d in sorted(rng.sample(range(5), 3))]


def seed_care_plans(app) -> tuple[int, int]:
    """Give every demo child without a plan one, through the service. Returns (created, refused)."""
    from core.clock import clock
    from core.context import context_for
    from core.db import get_db
    from core.models import CareType, Child, ChildFamily, Location, Organisation
    from plugins.planning import api
    from plugins.planning.models import CarePlan

    rng = random.Random(2026)
    created = refused = 0
    today = clock.today()
    with app.app_context(), app.test_request_context(), get_db().unit_of_work() as session:
        planned = set(session.scalars(select(CarePlan.child_id)))
        orgs = {o.id: o for o in session.scalars(select(Organisation))}
        care_types = dict(session.execute(select(Location.id, Location.care_type)).all())
        families = dict(session.execute(select(ChildFamily.child_id, func.min(ChildFamily.family_id))
                                        .group_by(ChildFamily.child_id)).all())
        children = session.execute(select(Child.id, Child.organisation_id, Child.location_id, Child.date_of_birth,
                                          Child.expected_birth_date).order_by(Child.id)).all()
        for child_id, org_id, location_id, born, expected in children:
            if child_id in planned or location_id is None:
                continue
            birth = born or expected
            start = max(birth + timedelta(days=rng.randint(70, 120)), today - timedelta(days=rng.randint(0, 300)))
            if care_types[location_id] == CareType.BUITENSCHOOLSE_OPVANG:
                start = max(start, birth + relativedelta(months=30))
            end = start + relativedelta(months=rng.randint(6, 30)) if rng.random() < 0.4 else None
            try:
                with session.begin_nested():
                    plan_id = api.create_care_plan(context_for(session, orgs[org_id]), child_id=child_id,
                                                   location_id=location_id, start_date=start, end_date=end,
                                                   days=_pattern(rng), family_id=families.get(child_id),
                                                   end_description="" if end else "tot de kleuterschool")
                    if rng.random() < 0.2:
                        effective = start + timedelta(days=rng.randint(30, 200))
                        if end is None or effective <= end:
                            api.new_care_plan_version(context_for(session, orgs[org_id]), plan_id, effective_date=effective,
                                                      days=_pattern(rng))
                created += 1
            except api.PlanningError:
                refused += 1
    return created, refused


class Counter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args) -> None:
        statement = args[2]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.count += 1


def timed(fn, repeat: int, counter: Counter) -> tuple[float, float, int, object]:
    """Median wall-clock and process-CPU milliseconds (CPU time is steadier on a busy machine; on
    PostgreSQL it leaves out the server's work), the statements of one run, and its result."""
    fn()  # warm-up
    wall, cpu, statements, result = [], [], 0, None
    for _ in range(repeat):
        before = counter.count
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        statements = counter.count - before
    return statistics.median(wall), statistics.median(cpu), statements, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="delete bench/out/planning.db first (SQLite)")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        db_file = OUT / "planning.db"
        if args.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_file}"

    from core.demo import load_demo
    from core.migrate import upgrade

    app = build_app(url)
    engine = app.extensions["koepel_db"].engine
    print(f"database: {engine.dialect.name}")
    upgrade(url)
    with app.app_context():
        print(load_demo(app).report().splitlines()[0])
    started = time.perf_counter()
    created, refused = seed_care_plans(app)
    if created or refused:
        print(f"care plans created through the service: {created} ({refused} refused by the rules) in "
              f"{time.perf_counter() - started:.1f} s")

    from core.clock import clock
    from core.context import context_for
    from core.db import get_db
    from core.models import Location, Organisation, OrganisationModule
    from core.values import Period
    from plugins.planning import api
    from plugins.planning.models import CarePlan

    counter = Counter(engine)
    today = clock.today()
    first = Period.of(today)
    lo, hi = first.first_day, first.first_day + relativedelta(months=12, days=-1)
    with app.app_context(), app.test_request_context(), get_db().unit_of_work() as session:
        orgs = list(session.scalars(select(Organisation).join(
            OrganisationModule, OrganisationModule.organisation_id == Organisation.id)
            .where(OrganisationModule.module == "planning").order_by(Organisation.id)))
        contexts = {o.id: context_for(session, o) for o in orgs}  # what a job or request would hold
        plans = session.scalar(select(func.count(CarePlan.id)))
        org_ids = ",".join(str(o.id) for o in orgs)

        def forecast():
            return [cell for org in orgs for cell in api.occupancy(contexts[org.id], start=first, months=12)]

        def forecast_baseline():
            return session.execute(text(BASELINE_SQL.format(orgs=org_ids, extra="")), {"lo": lo, "hi": hi}).all()

        location_id, org_id, n_plans = session.execute(
            select(CarePlan.location_id, CarePlan.organisation_id, func.count(CarePlan.id))
            .where(CarePlan.start_date <= today).group_by(CarePlan.location_id, CarePlan.organisation_id)
            .order_by(func.count(CarePlan.id).desc()).limit(1)).one()
        location = session.get(Location, location_id)
        org = next(o for o in orgs if o.id == org_id)
        day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
        while api.closing_days(context_for(session, org), location_id, day, day):
            day += timedelta(days=7)

        def day_planning():
            return (api.expected_children(contexts[org.id], location_id, day),
                    api.half_hour_profile(contexts[org.id], location_id, day))

        def day_baseline():
            return session.execute(text(BASELINE_SQL.format(orgs=org_id, extra=f"AND p.location_id = {location_id}")
                                        + " AND d.weekday = :wd"), {"lo": day, "hi": day, "wd": day.weekday()}).all()

        def vacancies():
            return [v for org in orgs for v in api.free_places(contexts[org.id], start=first, months=12)]

        every = list(contexts.values())

        def forecast_koepel():
            return [c for cells in api.occupancy_of_partners(every, start=first, months=12).values() for c in cells]

        def vacancies_koepel():
            return [v for rows in api.free_places_of_partners(every, start=first, months=12).values() for v in rows]

        results = [
            ("occupancy forecast, 12 months, whole koepel", forecast, forecast_baseline),
            (f"day planning {location.name} on {day:%d/%m/%Y}", day_planning, day_baseline),
            ("free places, 12 months, whole koepel", vacancies, forecast_baseline),
            ("occupancy forecast, koepel-wide call", forecast_koepel, forecast_baseline),
            ("free places, koepel-wide call", vacancies_koepel, forecast_baseline),
        ]
        print(f"\n{len(orgs)} organisations with planning, {plans} care plans; window {lo} .. {hi}; "
              f"largest location: {location.name} ({n_plans} plans); median of {args.repeat} runs\n")
        head = (f"{'measure':50} {'ms':>8} {'cpu ms':>8} {'stmts':>5} {'rows':>6}  {'base ms':>7} {'cpu':>6} "
                f"{'rows':>5}  {'ratio':>5} {'cpu':>5}")
        print(head)
        print("-" * len(head))
        for name, fn, base in results:
            ms, cpu, stmts, out = timed(fn, args.repeat, counter)
            bms, bcpu, _bst, bout = timed(base, args.repeat, counter)
            rows = sum(len(x) for x in out) if isinstance(out, tuple) else len(out)
            print(f"{name[:50]:50} {ms:8.1f} {cpu:8.1f} {stmts:5d} {rows:6d}  {bms:7.2f} {bcpu:6.2f} {len(bout):5d}  "
                  f"{ms / bms:5.1f} {cpu / max(bcpu, 0.01):5.1f}")
        session.rollback()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
