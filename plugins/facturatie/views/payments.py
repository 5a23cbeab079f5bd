"""Payments screens: a family's payment page (mandates, payment method, statement of account,
cash payments, the tax flag of its children), direct-debit batches, bank statements (CODA upload,
unmatched movements with suggestions and manual matching), overdue invoices and reminders, and the
year's tax certificates (281.86, Belcotax-on-web). Finance staff edit; the director reads."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from core.context import current_context
from core.db import session
from core.errors import flash_error, form_error
from core.models import Child, ChildFamily, ContactPerson, Family
from core.pdf import pdf_response, render_pdf
from core.security import can, requires
from core.views.helpers import get_or_404
from core.views.listing import paginate

from ..models import (
    BankMovement,
    BillingProfile,
    ChildFiscalInfo,
    CodaImport,
    DirectDebitBatch,
    DirectDebitItem,
    FiscalCertificate,
    Invoice,
    MandateState,
    MovementState,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentState,
    SepaMandate,
    SepaMandateAmendment,
)
from ..services import allocation, belcotax, coda, fiscal, reminders, sepa, statements
from ..services.errors import BillingError
from .blueprint import BILLING_VIEW, PAYMENTS_EDIT, bp
from .payment_forms import (
    AmendForm,
    CashForm,
    CollectionForm,
    HandicapForm,
    MandateForm,
    MatchForm,
    MethodForm,
    UploadForm,
)

MAX_UPLOAD = 5 * 1024 * 1024


def _can_edit():
    from flask_login import current_user

    return can(current_user, PAYMENTS_EDIT)


# --- overview and families -------------------------------------------------------------------------


@bp.route("/payments/")
@requires(BILLING_VIEW)
def payments_index():
    ctx = current_context()
    org_id = g.org.id
    counts = dict(session().execute(select(Invoice.payment_state, func.count()).where(
        Invoice.organisation_id == org_id).group_by(Invoice.payment_state)).all())
    unmatched = session().scalar(select(func.count()).select_from(BankMovement).where(
        BankMovement.organisation_id == org_id, BankMovement.state == MovementState.UNMATCHED))
    stmt = select(Family).where(Family.organisation_id == org_id).order_by(Family.name)
    page = paginate(session(), stmt, search_columns=[Family.name])
    balances = allocation.family_balances(session(), org_id, [f.id for f in page.items])
    owed = dict(session().execute(select(Invoice.family_id, func.sum(Invoice.total - Invoice.paid_amount)).where(
        Invoice.organisation_id == org_id, Invoice.family_id.in_([f.id for f in page.items] or [-1]),
        Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL, PaymentState.COLLECTING)))
        .group_by(Invoice.family_id)).all())
    return render_template("facturatie/payments/index.html", counts=counts, unmatched=unmatched, page=page,
                           balances=balances, owed=owed, overdue=len(reminders.overdue(ctx)))


def _family(family_id: int) -> Family:
    return get_or_404(Family, family_id)


def _family_page(family: Family, *, mandate_form=None, cash_form=None, method_form=None, status=200):
    ctx = current_context()
    s = session()
    mandates = s.scalars(select(SepaMandate).where(SepaMandate.organisation_id == g.org.id,
                                                   SepaMandate.family_id == family.id)
                         .order_by(SepaMandate.signed_on.desc())).all()
    amendments = {}
    if mandates:
        for a in s.scalars(select(SepaMandateAmendment).where(SepaMandateAmendment.mandate_id.in_(
                [m.id for m in mandates])).order_by(SepaMandateAmendment.id)):
            amendments.setdefault(a.mandate_id, []).append(a)
    rows, balance = statements.statement(ctx, family.id)
    profile = s.scalar(select(BillingProfile).where(BillingProfile.organisation_id == g.org.id,
                                                    BillingProfile.family_id == family.id))
    contacts = s.scalars(select(ContactPerson).where(ContactPerson.family_id == family.id)
                         .order_by(ContactPerson.id)).all()
    children = s.scalars(select(Child).join(ChildFamily, ChildFamily.child_id == Child.id).where(
        ChildFamily.family_id == family.id).order_by(Child.first_name)).all()
    flags = set(s.scalars(select(ChildFiscalInfo.child_id).where(
        ChildFiscalInfo.child_id.in_([c.id for c in children] or [-1]), ChildFiscalInfo.severe_handicap.is_(True))))
    open_invoices = [i for i in s.scalars(select(Invoice).where(
        Invoice.organisation_id == g.org.id, Invoice.family_id == family.id,
        Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL))).order_by(Invoice.issue_date))]
    if mandate_form is None:
        mandate_form = MandateForm(formdata=None, reference=sepa.next_reference(ctx), signed_on=ctx.today())
    mandate_form.contact_id.choices = [(0, "—")] + [(c.id, f"{c.first_name} {c.last_name}") for c in contacts]
    if cash_form is None:
        cash_form = CashForm(formdata=None, received_on=ctx.today())
    cash_form.invoice_id.choices = [(i.id, f"{i.display_number} – € {i.total - i.paid_amount:.2f}")
                                    for i in open_invoices]
    if method_form is None:
        method_form = MethodForm(formdata=None,
                                 payment_method=(profile.payment_method.value if profile else "transfer"),
                                 reminders_stopped=bool(profile and profile.reminders_stopped))
    payments = s.scalars(select(Payment).where(Payment.organisation_id == g.org.id,
                                               Payment.family_id == family.id).order_by(Payment.received_on.desc())
                         ).all()
    html = render_template("facturatie/payments/family.html", family=family, mandates=mandates,
                           amendments=amendments, rows=rows, balance=balance, profile=profile, children=children,
                           flags=flags, mandate_form=mandate_form, cash_form=cash_form, method_form=method_form,
                           amend_form=AmendForm(formdata=None), handicap_form=HandicapForm(formdata=None),
                           payments=payments, can_edit=_can_edit(), MandateState=MandateState)
    return html, status


@bp.route("/payments/families/<int:family_id>")
@requires(BILLING_VIEW)
def payments_family(family_id: int):
    return _family_page(_family(family_id))


@bp.route("/payments/families/<int:family_id>/mandates", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_mandate_new(family_id: int):
    family = _family(family_id)
    form = MandateForm()
    contacts = {c.id for c in family.contacts}
    form.contact_id.choices = [(0, "")] + [(c, "") for c in contacts]
    if form.validate():
        try:
            sepa.record_mandate(current_context(), family.id, sepa.MandateInput(
                form.reference.data, form.debtor_name.data, form.iban.data, form.bic.data or "",
                form.signed_on.data, form.contact_id.data or None))
            flash(_("Mandaat %(ref)s bewaard.", ref=form.reference.data), "success")
            return redirect(url_for("facturatie.payments_family", family_id=family.id))
        except BillingError as err:
            form_error(form, err)
    return _family_page(family, mandate_form=form, status=422)


def _mandate(mandate_id: int) -> SepaMandate:
    return get_or_404(SepaMandate, mandate_id)


@bp.route("/payments/mandates/<int:mandate_id>/amend", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_mandate_amend(mandate_id: int):
    mandate = _mandate(mandate_id)
    form = AmendForm()
    if form.validate():
        try:
            sepa.amend_mandate(current_context(), mandate, sepa.MandateInput(
                form.reference.data or mandate.reference, form.debtor_name.data, form.iban.data, form.bic.data or ""),
                form.reason.data or "")
            flash(_("Mandaat %(ref)s gewijzigd.", ref=mandate.reference), "success")
            return redirect(url_for("facturatie.payments_family", family_id=mandate.family_id))
        except BillingError as err:
            flash_error(err)
    else:
        flash(_("Het formulier bevat fouten. Er werd niets bewaard."), "error")
    return _family_page(session().get(Family, mandate.family_id), status=422)


@bp.route("/payments/mandates/<int:mandate_id>/revoke", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_mandate_revoke(mandate_id: int):
    mandate = _mandate(mandate_id)
    sepa.revoke_mandate(current_context(), mandate)
    flash(_("Mandaat %(ref)s ingetrokken.", ref=mandate.reference), "success")
    return redirect(url_for("facturatie.payments_family", family_id=mandate.family_id))


@bp.route("/payments/mandates/<int:mandate_id>/form.pdf")
@requires(BILLING_VIEW)
def payments_mandate_pdf(mandate_id: int):
    """The SEPA mandate form to sign, filled in (EPC layout: creditor, debtor, reference, type)."""
    from flask_babel import force_locale

    from core.i18n import document_language

    from ..services.proposal import load_debtors

    mandate = _mandate(mandate_id)
    org = g.org
    contact = session().get(ContactPerson, mandate.contact_id) if mandate.contact_id else None
    own = getattr(contact.language, "value", None) if contact else None
    if own is None:
        debtor = load_debtors(current_context(), {mandate.family_id}).get(mandate.family_id)
        own = debtor.language if debtor else None
    with force_locale(document_language(request.args.get("lang"), own)):  # the signer's language
        data = _mandate_pdf(mandate, org)
    return pdf_response(data, f"mandaat-{mandate.reference}.pdf")


def _mandate_pdf(mandate, org) -> bytes:
    return render_pdf("facturatie/payments/mandate_pdf.html", {
        "org": {"name": org.name, "street": org.street, "postcode": org.postcode, "municipality": org.municipality,
                "creditor_id": org.sepa_creditor_id or ""},
        "mandate": {"reference": mandate.reference, "debtor_name": mandate.debtor_name, "iban": mandate.iban,
                    "bic": mandate.bic, "signed_on": mandate.signed_on.strftime("%d/%m/%Y")}})


@bp.route("/payments/families/<int:family_id>/method", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_method(family_id: int):
    family = _family(family_id)
    form = MethodForm()
    if not form.validate():
        return _family_page(family, method_form=form, status=422)
    s = session()
    profile = s.scalar(select(BillingProfile).where(BillingProfile.organisation_id == g.org.id,
                                                    BillingProfile.family_id == family.id))
    if profile is None:
        profile = BillingProfile(organisation_id=g.org.id, family_id=family.id)
        s.add(profile)
    active = s.scalar(select(SepaMandate.id).where(SepaMandate.family_id == family.id,
                                                   SepaMandate.state == MandateState.ACTIVE))
    # direct debit only with a signed mandate (never imposed); another method keeps the mandate unused
    if form.payment_method.data == PaymentMethod.DIRECT_DEBIT.value and not active:
        form.payment_method.errors = [_("Domiciliëring kan pas met een ondertekend mandaat.")]
        return _family_page(family, method_form=form, status=422)
    profile.payment_method = PaymentMethod(form.payment_method.data)
    profile.reminders_stopped = bool(form.reminders_stopped.data)
    flash(_("Betaalwijze bewaard."), "success")
    return redirect(url_for("facturatie.payments_family", family_id=family.id))


@bp.route("/payments/families/<int:family_id>/handicap", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_handicap(family_id: int):
    family = _family(family_id)
    form = HandicapForm()
    if not form.validate():
        abort(422)
    child = get_or_404(Child, form.child_id.data)
    if not session().scalar(select(ChildFamily.id).where(ChildFamily.child_id == child.id,
                                                        ChildFamily.family_id == family.id)):
        abort(404)
    info = session().scalar(select(ChildFiscalInfo).where(ChildFiscalInfo.child_id == child.id))
    if info is None:
        info = ChildFiscalInfo(organisation_id=g.org.id, child_id=child.id)
        session().add(info)
    info.severe_handicap = bool(form.severe_handicap.data)
    flash(_("Bewaard."), "success")
    return redirect(url_for("facturatie.payments_family", family_id=family.id))


@bp.route("/payments/families/<int:family_id>/cash", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_cash(family_id: int):
    family = _family(family_id)
    form = CashForm()
    form.invoice_id.choices = [(i, "") for i in session().scalars(select(Invoice.id).where(
        Invoice.organisation_id == g.org.id, Invoice.family_id == family.id))]
    if form.validate():
        try:
            payment = statements.record_payment(current_context(), form.invoice_id.data, form.amount.data,
                                                form.received_on.data, PaymentMethod.CASH)
            flash(_("Betaling van € %(amount)s bewaard.", amount=f"{payment.amount:.2f}"), "success")
            return redirect(url_for("facturatie.payments_family", family_id=family.id, receipt=payment.id))
        except BillingError as err:
            form_error(form, err)
    return _family_page(family, cash_form=form, status=422)


@bp.route("/payments/receipts/<int:payment_id>.pdf")
@requires(BILLING_VIEW)
def payments_receipt(payment_id: int):
    """The receipt of a cash payment (domain-rules §6.1: cash → a receipt)."""
    payment = get_or_404(Payment, payment_id)
    family = session().get(Family, payment.family_id) if payment.family_id else None
    invoices = session().execute(select(Invoice.display_number, func.sum(PaymentAllocation.amount))
                                 .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
                                 .where(Invoice.organisation_id == g.org.id, PaymentAllocation.payment_id == payment.id)
                                 .group_by(Invoice.display_number)).all()
    data = render_pdf("facturatie/payments/receipt_pdf.html", {
        "org": g.org.name, "number": payment.id, "family": family.name if family else "",
        "amount": f"{payment.amount:.2f}", "received_on": payment.received_on.strftime("%d/%m/%Y"),
        "method": payment.method.value, "invoices": [(n, f"{a:.2f}") for n, a in invoices],
        "balance": f"{payment.unallocated:.2f}"})
    return pdf_response(data, f"ontvangstbewijs-{payment.id}.pdf")


@bp.route("/payments/families/<int:family_id>/statement.pdf")
@requires(BILLING_VIEW)
def payments_statement_pdf(family_id: int):
    family = _family(family_id)
    rows, balance = statements.statement(current_context(), family.id)
    data = render_pdf("facturatie/payments/statement_pdf.html", {
        "org": g.org.name, "family": family.name, "today": current_context().today().strftime("%d/%m/%Y"),
        "rows": [{"day": r.day.strftime("%d/%m/%Y"), "what": r.what, "reference": r.reference,
                  "charged": f"{r.charged:.2f}" if r.charged else "", "received": f"{r.received:.2f}" if r.received
                  else "", "balance": f"{r.balance:.2f}"} for r in rows],
        "balance": f"{balance:.2f}"})
    return pdf_response(data, f"rekeninguittreksel-{family.id}.pdf")


# --- direct debits -----------------------------------------------------------------------------------


def _batches_page(form=None, status=200, warnings=()):
    ctx = current_context()
    batches = session().scalars(select(DirectDebitBatch).where(DirectDebitBatch.organisation_id == g.org.id)
                                .order_by(DirectDebitBatch.collection_date.desc(), DirectDebitBatch.id.desc())
                                .limit(50)).all()
    if form is None:
        form = CollectionForm(formdata=None, collection_date=sepa.earliest_collection_date(ctx))
    return render_template("facturatie/payments/batches.html", batches=batches, form=form, can_edit=_can_edit(),
                           earliest=sepa.earliest_collection_date(ctx),
                           version=ctx.setting("facturatie.sepa_pain_version"), warnings=warnings), status


@bp.route("/payments/direct-debits")
@requires(BILLING_VIEW)
def payments_batches():
    return _batches_page()


@bp.route("/payments/direct-debits", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_batch_new():
    form = CollectionForm()
    if form.validate():
        try:
            result = sepa.build_batch(current_context(), form.collection_date.data)
            return redirect(url_for("facturatie.payments_batch", batch_id=result.batch.id))
        except BillingError as err:
            form_error(form, err)
    return _batches_page(form, 422)


@bp.route("/payments/direct-debits/<int:batch_id>")
@requires(BILLING_VIEW)
def payments_batch(batch_id: int):
    batch = get_or_404(DirectDebitBatch, batch_id)
    rows = session().execute(select(DirectDebitItem, Invoice.display_number, Invoice.debtor_name,
                                    SepaMandate.reference)
                             .join(Invoice, Invoice.id == DirectDebitItem.invoice_id)
                             .join(SepaMandate, SepaMandate.id == DirectDebitItem.mandate_id)
                             .where(DirectDebitItem.batch_id == batch.id).order_by(DirectDebitItem.id)).all()
    return render_template("facturatie/payments/batch.html", batch=batch, rows=rows, can_edit=_can_edit())


@bp.route("/payments/direct-debits/<int:batch_id>/download", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_batch_download(batch_id: int):
    """The pain.008 file; the first download freezes the batch."""
    from core import documents

    batch = get_or_404(DirectDebitBatch, batch_id)
    doc = sepa.freeze_batch(current_context(), batch)
    return documents.response(session(), doc)


# --- bank statements -----------------------------------------------------------------------------------


def _bank_page(form=None, status=200, results=()):
    ctx = current_context()
    imports = session().scalars(select(CodaImport).where(CodaImport.organisation_id == g.org.id)
                                .order_by(CodaImport.id.desc()).limit(20)).all()
    stmt = (select(BankMovement).where(BankMovement.organisation_id == g.org.id,
                                       BankMovement.state == MovementState.UNMATCHED)
            .order_by(BankMovement.entry_date, BankMovement.id))
    page = paginate(session(), stmt, search_columns=[BankMovement.counterparty_name, BankMovement.communication])
    tips = coda.suggestions(ctx, list(page.items))
    from core.models import Document

    from ..services.payment_demo import SAMPLE_KIND

    sample = session().scalar(select(Document.id).where(Document.organisation_id == g.org.id,
                                                        Document.kind == SAMPLE_KIND).order_by(Document.id.desc()))
    return render_template("facturatie/payments/bank.html", form=form or UploadForm(formdata=None), imports=imports,
                           sample=sample,
                           page=page, tips=tips, results=results, can_edit=_can_edit(),
                           search_url=url_for("facturatie.invoice_search"),
                           match_form=MatchForm(formdata=None)), status


@bp.route("/payments/bank")
@requires(BILLING_VIEW)
def payments_bank():
    return _bank_page()


@bp.route("/payments/bank", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_bank_upload():
    """One or more CODA files; each file is all or nothing, and one bad file imports none."""
    form = UploadForm()
    files = [f for f in (form.files.data or []) if getattr(f, "filename", "")]
    if not form.validate() or not files:
        form.files.errors = list(form.files.errors) + [str(BillingError("facturatie.coda_empty").message)]
        return _bank_page(form, 422)
    ctx = current_context()
    results = []
    for upload in files:
        data = upload.read(MAX_UPLOAD + 1)
        try:
            if len(data) > MAX_UPLOAD:
                raise BillingError("facturatie.coda_truncated", "files", name=upload.filename, detail="> 5 MB")
            results.append(coda.import_file(ctx, upload.filename, data))
        except BillingError as err:
            form.files.errors = list(form.files.errors) + [err.message]
            return _bank_page(form, 422)
    for r in results:
        if r.already:
            flash(_("%(name)s was al ingelezen; er veranderde niets.", name=r.filename), "info")
        else:
            flash(ngettext("%(name)s: %(num)s beweging, %(m)s automatisch gekoppeld, %(r)s teruggestort, %(u)s te koppelen.",
                           "%(name)s: %(num)s bewegingen, %(m)s automatisch gekoppeld, %(r)s teruggestort, %(u)s te "
                           "koppelen.", r.movements, name=r.filename, m=r.matched, r=r.returned, u=r.unmatched),
                  "success")
    return redirect(url_for("facturatie.payments_bank"))


@bp.route("/payments/bank/movements/<int:movement_id>/match", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_match(movement_id: int):
    get_or_404(BankMovement, movement_id)
    form = MatchForm()
    if not form.validate():
        flash(_("Kies een factuur."), "error")
        return _bank_page(status=422)
    try:
        coda.manual_match(current_context(), movement_id, form.invoice_id.data)
    except BillingError as err:
        flash_error(err)
        return _bank_page(status=422)
    flash(_("Beweging gekoppeld."), "success")
    return redirect(url_for("facturatie.payments_bank"))


# --- overdue and reminders -------------------------------------------------------------------------------


@bp.route("/payments/overdue")
@requires(BILLING_VIEW)
def payments_overdue():
    ctx = current_context()
    try:
        schedule = reminders.schedule_days(ctx)
    except BillingError as err:
        flash_error(err)
        schedule = []
    return render_template("facturatie/payments/overdue.html", rows=reminders.overdue(ctx), schedule=schedule,
                           can_edit=_can_edit(), letters=reminders.letters_document(ctx))


@bp.route("/payments/reminders/letters.pdf")
@requires(PAYMENTS_EDIT)
def payments_reminder_letters():
    """The latest reminder letters to print (families without an e-mail address), in one PDF."""
    from core import documents

    doc = reminders.letters_document(current_context())
    if doc is None:
        abort(404)
    return documents.response(session(), doc)


@bp.route("/payments/reminders", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_send_reminders():
    """Send the reminders due today now; from then on the daily job goes on by itself."""
    ctx = current_context()
    try:
        made = reminders.send_due(ctx)
    except BillingError as err:
        flash_error(err)
        return redirect(url_for("facturatie.payments_overdue"))
    reminders.schedule(session(), g.org.id, ctx.today() + timedelta(days=1))
    flash(ngettext("%(num)s herinnering klaargezet om te versturen.", "%(num)s herinneringen klaargezet om te versturen.",
                   len(made)), "success")
    return redirect(url_for("facturatie.payments_overdue"))


# --- tax certificates --------------------------------------------------------------------------------------


def _year() -> int:
    ctx = current_context()
    year = request.values.get("year", type=int) or ctx.today().year - 1
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/payments/certificates")
@requires(BILLING_VIEW)
def payments_certificates():
    ctx = current_context()
    year = _year()
    issued, problems, error = [], [], None
    try:
        drafts, problems = fiscal.compute(ctx, year)
    except BillingError as err:
        drafts, error = [], err.message
    issued = session().scalars(select(FiscalCertificate).where(FiscalCertificate.organisation_id == g.org.id,
                                                               FiscalCertificate.year == year)
                               .order_by(FiscalCertificate.number)).all()
    children = {c.id: f"{c.first_name} {c.last_name}" for c in session().scalars(select(Child).where(
        Child.organisation_id == g.org.id, Child.id.in_({c.child_id for c in issued} or {-1})))}
    debtors = {c.id: f"{c.first_name} {c.last_name}" for c in session().scalars(select(ContactPerson).where(
        ContactPerson.organisation_id == g.org.id, ContactPerson.id.in_({c.debtor_contact_id for c in issued} or {-1})))}
    return render_template("facturatie/payments/certificates.html", year=year, drafts=drafts, problems=problems,
                           issued=issued, children=children, debtors=debtors, error=error, can_edit=_can_edit(),
                           pending=len(drafts) - len(issued))


@bp.route("/payments/certificates", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_certificates_issue():
    year = _year()
    try:
        certs, problems = fiscal.issue(current_context(), year)
    except BillingError as err:
        flash_error(err)
        return redirect(url_for("facturatie.payments_certificates", year=year)), 303
    flash(ngettext("%(num)s attest klaar", "%(num)s attesten klaar", len(certs)) + "; "
          + _("niet te maken: %(p)s.", p=len(problems)), "success")
    return redirect(url_for("facturatie.payments_certificates", year=year))


def _certificate_docs(certs: list[FiscalCertificate]) -> list[dict]:
    """Plain data per certificate for the PDF (national numbers read here, each read audited)."""
    from sqlalchemy.orm import selectinload

    s = session()
    contacts = {c.id: c for c in s.scalars(select(ContactPerson).where(
        ContactPerson.id.in_({c.debtor_contact_id for c in certs} or {-1})).options(
        selectinload(ContactPerson.family)))}
    children = {c.id: c for c in s.scalars(select(Child).where(Child.id.in_({c.child_id for c in certs} or {-1})))}
    ctx = current_context()
    org = g.org
    belcotax.audit_reads(s, org.id, [(type(p).__tablename__, p.id) for p in (*contacts.values(), *children.values())],
                         "rijksregisternummer (fiscaal attest)")
    docs = []
    for cert in certs:
        debtor, child = contacts[cert.debtor_contact_id], children[cert.child_id]
        lang = "fr" if getattr(debtor.language, "value", debtor.language) == "fr" else "nl"
        docs.append({
            "lang": lang, "number": cert.number, "year": cert.year, "duplicate": cert.prints > 0,
            "org": {"name": org.name, "street": org.street, "postcode": org.postcode,
                    "municipality": org.municipality, "kbo": org.enterprise_number or ""},
            "statement": str(ctx.setting("facturatie.fiscal_statement") or ""),
            "certifier": str(ctx.setting("facturatie.fiscal_certifier_name") or ""),
            "debtor": {"name": f"{debtor.last_name} {debtor.first_name}", "nn": debtor.national_number or "",
                       "address": f"{debtor.street or debtor.family.street}, {debtor.postcode or debtor.family.postcode}"
                                  f" {debtor.municipality or debtor.family.municipality}"},
            "child": {"name": f"{child.last_name} {child.first_name}", "nn": child.national_number or "",
                      "born": child.date_of_birth.strftime("%d/%m/%Y") if child.date_of_birth else ""},
            "lines": [{"start": ln.start.strftime("%d/%m/%Y"), "end": ln.end.strftime("%d/%m/%Y"), "days": ln.days,
                       "tariff": f"{ln.tariff:.2f}", "amount": f"{ln.amount:.2f}"}
                      for ln in fiscal.certificate_lines(cert)],
            "total": f"{cert.amount:.2f}", "today": ctx.today().strftime("%d/%m/%Y"),
        })
        cert.prints += 1
    return docs


@bp.route("/payments/certificates/<int:certificate_id>/pdf", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_certificate_pdf(certificate_id: int):
    """One certificate: the first print is the original, every later one says "duplicaat"."""
    from core.pdf import render_batch

    cert = get_or_404(FiscalCertificate, certificate_id)
    batch = render_batch("facturatie/payments/certificate_pdf.html", _certificate_docs([cert]), split=False)
    return pdf_response(batch.combined, f"attest-281-86-{cert.year}-{cert.number}.pdf")


@bp.route("/payments/certificates/all.pdf", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_certificates_pdf():
    from core.pdf import render_batch

    year = _year()
    certs = session().scalars(select(FiscalCertificate).where(FiscalCertificate.organisation_id == g.org.id,
                                                              FiscalCertificate.year == year)
                              .order_by(FiscalCertificate.number)).all()
    if not certs:
        flash(_("Nog geen attesten voor %(year)s.", year=year), "error")
        return redirect(url_for("facturatie.payments_certificates", year=year))
    batch = render_batch("facturatie/payments/certificate_pdf.html", _certificate_docs(certs), split=False)
    return pdf_response(batch.combined, f"attesten-281-86-{year}.pdf")


@bp.route("/payments/certificates/belcotax.xml", methods=["POST"])
@requires(PAYMENTS_EDIT)
def payments_belcotax():
    from flask import Response

    year = _year()
    ctx = current_context()
    certs = session().scalars(select(FiscalCertificate).where(FiscalCertificate.organisation_id == g.org.id,
                                                              FiscalCertificate.year == year)).all()
    try:
        fiscal.check_year(ctx, year)
        data = belcotax.build_xml(ctx, year, list(certs))
    except BillingError as err:
        flash_error(err)
        return redirect(url_for("facturatie.payments_certificates", year=year))
    return Response(data, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="belcotax-281-86-{year}.xml"',
        "Cache-Control": "private, no-store"})
