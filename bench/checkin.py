"""Check-in benchmark: 20 simulated tablets registering arrivals and departures against the
running app (gunicorn, PostgreSQL), and against a bare Flask endpoint doing one INSERT into the
same database, both in the same run. Prints registrations per second, p95 latency and the ratio
(aim: the app reaches at least half the bare throughput). The two run in interleaved rounds so
that other load on the machine hits both alike.

    .venv/bin/python bench/checkin.py [--tablets 20] [--per-tablet 150] [--workers 4] [--threads 1] [--rounds 3]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_checkin (default)

Loopback only; every loop is bounded (registrations per tablet, and a time limit per phase).
The benchmark database is dropped and recreated.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import recreate_database  # noqa: E402  (bench/common.py, beside this script)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/koepel_bench_checkin"
BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="  # scratch data only
PIN = "4821"
PHASE_LIMIT_S = 180
CHILDREN_PER_TABLET = 25


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(url: str, data_dir: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, KOEPEL_DATA_DIR=data_dir, SECRET_KEY="bench-only", KOEPEL_INSECURE_COOKIES="1",
               KOEPEL_ENCRYPTION_KEY=BENCH_KEY, PYTHONPATH=str(ROOT))
    return env


def seed(url: str, data_dir: str, tablets: int) -> list[dict]:
    """Migrate, then one organisation with a location, children, a caregiver and a paired device
    per tablet. Returns per tablet: the device token, the caregiver id and the child ids."""
    from sqlalchemy import text

    from core.app import create_app
    from core.context import context_for
    from core.db import get_db, make_engine
    from core.migrate import upgrade
    from core.models import Child, Koepel, Location, OpeningHours, Organisation, Role, User
    from core.passwords import hash_password
    from core.settings import set_setting
    from core.tenancy import enable_module
    from plugins.aanwezigheden.services.devices import pair_device, set_pin

    engine = make_engine(url)
    with engine.connect() as conn:
        upgrade(url, connection=conn)
        conn.commit()
        conn.execute(text("CREATE TABLE bench_checkin_bare (id BIGSERIAL PRIMARY KEY, client_id VARCHAR(64) UNIQUE,"
                          " child_id INTEGER, kind VARCHAR(12), at TIMESTAMPTZ DEFAULT now())"))
        conn.commit()
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "KOEPEL_DATA_DIR": data_dir, "SECRET_KEY": "bench-only",
                      "KOEPEL_ENCRYPTION_KEY": BENCH_KEY})
    out = []
    with app.app_context(), get_db().unit_of_work() as s:
        koepel = Koepel(name="Benchkoepel")
        s.add(koepel)
        s.flush()
        org = Organisation(koepel_id=koepel.id, slug="bench", name="Bench vzw")
        s.add(org)
        s.flush()
        enable_module(s, org, "aanwezigheden")
        # The simulated tablets tap a child's departure seconds after its arrival; the double-tap
        # guard (a caregiver's second tap within a minute is not a departure) would refuse those.
        set_setting(s, org, "aanwezigheden.double_tap_seconds", 0)
        for t in range(tablets):
            location = Location(organisation_id=org.id, name=f"Locatie {t}", care_type="groepsopvang",
                                licensed_places=30, opgroeien_file_no=f"{900000000 + t}")
            location.opening_hours = [OpeningHours(organisation_id=org.id, weekday=d, opens=dt.time(0, 1),
                                                   closes=dt.time(23, 59)) for d in range(7)]
            s.add(location)
            s.flush()
            kids = []
            for c in range(CHILDREN_PER_TABLET):
                child = Child(organisation_id=org.id, first_name=f"Kind{c}", last_name=f"Tablet{t}",
                              date_of_birth=dt.date(2025, 1, 1), location_id=location.id)
                s.add(child)
                kids.append(child)
            user = User(email=f"begeleider{t}@bench.example", name=f"Begeleider {t}", role=Role.CAREGIVER,
                        password_hash=hash_password("bench-only-password"), organisation_id=org.id,
                        koepel_id=koepel.id)
            user.locations = [location]
            s.add(user)
            s.flush()
            set_pin(context_for(s, org), user, PIN)
            _device, token = pair_device(context_for(s, org), location, f"Tablet {t}", actor_id=None)
            out.append({"token": token, "user_id": user.id, "children": [k.id for k in kids]})
    app.extensions["koepel_db"].engine.dispose()
    return out


BARE_APP = '''
"""The baseline: one INSERT per registration into the same PostgreSQL database."""
import os
from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
app = Flask("bare")


@app.post("/register")
def register():
    data = request.get_json()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bench_checkin_bare (client_id, child_id, kind) VALUES (:c, :k, :d)"),
                     {"c": data["client_id"], "k": data["child_id"], "d": data["kind"]})
    return jsonify({"ok": True}), 201
'''


def start_gunicorn(target: str, port: int, workers: int, threads: int, env: dict, cwd: str) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen([gunicorn, "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", target], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)  # only the process group this script started
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


class Tablet(threading.Thread):
    """One simulated tablet: keep-alive connection, its cookies, a bounded number of taps."""

    def __init__(self, port: int, path: str, tablet: dict | None, count: int, barrier: threading.Barrier,
                 deadline: float, app_mode: bool, warm_up: bool = False, start: int = 0) -> None:
        super().__init__(daemon=True)
        self.warm_up = warm_up
        self.start_index = start
        self.port, self.path, self.tablet, self.count = port, path, tablet, count
        self.barrier, self.deadline, self.app_mode = barrier, deadline, app_mode
        # cookies persist per tablet across rounds (the device cookie and the unlocked session)
        self.cookies: dict[str, str] = (tablet or {}).setdefault("cookies_app" if app_mode else "cookies_bare", {})
        self.latencies: list[float] = []
        self.errors = 0
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def _post(self, path: str, body: dict) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "X-Koepel-Tablet": "1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, data

    def run(self) -> None:
        children = self.tablet["children"] if self.tablet else list(range(1, CHILDREN_PER_TABLET + 1))
        if self.warm_up:  # arrive and leave with the last children, so the measured run starts clean
            children = children[-5:]
        try:
            self.barrier.wait(timeout=PHASE_LIMIT_S)
        except threading.BrokenBarrierError:
            return
        present: set[int] = (self.tablet or {}).setdefault("present" if self.app_mode else "bare_present", set())
        for i in range(self.start_index, self.start_index + self.count):
            if time.monotonic() > self.deadline:
                break
            child = children[i % len(children)]
            kind = "departure" if child in present else "arrival"
            body = {"client_id": str(uuid.uuid4()), "child_id": child, "kind": kind}
            start = time.perf_counter()
            status, _data = self._post(self.path + ("register" if self.app_mode else ""), body)
            self.latencies.append(time.perf_counter() - start)
            if status in (200, 201):
                present.symmetric_difference_update({child})
            else:
                self.errors += 1
        self.conn.close()


def unlock_all(port: int, path: str, tablets: list[dict]) -> None:
    """Pair cookie + PIN unlock once per tablet, one after the other (argon2 is slow on purpose)."""
    for tablet in tablets:
        cookies = tablet.setdefault("cookies_app", {})
        cookies["koepel_tablet"] = tablet["token"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", path + "unlock", body=json.dumps({"user_id": tablet["user_id"], "pin": PIN}),
                     headers={"Content-Type": "application/json", "X-Koepel-Tablet": "1",
                              "Cookie": f"koepel_tablet={tablet['token']}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"unlock failed: {response.status} {body[:200]!r}")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";")[0]
        conn.close()


def phase(port: int, path: str, tablets: list[dict] | None, n: int, count: int, app_mode: bool,
          warm_up: bool = False, start: int = 0) -> dict:
    barrier = threading.Barrier(n + 1)
    deadline = time.monotonic() + PHASE_LIMIT_S
    threads = [Tablet(port, path, tablets[i] if tablets else None, count, barrier, deadline, app_mode, warm_up,
                      start) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait(timeout=PHASE_LIMIT_S)
    start = time.perf_counter()
    for t in threads:
        t.join(PHASE_LIMIT_S + 30)
    elapsed = time.perf_counter() - start
    latencies = sorted(x for t in threads for x in t.latencies)
    done = len(latencies)
    return {"requests": done, "errors": sum(t.errors for t in threads), "seconds": elapsed, "latencies": latencies}


def summarise(runs: list[dict]) -> dict:
    latencies = sorted(x for r in runs for x in r["latencies"])
    done, seconds = len(latencies), sum(r["seconds"] for r in runs)
    return {"requests": done, "errors": sum(r["errors"] for r in runs), "seconds": seconds,
            "per_second": done / seconds if seconds else 0.0,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
            "p95_ms": latencies[int(0.95 * (done - 1))] * 1000 if latencies else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tablets", type=int, default=20)
    parser.add_argument("--per-tablet", type=int, default=150)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    args = parser.parse_args()
    per_tablet = max(1, min(args.per_tablet, 2000))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgresql"):
        print("BENCH_DATABASE_URL must be a PostgreSQL URL", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # run the finally blocks: stop gunicorn
    recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="koepel-bench-") as tmp:
        tablets = seed(url, tmp, args.tablets)
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        env = env_for(url, tmp)
        targets = {"bare": ("bare_app:app", "/register", False),
                   "app": ("core.app:create_app()", "/o/bench/aanwezigheden/tablet/api/", True)}
        processes, ports = {}, {}
        runs: dict[str, list[dict]] = {"bare": [], "app": []}
        try:
            for name, (target, path, app_mode) in targets.items():
                ports[name] = free_port()
                processes[name] = start_gunicorn(target, ports[name], args.workers, args.threads, env, tmp)
                if app_mode:
                    unlock_all(ports[name], path, tablets)
                phase(ports[name], path, tablets, min(2, args.tablets), 10, app_mode, warm_up=True)  # bounded
            # Interleaved rounds, so that load from elsewhere on the machine hits both alike.
            per_round = max(1, per_tablet // args.rounds)
            for r in range(args.rounds):
                for name, (_target, path, app_mode) in targets.items():
                    runs[name].append(phase(ports[name], path, tablets, args.tablets, per_round, app_mode,
                                            start=r * per_round))
        finally:
            for process in processes.values():
                stop(process)
        results = {name: summarise(runs[name]) for name in runs}
    print(f"check-in benchmark: {args.tablets} tablets x {per_tablet} registrations in {args.rounds} interleaved"
          f" rounds, gunicorn -w {args.workers} --threads {args.threads}, PostgreSQL, load average {os.getloadavg()[0]:.1f}")
    for name in ("bare", "app"):
        r = results[name]
        print(f"  {name:5s} {r['per_second']:8.1f} registrations/s   p50 {r['p50_ms']:6.1f} ms   "
              f"p95 {r['p95_ms']:6.1f} ms   ({r['requests']} requests, {r['errors']} errors, {r['seconds']:.1f} s)")
    ratio = results["app"]["per_second"] / results["bare"]["per_second"] if results["bare"]["per_second"] else 0.0
    print(f"  ratio app/bare throughput: {ratio:.2f} (aim >= 0.50)")
    return 0 if results["app"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
