"""Messages to parents (confirmation, offer, reminder, outcome) in the parent's language, queued
in the outbox inside the transaction: they go out after the commit, never before, never lost."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from core.mail import queue_mail
from core.models import Location, Organisation

from ..models import CareRequest, Offer
from .texts import mail_texts, t, valid_language


def external_url(endpoint: str, **values) -> str:
    """A link for an e-mail, always on the configured public address (``KOEPEL_BASE_URL``),
    never on the request's Host header, which a client chooses (a forged Host would otherwise
    put the attacker's address, with a parent's token, in the parent's mail)."""
    # no test_request_context here: its teardown would close the unit of work's session
    base = urlsplit(current_app.config.get("KOEPEL_BASE_URL", "http://localhost:5000"))
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme, script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def _status_url(org: Organisation, req: CareRequest) -> str:
    return external_url("wachtlijst.public_status", org=org.slug, token=req.token or "")


def fmt_date(day) -> str:
    return day.strftime("%d/%m/%Y")


def _queue(ctx, req: CareRequest, kind: str, key: str, **fields) -> None:
    session = ctx.session
    org = ctx.org
    lang = valid_language(req.language)
    subject, body = mail_texts(kind, lang)
    values = {"applicant": req.applicant_name, "child": req.child_name or req.child_last_name,
              "org": org.name, "status_url": _status_url(org, req), **fields}
    queue_mail(session, to=req.email, subject=subject.format(**values), body=body.format(**values),
               key=f"wachtlijst:{key}", organisation_id=org.id, language=lang)


def send_confirmation(ctx, req: CareRequest, token: str) -> None:
    org = ctx.org
    _queue(ctx, req, "confirmation", f"confirm:{req.id}",
           confirm_url=external_url("wachtlijst.public_confirm", org=org.slug, token=token))


def send_offer(ctx, req: CareRequest, offer: Offer, location: Location) -> None:
    _queue(ctx, req, "offer", f"offer:{offer.id}", location=location.name,
           start=fmt_date(offer.start_date), deadline=fmt_date(offer.deadline))


def send_reminder(ctx, req: CareRequest, offer: Offer, location: Location) -> None:
    _queue(ctx, req, "reminder", f"reminder:{offer.id}", location=location.name,
           deadline=fmt_date(offer.deadline))


def send_outcome(ctx, req: CareRequest, key: str) -> None:
    lang = valid_language(req.language)
    _queue(ctx, req, "outcome", f"outcome:{req.id}:{key}", outcome=t(f"st_{req.status.value}", lang))
