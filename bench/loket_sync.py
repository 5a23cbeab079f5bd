"""loket_sync: 10,000 events from the outbox to the reference loket over loopback, against plain
batched POSTs of the same payloads with the same batch size, in the same run; prints the ratio.

The outbox path is the real one: events written with ``outbox.emit`` (sequence per aggregate, the
sender job queued), then the job worker (``core.jobs.run_pending``) runs the sender job batch by
batch: claim, sign (RFC 9421), POST, classify per event, mark sent, queue the next run. The plain
path POSTs the same events (another partner at the loket, so both are applied, not deduplicated),
signed the same way, in the same batches, and does nothing else. The loket (``koepel loket serve``,
its own process and SQLite database) answers both; the chunks alternate so that a change in machine
load, or in the loket's database size, hits both alike. Aim: ratio <= 2.

    .venv/bin/python bench/loket_sync.py [--events 10000] [--batch 100]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_KEY = "YVrZb3Xh4FJ9x6v3mZmXk2r5S9cC1F7m3c9gk9mN0aQ="
LOCATION = {"name": "De Speelvogel", "postcode": "3000", "municipality": "Leuven", "care_type": "groepsopvang"}


def start_loket(folder: Path) -> tuple[subprocess.Popen, str, dict]:
    from loket import create_app
    from loket.partners import add_partner

    url = f"sqlite:///{folder / 'loket.db'}"
    app = create_app({"DATABASE_URL": url, "LOKET_DATA_DIR": str(folder), "SECRET_KEY": "bench"})
    keys = {}
    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        for partner in ("bench-outbox", "bench-plain"):
            keys[partner] = add_partner(sess, partner, partner)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, KOEPEL_DATA_DIR=str(folder), LOKET_SECRET_KEY="bench")
    log = open(folder / "loket.log", "ab")  # noqa: SIM115
    process = subprocess.Popen([str(Path(sys.executable).with_name("koepel")), "loket", "serve", "--port", str(port),
                                "--database", url], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).read()  # noqa: S310 (loopback)
            return process, base, keys
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit((folder / "loket.log").read_text()[-2000:])


def koepel(folder: Path, base: str, key_id: str, secret: str, batch: int):
    from core.app import create_app
    from core.context import context_for
    from core.migrate import upgrade
    from core.models import CareType, Koepel, Location, Organisation
    from core.settings import set_setting
    from core.tenancy import enable_module
    from plugins.loket_sync.services import connection

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'koepel.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "KOEPEL_DATA_DIR": str(folder), "SECRET_KEY": "bench",
                      "KOEPEL_ENCRYPTION_KEY": BENCH_KEY}, plugins=["planning", "wachtlijst", "loket_sync"])
    with app.app_context(), app.extensions["koepel_db"].unit_of_work() as s:
        k = Koepel(name="Bench loket")
        s.add(k)
        s.flush()
        org = Organisation(koepel_id=k.id, slug="bench-outbox", name="Bench")
        s.add(org)
        s.flush()
        loc = Location(organisation_id=org.id, name=LOCATION["name"], care_type=CareType.GROEPSOPVANG,
                       licensed_places=18, opgroeien_file_no="BENCH-1", postcode="3000", municipality="Leuven")
        s.add(loc)
        for module in ("planning", "wachtlijst", "loket_sync"):
            enable_module(s, org, module)
        set_setting(s, org, "loket_sync.batch_size", batch)
        s.flush()
        from sqlalchemy import delete

        from core.jobs import Job

        s.execute(delete(Job))  # the switch's own scope jobs and pull: not what is measured
        connection.configure(context_for(s, org), base_url=base, key_id=key_id, secret=secret)
        return app, org.id


def emit(app, org_id: int, n: int, start: int) -> list[dict]:
    """``n`` vacancy events in the outbox; returns their wire payloads for the plain path."""
    from core.context import context_for_org_id
    from plugins.loket_sync.services import outbox

    payloads = []
    with app.app_context(), app.extensions["koepel_db"].unit_of_work() as s:
        ctx = context_for_org_id(s, org_id)
        for i in range(start, start + n):
            data = {"location": {"ref": "BENCH-1", **LOCATION}, "age_band": "0-12m", "days": f"patroon-{i % 7}",
                    "month": f"2027-{i % 12 + 1:02d}", "free_places": i % 5, "last_minute": False}
            event = outbox.emit(ctx, "vacancy.published", "vacancy", f"BENCH-1|{i}", data)
            payloads.append(outbox.wire(event, "bench-outbox"))
    return payloads


def drain(app) -> int:
    """The job worker's loop until the outbox is empty; returns the number of sender runs."""
    from sqlalchemy import func, select

    from core.db import get_db
    from core.jobs import run_pending
    from plugins.loket_sync.models import EventStatus, SyncEvent

    runs = 0
    with app.app_context():
        db = get_db()
        while True:
            report = run_pending(db, limit=10)
            runs += report.done
            with db.unit_of_work() as s:
                left = s.scalar(select(func.count()).select_from(SyncEvent).where(SyncEvent.status != EventStatus.SENT))
            if not left:
                return runs
            if report.done == 0 and report.retried == 0:
                time.sleep(0.05)


def plain(base: str, signing, payloads: list[dict], batch: int) -> int:
    from core.http import request
    from plugins.loket_sync.services.adapters import batch_key

    posts = 0
    for i in range(0, len(payloads), batch):
        events = payloads[i:i + batch]
        answer = request("POST", f"{base}/api/v1/events", json={"events": events}, signing=signing,
                         idempotency_key=batch_key([e["id"] for e in events]), timeout=60)
        body = answer.json()
        if answer.status != 200 or len(body["accepted"]) != len(events):
            raise SystemExit(f"plain POST refused: {answer.status} {str(body)[:300]}")
        posts += 1
    return posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--chunks", type=int, default=10, help="alternate the two paths this many times")
    args = parser.parse_args()
    from core.http import Signing

    folder = Path(tempfile.mkdtemp(prefix="koepel-bench-loket-"))
    process, base, keys = start_loket(folder)
    try:
        app, org_id = koepel(folder, base, *keys["bench-outbox"], args.batch)
        plain_signing = Signing(keys["bench-plain"][0], keys["bench-plain"][1].encode())
        per_chunk = args.events // args.chunks
        t_outbox = t_plain = 0.0
        runs = posts = 0
        for chunk in range(args.chunks):
            payloads = emit(app, org_id, per_chunk, chunk * per_chunk)
            for e in payloads:  # the same events for another partner (and its own location)
                e["partner"] = "bench-plain"
                e["data"]["location"]["ref"] = "PLAIN-1"
                e["aggregate"]["id"] = e["aggregate"]["id"].replace("BENCH-1", "PLAIN-1")
            t0 = time.perf_counter()
            posts += plain(base, plain_signing, payloads, args.batch)
            t1 = time.perf_counter()
            runs += drain(app)
            t2 = time.perf_counter()
            t_plain += t1 - t0
            t_outbox += t2 - t1
        n = per_chunk * args.chunks
        print(f"{n} events, batches of {args.batch}, {args.chunks} alternating chunks")
        print(f"plain batched POSTs : {t_plain:7.2f} s  {n / t_plain:7.0f} events/s  ({posts} POSTs)")
        print(f"outbox + job worker : {t_outbox:7.2f} s  {n / t_outbox:7.0f} events/s  ({runs} sender runs)")
        ratio = t_outbox / t_plain
        print(f"ratio outbox / plain: {ratio:.2f} (aim <= 2)")
        print(json.dumps({"events": n, "batch": args.batch, "plain_s": round(t_plain, 2),
                          "outbox_s": round(t_outbox, 2), "ratio": round(ratio, 2)}))
        return 0 if ratio <= 2 else 1
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    sys.exit(main())
