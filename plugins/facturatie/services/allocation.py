"""Allocating money received to invoice lines, and undoing it for a returned direct debit.

Order within an invoice: every line that is *not* care first (meals, extras, fines, absence fees,
deposits, by position), care lines last. A partial payment therefore counts as care only for what
is left after the rest, so the tax certificate (281.86), which reads the allocations to care
lines, never certifies more care than was received. What is left after the invoice is paid stays
on the payment as ``unallocated``: the family's balance."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from ..models import Invoice, InvoiceLine, LineKind, Payment, PaymentAllocation, PaymentState
from .bulk import in_values

ZERO = Decimal("0")


def line_order(line: InvoiceLine) -> tuple[int, int]:
    return (1 if line.kind == LineKind.CARE else 0, line.position)


def allocated_per_line(session, invoice_ids) -> dict[int, Decimal]:
    """What is already allocated to each line of these invoices (one statement)."""
    if not invoice_ids:
        return {}
    rows = session.execute(select(PaymentAllocation.line_id, func.sum(PaymentAllocation.amount))
                           .where(in_values(session, PaymentAllocation.invoice_id, invoice_ids))
                           .group_by(PaymentAllocation.line_id))
    return {line_id: Decimal(total) for line_id, total in rows}


def state_after(invoice) -> PaymentState:
    return state_for(invoice.total, invoice.paid_amount)


def state_for(total: Decimal, paid: Decimal) -> PaymentState:
    if paid >= total:
        return PaymentState.PAID
    return PaymentState.PARTIAL if paid > 0 else PaymentState.OPEN


def plan(lines, already: dict[int, Decimal], amount: Decimal) -> list[tuple[int, Decimal]]:
    """The parts of ``amount`` per line: ``lines`` are objects with ``id``, ``kind``, ``position``
    and ``amount`` (ORM rows or plain rows); updates ``already`` (line id -> allocated so far)."""
    parts = []
    left = amount
    for line in sorted(lines, key=line_order):
        if left <= 0:
            break
        open_part = line.amount - already.get(line.id, ZERO)
        if open_part <= 0:
            continue
        part = min(open_part, left)
        parts.append((line.id, part))
        already[line.id] = already.get(line.id, ZERO) + part
        left -= part
    return parts


def allocate(payment: Payment, invoice: Invoice, lines: list[InvoiceLine], already: dict[int, Decimal],
             amount: Decimal) -> Decimal:
    """Allocate up to ``amount`` of ``payment`` to the open part of ``invoice``'s lines (lines and
    ``already`` given by the caller, loaded in bulk); updates the invoice and ``already``.
    Returns what was allocated."""
    parts = plan(lines, already, amount)
    for line_id, part in parts:
        payment.allocations.append(PaymentAllocation(organisation_id=payment.organisation_id, invoice_id=invoice.id,
                                                     line_id=line_id, amount=part))
    used = sum((part for _, part in parts), ZERO)
    invoice.paid_amount = (invoice.paid_amount or ZERO) + used
    invoice.payment_state = state_after(invoice)
    return used


def reverse(session, payment: Payment, invoice: Invoice, amount: Decimal) -> Decimal:
    """A returned debit of ``amount`` for ``invoice``: negative allocations that undo the latest
    positive ones (care first, the reverse of the order above), the invoice open again."""
    rows = session.execute(select(PaymentAllocation.line_id, func.sum(PaymentAllocation.amount))
                           .where(PaymentAllocation.invoice_id == invoice.id)
                           .group_by(PaymentAllocation.line_id)).all()
    per_line = {line_id: Decimal(total) for line_id, total in rows}
    lines = {line.id: line for line in invoice.lines}
    left = amount
    for line_id in sorted(per_line, key=lambda i: line_order(lines[i]), reverse=True):
        if left <= 0:
            break
        part = min(per_line[line_id], left)
        if part <= 0:
            continue
        payment.allocations.append(PaymentAllocation(organisation_id=payment.organisation_id, invoice_id=invoice.id,
                                                     line_id=line_id, amount=-part))
        left -= part
    undone = amount - left
    invoice.paid_amount -= undone
    invoice.payment_state = state_after(invoice)
    return undone


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
