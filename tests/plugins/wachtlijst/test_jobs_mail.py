"""core/jobs.py and core/mail.py: written in the transaction, run after commit, retried with
backoff, idempotent, never lost when the mail server is down; .eml files in development."""
from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import app_clock, clock
from core.db import get_db
from core.jobs import JITTER, Job, JobStatus, backoff, claim, enqueue, registry, run_pending
from core.mail import outbox_dir, queue_mail

calls: list[int] = []


def _flaky(session, job):
    calls.append(job.id)
    if len(calls) < 3:
        raise RuntimeError("tijdelijk stuk")


@pytest.fixture(autouse=True)
def flaky_handler(app):
    registry().add("test.flaky", _flaky)
    yield
    registry().discard("test.flaky")


def test_enqueue_is_idempotent_by_key(session):
    a = enqueue(session, "test.flaky", {"x": 1}, key="once")
    b = enqueue(session, "test.flaky", {"x": 2}, key="once")
    assert a.id == b.id and b.payload == {"x": 1}


def test_rolled_back_transaction_leaves_no_job(app, session):
    db = get_db()
    try:
        with db.unit_of_work() as uow:
            enqueue(uow, "test.flaky", key="rolled-back")
            raise ValueError("boom")
    except ValueError:
        pass
    assert get_db().scoped().scalar(select(Job).where(Job.key == "rolled-back")) is None


def test_retries_with_backoff_then_succeeds(app, session, frozen_today):
    calls.clear()
    job = enqueue(session, "test.flaky", key="flaky")
    session.commit()
    assert str(run_pending(get_db())) == "0 klaar, 1 later opnieuw, 0 definitief mislukt"
    job = get_db().scoped().get(Job, job.id)
    assert job.status == JobStatus.PENDING and job.attempts == 1 and "tijdelijk stuk" in job.last_error
    assert clock.now() + backoff(1) <= job.run_at <= clock.now() + backoff(1) * (1 + JITTER)  # with jitter
    assert run_pending(get_db()).done == 0  # not due yet
    app_clock().freeze(clock.now() + timedelta(minutes=1))
    run_pending(get_db())
    app_clock().freeze(clock.now() + timedelta(minutes=3))
    assert run_pending(get_db()).done == 1
    job = get_db().scoped().get(Job, job.id)
    assert job.status == JobStatus.DONE and job.attempts == 3 and calls == [job.id] * 3


def test_gives_up_after_max_attempts(app, session, frozen_today):
    job = enqueue(session, "test.unknown-kind", key="unknown", max_attempts=1)
    session.commit()
    assert run_pending(get_db()).failed == 1
    assert get_db().scoped().get(Job, job.id).status == JobStatus.FAILED


def test_claim_marks_rows_running(app, session, frozen_today):
    enqueue(session, "test.flaky", key="c1")
    enqueue(session, "test.flaky", key="c2")
    ids = claim(session, limit=1)
    assert len(ids) == 1 and session.get(Job, ids[0]).status == JobStatus.RUNNING
    assert len(claim(session, limit=5)) == 1  # only the other one is still pending


def test_mail_goes_to_eml_files_in_development(app, session, frozen_today):
    job = queue_mail(session, to="ouder@example.be", subject="Hallo", body="Tekst é", key="t1", language="nl")
    session.commit()
    assert run_pending(get_db()).done == 1
    files = list(outbox_dir().glob("*.eml"))
    assert len(files) == 1 and "mail-t1" in files[0].name
    content = files[0].read_text()
    assert "To: ouder@example.be" in content and "Subject: Hallo" in content
    assert get_db().scoped().get(Job, job.id).status == JobStatus.DONE


def test_mail_is_not_lost_when_the_smtp_server_is_down(app, session, frozen_today, monkeypatch):
    app.config["KOEPEL_SMTP_HOST"] = "smtp.example.invalid"
    sent = []

    class DownSMTP:
        def __init__(self, *a, **kw):
            raise ConnectionRefusedError("server down")

    monkeypatch.setattr(smtplib, "SMTP", DownSMTP)
    job = queue_mail(session, to="ouder@example.be", subject="S", body="B", key="t2")
    session.commit()
    assert run_pending(get_db()).retried == 1
    assert get_db().scoped().get(Job, job.id).status == JobStatus.PENDING

    class UpSMTP:
        def __init__(self, host, port, timeout=None):
            self.host = host

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def send_message(self, msg):
            sent.append(msg)

    monkeypatch.setattr(smtplib, "SMTP", UpSMTP)
    app_clock().freeze(clock.now() + timedelta(minutes=5))
    assert run_pending(get_db()).done == 1
    assert len(sent) == 1 and sent[0]["To"] == "ouder@example.be" and "mail-t2" in sent[0]["Message-ID"]
