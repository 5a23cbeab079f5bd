"""Transactional jobs (the outbox pattern).

Anything that leaves the process (an e-mail, a call to a loket) is written as a ``Job`` row in
the same transaction as the change that causes it, so a rollback drops it and a crash after the
commit loses nothing. A worker claims due rows after the commit (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers never take the same row), runs the handler registered for the
row's ``kind`` in its own transaction, and on failure retries with exponential backoff and
jitter until ``max_attempts``.

* **Handlers** are registered at start-up through the ``register_job_handlers(registry)`` hook
  (core and every plugin alike); the registry lives on the app (``app.extensions["koepel_jobs"]``)
  and a kind registered twice stops the start-up. The registering plugin is the job's ``module``:
  while that module is switched off for the job's organisation the worker leaves the job pending
  (``koepel jobs list`` says why).
* **Coalescing**: with a ``key``, there is at most one *pending* job per key (a partial unique
  index; ``INSERT ... ON CONFLICT DO NOTHING``): enqueueing again returns the waiting one. Once it
  ran (done or failed, or while it runs) a new job with the key may be queued.
* **Locks**: jobs with the same ``lock_key`` never run at the same time (a partial unique index
  on running jobs): e.g. one run per kind, organisation and period.
* **Progress**: a long handler calls ``report_progress(job, done, total, message)``; it is
  committed at once in a short transaction of its own, so the web sees it while the run goes on
  (PostgreSQL; SQLite has one writer at a time, so there it is written with the job's own
  transaction and seen when the job ends).

Handlers must be idempotent themselves (a worker may crash after the effect, before marking the
row done); they receive the job so they can derive stable identifiers from ``job.id``/``job.key``.
They must not change their own job row (the worker does; progress goes through
``report_progress``).
"""
from __future__ import annotations

import logging
import random
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext
from sqlalchemy import exists, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from core.clock import clock, to_local
from core.models import OrganisationModule
from core.models.job import MAX_ATTEMPTS, Job, JobStatus

log = logging.getLogger(__name__)

BASE_DELAY = 30  # seconds; doubles per attempt
JITTER = 0.2  # up to 20 % added to each delay, so that retries of many jobs do not come in one wave
LEASE = timedelta(minutes=10)  # a running job whose worker died is claimed again after this
EXTENSION_KEY = "koepel_jobs"

Handler = Callable[[Session, Job], None]


class JobRegistryError(RuntimeError):
    """The job handlers cannot be registered (a kind twice, a bad name): the app does not start."""


@dataclass(frozen=True)
class Registration:
    kind: str
    handler: Handler
    module: str | None  # None: core


class JobRegistry:
    """Job kinds and their handlers, filled once at start-up by ``register_job_handlers``."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Registration] = {}

    def add(self, kind: str, handler: Handler, *, module: str | None = None) -> None:
        if not kind or not isinstance(kind, str) or len(kind) > 80:
            raise JobRegistryError(f"job kind must be a name of at most 80 characters, not {kind!r}")
        if not callable(handler):
            raise JobRegistryError(f"job handler for {kind!r} is not callable")
        earlier = self._by_kind.get(kind)
        if earlier is not None:
            raise JobRegistryError(
                f"job kind {kind!r} registered twice (by {earlier.module or 'core'} and by {module or 'core'})")
        self._by_kind[kind] = Registration(kind, handler, module)

    def get(self, kind: str) -> Registration | None:
        return self._by_kind.get(kind)

    def discard(self, kind: str) -> None:
        """Forget ``kind`` (tests that add a handler to an app shared between tests)."""
        self._by_kind.pop(kind, None)

    def module_of(self, kind: str) -> str | None:
        found = self._by_kind.get(kind)
        return found.module if found else None

    def kinds(self) -> list[str]:
        return sorted(self._by_kind)

    def __contains__(self, kind: str) -> bool:
        return kind in self._by_kind


class _ModuleRegistry:
    """What one plugin's ``register_job_handlers`` receives: ``add`` records the plugin as module."""

    def __init__(self, registry: JobRegistry, module: str | None) -> None:
        self._registry = registry
        self.module = module

    def add(self, kind: str, handler: Handler) -> None:
        self._registry.add(kind, handler, module=self.module)


def build_registry(pm) -> JobRegistry:
    """Ask core and every installed plugin for its handlers (called by ``create_app``)."""
    registry = JobRegistry()
    for impl in pm.hook.register_job_handlers.get_hookimpls():  # core first, then in requires order
        module = None if impl.plugin_name == "core" else impl.plugin_name
        impl.function(registry=_ModuleRegistry(registry, module))
    return registry


def registry() -> JobRegistry:
    return current_app.extensions[EXTENSION_KEY]


# --- enqueue ------------------------------------------------------------------------------------------


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def enqueue(session: Session, kind: str, payload: dict | None = None, **options) -> Job:
    """Add a job in the caller's transaction. With ``key``, a job of that key still pending is
    returned instead of a second one (coalescing); safe under concurrent callers. ``module``
    defaults to the module that registered ``kind``. Options: see ``enqueue_job``."""
    return enqueue_job(session, kind, payload, **options)[0]


def enqueue_job(session: Session, kind: str, payload: dict | None = None, *, key: str | None = None,
                lock_key: str | None = None, run_at: datetime | None = None, organisation_id: int | None = None,
                max_attempts: int = MAX_ATTEMPTS, module: str | None = None) -> tuple[Job, bool]:
    """``enqueue`` that also says whether the job is new (False: coalesced with a pending one)."""
    if module is None and has_app_context() and EXTENSION_KEY in current_app.extensions:
        module = registry().module_of(kind)
    values = dict(kind=kind, key=key, lock_key=lock_key, payload=payload or {}, organisation_id=organisation_id,
                  module=module, run_at=run_at or clock.now(), max_attempts=max_attempts,
                  status=JobStatus.PENDING, attempts=0, created_at=clock.now())
    if key is None:
        job = Job(**values)
        session.add(job)
        session.flush()
        return job, True
    insert = _insert(session)
    stmt = (insert(Job).values(**values)
            # the predicate as literal SQL, the same text as the index's: with a bound parameter,
            # PostgreSQL cannot match a statement that psycopg has prepared (after 5 runs) to the
            # partial index ("no unique or exclusion constraint matching the ON CONFLICT")
            .on_conflict_do_nothing(index_elements=[Job.key], index_where=text("status = 'pending'"))
            .returning(Job.id))
    for _attempt in range(5):
        # the write comes first: on SQLite it takes the write lock (waiting for other writers)
        # before anything is read, so a concurrent enqueue never finds a stale snapshot
        new_id = session.execute(stmt).scalar()
        if new_id is not None:
            return session.get(Job, new_id), True
        waiting = session.scalar(select(Job).where(Job.key == key, Job.status == JobStatus.PENDING))
        if waiting is not None:
            return waiting, False
        # the pending one was claimed between the two statements: try again
    raise RuntimeError(f"could not enqueue job with key {key!r}")


def backoff(attempts: int) -> timedelta:
    """The delay before retry ``attempts`` + 1, without jitter: 30 s, 1 min, 2 min, ..."""
    return timedelta(seconds=BASE_DELAY * 2 ** max(attempts - 1, 0))


def backoff_with_jitter(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    return backoff(attempts) * (1 + JITTER * rand())


def idempotency_key_for_job(job: Job, purpose: str = "") -> str:
    """A key for the outside world (``Idempotency-Key``) that is the same on every retry of one job."""
    return f"koepel-{job.kind}-{job.id}" + (f"-{purpose}" if purpose else "")


# --- progress -----------------------------------------------------------------------------------------


def report_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Record how far a long run is, committed at once in a transaction of its own (the handler's
    own transaction commits only at the end). Best effort: a failure is logged, never raised."""
    from core.db import get_db

    db = get_db()
    now = clock.now()
    values = {"progress_done": max(int(done), 0), "progress_total": None if total is None else max(int(total), 0),
              "progress_message": (message or "")[:300], "progress_at": now}
    if db.engine.dialect.name == "sqlite":
        # one writer at a time: the job's own transaction holds the lock, so the progress goes
        # with it (visible when the job ends); PostgreSQL shows it while the job runs
        db.scoped().execute(update(Job).where(Job.id == job.id).values(**values))
        for name, value in values.items():
            set_committed_value(job, name, value)
        return
    try:
        with db.side_session() as side:
            side.connection().exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            side.execute(update(Job).where(Job.id == job.id).values(**values))
            side.commit()
    except OperationalError as exc:  # e.g. the row is locked: progress is worth less than the run
        log.warning("progress of job %s not recorded: %s", job.id, exc)
        return
    for name, value in values.items():
        set_committed_value(job, name, value)


# --- the worker ---------------------------------------------------------------------------------------


@dataclass
class RunReport:
    done: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.done} klaar, {self.retried} later opnieuw, {self.failed} definitief mislukt"


def _module_enabled():
    """The job's module is on for its organisation (or the job belongs to core or to no one)."""
    return (Job.module.is_(None) | Job.organisation_id.is_(None) | exists().where(
        OrganisationModule.organisation_id == Job.organisation_id, OrganisationModule.module == Job.module))


def _lock_free():
    other = aliased(Job)
    return Job.lock_key.is_(None) | ~exists().where(
        other.lock_key == Job.lock_key, other.status == JobStatus.RUNNING, other.id != Job.id)


def take_write_lock(session: Session) -> None:
    """SQLite: take the database's write lock now (waiting for other writers), so that what is read
    next cannot be overtaken by another writer before this transaction writes. No-op elsewhere."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Job).where(Job.id.is_(None)).values(attempts=Job.attempts))


def claim(session: Session, limit: int = 50, kinds: list[str] | None = None) -> list[int]:
    """Mark up to ``limit`` due jobs as running and return their ids (caller commits). Jobs of a
    module switched off for their organisation, and jobs whose lock is held, stay pending."""
    take_write_lock(session)
    now = clock.now()
    due = (
        (Job.status == JobStatus.PENDING) & (Job.run_at <= now)
    ) | ((Job.status == JobStatus.RUNNING) & (Job.run_at <= now - LEASE))
    stmt = select(Job).where(due, _module_enabled(), _lock_free()).order_by(Job.run_at, Job.id).limit(limit)
    if kinds:
        stmt = stmt.where(Job.kind.in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Job)
    claimed: list[int] = []
    for job in session.scalars(stmt).all():
        if job.lock_key is None:
            _mark_running(job, now)
            claimed.append(job.id)
            continue
        try:  # another worker may take a job of the same lock at this moment: the index decides
            with session.begin_nested():
                _mark_running(job, now)
                session.flush()
        except IntegrityError:
            continue
        claimed.append(job.id)
    session.flush()
    return claimed


def _mark_running(job: Job, now: datetime) -> None:
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.run_at = now


def run_pending(db, limit: int = 50, kinds: list[str] | None = None) -> RunReport:
    """Claim due jobs and run each in its own transaction. ``db`` is ``core.db.get_db()``."""
    handlers = registry()
    report = RunReport()
    with db.unit_of_work() as session:
        ids = claim(session, limit, kinds)
    for job_id in ids:
        error = None
        try:
            with db.unit_of_work() as session:
                take_write_lock(session)
                job = session.get(Job, job_id)
                found = handlers.get(job.kind)
                if found is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                found.handler(session, job)
                job.status = JobStatus.DONE
                job.finished_at = clock.now()
                job.last_error = None
        except Exception:  # noqa: BLE001 - any failure is recorded and retried
            error = traceback.format_exc(limit=5)
            log.warning("job %s failed: %s", job_id, error.splitlines()[-1])
        if error is None:
            report.done += 1
            continue
        if _record_failure(db, job_id, error):
            report.failed += 1
        else:
            report.retried += 1
    return report


def _record_failure(db, job_id: int, error: str) -> bool:
    """Retry later, or give up; True when the job failed for good."""
    with db.unit_of_work() as session:
        take_write_lock(session)
        job = session.get(Job, job_id)
        job.last_error = error[-4000:]
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = clock.now()
            return True
        try:  # a new job of the same key may have been queued while this one ran: it takes over
            with session.begin_nested():
                job.status = JobStatus.PENDING
                job.run_at = clock.now() + backoff_with_jitter(job.attempts)
                session.flush()
        except IntegrityError:
            job = session.get(Job, job_id)
            job.last_error = (error[-3800:] + "\nvervangen door een nieuwere job met dezelfde sleutel")
            job.status = JobStatus.FAILED
            job.finished_at = clock.now()
            return True
        return False


def waiting_reason(session: Session, job: Job) -> str:
    """Why a pending job is not run now ('' when nothing holds it but its time)."""
    if job.status != JobStatus.PENDING:
        return ""
    if job.module and job.organisation_id is not None and session.scalar(
            select(OrganisationModule.id).where(OrganisationModule.organisation_id == job.organisation_id,
                                                OrganisationModule.module == job.module)) is None:
        return f"module {job.module} staat uit voor organisatie {job.organisation_id}"
    if job.lock_key:
        holder = session.scalar(select(Job.id).where(Job.lock_key == job.lock_key, Job.status == JobStatus.RUNNING,
                                                    Job.id != job.id))
        if holder is not None:
            return f"wacht op lopende job {holder} ({job.lock_key})"
    return ""


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


# --- CLI ------------------------------------------------------------------------------------------------


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
@click.option("--status", default=None, type=click.Choice([s.value for s in JobStatus]))
def jobs_list(status):
    """List jobs (most recent first), with why a pending job waits."""
    from core.db import get_db

    with get_db().unit_of_work() as session:
        stmt = select(Job).order_by(Job.id.desc()).limit(50)
        if status:
            stmt = stmt.where(Job.status == JobStatus(status))
        for job in session.scalars(stmt):
            line = f"{job.id:6} {job.kind:30} {job.status.value:8} pogingen={job.attempts} {to_local(job.run_at):%Y-%m-%d %H:%M}"
            if job.progress_done is not None:
                line += f" voortgang={job.progress_done}/{job.progress_total if job.progress_total is not None else '?'}"
            reason = waiting_reason(session, job)
            if reason:
                line += f" — {reason}"
            click.echo(line)
