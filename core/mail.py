"""Outgoing e-mail, always through the job outbox.

``queue_mail`` writes a ``mail.send`` job in the caller's transaction; the worker sends it after
the commit. With ``KOEPEL_SMTP_HOST`` configured it goes out over SMTP (``KOEPEL_SMTP_PORT``,
``KOEPEL_SMTP_USER``, ``KOEPEL_SMTP_PASSWORD``, ``KOEPEL_SMTP_STARTTLS``, ``KOEPEL_MAIL_FROM``),
otherwise it is written as an ``.eml`` file into ``<data dir>/outbox-mail/`` (development).
When the server is down the job fails and is retried with backoff: a message is never lost.
The Message-ID derives from the job key, so a retried send is recognisable as the same message.
"""
from __future__ import annotations

import os
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.jobs import Job, enqueue

KIND = "mail.send"


def _setting(name: str, default=None):
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name, default)
    return value


def queue_mail(session: Session, *, to: str, subject: str, body: str, key: str,
               organisation_id: int | None = None, language: str = "nl") -> Job:
    """Queue one plain-text message; ``key`` makes it idempotent: a message is queued once, also
    after it was sent (the outbox itself only coalesces pending jobs). The body is stored
    encrypted (it may hold a link with a parent's token, see ``mail_body``)."""
    from core.crypto import encrypt

    job_key = f"mail:{key}"
    sent = session.scalar(select(Job).where(Job.key == job_key).order_by(Job.id).limit(1))
    if sent is not None:
        return sent
    payload = {"to": to, "subject": subject, "body_sealed": encrypt(body), "language": language}
    return enqueue(session, KIND, payload, key=job_key, organisation_id=organisation_id)


def mail_body(payload: dict) -> str:
    """The body of a queued mail: encrypted in the job table (``body_sealed``, with the key of
    the national register numbers) so that no token of a link lies there in clear; ``body`` for
    mails queued before."""
    if payload.get("body_sealed"):
        from core.crypto import decrypt

        return decrypt(payload["body_sealed"])
    return payload.get("body", "")


def build_message(payload: dict, message_key: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _setting("KOEPEL_MAIL_FROM", "Koepel <no-reply@koepel.invalid>")
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    msg["Date"] = formatdate(localtime=False)
    safe = re.sub(r"[^A-Za-z0-9.-]", "-", message_key)
    msg["Message-ID"] = f"<{safe}@koepel>"
    msg["Content-Language"] = payload.get("language", "nl")
    msg.set_content(mail_body(payload))
    return msg


def outbox_dir() -> Path:
    return Path(current_app.config["KOEPEL_DATA_DIR"]) / "outbox-mail"


def deliver(msg: EmailMessage, message_key: str) -> str:
    """Send ``msg`` now; returns where it went. Raises on failure (the job retries)."""
    host = _setting("KOEPEL_SMTP_HOST")
    if host:
        port = int(_setting("KOEPEL_SMTP_PORT", 587))
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            if str(_setting("KOEPEL_SMTP_STARTTLS", "1")) not in ("0", "false", "False", ""):
                smtp.starttls()
            user = _setting("KOEPEL_SMTP_USER")
            if user:
                smtp.login(user, _setting("KOEPEL_SMTP_PASSWORD", ""))
            smtp.send_message(msg)
        return f"smtp://{host}:{port}"
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^A-Za-z0-9.-]", "-", message_key) + ".eml")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(msg))
    tmp.replace(path)  # atomic: a retry overwrites the same file, never a half-written one
    return str(path)


def send_job(session: Session, job: Job) -> None:
    key = job.key or f"job-{job.id}"
    deliver(build_message(job.payload, key), key)
