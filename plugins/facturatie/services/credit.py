"""Credit notes: a mistake on a sent invoice is cancelled, never edited (issue 13 §5).

A credit note is an :class:`Invoice` of kind ``credit_note`` in its own number series, pointing
at the invoice it credits, with negative lines that each point at the line they credit. In full:
every line's amount not yet credited; in part: chosen lines and amounts, never more than is left.
The invoice itself only changes its payment state (``credited`` once nothing is left)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.context import TenantContext

from ..models import DeliveryState, Invoice, InvoiceKind, InvoiceLine, PaymentState
from .errors import BillingError
from .finalise import display_number, take_numbers
from .ogm import make_ogm

ZERO = Decimal("0")
CENT = Decimal("0.01")


def lock_invoice(ctx: TenantContext, invoice_id: int) -> Invoice:
    """The organisation's invoice, locked (two credit notes for one invoice: one after the other)."""
    invoice = ctx.session.scalars(select(Invoice).where(Invoice.id == invoice_id,
                                                        Invoice.organisation_id == ctx.org.id)
                                  .with_for_update().execution_options(populate_existing=True)).one_or_none()
    if invoice is None:
        raise BillingError("facturatie.invoice_unknown")
    return invoice


def credited_per_line(ctx: TenantContext, invoice_id: int) -> dict[int, Decimal]:
    """Per line of the invoice, how much credit notes already cancelled (a positive amount)."""
    rows = ctx.session.execute(
        select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.amount))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.organisation_id == ctx.org.id, Invoice.credited_invoice_id == invoice_id,
               InvoiceLine.credited_line_id.is_not(None))
        .group_by(InvoiceLine.credited_line_id))
    return {line_id: -Decimal(total or 0) for line_id, total in rows}


def remaining_per_line(ctx: TenantContext, invoice: Invoice) -> dict[int, Decimal]:
    done = credited_per_line(ctx, invoice.id)
    return {line.id: max(line.amount - done.get(line.id, ZERO), ZERO) for line in invoice.lines}


def parse_amount(text: str | None, position: int) -> Decimal | None:
    """A form's amount (``12,50`` or ``12.50``); empty → None; anything else a clear error."""
    text = (text or "").strip().replace("€", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BillingError("facturatie.credit_bad_amount", f"amount_{position}", position=position) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        raise BillingError("facturatie.credit_bad_amount", f"amount_{position}", position=position)
    return value


def create_credit_note(ctx: TenantContext, invoice_id: int, reason: str, amounts: Mapping[int, Decimal] | None = None,
                       user=None) -> Invoice:
    """Credit ``invoice_id`` in full (``amounts`` None) or the given amounts per line id."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingError("facturatie.credit_reason_required", "reason")
    invoice = lock_invoice(ctx, invoice_id)
    if invoice.kind != InvoiceKind.INVOICE:
        raise BillingError("facturatie.credit_not_invoice")
    ctx.session.refresh(invoice, ["lines"])
    left = remaining_per_line(ctx, invoice)
    lines_by_id = {line.id: line for line in invoice.lines}
    if amounts is None:
        chosen = {line_id: amount for line_id, amount in left.items() if amount > 0}
        if not chosen:
            raise BillingError("facturatie.already_credited")
    else:
        chosen = {}
        for line_id, amount in amounts.items():
            line = lines_by_id.get(line_id)
            if line is None:
                raise BillingError("facturatie.credit_line_unknown")
            if amount is None:
                continue
            if amount <= 0 or amount != amount.quantize(CENT):
                raise BillingError("facturatie.credit_bad_amount", f"amount_{line.position}", position=line.position)
            if amount > left[line_id]:
                raise BillingError("facturatie.credit_too_much", f"amount_{line.position}", position=line.position,
                                  left=f"{left[line_id]:.2f}".replace(".", ","))
            chosen[line_id] = amount
        if not chosen:
            raise BillingError("facturatie.credit_nothing")
    today = ctx.today()
    number = take_numbers(ctx, InvoiceKind.CREDIT_NOTE, today.year, 1)
    note = Invoice(
        organisation_id=ctx.org.id, kind=InvoiceKind.CREDIT_NOTE, year=today.year, number=number,
        display_number=display_number(InvoiceKind.CREDIT_NOTE, today.year, number),
        period_year=invoice.period_year, period_month=invoice.period_month, family_id=invoice.family_id,
        debtor_contact_id=invoice.debtor_contact_id, debtor_name=invoice.debtor_name,
        debtor_street=invoice.debtor_street, debtor_postcode=invoice.debtor_postcode,
        debtor_municipality=invoice.debtor_municipality, debtor_email=invoice.debtor_email,
        language=invoice.language, payment_method=invoice.payment_method, issue_date=today, due_date=today,
        total=-sum(chosen.values(), ZERO), ogm=make_ogm(ctx.org.id, InvoiceKind.CREDIT_NOTE, today.year, number),
        credited_invoice_id=invoice.id, reason=reason[:500], pdf_state=DeliveryState.PENDING,
        send_state=DeliveryState.PENDING, payment_state=PaymentState.SETTLED,
        finalised_by_id=getattr(user, "id", None))
    for position, line in enumerate((lines_by_id[i] for i in sorted(chosen, key=lambda i: lines_by_id[i].position)),
                                    start=1):
        amount = chosen[line.id]
        whole = amount == line.amount
        note.lines.append(InvoiceLine(
            organisation_id=ctx.org.id, position=position, kind=line.kind, child_id=line.child_id,
            description=line.description, rule=line.rule, quantity=-line.quantity if whole else Decimal("-1"),
            unit_price=line.unit_price if whole else amount, amount=-amount, vat_rate=line.vat_rate,
            credited_line_id=line.id, summary={}))
    ctx.session.add(note)
    if sum(left.values(), ZERO) - sum(chosen.values(), ZERO) <= 0:
        invoice.payment_state = PaymentState.CREDITED
    ctx.session.flush()
    return note


def credit_notes_of(ctx: TenantContext, invoice_id: int) -> list[Invoice]:
    return list(ctx.session.scalars(select(Invoice).options(selectinload(Invoice.lines)).where(
        Invoice.organisation_id == ctx.org.id, Invoice.credited_invoice_id == invoice_id).order_by(Invoice.number)))
