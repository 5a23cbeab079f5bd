"""Central allocation benchmark (wachtlijst).

1. Deferred acceptance on a synthetic city-scale instance: 20,000 requests, 300 locations, up to
   5 preferences each, strict priority ranks per location; and on 5,000 x 150, where the
   ``matching`` package's HospitalResident solver runs on the same data in the same process:
   the two matchings must be identical (the applicant-optimal stable matching is unique) and the
   ratio of run times is printed (aim: at least 10x).
2. Ranking 5,000 requests for one vacancy through the service (under the Brussels policy, so that
   both quotas, the vulnerable reserve and the Dutch-speaking share, are computed), with the SQL
   statement count, compared with 500 requests: the count must not grow.

    .venv/bin/python bench/allocation.py [--seed 7] [--skip-db]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.context import context_for  # noqa: E402
from plugins.wachtlijst.services.allocation import blocking_pairs, deferred_acceptance  # noqa: E402

BENCH_SIZES = (500, 5_000)
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="


def instance(n_requests: int, n_locations: int, seed: int, max_prefs: int = 5):
    """Preferences skewed towards popular locations; ranks from priority groups + registration."""
    rng = random.Random(seed)
    locations = [f"L{i}" for i in range(n_locations)]
    weights = [1 / (1 + i) ** 0.6 for i in range(n_locations)]
    prefs = {}
    for a in range(n_requests):
        k = rng.randint(1, max_prefs)
        chosen: list[str] = []
        while len(chosen) < k:
            loc = rng.choices(locations, weights)[0]
            if loc not in chosen:
                chosen.append(loc)
        prefs[f"R{a}"] = chosen
    priority = {a: (rng.random() < 0.6, rng.random() < 0.15, rng.random()) for a in prefs}  # work, vulnerable, date
    ranks: dict[str, dict[str, int]] = {loc: {} for loc in locations}
    wanting: dict[str, list[str]] = {loc: [] for loc in locations}
    for a, plist in prefs.items():
        for loc in plist:
            wanting[loc].append(a)
    for loc, group in wanting.items():
        reserve_first = rng.random() < 0.5  # half the locations still have reserved places open
        group.sort(key=lambda a: ((not priority[a][1]) if reserve_first else 0, not priority[a][0], priority[a][2]))
        ranks[loc] = {a: i for i, a in enumerate(group, start=1)}
    capacities = {loc: rng.randint(2, 30) for loc in locations}
    return prefs, ranks, capacities


def timed(fn, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def with_matching(prefs, ranks, capacities) -> dict:
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))  # the package deep-copies its players
    hospital_prefs = {loc: sorted(r, key=r.get) for loc, r in ranks.items()}
    game = HospitalResident.create_from_dictionaries(prefs, hospital_prefs, capacities)
    solution = game.solve(optimal="resident")
    out = dict.fromkeys(prefs)
    for hospital, residents in solution.items():
        for resident in residents:
            out[resident.name] = hospital.name
    return out


def bench_allocation(seed: int) -> bool:
    ok = True
    for n, m in ((20_000, 300), (5_000, 150)):
        prefs, ranks, caps = instance(n, m, seed)
        seconds, result = timed(lambda p=prefs, r=ranks, c=caps: deferred_acceptance(p, r, c), repeat=3)
        assigned = sum(1 for p in result.assignment.values() if p)
        stable = not blocking_pairs(result, prefs, ranks, caps)
        ok &= stable
        print(f"deferred acceptance {n:>6} requests x {m} locations: {seconds * 1000:8.1f} ms, "
              f"{assigned} assigned, {sum(caps.values())} places, stable={stable}")
        if n == 5_000:
            ref_seconds, reference = timed(lambda p=prefs, r=ranks, c=caps: with_matching(p, r, c))
            identical = reference == result.assignment
            ok &= identical
            print(f"matching.HospitalResident {n:>6} x {m}: {ref_seconds * 1000:8.1f} ms; identical={identical}; "
                  f"ratio {ref_seconds / seconds:.1f}x faster (aim >= 10x)")
    return ok


def bench_ranking() -> bool:
    """Rank N requests for one vacancy through the service; count SQL statements."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import event

    from core.app import create_app
    from core.clock import app_clock
    from core.db import get_db
    from core.migrate import upgrade
    from core.models import Koepel, Location, Organisation
    from core.tenancy import enable_module
    from plugins.wachtlijst.models import CareRequest, Preference, Status
    from plugins.wachtlijst.services.offers import candidates
    from plugins.wachtlijst.services.placing import Slot
    from plugins.wachtlijst.services.policy import PRESETS, set_rules

    folder = Path(tempfile.mkdtemp(prefix="koepel-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "KOEPEL_DATA_DIR": str(folder), "SECRET_KEY": "bench",
                      "KOEPEL_ENCRYPTION_KEY": BENCH_KEY}, plugins=["planning", "wachtlijst"])
    app_clock().freeze(datetime(2026, 11, 18, 10, tzinfo=UTC))
    ok = True
    counts = {}
    with app.app_context():
        db = get_db()
        with db.unit_of_work() as s:
            koepel = Koepel(name="Benchkoepel")
            s.add(koepel)
            s.flush()
            org = Organisation(koepel_id=koepel.id, slug="bench", name="Bench")
            s.add(org)
            s.flush()
            enable_module(s, org, "wachtlijst")
            set_rules(context_for(s, org), PRESETS["brussel"])
            loc = Location(organisation_id=org.id, name="Bench", care_type="groepsopvang", licensed_places=18)
            s.add(loc)
            s.flush()
            org_id, loc_id = org.id, loc.id
        rng = random.Random(3)
        made = 0
        for n in BENCH_SIZES:
            with db.unit_of_work() as s:
                for i in range(made, n):
                    req = CareRequest(
                        organisation_id=org_id, token_hash=f"bench-{i}", status=Status.CONFIRMED,
                        applicant_first_name="A", applicant_last_name=f"B{i}", email=f"b{i}@example.be",
                        child_last_name=f"K{i}", child_birth_date=date(2026, 6, 1), desired_start=date(2027, 1, 4),
                        days=[{"weekday": d, "day_part": "full"} for d in range(5)], work=rng.random() < 0.6,
                        low_income=rng.random() < 0.2, single_parent=rng.random() < 0.2,
                        dutch_speaking=rng.random() < 0.5,
                        submitted_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i))
                    req.preferences = [Preference(organisation_id=org_id, location_id=loc_id, rank=1)]
                    s.add(req)
            made = n
            with db.unit_of_work() as s:
                ctx = context_for(s, s.get(Organisation, org_id))
                statements: list[str] = []

                def count(conn, cursor, statement, *args, _out=statements):
                    if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement):
                        _out.append(statement)

                event.listen(db.engine, "before_cursor_execute", count)
                seconds, (ranked, _reqs) = timed(
                    lambda ctx=ctx: candidates(ctx, Slot(loc_id, 2027, 1, "0-12m", "ma-vr volle dag")))
                event.remove(db.engine, "before_cursor_execute", count)
                counts[n] = len(statements)
                print(f"rank {n:>5} requests for one vacancy: {seconds * 1000:8.1f} ms, "
                      f"{len(statements)} SQL statements, {len(ranked)} ranked")
    small, large = (counts[n] for n in BENCH_SIZES)
    ok &= small == large
    print(f"statement count {BENCH_SIZES[0]} vs {BENCH_SIZES[1]} requests: {small} vs {large} "
          f"({'constant' if small == large else 'GROWS'})")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-db", action="store_true")
    args = parser.parse_args()
    ok = bench_allocation(args.seed)
    if not args.skip_db:
        ok &= bench_ranking()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
