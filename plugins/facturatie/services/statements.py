"""A family's statement of account (invoices and credit notes against money received, with the
running balance) and payments recorded by hand: cash with a receipt, or a transfer seen outside a
bank statement."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..models import Invoice, Payment, PaymentMethod
from . import allocation
from .coda import lock_organisation
from .errors import BillingError


@dataclass(frozen=True)
class StatementRow:
    day: date
    what: str  # invoice | credit_note | payment
    reference: str
    charged: Decimal
    received: Decimal
    balance: Decimal
    invoice_id: int | None = None
    payment_id: int | None = None


def statement(ctx, family_id: int) -> tuple[list[StatementRow], Decimal]:
    """Every invoice and payment of the family by date; the balance is what the family owes
    (negative: money of theirs the organisation holds). Two statements."""
    session, org_id = ctx.session, ctx.org.id
    events: list[tuple] = []
    for inv in session.scalars(select(Invoice).where(Invoice.organisation_id == org_id,
                                                     Invoice.family_id == family_id)):
        events.append((inv.issue_date, 0, inv.id, inv.kind.value, inv.display_number, inv.total, Decimal("0"),
                       inv.id, None))
    for pay in session.scalars(select(Payment).where(Payment.organisation_id == org_id,
                                                     Payment.family_id == family_id)):
        events.append((pay.received_on, 1, pay.id, "payment", pay.reference or pay.method.value, Decimal("0"),
                       pay.amount, None, pay.id))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    balance = Decimal("0")
    rows = []
    for day, _, _, what, ref, charged, received, invoice_id, payment_id in events:
        balance += charged - received
        rows.append(StatementRow(day, what, ref, charged, received, balance, invoice_id, payment_id))
    return rows, balance


def record_payment(ctx, invoice_id: int, amount: Decimal, received_on: date,
                   method: PaymentMethod = PaymentMethod.CASH, reference: str = "") -> Payment:
    """Money received by hand for an invoice of this organisation, allocated like a bank payment."""
    if amount is None or amount <= 0:
        raise BillingError("facturatie.amount_invalid", "amount")
    lock_organisation(ctx)
    session = ctx.session
    invoice = session.scalar(select(Invoice).where(Invoice.organisation_id == ctx.org.id, Invoice.id == invoice_id))
    if invoice is None:
        raise BillingError("facturatie.invoice_unknown", "invoice_id")
    payment = Payment(organisation_id=ctx.org.id, family_id=invoice.family_id, received_on=received_on,
                      amount=amount, method=method, source="cash" if method == PaymentMethod.CASH else "manual",
                      reference=(reference or invoice.display_number)[:140], unallocated=Decimal("0"),
                      recorded_by_id=ctx.user.id if ctx.user else None)
    session.add(payment)
    payment.unallocated = amount - allocation.allocate(payment, invoice, amount)
    session.flush()
    return payment
