"""Sending the month's invoices (issue 13 §8): each invoice with an e-mail address goes through
core's outbox (``core.mail``, the stored PDF attached, in the debtor's language); the others are
marked ``print`` and gathered in one combined PDF to print. The outbox delivers after the commit
and retries; :func:`refresh_send_states` reads the mail jobs back, so each invoice shows
whether its message went out (``done``) or failed for good (``failed`` with the reason)."""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale, format_currency, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from core import documents as store
from core.context import TenantContext, context_for_job
from core.jobs import enqueue, report_progress
from core.mail import queue_templated_mail
from core.models.document import Document
from core.models.job import Job, JobStatus

from ..models import DeliveryState, Invoice, InvoiceKind
from .documents import ROLES, _spaced_iban
from .errors import BillingError
from .ogm import format_ogm
from .pdf_worker import combine

JOB_KIND = "facturatie.send_invoices"
PRINT_KIND = "facturatie.print"
MAIL_TEMPLATE = "facturatie/mail/invoice"


def mail_key(invoice_id: int) -> str:
    return f"facturatie.invoice:{invoice_id}"


def _period(ctx: TenantContext, year: int, month: int):
    return (Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month)


def queue_send(ctx: TenantContext, year: int, month: int, *, retry_failed: bool = False):
    """Queue the month's sending; refused while PDFs are missing (a failed one must be made first)."""
    invoices = ctx.session.execute(select(Invoice.id, Invoice.pdf_state).where(*_period(ctx, year, month))).all()
    if not invoices:
        raise BillingError("facturatie.no_invoices", year=year, month=month)
    missing = sum(1 for _id, state in invoices if state != DeliveryState.DONE)
    if missing:
        raise BillingError("facturatie.pdfs_not_ready", missing=missing)
    key = f"facturatie.send:{ctx.org.id}:{year}-{month:02d}"
    return enqueue(ctx.session, JOB_KIND, {"year": year, "month": month, "retry": retry_failed}, key=key,
                   lock_key=key, organisation_id=ctx.org.id)


def send_job(session, job) -> None:
    ctx = context_for_job(session, job)
    send_month(ctx, int(job.payload["year"]), int(job.payload["month"]), job=job,
               retry=bool(job.payload.get("retry")))


def send_month(ctx: TenantContext, year: int, month: int, *, job=None, retry: bool = False) -> dict:
    """Queue a mail per pending invoice with an address; the rest to print. Idempotent: an
    invoice's mail is queued once (keyed by the invoice), a retry only for failed ones."""
    states = [DeliveryState.PENDING, DeliveryState.PRINT] + ([DeliveryState.FAILED] if retry else [])
    invoices = list(ctx.session.scalars(select(Invoice).where(
        *_period(ctx, year, month), Invoice.pdf_state == DeliveryState.DONE,
        Invoice.send_state.in_(states)).order_by(Invoice.kind, Invoice.number)))
    documents = {d.id: d for d in ctx.session.scalars(select(Document).where(
        Document.organisation_id == ctx.org.id, Document.id.in_([i.pdf_document_id for i in invoices])))}
    mailed = printed = 0
    for n, invoice in enumerate(invoices, start=1):
        if not (invoice.debtor_email or "").strip():
            invoice.send_state = DeliveryState.PRINT
            printed += 1
            continue
        key = mail_key(invoice.id)
        if invoice.send_state == DeliveryState.FAILED:  # a new message; a pending one is queued once
            key += f":retry-{ctx.now():%Y%m%d%H%M%S}"
            invoice.send_state, invoice.send_error = DeliveryState.PENDING, ""
        queue_templated_mail(ctx.session, to=invoice.debtor_email, template=MAIL_TEMPLATE, language=invoice.language,
                             key=key, organisation_id=ctx.org.id, attachments=[documents[invoice.pdf_document_id]],
                             **mail_context(ctx, invoice))
        mailed += 1
        if job is not None and n % 50 == 0:
            report_progress(job, n, len(invoices), _("facturen versturen"))
    print_document = make_print_pdf(ctx, year, month)
    if job is not None:
        report_progress(job, len(invoices), len(invoices), _("facturen versturen"))
    return {"mailed": mailed, "printed": printed, "print_document_id": print_document.id if print_document else None}


def mail_context(ctx: TenantContext, invoice: Invoice) -> dict:
    """The mail's values, formatted in the debtor's language."""
    with force_locale(invoice.language or "nl"):
        return {"org_name": ctx.org.name, "number": invoice.display_number,
                "credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE, "to_pay": invoice.total > 0,
                "period": format_date(date(invoice.period_year, invoice.period_month, 1), "MMMM yyyy"),
                "amount": format_currency(invoice.total, "EUR"), "due": format_date(invoice.due_date, "long"),
                "iban": _spaced_iban(ctx.org.iban), "ogm": format_ogm(invoice.ogm)}


def make_print_pdf(ctx: TenantContext, year: int, month: int) -> Document | None:
    """One PDF with every invoice of the month to print (no e-mail address), in number order."""
    ids = list(ctx.session.scalars(select(Invoice.pdf_document_id).where(
        *_period(ctx, year, month), Invoice.send_state == DeliveryState.PRINT,
        Invoice.pdf_document_id.is_not(None)).order_by(Invoice.kind, Invoice.number)))
    if not ids:
        return None
    docs = {d.id: d for d in ctx.session.scalars(select(Document).options(undefer(Document.content)).where(
        Document.organisation_id == ctx.org.id, Document.id.in_(ids)))}
    combined = combine([store.content_of(ctx.session, docs[i]) for i in ids])
    return store.store(ctx.session, ctx.org, combined, filename=f"afdrukken-{year}-{month:02d}.pdf",
                       content_type="application/pdf", kind=PRINT_KIND, module="facturatie", roles=ROLES)


def print_document(ctx: TenantContext, year: int, month: int) -> Document | None:
    return ctx.session.scalar(select(Document).where(
        Document.organisation_id == ctx.org.id, Document.kind == PRINT_KIND,
        Document.filename == f"afdrukken-{year}-{month:02d}.pdf").order_by(Document.id.desc()).limit(1))


def refresh_send_states(ctx: TenantContext, year: int, month: int) -> int:
    """Read the outbox back: an invoice whose mail was delivered is ``done`` (with the time), one
    whose mail failed for good is ``failed`` (with the last error line). Returns how many changed."""
    pending = {i.id: i for i in ctx.session.scalars(select(Invoice).where(
        *_period(ctx, year, month), Invoice.send_state == DeliveryState.PENDING, Invoice.debtor_email != ""))}
    if not pending:
        return 0
    since = min(i.created_at for i in pending.values())
    changed = 0
    rows = ctx.session.execute(select(Job.id, Job.key, Job.status, Job.finished_at, Job.last_error).where(
        Job.organisation_id == ctx.org.id, Job.kind == "mail.send", Job.key.like("mail:facturatie.invoice:%"),
        Job.created_at >= since).order_by(Job.id)).all()
    best: dict[int, tuple] = {}  # per invoice: a delivered mail, else its latest attempt
    for _job_id, key, status, finished_at, last_error in rows:
        invoice_id = int(key.split(":")[2])
        if invoice_id in pending and best.get(invoice_id, (None,))[0] != JobStatus.DONE:
            best[invoice_id] = (status, finished_at, last_error)
    for invoice_id, (status, finished_at, last_error) in best.items():
        invoice = pending[invoice_id]
        if status == JobStatus.DONE:
            invoice.send_state, invoice.sent_at, invoice.send_error = DeliveryState.DONE, finished_at, ""
            changed += 1
        elif status == JobStatus.FAILED:
            invoice.send_state = DeliveryState.FAILED
            invoice.send_error = ((last_error or "").strip().splitlines() or [""])[-1][:500]
            changed += 1
    return changed

