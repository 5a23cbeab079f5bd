"""Exactly once under faults: the reference loket on loopback answers 30 % of the requests 503,
times some out after applying them and drops some connections after applying them; the job
worker (a real ``koepel jobs run --loop`` process) is killed with SIGKILL in the middle of a
batch three times while 2,000 events are written. At the end every event is at the loket exactly
once (one stored row per id; a re-delivery counts as a duplicate) and the loket's vacancy state
equals ours. Runs on SQLite and PostgreSQL (KOEPEL_TEST_DATABASE_URL), on committed data."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from core.context import context_for_org_id
from core.jobs import Job
from core.models import JobStatus
from plugins.loket_sync.services.status import vacancy_checksum
from tests.concurrency.conftest import _clean, _snapshot
from tests.conftest import TEST_KEY, make_config

from . import reference

EVENTS = 2000
KILLS = 3
MONTHS = [f"2027-{m:02d}" for m in range(1, 7)]
BANDS = ["0-12m", "12-36m"]
PATTERNS = [f"patroon {i}" for i in range(8)]


@pytest.fixture
def committed(engine, database_url, tmp_path):
    from core.app import create_app

    app = create_app(make_config(database_url, tmp_path, TESTING=False),
                     plugins=["planning", "wachtlijst", "loket_sync"])
    with engine.connect() as conn:
        marks = _snapshot(conn)
    try:
        yield app
    finally:
        app.extensions["koepel_db"].scoped.remove()
        app.extensions["koepel_db"].engine.dispose()
        with engine.begin() as conn:
            _clean(conn, marks)


class Worker:
    """``koepel jobs run --loop`` in its own process, on the test's database."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.env = dict(os.environ, DATABASE_URL=database_url, KOEPEL_DATA_DIR=str(tmp_path / "worker"),
                        KOEPEL_ENCRYPTION_KEY=TEST_KEY, SECRET_KEY="worker-test")
        self.command = [str(Path(sys.executable).with_name("koepel")), "jobs", "run", "--loop",
                        "--interval", "0.1", "--limit", "20"]
        self.log = open(os.environ.get("LOKET_WORKER_LOG") or tmp_path / "worker.log", "ab")  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, stdout=self.log, stderr=self.log)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def _unit(app):
    class Unit:
        def __enter__(self):
            self.ctx = app.app_context()
            self.ctx.push()
            self.cm = app.extensions["koepel_db"].unit_of_work()
            return self.cm.__enter__()

        def __exit__(self, *exc):
            try:
                return self.cm.__exit__(*exc)
            finally:
                self.ctx.pop()

    return Unit()


def _setup(app, loket):
    from core.models import CareType, Koepel, Location, Organisation
    from core.settings import set_setting
    from core.tenancy import enable_module
    from plugins.loket_sync.services import connection

    with _unit(app) as session:
        koepel = Koepel(name="Betrouwbaarheid")
        session.add(koepel)
        session.flush()
        org = Organisation(koepel_id=koepel.id, slug=loket.partner, name="Partner onder vuur")
        session.add(org)
        session.flush()
        location = Location(organisation_id=org.id, name="De Speelvogel", care_type=CareType.GROEPSOPVANG,
                            licensed_places=18, opgroeien_file_no=f"REL-{org.id}", postcode="3000",
                            municipality="Leuven")
        session.add(location)
        for key, value in (("batch_size", 100), ("retry_base_seconds", 1), ("retry_max_seconds", 2),
                           ("timeout_seconds", 2), ("max_attempts", 10_000), ("pull_interval_seconds", 3)):
            set_setting(session, org, f"loket_sync.{key}", value)
        for module in ("planning", "wachtlijst", "loket_sync"):
            enable_module(session, org, module)
        session.flush()
        # the switch publishes every real vacancy scope; this test drives the vacancy state itself
        session.execute(delete(Job).where(Job.kind == "loket_sync.vacancies", Job.organisation_id == org.id))
        ctx = context_for_org_id(session, org.id)
        connection.configure(ctx, base_url=loket.url, key_id=loket.key_id, secret=loket.secret)
        return org.id, location.id


def _write_round(app, org_id, location_id, rng) -> int:
    """One change of the vacancy state, written as events in one transaction."""
    from core.models import Location
    from plugins.loket_sync.services.vacancies import apply_scope

    months = rng.sample(MONTHS, 3)
    current = {(month, band, pattern, False): rng.randint(1, 4)
               for month in months for band in BANDS for pattern in PATTERNS if rng.random() < 0.7}
    with _unit(app) as session:
        ctx = context_for_org_id(session, org_id)
        return apply_scope(ctx, session.get(Location, location_id), months, current)


def _count(app, org_id, *where):
    from plugins.loket_sync.models import SyncEvent

    with _unit(app) as session:
        return session.scalar(select(func.count()).select_from(SyncEvent).where(
            SyncEvent.organisation_id == org_id, *where))


def _sender_running(app, org_id) -> bool:
    with _unit(app) as session:
        return bool(session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "loket_sync.send", Job.organisation_id == org_id, Job.status == JobStatus.RUNNING)))


def test_exactly_once_under_faults_and_killed_workers(committed, database_url, tmp_path):
    from plugins.loket_sync.models import EventStatus, SyncEvent, VacancyState

    started = time.monotonic()
    loket = reference.start_process(tmp_path, "betrouwbaar", faults={
        "error_rate": 0.3, "timeout_rate": 0.05, "drop_rate": 0.05, "seed": 11, "timeout_seconds": 2.5})
    worker = Worker(database_url, tmp_path)
    rng = random.Random(5)
    kills = 0
    try:
        org_id, location_id = _setup(committed, loket)
        worker.start()
        written = 0
        kill_at = [EVENTS * (i + 1) // (KILLS + 1) for i in range(KILLS)]
        while written < EVENTS:
            written += _write_round(committed, org_id, location_id, rng)
            if kill_at and written >= kill_at[0]:
                kill_at.pop(0)
                deadline = time.monotonic() + 5
                while not _sender_running(committed, org_id) and time.monotonic() < deadline:
                    time.sleep(0.005)
                worker.kill()  # mid-batch: its transaction is rolled back, its job stays "running"
                kills += 1
                worker.start()
            time.sleep(0.01)
        generated = time.monotonic() - started
        deadline = time.monotonic() + 150
        while _count(committed, org_id, SyncEvent.status != EventStatus.SENT) and time.monotonic() < deadline:
            time.sleep(0.25)
    finally:
        worker.stop()
        loket.stop()
    with _unit(committed) as session:
        ours = {e.event_id: e for e in session.scalars(select(SyncEvent).where(SyncEvent.organisation_id == org_id))}
        session.expunge_all()
        state = {s.aggregate_id: s.free for s in session.scalars(
            select(VacancyState).where(VacancyState.organisation_id == org_id))}
        statuses = {e.status for e in ours.values()}
    received = loket.received()
    retried = sum(1 for e in ours.values() if e.attempts > 1)
    redelivered = sum(n - 1 for n in received.values())
    print(f"\n{len(ours)} events, {kills} kills, {retried} sent more than once (503, timeout, drop), "
          f"{redelivered} deliveries counted as duplicates, written in {generated:.1f} s, "
          f"all at the loket after {time.monotonic() - started:.1f} s")
    assert kills == KILLS
    assert len(ours) >= EVENTS
    assert statuses == {EventStatus.SENT}, _count(committed, org_id, SyncEvent.status != EventStatus.SENT)
    assert set(received) == set(ours)  # every event once at the loket (one row per id), nothing else
    assert loket.vacancies() == state
    with _unit(committed) as session:
        ours_checksum = vacancy_checksum(context_for_org_id(session, org_id))
    assert loket.state()["vacancies"] == {"count": ours_checksum[0], "checksum": ours_checksum[1]}
    assert retried > 0  # the faults did happen, and changed nothing
