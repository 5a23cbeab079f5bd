"""Finalising a month: the proposal becomes numbered invoices that never change again.

One transaction does it all (issue 13 §5): the month's :class:`BillingRun` row is locked first
(two finance users finalising the same month: the second waits, then finds it finalised), then
the series' :class:`NumberCounter` row (two months finalised at once: their numbers follow one
another). The invoices, their lines and the lines' days are written with bulk inserts; a failure
anywhere rolls everything back, the counter included, so a failed finalisation uses no number.

``finalise_month`` is what the route calls: it locks, asks the proposal provider for the month
(by default ``services.proposal.compute_proposal``, imported lazily) and finalises it;
``finalise`` takes a proposal computed elsewhere (tests, the bench).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from core.context import TenantContext
from core.db import upsert_ignore
from core.models import AuditEntry

from ..models import (
    BillingRun,
    DeliveryState,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineDay,
    NumberCounter,
    PaymentState,
    RunState,
)
from .drafts import DraftInvoice, Proposal
from .errors import BillingError
from .months import check_month, lock_run
from .ogm import make_ogm

ProposalProvider = Callable[[TenantContext, int, int], Proposal]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Finalised:
    """What a finalisation made: the invoice ids in number order and the numbers used."""

    run_id: int
    invoice_ids: tuple[int, ...]
    first_number: int | None
    last_number: int | None


def display_number(kind: InvoiceKind, year: int, number: int) -> str:
    prefix = "CN" if kind == InvoiceKind.CREDIT_NOTE else ""
    return f"{prefix}{year}-{number:06d}"


def take_numbers(ctx: TenantContext, kind: InvoiceKind, year: int, count: int) -> int:
    """Reserve ``count`` numbers of a series in the caller's transaction; returns the first.
    The counter row stays locked until the transaction ends (a rollback gives them back)."""
    session = ctx.session
    session.execute(upsert_ignore(session, NumberCounter.__table__, ["organisation_id", "series", "year"]).values(
        organisation_id=ctx.org.id, series=kind, year=year, last_number=0))
    counter = session.scalars(select(NumberCounter).where(
        NumberCounter.organisation_id == ctx.org.id, NumberCounter.series == kind, NumberCounter.year == year)
        .with_for_update().execution_options(populate_existing=True)).one()
    first = counter.last_number + 1
    counter.last_number += count
    session.flush()
    return first


def default_provider() -> ProposalProvider:
    try:
        from .proposal import compute_proposal  # the proposal's module; imported only when used
    except ImportError:
        raise BillingError("facturatie.proposal_unavailable") from None
    return compute_proposal


def finalise_month(ctx: TenantContext, year: int, month: int, user=None,
                   proposal_provider: ProposalProvider | None = None) -> Finalised:
    """Lock the month, compute its proposal and finalise it (the route's entry point)."""
    check_month(ctx, year, month)
    run = lock_run(ctx, year, month)
    if run.state == RunState.FINALISED:
        raise BillingError("facturatie.already_finalised", year=year, month=month)
    proposal = (proposal_provider or default_provider())(ctx, year, month)
    return finalise(ctx, proposal, user, run=run)


def finalise(ctx: TenantContext, proposal: Proposal, user=None, *, run: BillingRun | None = None) -> Finalised:
    """Number and store ``proposal``'s invoices; refuse while a warning blocks or when the month
    is already finalised. Everything in the caller's transaction."""
    year, month = proposal.year, proposal.month
    check_month(ctx, year, month)
    if run is None:
        run = lock_run(ctx, year, month)
        if run.state == RunState.FINALISED:
            raise BillingError("facturatie.already_finalised", year=year, month=month)
    if proposal.blocking:
        raise BillingError("facturatie.warnings_block", count=len(proposal.blocking))
    drafts = sorted(proposal.invoices, key=lambda d: (d.debtor_name.casefold(), d.family_id))
    for draft in drafts:
        _check_draft(draft)
    # a month that gives a family money back (a deposit refunded, a correction) is a credit note
    credits = [d for d in drafts if d.total < 0]
    drafts = [d for d in drafts if d.total >= 0]
    credited = _credited_invoices(ctx, credits)
    user_id = getattr(user, "id", None)
    today = ctx.today()
    series_year = today.year
    due = today + timedelta(days=max(int(ctx.setting("facturatie.payment_term_days")), 0))
    first = take_numbers(ctx, InvoiceKind.INVOICE, series_year, len(drafts)) if drafts else None
    invoice_ids = _insert_invoices(ctx, drafts, first, series_year, year, month, today, due, user_id)
    credit_first = take_numbers(ctx, InvoiceKind.CREDIT_NOTE, series_year, len(credits)) if credits else None
    credit_ids = _insert_invoices(ctx, credits, credit_first, series_year, year, month, today, due, user_id,
                                  credited=credited)
    _insert_lines(ctx, drafts + credits, invoice_ids + credit_ids)
    _book_respite(ctx, proposal)
    run.state = RunState.FINALISED
    run.finalised_at = ctx.now()
    run.finalised_by_id = user_id
    last = first + len(drafts) - 1 if first is not None else None
    ctx.session.add(AuditEntry(
        organisation_id=ctx.org.id, user_id=user_id, at=ctx.now(), action="update", entity=BillingRun.__tablename__,
        entity_id=run.id, summary=f"{year}-{month:02d}",
        changes={"state": [RunState.DRAFT.value, RunState.FINALISED.value], "invoices": [None, len(drafts)],
                 "credit_notes": [None, len(credits)],
                 "numbers": [None, f"{display_number(InvoiceKind.INVOICE, series_year, first)}"
                                   f"..{display_number(InvoiceKind.INVOICE, series_year, last)}" if drafts else ""],
                 "total": [None, str(sum((d.total for d in drafts), Decimal("0")))]}))
    ctx.session.flush()
    return Finalised(run.id, tuple(invoice_ids + credit_ids), first, last)


def _book_respite(ctx: TenantContext, proposal: Proposal) -> None:
    """The respijtdagen the proposal counted (reserved, nobody came, nobody reported) are booked
    in planning's balance in the same transaction as the numbers: both or neither."""
    from .proposal import book_respite_days

    book_respite_days(ctx, proposal)


def _check_draft(draft: DraftInvoice) -> None:
    """What the database would refuse with an unreadable error, refused with a clear one."""
    for line in draft.lines:
        if line.amount != line.amount.quantize(CENT):
            raise BillingError("facturatie.amount_not_cents", amount=str(line.amount))


def _credited_invoices(ctx, credits: Sequence[DraftInvoice]) -> dict[int, int]:
    """family id -> the invoice a negative draft credits: the invoice its correction lines point
    at, else the family's latest invoice. A family that never had one cannot get a credit note."""
    if not credits:
        return {}
    latest = dict(ctx.session.execute(select(Invoice.family_id, func.max(Invoice.id)).where(
        Invoice.organisation_id == ctx.org.id, Invoice.kind == InvoiceKind.INVOICE,
        Invoice.family_id.in_({d.family_id for d in credits})).group_by(Invoice.family_id)).all())
    credited = {}
    for draft in credits:
        corrected = next((line.corrects_invoice_id for line in draft.lines if line.corrects_invoice_id), None)
        target = corrected or latest.get(draft.family_id)
        if target is None:
            raise BillingError("facturatie.negative_invoice", name=draft.debtor_name[:80], total=str(draft.total))
        credited[draft.family_id] = target
    return credited


def _cut(value: str | None, length: int) -> str:
    return (value or "").strip()[:length]


def _insert_invoices(ctx, drafts: Sequence[DraftInvoice], first: int | None, series_year: int, year: int,
                     month: int, today: date, due: date, user_id: int | None,
                     credited: dict[int, int] | None = None) -> list[int]:
    """Invoices, or with ``credited`` (family id -> credited invoice) credit notes of the month."""
    if not drafts:
        return []
    kind = InvoiceKind.CREDIT_NOTE if credited is not None else InvoiceKind.INVOICE
    now = ctx.now()
    rows = []
    for offset, draft in enumerate(drafts):
        number = first + offset
        total = draft.total
        rows.append(dict(
            organisation_id=ctx.org.id, kind=kind, year=series_year, number=number,
            display_number=display_number(kind, series_year, number), period_year=year,
            period_month=month, family_id=draft.family_id, debtor_contact_id=draft.debtor_contact_id,
            debtor_name=_cut(draft.debtor_name, 300), debtor_street=_cut(draft.debtor_street, 200),
            debtor_postcode=_cut(draft.debtor_postcode, 10), debtor_municipality=_cut(draft.debtor_municipality, 100),
            debtor_email=_cut(draft.debtor_email, 254), language=draft.language if draft.language in
            ("nl", "fr", "en") else "nl", payment_method=draft.payment_method, issue_date=today, due_date=due,
            total=total, ogm=make_ogm(ctx.org.id, kind, series_year, number),
            credited_invoice_id=credited[draft.family_id] if credited else None,
            reason=_cut("; ".join(line.description for line in draft.lines), 500) if credited else "", pdf_state=DeliveryState.PENDING, pdf_error="",
            send_state=DeliveryState.PENDING, send_error="", paid_amount=Decimal("0"),
            payment_state=PaymentState.SETTLED if total <= 0 else PaymentState.OPEN, finalised_by_id=user_id,
            created_at=now, updated_at=now))
    ctx.session.execute(insert(Invoice), rows)
    # ids read back by number (one statement, portable; RETURNING in bulk is row by row on SQLite)
    by_number = dict(ctx.session.execute(select(Invoice.number, Invoice.id).where(
        Invoice.organisation_id == ctx.org.id, Invoice.kind == kind, Invoice.year == series_year,
        Invoice.number.between(first, first + len(drafts) - 1))).all())
    return [by_number[first + offset] for offset in range(len(drafts))]


def _insert_lines(ctx, drafts: Sequence[DraftInvoice], invoice_ids: Sequence[int]) -> None:
    line_rows, days_per_line = [], []
    wanted = set(invoice_ids)
    for invoice_id, draft in zip(invoice_ids, drafts, strict=True):
        for position, line in enumerate(draft.lines, start=1):
            line_rows.append(dict(
                organisation_id=ctx.org.id, invoice_id=invoice_id, position=position, kind=line.kind,
                child_id=line.child_id, description=_cut(line.description, 500), rule=_cut(line.rule, 60),
                quantity=line.quantity, unit_price=line.unit_price, amount=line.amount, vat_rate=Decimal("0"),
                corrects_invoice_id=line.corrects_invoice_id, credited_line_id=None, summary=dict(line.summary)))
            days_per_line.append(line.days)
    if not line_rows:
        return
    ctx.session.execute(insert(InvoiceLine), line_rows)
    found = {(invoice_id, position): line_id for line_id, invoice_id, position in ctx.session.execute(
        select(InvoiceLine.id, InvoiceLine.invoice_id, InvoiceLine.position).where(
            InvoiceLine.organisation_id == ctx.org.id,
            InvoiceLine.invoice_id.between(min(invoice_ids), max(invoice_ids))))
        if invoice_id in wanted}
    line_ids = [found[(row["invoice_id"], row["position"])] for row in line_rows]
    day_rows = [dict(organisation_id=ctx.org.id, line_id=line_id, child_id=d.child_id, day=d.day,
                     category=_cut(d.category, 16), rule=_cut(d.rule, 60), fraction=d.fraction, day_price=d.day_price,
                     amount=d.amount, detail=_jsonable(d.detail))
                for line_id, days in zip(line_ids, days_per_line, strict=True) for d in days]
    if day_rows:
        ctx.session.execute(insert(InvoiceLineDay), day_rows)


def _jsonable(detail: dict) -> dict:
    """A day's detail as JSON (times, dates and amounts as text)."""
    out = {}
    for key, value in (detail or {}).items():
        if value is None or isinstance(value, bool | int | float | str):
            out[key] = value
        elif isinstance(value, dict):
            out[key] = _jsonable(value)
        elif isinstance(value, list | tuple):
            out[key] = [v if v is None or isinstance(v, bool | int | float | str) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out
