"""The store for generated files (PDF, XML, Excel): one place with hash, size, type, owner
organisation and retention, served through one view with the same tenancy checks as every page
(``/o/<org>/documents/<id>``; a user of another organisation gets 404).

The bytes are kept **in the database** (table ``document``, column ``content``, loaded only when
served): written in the same transaction as whatever made them (a rolled-back request leaves no
orphan file), backed up and restored with the rest, and identical on every web process and
worker without a shared folder. Generated files are small (a monthly XML or PDF: kilobytes to a
few megabytes); ``MAX_SIZE`` refuses anything larger.

Retention: each document has a ``delete_after`` date (default: today plus the organisation's
``core.document_retention_days``); ``purge_expired`` deletes what is past it, daily through the
``core.retention`` job and on demand with ``koepel documents purge``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, timedelta

import click
from flask import Response
from flask.cli import with_appcontext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, undefer

from core.clock import clock
from core.models import Organisation
from core.models.document import Document

MAX_SIZE = 20 * 1024 * 1024
SETTING = "core.document_retention_days"
CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(; ?charset=[a-z0-9_-]+)?$", re.I)


class DocumentError(ValueError):
    """A file that cannot be stored (empty, too large, bad name or type)."""


def safe_filename(name: str) -> str:
    """A name for Content-Disposition: no path, no quotes, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(" .")
    return name[:200]


def store(session: Session, org: Organisation, content: bytes, *, filename: str, content_type: str, kind: str,
          module: str | None = None, created_by_id: int | None = None, delete_after: date | None = None,
          roles: Iterable | None = None, reuse: bool = True) -> Document:
    """Keep ``content`` for ``org`` in the caller's transaction. ``roles`` (e.g. the roles of the
    action of the page that made it) narrows who may download it; ``module``: it is served only
    while that module is on for ``org``. With ``reuse``, the same bytes of the same kind and
    organisation stored before (and not yet expired) are returned instead of a second copy."""
    if not isinstance(content, bytes | bytearray) or not content:
        raise DocumentError("a document needs content (bytes)")
    if len(content) > MAX_SIZE:
        raise DocumentError(f"a document may be at most {MAX_SIZE} bytes")
    name = safe_filename(filename)
    if not name:
        raise DocumentError(f"unusable file name {filename!r}")
    if not CONTENT_TYPE.match(content_type or ""):
        raise DocumentError(f"unusable content type {content_type!r}")
    if not kind or len(kind) > 80:
        raise DocumentError("a document needs a kind of at most 80 characters")
    role_list = ",".join(sorted(getattr(r, "value", str(r)) for r in roles)) if roles is not None else None
    digest = hashlib.sha256(content).hexdigest()
    today = clock.today()
    keep_until = delete_after or today + timedelta(days=_retention_days(session, org))
    if reuse:
        same = session.scalar(select(Document).where(
            Document.organisation_id == org.id, Document.kind == kind, Document.sha256 == digest,
            Document.filename == name, Document.delete_after >= today,
            Document.roles.is_(None) if role_list is None else Document.roles == role_list).order_by(Document.id.desc()).limit(1))
        if same is not None:
            if same.delete_after < keep_until:
                same.delete_after = keep_until
            return same
    document = Document(organisation_id=org.id, kind=kind, module=module, filename=name, content_type=content_type,
                        size=len(content), sha256=digest, content=bytes(content), created_at=clock.now(),
                        created_by_id=created_by_id, delete_after=keep_until, roles=role_list)
    session.add(document)
    session.flush()
    return document


def _retention_days(session: Session, org: Organisation) -> int:
    from core.settings import get_setting

    try:
        days = int(get_setting(session, org, SETTING))
    except (KeyError, TypeError, ValueError):
        days = 365
    return max(days, 1)


def get(session: Session, org: Organisation, document_id: int) -> Document | None:
    """The document if it belongs to ``org`` and is not past its retention; else None."""
    document = session.scalar(select(Document).options(undefer(Document.content)).where(
        Document.id == document_id, Document.organisation_id == org.id))
    if document is None or (document.delete_after is not None and document.delete_after < clock.today()):
        return None
    return document


def may_download(document: Document, role, enabled_modules) -> bool:
    """The role is among the document's roles (if it has any) and its module is on."""
    if document.module is not None and document.module not in enabled_modules:
        return False
    if document.roles:
        return getattr(role, "value", str(role)) in document.roles.split(",")
    return True


def content_of(session: Session, document: Document) -> bytes:
    """The bytes, checked against the stored hash (a changed row is an error, not a download)."""
    data = document.content
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DocumentError(f"document {document.id}: content does not match its hash")
    return data


def response(session: Session, document: Document) -> Response:
    """The file as a download."""
    return Response(content_of(session, document), mimetype=document.content_type.split(";")[0],
                    content_type=document.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{document.filename}"',
                             "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def url_for_document(document: Document) -> str:
    from flask import url_for

    return url_for("documents.download", document_id=document.id)


def purge_expired(session: Session, today: date | None = None) -> int:
    """Delete every document past its ``delete_after`` date; returns how many."""
    today = today or clock.today()
    result = session.execute(delete(Document).where(Document.delete_after < today))
    return result.rowcount or 0


# --- CLI ------------------------------------------------------------------------------------------


@click.group("documents")
def documents_cli():
    """Generated files (reports, exports, attachments) kept in the database."""


@documents_cli.command("purge")
@with_appcontext
def documents_purge():
    """Delete the documents past their delete-after date (also done by the daily retention job)."""
    from core.db import get_db

    with get_db().unit_of_work() as session:
        count = purge_expired(session)
    click.echo(f"{count} documenten verwijderd")
