"""Allocating money received to invoices, undoing it for a returned direct debit, and the split of
what an invoice received over its lines.

A payment is allocated to an invoice as one row (payment, invoice, amount), up to what is still
due on the invoice; what is left stays on the payment as ``unallocated``: the family's balance. A
returned debit is a negative row for the same invoice.

The split over the lines is not stored: it follows from the order of the rows. The invoice's
positive lines are filled in a fixed order, every line that is *not* care first (meals, extras,
fines, absence fees, deposits, by position), care lines last; the allocations fill them one after
the other in the order they were made (their ids), and a negative allocation empties them from
the top, care first (last in, first out). A partial payment therefore counts as care only for
what is left after the rest, so the tax certificate (281.86), which reads the part of each
allocation that fell on care lines (``received_per_line``), never certifies more care than was
received. One row per payment and invoice instead of one per line: a CODA file of 10,000
movements writes half the rows, and the import needs no invoice lines at all."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select, type_coerce

from ..models import MONEY, Invoice, InvoiceLine, LineKind, Payment, PaymentAllocation, PaymentState

ZERO = Decimal("0")


def state_after(invoice) -> PaymentState:
    return state_for(invoice.total, invoice.paid_amount)


def state_for(total: Decimal, paid: Decimal) -> PaymentState:
    if paid >= total:
        return PaymentState.PAID
    return PaymentState.PARTIAL if paid > 0 else PaymentState.OPEN


def allocatable(total: Decimal, paid: Decimal, amount: Decimal) -> Decimal:
    """The part of ``amount`` that goes to an invoice of ``total`` of which ``paid`` is allocated:
    never more than is still due."""
    return max(min(amount, total - paid), ZERO)


def allocate(payment: Payment, invoice: Invoice, amount: Decimal) -> Decimal:
    """Allocate up to ``amount`` of ``payment`` to what is still due on ``invoice`` (its
    ``paid_amount`` is the sum of its allocations; the caller holds the organisation lock);
    updates the invoice. Returns what was allocated."""
    used = allocatable(invoice.total, invoice.paid_amount or ZERO, amount)
    if used > 0:
        payment.allocations.append(PaymentAllocation(organisation_id=payment.organisation_id, invoice_id=invoice.id,
                                                     amount=used))
    invoice.paid_amount = (invoice.paid_amount or ZERO) + used
    invoice.payment_state = state_after(invoice)
    return used


def reverse(session, payment: Payment, invoice: Invoice, amount: Decimal) -> Decimal:
    """A returned debit of ``amount`` for ``invoice``: a negative allocation that undoes (at most)
    what the invoice received, the latest first (care first, by the split above); the invoice
    open again."""
    allocated = session.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                               .where(PaymentAllocation.invoice_id == invoice.id))
    undone = max(min(amount, Decimal(allocated)), ZERO)
    if undone > 0:
        payment.allocations.append(PaymentAllocation(organisation_id=payment.organisation_id, invoice_id=invoice.id,
                                                     amount=-undone))
    invoice.paid_amount -= undone
    invoice.payment_state = state_after(invoice)
    return undone


def _clamp(value, low, high):
    return case((value <= low, low), (value >= high, high), else_=value)


def received_per_line(org_id: int, *, kind: LineKind | None = None, received_from: date | None = None,
                      received_to: date | None = None):
    """A subquery ``(line_id, received)``: per invoice line (of ``kind``), what the allocations of
    payments received in the period put on it, by the split described above. Lines that no such
    allocation touched are left out. Window sums: the filled level of each invoice after each
    allocation (in id order) and the span of each positive line in the fill order; the part of an
    allocation on a line is the line's span clamped at the level after it minus the same before it
    (negative for a returned debit)."""
    pa = PaymentAllocation
    touched = select(pa.invoice_id).join(Payment, Payment.id == pa.payment_id).where(pa.organisation_id == org_id)
    if received_from is not None:
        touched = touched.where(Payment.received_on >= received_from)
    if received_to is not None:
        touched = touched.where(Payment.received_on <= received_to)
    level = (select(pa.invoice_id, pa.amount, Payment.received_on,
                    func.sum(pa.amount).over(partition_by=pa.invoice_id, order_by=pa.id).label("after"))
             .join(Payment, Payment.id == pa.payment_id)
             .where(pa.organisation_id == org_id, pa.invoice_id.in_(touched)).subquery())
    positive = case((InvoiceLine.amount > 0, InvoiceLine.amount), else_=0)
    care_last = case((InvoiceLine.kind == LineKind.CARE, 1), else_=0)
    upto = func.sum(positive).over(partition_by=InvoiceLine.invoice_id, order_by=(care_last, InvoiceLine.position))
    spans = (select(InvoiceLine.id, InvoiceLine.invoice_id, InvoiceLine.kind, (upto - positive).label("start"),
                    upto.label("end"))
             .where(InvoiceLine.organisation_id == org_id, InvoiceLine.invoice_id.in_(touched)).subquery())
    part = (_clamp(level.c.after, spans.c.start, spans.c.end)
            - _clamp(level.c.after - level.c.amount, spans.c.start, spans.c.end))
    stmt = (select(spans.c.id.label("line_id"), type_coerce(func.sum(part), MONEY).label("received"))
            .join(level, level.c.invoice_id == spans.c.invoice_id)
            .where(func.round(part, 2) != 0).group_by(spans.c.id))
    if kind is not None:
        stmt = stmt.where(spans.c.kind == kind)
    if received_from is not None:
        stmt = stmt.where(level.c.received_on >= received_from)
    if received_to is not None:
        stmt = stmt.where(level.c.received_on <= received_to)
    return stmt.subquery()


def family_balances(session, org_id: int, family_ids=None) -> dict[int, Decimal]:
    """Unallocated money per family (their credit with the organisation)."""
    stmt = select(Payment.family_id, func.sum(Payment.unallocated)).where(
        Payment.organisation_id == org_id, Payment.unallocated != 0).group_by(Payment.family_id)
    if family_ids is not None:
        stmt = stmt.where(Payment.family_id.in_(list(family_ids)))
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for family_id, total in session.execute(stmt):
        out[family_id] = Decimal(total)
    return out
