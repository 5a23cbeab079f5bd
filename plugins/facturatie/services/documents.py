"""The month's invoice PDFs, made by a background job (issue 13 §7).

* Each invoice is rendered in its debtor's language (``force_locale``) to an HTML fragment from
  plain data (no ORM object reaches the template), with the organisation's logo and the EPC QR
  code as ``data:`` images.
* Fragments go into batch documents of ``BATCH_SIZE`` invoices, laid out by WeasyPrint and cut
  per invoice with pikepdf (``pdf_worker.layout``), in ``PROCESSES`` spawned processes at once:
  one layout per batch, not one process per invoice.
* Resumable: only invoices whose ``pdf_state`` is ``pending`` are rendered; each group of
  batches is stored (document store, sha256 on the invoice) and committed before the next, so a
  worker that dies loses at most the group in hand and no invoice ever gets a second PDF.
* A failure for one invoice (its fragment, or its document alone after its batch failed) is
  recorded on it (``pdf_state`` failed, ``pdf_error``) and the others go on.
"""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from multiprocessing import get_context

from flask import render_template
from flask_babel import force_locale, format_currency, format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from core import documents as store
from core.branding import logo_data_uri
from core.context import TenantContext, context_for_job
from core.jobs import enqueue, report_progress
from core.models import Child, Role
from core.templating import format_number

from ..models import DeliveryState, Invoice, InvoiceKind
from .ogm import format_ogm
from .qr import epc_qr, svg_data_uri
from .settings import VAT_EXEMPTION_DEFAULT

log = logging.getLogger(__name__)

JOB_KIND = "facturatie.render_pdfs"
DOCUMENT_KIND = "facturatie.invoice"
BATCH_SIZE = 100
PROCESSES = 2
ROLES = (Role.FINANCE, Role.DIRECTOR)


@dataclass
class RenderReport:
    rendered: int = 0
    failed: int = 0
    skipped: int = 0  # already done before this run
    errors: dict[int, str] = field(default_factory=dict)


# --- queueing -----------------------------------------------------------------------------------


def job_key(ctx: TenantContext, year: int, month: int) -> str:
    return f"facturatie.pdf:{ctx.org.id}:{year}-{month:02d}"


def queue_render(ctx: TenantContext, year: int, month: int, *, retry_failed: bool = False):
    """Queue the month's PDF run (one pending run per month; never two at once). With
    ``retry_failed`` the invoices whose PDF failed are tried again."""
    if retry_failed:
        ctx.session.execute(update(Invoice).where(
            Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month,
            Invoice.pdf_state == DeliveryState.FAILED).values(pdf_state=DeliveryState.PENDING, pdf_error=""))
    key = job_key(ctx, year, month)
    return enqueue(ctx.session, JOB_KIND, {"year": year, "month": month}, key=key, lock_key=key,
                   organisation_id=ctx.org.id)


def render_job(session, job) -> None:
    ctx = context_for_job(session, job)
    render_month(ctx, int(job.payload["year"]), int(job.payload["month"]), job=job, checkpoint=session.commit)


# --- the plain data of one invoice ----------------------------------------------------------------


def organisation_data(ctx: TenantContext) -> dict:
    org = ctx.org
    return {"name": org.name, "street": org.street or "", "postcode": org.postcode or "",
            "municipality": org.municipality or "", "enterprise_number": org.enterprise_number or "",
            "iban": _spaced_iban(org.iban), "iban_raw": (org.iban or "").replace(" ", ""), "bic": org.bic or "",
            "logo": logo_data_uri(ctx.session, org),
            "vat_text": ctx.setting("facturatie.vat_exemption_text")
            if ctx.setting("facturatie.vat_exemption") != "never" else ""}


def _spaced_iban(iban: str | None) -> str:
    raw = (iban or "").replace(" ", "").upper()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def line_summary(summary: dict) -> str:
    """The explanation's summary in the current language: days per category, respite, absences."""
    if not summary:
        return ""
    labels = {"full": _("volle"), "half": _("halve"), "flex": _("flex"), "third": _("derde"), "hours": _("uren")}
    parts = []
    days = {k: v for k, v in (summary.get("days") or {}).items() if v}
    if days:
        parts.append(_("dagen: %(list)s", list=", ".join(f"{format_number(Decimal(str(v)))} {labels.get(k, k)}"
                                                          for k, v in days.items())))
    if summary.get("respijt_used") is not None or summary.get("respijt_left") is not None:
        parts.append(_("respijtdagen: %(used)s gebruikt, %(left)s over", used=summary.get("respijt_used", 0),
                       left=summary.get("respijt_left", "?")))
    absences = summary.get("absences") or {}
    if any(absences.values()):
        parts.append(_("afwezig: %(justified)s gewettigd, %(unjustified)s niet gewettigd",
                       justified=absences.get("justified", 0), unjustified=absences.get("unjustified", 0)))
    return " · ".join(parts)


def invoice_data(invoice: Invoice, org: dict, child_names: dict[int, str], credited_numbers: dict[int, str]) -> dict:
    """What the template shows, formatted in the current language (call under force_locale)."""
    money = lambda value: format_currency(value, "EUR")  # noqa: E731
    credit_note = invoice.kind == InvoiceKind.CREDIT_NOTE
    qr = None if credit_note else epc_qr(name=org["name"], iban=org["iban_raw"], amount=invoice.total,
                                         ogm=invoice.ogm, bic=org["bic"] or None)
    return {
        "display_number": invoice.display_number, "credit_note": credit_note,
        "credited_number": credited_numbers.get(invoice.credited_invoice_id, ""), "reason": invoice.reason,
        "debtor_name": invoice.debtor_name, "debtor_street": invoice.debtor_street,
        "debtor_postcode": invoice.debtor_postcode, "debtor_municipality": invoice.debtor_municipality,
        "issue_date": format_date(invoice.issue_date, "long"), "due_date": format_date(invoice.due_date, "long"),
        "period": format_date(date(invoice.period_year, invoice.period_month, 1), "MMMM yyyy"),
        "ogm": format_ogm(invoice.ogm), "total": money(invoice.total), "to_pay": invoice.total > 0,
        "vat_text": _(VAT_EXEMPTION_DEFAULT) if org["vat_text"] == VAT_EXEMPTION_DEFAULT else org["vat_text"],
        "qr": svg_data_uri(qr),
        "lines": [{"description": line.description, "child": child_names.get(line.child_id, ""),
                   "quantity": format_number(line.quantity), "unit_price": money(line.unit_price),
                   "amount": money(line.amount), "summary": line_summary(line.summary)} for line in invoice.lines],
    }


def render_fragment(invoice: Invoice, org: dict, child_names: dict[int, str], credited: dict[int, str]) -> Markup:
    """One invoice's HTML in its debtor's language."""
    with force_locale(invoice.language or "nl"):
        data = invoice_data(invoice, org, child_names, credited)
        return Markup(render_template("facturatie/pdf/invoice.html", inv=data, org=org))


def batch_html(ctx: TenantContext, fragments: Sequence[Markup]) -> str:
    return render_template("facturatie/pdf/batch.html", fragments=list(fragments), title=ctx.org.name,
                           footer=ctx.org.name)


# --- the run ------------------------------------------------------------------------------------


def pending_ids(ctx: TenantContext, year: int, month: int) -> list[int]:
    return list(ctx.session.scalars(select(Invoice.id).where(
        Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month,
        Invoice.pdf_state == DeliveryState.PENDING).order_by(Invoice.kind, Invoice.number)))


def _load(ctx: TenantContext, ids: Sequence[int]) -> tuple[list[Invoice], dict[int, str], dict[int, str]]:
    invoices = list(ctx.session.scalars(select(Invoice).options(selectinload(Invoice.lines)).where(
        Invoice.organisation_id == ctx.org.id, Invoice.id.in_(ids)).order_by(Invoice.kind, Invoice.number)))
    child_ids = {line.child_id for inv in invoices for line in inv.lines if line.child_id}
    names = dict(ctx.session.execute(select(Child.id, Child.first_name).where(
        Child.organisation_id == ctx.org.id, Child.id.in_(child_ids))).all()) if child_ids else {}
    credited_ids = {inv.credited_invoice_id for inv in invoices if inv.credited_invoice_id}
    credited = dict(ctx.session.execute(select(Invoice.id, Invoice.display_number).where(
        Invoice.organisation_id == ctx.org.id, Invoice.id.in_(credited_ids))).all()) if credited_ids else {}
    return invoices, names, credited


class _Inline:
    """A stand-in for the process pool when rendering in this process (one batch, tests)."""

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed to the caller like a pool's failure
            future.set_exception(exc)
        return future

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _pool(processes: int, batches: int):
    if processes <= 1 or batches <= 1:
        return _Inline()
    from .pdf_worker import own_session

    return ProcessPoolExecutor(max_workers=min(processes, batches), mp_context=get_context("spawn"),
                               initializer=own_session)


def render_month(ctx: TenantContext, year: int, month: int, *, job=None, batch_size: int = BATCH_SIZE,
                 processes: int = PROCESSES, checkpoint: Callable[[], None] | None = None) -> RenderReport:
    """Render every pending invoice PDF of the month. A pipeline: while the worker processes lay
    out batches, this process loads and renders the next batches' HTML (at most ``processes`` + 1
    batches in flight); each finished batch is stored and ``checkpoint`` (the job's commit) runs."""
    from . import pdf_worker

    report = RenderReport()
    ids = pending_ids(ctx, year, month)
    total = ctx.session.scalar(select(func.count()).select_from(Invoice).where(
        Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month))
    report.skipped = total - len(ids)
    if job is not None:
        report_progress(job, report.skipped, total, _("pdf's maken"))
    if not ids:
        return report
    org = organisation_data(ctx)
    years = int(ctx.setting("facturatie.invoice_retention_years"))
    size = max(batch_size, 1)
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
    in_flight: deque = deque()

    def finish(batch, future) -> None:
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - find the invoice that breaks it: each alone
            log.warning("PDF batch failed (%s); rendering its invoices one by one", exc)
            result = []
            for _invoice, html in batch:
                try:
                    result.append(pdf_worker.layout(batch_html(ctx, [html]), 1)[0])
                except Exception as one:  # noqa: BLE001
                    result.append(one)
        for (invoice, _html), pdf in zip(batch, result, strict=True):
            if isinstance(pdf, Exception):
                _failed(invoice, pdf, report)
            else:
                _store(ctx, invoice, pdf, years)
                report.rendered += 1
        ctx.session.flush()
        if checkpoint is not None:
            checkpoint()
        if job is not None:
            report_progress(job, report.skipped + report.rendered + report.failed, total, _("pdf's maken"))

    with _pool(processes, len(chunks)) as pool:
        for chunk in chunks:
            invoices, names, credited = _load(ctx, chunk)
            batch: list[tuple[Invoice, Markup]] = []
            for invoice in invoices:
                try:
                    batch.append((invoice, render_fragment(invoice, org, names, credited)))
                except Exception as exc:  # noqa: BLE001 - one family's failure must not stop the others
                    _failed(invoice, exc, report)
            if batch:
                html = batch_html(ctx, [h for _i, h in batch])
                in_flight.append((batch, pool.submit(pdf_worker.layout, html, len(batch))))
            while len(in_flight) > max(processes, 1):
                finish(*in_flight.popleft())
        while in_flight:
            finish(*in_flight.popleft())
    return report


def _failed(invoice: Invoice, exc: Exception, report: RenderReport) -> None:
    message = f"{type(exc).__name__}: {exc}"[:500]
    invoice.pdf_state = DeliveryState.FAILED
    invoice.pdf_error = message
    report.failed += 1
    report.errors[invoice.id] = message


def _store(ctx: TenantContext, invoice: Invoice, pdf: bytes, years: int) -> None:
    keep = _years_after(invoice.issue_date, years)
    document = store.store(ctx.session, ctx.org, pdf, filename=f"{invoice.display_number}.pdf",
                           content_type="application/pdf", kind=DOCUMENT_KIND, module="facturatie",
                           roles=ROLES, delete_after=keep, reuse=False)
    invoice.pdf_document_id = document.id
    invoice.pdf_sha256 = document.sha256
    invoice.pdf_state = DeliveryState.DONE
    invoice.pdf_error = ""


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + timedelta(days=0)


def render_one(ctx: TenantContext, invoice: Invoice) -> bytes:
    """One invoice alone (tests, a preview): the same fragment, its own document."""
    from .pdf_worker import layout

    invoices, names, credited = _load(ctx, [invoice.id])
    return layout(batch_html(ctx, [render_fragment(invoices[0], organisation_data(ctx), names, credited)]), 1)[0]
