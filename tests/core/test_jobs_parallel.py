"""The outbox under real concurrency: parallel callers and parallel workers, each on its own
connection, committing for real (on PostgreSQL when KOEPEL_TEST_DATABASE_URL points there; the
same test runs on SQLite, whose writers queue behind one lock). The rows are removed afterwards."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, func, select, text

from core.app import create_app
from core.db import get_db
from core.jobs import Job, JobStatus, enqueue, report_progress, run_pending
from tests.conftest import make_config

PREFIX = "ptest."


@pytest.fixture
def live(engine, database_url, tmp_path):
    """An app whose sessions commit (not bound to the test's rolled-back connection)."""
    app = create_app(make_config(database_url, tmp_path), plugins=["planning"])
    yield app
    with app.app_context():
        with get_db().unit_of_work() as session:
            session.execute(delete(Job).where(Job.kind.startswith(PREFIX)))
        get_db().engine.dispose()


def in_threads(app, count, target):
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                target(index)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            with app.app_context():
                get_db().scoped.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_parallel_enqueues_of_one_key_leave_one_pending_job(live):
    ids: list[int] = []

    def enqueue_once(_index):
        with get_db().unit_of_work() as session:
            ids.append(enqueue(session, PREFIX + "coalesce", {"n": _index}, key="ptest-one").id)

    in_threads(live, 6, enqueue_once)
    with live.app_context(), get_db().unit_of_work() as session:
        rows = session.scalars(select(Job).where(Job.key == "ptest-one")).all()
    assert len(rows) == 1 and rows[0].status == JobStatus.PENDING and set(ids) == {rows[0].id}


def test_parallel_workers_never_overlap_one_lock_and_run_each_job_once(live):
    spans: dict[str, list[tuple[float, float, int]]] = {"locked": [], "free": []}
    guard = threading.Lock()

    def work(session, job):
        start = time.monotonic()
        time.sleep(0.05)
        with guard:
            spans[job.payload["group"]].append((start, time.monotonic(), job.id))

    live.extensions["koepel_jobs"].add(PREFIX + "work", work)
    with live.app_context(), get_db().unit_of_work() as session:
        for _ in range(6):
            enqueue(session, PREFIX + "work", {"group": "locked"}, lock_key="ptest:org-1:2026-11")
            enqueue(session, PREFIX + "work", {"group": "free"})

    def worker(_index):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            run_pending(get_db(), limit=2, kinds=[PREFIX + "work"])
            with get_db().unit_of_work() as session:
                left = session.scalar(select(func.count()).select_from(Job).where(
                    Job.kind == PREFIX + "work", Job.status != JobStatus.DONE))
            if not left:
                return
            time.sleep(0.01)

    in_threads(live, 3, worker)
    locked = sorted(spans["locked"])
    assert len(locked) == 6 and len({job_id for *_, job_id in locked}) == 6  # each once
    assert len(spans["free"]) == 6
    for (_s1, end, _a), (start, _e2, _b) in zip(locked, locked[1:], strict=False):
        assert end <= start, "two runs of one lock overlapped"


def test_progress_is_visible_while_the_job_still_runs(live):
    reported = threading.Event()
    release = threading.Event()

    def long_run(session, job):
        report_progress(job, 1, 4, "eerste kwart")
        reported.set()
        assert release.wait(timeout=20)

    live.extensions["koepel_jobs"].add(PREFIX + "long", long_run)
    with live.app_context(), get_db().unit_of_work() as session:
        job_id = enqueue(session, PREFIX + "long").id

    def worker():
        with live.app_context():
            run_pending(get_db(), kinds=[PREFIX + "long"])
            get_db().scoped.remove()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert reported.wait(timeout=20)
        with live.app_context():
            with get_db().engine.connect() as conn:  # another connection: sees committed rows only
                row = conn.execute(text("SELECT status, progress_done, progress_total, progress_message "
                                        "FROM job WHERE id = :id"), {"id": job_id}).one()
        if live.extensions["koepel_db"].engine.dialect.name == "postgresql":
            assert tuple(row) == ("running", 1, 4, "eerste kwart")
        else:  # SQLite: one writer at a time, the progress goes with the job's own transaction
            assert tuple(row) == ("running", None, None, None)
    finally:
        release.set()
        thread.join(timeout=30)
    with live.app_context(), get_db().unit_of_work() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.DONE and (job.progress_done, job.progress_total) == (1, 4)
