"""Finalised invoices: finalising a month, the month's list (filter, search, paged in SQL), an
invoice with its lines and the days of each line, credit notes, PDFs and sending with their
progress, the bookkeeper's export. Finance staff act; the director reads."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.context import current_context
from core.documents import url_for_document
from core.errors import DomainError, error_response, flash_error
from core.models import Child
from core.models.document import Document
from core.models.job import Job, JobStatus
from core.security import can, requires
from core.views.listing import paginate

from ..models import DeliveryState, Invoice, InvoiceKind, InvoiceLine, PaymentState
from ..services import credit as credits
from ..services import documents as pdfs
from ..services import export as exports
from ..services import finalise as finalising
from ..services import sending
from .blueprint import BILLING_EDIT, BILLING_VIEW, bp

STATES = ("pdf_failed", "send_failed", "print", "open", "credited", "credit_notes")


def _month_args() -> tuple[int, int]:
    """The month of the query string, default: last month."""
    today = current_context().today()
    default = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    try:
        year = int(request.args.get("year", default.year))
        month = int(request.args.get("month", default.month))
    except ValueError:
        return default.year, default.month
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        return default.year, default.month
    return year, month


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _back(year: int, month: int):
    return redirect(url_for("facturatie.invoices", year=year, month=month), 303)


@bp.route("/<int:year>/<int:month>/finalise", methods=["POST"])
@requires(BILLING_EDIT)
def finalise(year: int, month: int):
    """Finalise the month (the proposal page posts here); then make the PDFs in the background."""
    ctx = current_context()
    try:
        done = finalising.finalise_month(ctx, year, month, current_user)
    except DomainError as err:
        ctx.session.rollback()
        if _wants_json():
            return error_response(err, 409)
        flash_error(err)
        target = "facturatie.proposal" if "facturatie.proposal" in _endpoints() else "facturatie.invoices"
        args = {"year": year, "month": month}
        return redirect(url_for(target, **args), 303)
    if done.invoice_ids:
        pdfs.queue_render(ctx, year, month)
    if _wants_json():
        return {"invoices": len(done.invoice_ids), "first": done.first_number, "last": done.last_number}
    flash(ngettext("%(num)s factuur opgemaakt; de pdf wordt gemaakt.", "%(num)s facturen opgemaakt; de pdf's worden gemaakt.",
                   len(done.invoice_ids)), "success")
    return _back(year, month)


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


def _month_jobs(ctx, year: int, month: int) -> dict[str, Job | None]:
    keys = {"pdf": pdfs.job_key(ctx, year, month), "send": f"facturatie.send:{ctx.org.id}:{year}-{month:02d}"}
    jobs = {}
    for name, key in keys.items():
        jobs[name] = ctx.session.scalar(select(Job).where(Job.organisation_id == ctx.org.id, Job.key == key)
                                        .order_by(Job.id.desc()).limit(1))
    return jobs


@bp.route("/invoices")
@requires(BILLING_VIEW)
def invoices():
    ctx = current_context()
    year, month = _month_args()
    state = request.args.get("state", "")
    if can(current_user, BILLING_EDIT):
        sending.refresh_send_states(ctx, year, month)
    stmt = select(Invoice).where(Invoice.organisation_id == ctx.org.id, Invoice.period_year == year,
                                 Invoice.period_month == month)
    filters = {
        "pdf_failed": Invoice.pdf_state == DeliveryState.FAILED,
        "send_failed": Invoice.send_state == DeliveryState.FAILED,
        "print": Invoice.send_state == DeliveryState.PRINT,
        "open": Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL)),
        "credited": Invoice.payment_state == PaymentState.CREDITED,
        "credit_notes": Invoice.kind == InvoiceKind.CREDIT_NOTE,
    }
    if state in filters:
        stmt = stmt.where(filters[state])
    stmt = stmt.order_by(Invoice.kind.desc(), Invoice.year, Invoice.number)  # invoices, then credit notes
    page = paginate(ctx.session, stmt, search_columns=(Invoice.display_number, Invoice.debtor_name))
    counts = dict(ctx.session.execute(select(Invoice.pdf_state, func.count()).where(
        Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month)
        .group_by(Invoice.pdf_state)).all())
    sends = dict(ctx.session.execute(select(Invoice.send_state, func.count()).where(
        Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month)
        .group_by(Invoice.send_state)).all())
    total = sum(counts.values())
    jobs = _month_jobs(ctx, year, month)
    running = {name: job for name, job in jobs.items()
               if job is not None and job.status in (JobStatus.PENDING, JobStatus.RUNNING)}
    return render_template(
        "facturatie/invoices.html", page=page, year=year, month=month, state=state, states=_state_labels(),
        month_label=format_date(date(year, month, 1), "MMMM yyyy"), total=total, pdf_counts=counts,
        send_counts=sends, jobs=jobs, running=running, may_edit=can(current_user, BILLING_EDIT),
        print_document=sending.print_document(ctx, year, month), DeliveryState=DeliveryState,
        InvoiceKind=InvoiceKind, payment_label=_payment_labels(), delivery_label=_delivery_labels())


def _state_labels() -> dict[str, str]:
    return {"pdf_failed": _("pdf mislukt"), "send_failed": _("versturen mislukt"), "print": _("af te drukken"),
            "open": _("niet betaald"), "credited": _("gecrediteerd"), "credit_notes": _("creditnota's")}


def _payment_labels() -> dict[str, str]:
    return {PaymentState.OPEN: _("open"), PaymentState.PARTIAL: _("deels betaald"), PaymentState.PAID: _("betaald"),
            PaymentState.COLLECTING: _("wordt geïnd"), PaymentState.CREDITED: _("gecrediteerd"),
            PaymentState.SETTLED: _("vereffend")}


def _delivery_labels() -> dict[str, str]:
    return {DeliveryState.PENDING: _("nog niet"), DeliveryState.DONE: _("klaar"), DeliveryState.FAILED: _("mislukt"),
            DeliveryState.PRINT: _("afdrukken")}


def _own_invoice(ctx, invoice_id: int) -> Invoice:
    invoice = ctx.session.scalar(select(Invoice).options(selectinload(Invoice.lines).selectinload(InvoiceLine.days))
                                 .where(Invoice.id == invoice_id, Invoice.organisation_id == ctx.org.id))
    if invoice is None:
        abort(404)
    return invoice


@bp.route("/invoices/<int:invoice_id>")
@requires(BILLING_VIEW)
def invoice(invoice_id: int):
    ctx = current_context()
    inv = _own_invoice(ctx, invoice_id)
    child_ids = {line.child_id for line in inv.lines if line.child_id}
    children = dict(ctx.session.execute(select(Child.id, Child.first_name + " " + Child.last_name).where(
        Child.organisation_id == ctx.org.id, Child.id.in_(child_ids))).all()) if child_ids else {}
    credited = ctx.session.get(Invoice, inv.credited_invoice_id) if inv.credited_invoice_id else None
    document = ctx.session.get(Document, inv.pdf_document_id) if inv.pdf_document_id else None
    return render_template(
        "facturatie/invoice.html", inv=inv, children=children, credited=credited,
        notes=credits.credit_notes_of(ctx, inv.id) if inv.kind == InvoiceKind.INVOICE else [],
        pdf_url=url_for_document(document) if document is not None else None,
        may_edit=can(current_user, BILLING_EDIT), payment_label=_payment_labels(),
        delivery_label=_delivery_labels(), InvoiceKind=InvoiceKind, ogm=_ogm(inv.ogm),
        summary=pdfs.line_summary, peppol=_peppol_available(ctx, inv))


def _peppol_available(ctx, inv: Invoice) -> bool:
    """Show the Peppol download: the organisation has it on and the debtor is a company."""
    from ..services import peppol

    return bool(ctx.setting("facturatie.peppol_enabled")) and peppol.company_of(ctx, inv) is not None


def _ogm(digits: str) -> str:
    from ..services.ogm import format_ogm

    return format_ogm(digits)


@bp.route("/invoices/<int:invoice_id>/credit", methods=["GET", "POST"])
@requires(BILLING_EDIT)
def credit(invoice_id: int):
    ctx = current_context()
    inv = _own_invoice(ctx, invoice_id)
    if inv.kind != InvoiceKind.INVOICE:
        abort(404)
    left = credits.remaining_per_line(ctx, inv)
    errors: dict[str, str] = {}
    values = {"reason": "", "mode": "full"}
    if request.method == "POST":
        values = {"reason": request.form.get("reason", "")[:500], "mode": request.form.get("mode", "full")}
        try:
            amounts = None
            if values["mode"] == "part":
                amounts = {}
                for line in inv.lines:
                    text = request.form.get(f"amount_{line.position}", "")
                    values[f"amount_{line.position}"] = text[:20]
                    amounts[line.id] = credits.parse_amount(text, line.position)
            note = credits.create_credit_note(ctx, inv.id, values["reason"], amounts, current_user)
        except DomainError as err:
            ctx.session.rollback()
            errors[err.field or "form"] = err.message
        else:
            pdfs.queue_render(ctx, note.period_year, note.period_month)
            flash(_("Creditnota %(number)s opgemaakt.", number=note.display_number), "success")
            return redirect(url_for("facturatie.invoice", invoice_id=note.id), 303)
    status = 422 if errors else 200
    return render_template("facturatie/credit.html", inv=inv, left=left, errors=errors, values=values), status


@bp.route("/<int:year>/<int:month>/pdfs", methods=["POST"])
@requires(BILLING_EDIT)
def render_pdfs(year: int, month: int):
    """Make the month's missing PDFs (again for the failed ones)."""
    ctx = current_context()
    pdfs.queue_render(ctx, year, month, retry_failed=True)
    flash(_("De pdf's worden gemaakt."), "success")
    return _back(year, month)


@bp.route("/<int:year>/<int:month>/send", methods=["POST"])
@requires(BILLING_EDIT)
def send(year: int, month: int):
    """Mail every invoice (again for the failed ones); the rest to print."""
    ctx = current_context()
    try:
        sending.queue_send(ctx, year, month, retry_failed=request.form.get("retry") == "1")
    except DomainError as err:
        ctx.session.rollback()
        flash_error(err)
        return _back(year, month)
    flash(_("De facturen worden verstuurd."), "success")
    return _back(year, month)


@bp.route("/<int:year>/<int:month>/export.<any(xlsx, csv):fmt>")
@requires(BILLING_VIEW)
def export(year: int, month: int, fmt: str):
    from flask import Response

    built = exports.build(current_context(), year, month)
    name = f"facturen-{year}-{month:02d}.{fmt}"
    if fmt == "xlsx":
        body, mime = exports.to_xlsx(built), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mime = exports.to_csv(built), "text/csv; charset=utf-8"
    return Response(body, mimetype=mime.split(";")[0], content_type=mime,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/invoices/<int:invoice_id>/peppol.xml")
@requires(BILLING_VIEW)
def peppol_xml(invoice_id: int):
    """The invoice as a Peppol BIS Billing 3.0 (UBL 2.1) file for a company debtor; 404 when the
    organisation has Peppol off, 409 when the debtor is not a company or the organisation's data
    are incomplete."""
    from flask import Response

    from ..services import peppol

    ctx = current_context()
    inv = _own_invoice(ctx, invoice_id)
    try:
        body = peppol.build(ctx, inv)
    except peppol.PeppolError as err:
        status = 404 if err.code == "facturatie.peppol_disabled" else 409
        if _wants_json():
            return error_response(err, status)
        return render_template("facturatie/peppol_refused.html", inv=inv, message=err.message), status
    return Response(body, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{peppol.filename(inv)}"',
                             "Cache-Control": "private, no-store"})
