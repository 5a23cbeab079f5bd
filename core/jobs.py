"""Transactional jobs (the outbox pattern).

Anything that leaves the process (an e-mail, a call to a loket) is written as a ``Job`` row in
the same transaction as the change that causes it, so a rollback drops it and a crash after the
commit loses nothing. A worker claims due rows after the commit (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers never take the same row), runs the handler registered for the
row's ``kind`` in its own transaction, and on failure retries with exponential backoff until
``max_attempts``. A ``key`` makes enqueueing idempotent: the same key is queued once.

Handlers must be idempotent themselves (a worker may crash after the effect, before marking the
row done); they receive the job so they can derive stable identifiers from ``job.id``/``job.key``.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock, to_local
from core.models.job import MAX_ATTEMPTS, Job, JobStatus

log = logging.getLogger(__name__)

BASE_DELAY = 30  # seconds; doubles per attempt
LEASE = timedelta(minutes=10)  # a running job whose worker died is claimed again after this


Handler = Callable[[Session, Job], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that performs jobs of ``kind`` (at import time)."""

    def decorator(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return decorator


def enqueue(session: Session, kind: str, payload: dict | None = None, *, key: str | None = None,
            run_at: datetime | None = None, organisation_id: int | None = None,
            max_attempts: int = MAX_ATTEMPTS) -> Job:
    """Add a job in the caller's transaction. With ``key``, an existing job of that key is
    returned instead of a second one (idempotent enqueue)."""
    if key is not None:
        existing = session.scalar(select(Job).where(Job.key == key))
        if existing is not None:
            return existing
    job = Job(kind=kind, key=key, payload=payload or {}, organisation_id=organisation_id,
              run_at=run_at or clock.now(), max_attempts=max_attempts, status=JobStatus.PENDING)
    session.add(job)
    session.flush()
    return job


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BASE_DELAY * 2 ** max(attempts - 1, 0))


@dataclass
class RunReport:
    done: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.done} klaar, {self.retried} later opnieuw, {self.failed} definitief mislukt"


def claim(session: Session, limit: int = 50, kinds: list[str] | None = None) -> list[int]:
    """Mark up to ``limit`` due jobs as running and return their ids (caller commits)."""
    now = clock.now()
    due = (
        (Job.status == JobStatus.PENDING) & (Job.run_at <= now)
    ) | ((Job.status == JobStatus.RUNNING) & (Job.run_at <= now - LEASE))
    stmt = select(Job).where(due).order_by(Job.run_at, Job.id).limit(limit)
    if kinds:
        stmt = stmt.where(Job.kind.in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    jobs = session.scalars(stmt).all()
    for job in jobs:
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.run_at = now
    session.flush()
    return [job.id for job in jobs]


def run_pending(db, limit: int = 50, kinds: list[str] | None = None) -> RunReport:
    """Claim due jobs and run each in its own transaction. ``db`` is ``core.db.get_db()``."""
    report = RunReport()
    with db.unit_of_work() as session:
        ids = claim(session, limit, kinds)
    for job_id in ids:
        error = None
        try:
            with db.unit_of_work() as session:
                job = session.get(Job, job_id)
                fn = _HANDLERS.get(job.kind)
                if fn is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                fn(session, job)
                job.status = JobStatus.DONE
                job.finished_at = clock.now()
                job.last_error = None
        except Exception:  # noqa: BLE001 - any failure is recorded and retried
            error = traceback.format_exc(limit=5)
            log.warning("job %s failed: %s", job_id, error.splitlines()[-1])
        if error is None:
            report.done += 1
            continue
        with db.unit_of_work() as session:
            job = session.get(Job, job_id)
            job.last_error = error[-4000:]
            if job.attempts >= job.max_attempts:
                job.status = JobStatus.FAILED
                job.finished_at = clock.now()
                report.failed += 1
            else:
                job.status = JobStatus.PENDING
                job.run_at = clock.now() + backoff(job.attempts)
                report.retried += 1
    return report


def start_worker_thread(app, interval: float = 2.0, limit: int = 100):
    """Run due jobs every ``interval`` seconds in a daemon thread of this process, so that one
    command (``koepel serve --jobs``, used by ``make demo``) serves the pages and sends the e-mails
    they promise. Production runs ``koepel jobs run --loop`` as its own process instead."""
    import threading

    from core.db import get_db

    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                with app.app_context():
                    run_pending(get_db(), limit=limit)
            except Exception:  # noqa: BLE001 - a broken round is logged; the next one tries again
                log.exception("job worker round failed")
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="koepel-jobs", daemon=True)
    thread.start()
    return stop


@click.group("jobs")
def jobs_cli():
    """Background jobs (outbox): e-mail, scheduled clean-ups."""


@jobs_cli.command("run")
@with_appcontext
@click.option("--limit", default=100, show_default=True, help="At most this many jobs per round.")
@click.option("--loop", is_flag=True, help="Keep running, polling every few seconds.")
@click.option("--interval", default=5.0, show_default=True)
def jobs_run(limit, loop, interval):
    """Run due jobs (once, or forever with --loop)."""
    import time

    from core.db import get_db

    while True:
        report = run_pending(get_db(), limit=limit)
        click.echo(str(report))
        if not loop:
            break
        time.sleep(interval)


@jobs_cli.command("list")
@with_appcontext
@click.option("--status", default=None)
def jobs_list(status):
    """List jobs (most recent first)."""
    from core.db import get_db

    with get_db().unit_of_work() as session:
        stmt = select(Job).order_by(Job.id.desc()).limit(50)
        if status:
            stmt = stmt.where(Job.status == JobStatus(status))
        for job in session.scalars(stmt):
            click.echo(f"{job.id:6} {job.kind:30} {job.status.value:8} pogingen={job.attempts} {to_local(job.run_at):%Y-%m-%d %H:%M}")
