"""Outgoing e-mail, always through the job outbox.

``queue_mail`` writes a ``mail.send`` job in the caller's transaction; the worker sends it after
the commit. With ``KOEPEL_SMTP_HOST`` configured it goes out over SMTP (``KOEPEL_SMTP_PORT``,
``KOEPEL_SMTP_USER``, ``KOEPEL_SMTP_PASSWORD``, ``KOEPEL_SMTP_STARTTLS``, ``KOEPEL_MAIL_FROM``),
otherwise it is written as an ``.eml`` file into ``<data dir>/outbox-mail/`` (development).
When the server is down the job fails and is retried with backoff: a message is never lost.
The Message-ID derives from the job key, so a retried send is recognisable as the same message.

A message has a text part and optionally an HTML part (``html=``), and attachments: documents of
the store (``core.documents``; only of the job's own organisation) or ``Attachment`` bytes, which
are kept in the store too when the message belongs to an organisation (the job row stays small).
``render_mail`` renders ``<template>.subject.txt``, ``<template>.txt`` and (if present)
``<template>.html`` in the *recipient's* language (Flask-Babel ``force_locale``), and
``queue_templated_mail`` queues the result.
"""
from __future__ import annotations

import base64
import os
import re
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.jobs import Job, enqueue
from core.models.document import Document

KIND = "mail.send"
LANGUAGES = ("nl", "fr", "en")
MAX_INLINE_ATTACHMENTS = 5 * 1024 * 1024  # bytes of attachments carried in the job row itself


class MailError(ValueError):
    """A message that cannot be queued (an attachment of another organisation, too large, ...)."""


@dataclass(frozen=True)
class Attachment:
    """Bytes to attach (a document of the store can be attached as it is)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str
    html: str | None
    language: str


def recipient_language(language: str | None) -> str:
    return language if language in LANGUAGES else "nl"


def render_mail(template: str, language: str | None, **context) -> RenderedMail:
    """Subject, text and HTML of ``template`` in the recipient's language."""
    lang = recipient_language(language)
    with force_locale(lang):
        subject = " ".join(render_template(f"{template}.subject.txt", **context).split())
        body = render_template(f"{template}.txt", **context)
        try:
            html = render_template(f"{template}.html", **context)
        except TemplateNotFound:
            html = None
    return RenderedMail(subject, body, html, lang)


def queue_templated_mail(session: Session, *, to: str, template: str, language: str | None, key: str,
                         organisation_id: int | None = None, attachments: Iterable = (), **context) -> Job:
    """Render ``template`` in the recipient's language and queue it (see ``queue_mail``)."""
    mail = render_mail(template, language, **context)
    return queue_mail(session, to=to, subject=mail.subject, body=mail.body, html=mail.html, key=key,
                      organisation_id=organisation_id, language=mail.language, attachments=attachments)


def _setting(name: str, default=None):
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name, default)
    return value


def queue_mail(session: Session, *, to: str, subject: str, body: str, key: str,
               organisation_id: int | None = None, language: str = "nl", html: str | None = None,
               attachments: Iterable = ()) -> Job:
    """Queue one message (text, optionally HTML, optionally attachments: ``Document`` or
    ``Attachment``); ``key`` makes it idempotent: a message is queued once, also after it was sent
    (the outbox itself only coalesces pending jobs). Body and HTML are stored encrypted (they may
    hold a link with a parent's token, see ``mail_body``)."""
    from core.crypto import encrypt

    job_key = f"mail:{key}"
    sent = session.scalar(select(Job).where(Job.key == job_key).order_by(Job.id).limit(1))
    if sent is not None:
        return sent
    payload = {"to": to, "subject": subject, "body_sealed": encrypt(body), "language": language}
    if html:
        payload["html_sealed"] = encrypt(html)  # the same link may be in it
    parts = _attachment_payload(session, list(attachments), organisation_id)
    if parts:
        payload["attachments"] = parts
    return enqueue(session, KIND, payload, key=job_key, organisation_id=organisation_id)


def _attachment_payload(session: Session, attachments: list, organisation_id: int | None) -> list[dict]:
    parts: list[dict] = []
    inline = 0
    for item in attachments:
        if isinstance(item, Document):
            if item.organisation_id != organisation_id:
                raise MailError("a document can only be attached to a message of its own organisation")
            parts.append({"document_id": item.id})
        elif isinstance(item, Attachment):
            if organisation_id is not None:
                from core import documents
                from core.models import Organisation

                doc = documents.store(session, session.get(Organisation, organisation_id), item.data,
                                      filename=item.filename, content_type=item.content_type, kind="mail.attachment")
                parts.append({"document_id": doc.id})
                continue
            inline += len(item.data)
            if inline > MAX_INLINE_ATTACHMENTS:
                raise MailError("attachments of a message without organisation are limited to 5 MB")
            parts.append({"filename": item.filename, "content_type": item.content_type,
                          "data": base64.b64encode(item.data).decode("ascii")})
        else:
            raise MailError(f"not an attachment: {type(item).__name__}")
    return parts


def mail_body(payload: dict) -> str:
    """The body of a queued mail: encrypted in the job table (``body_sealed``, with the key of
    the national register numbers) so that no token of a link lies there in clear; ``body`` for
    mails queued before."""
    if payload.get("body_sealed"):
        from core.crypto import decrypt

        return decrypt(payload["body_sealed"])
    return payload.get("body", "")


def mail_html(payload: dict) -> str | None:
    """The HTML part of a queued mail, if any (encrypted like the body)."""
    if payload.get("html_sealed"):
        from core.crypto import decrypt

        return decrypt(payload["html_sealed"])
    return payload.get("html")


def build_message(payload: dict, message_key: str, session: Session | None = None,
                  organisation_id: int | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _setting("KOEPEL_MAIL_FROM", "Koepel <no-reply@koepel.invalid>")
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    msg["Date"] = formatdate(localtime=False)
    safe = re.sub(r"[^A-Za-z0-9.-]", "-", message_key)
    msg["Message-ID"] = f"<{safe}@koepel>"
    msg.set_content(mail_body(payload))
    html = mail_html(payload)
    if html:
        msg.add_alternative(html, subtype="html")
    for part in payload.get("attachments", ()):
        filename, content_type, data = _attachment(session, part, organisation_id)
        maintype, _slash, subtype = content_type.split(";")[0].strip().partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    msg["Content-Language"] = payload.get("language", "nl")  # after the parts: set_content clears Content-*
    return msg


def _attachment(session: Session | None, part: dict, organisation_id: int | None) -> tuple[str, str, bytes]:
    if "document_id" in part:
        from core.documents import content_of

        document = session.get(Document, part["document_id"]) if session is not None else None
        if document is None or document.organisation_id != organisation_id:
            raise MailError(f"attachment document {part['document_id']} is gone or not of this organisation")
        return document.filename, document.content_type, content_of(session, document)
    return part["filename"], part["content_type"], base64.b64decode(part["data"])


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
    deliver(build_message(job.payload, key, session, job.organisation_id), key)
