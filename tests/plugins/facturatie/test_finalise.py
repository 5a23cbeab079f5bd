"""Finalising a month: numbers, lines and days stored, refusals that leave no number used."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.context import build_context
from core.errors import DomainError
from core.models import AuditEntry
from plugins.facturatie.models import (
    BillingRun,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineDay,
    NumberCounter,
    PaymentState,
    RunState,
)
from plugins.facturatie.services import finalise as fin
from plugins.facturatie.services.ogm import format_ogm, is_valid_ogm
from tests.plugins.facturatie.draft_builders import (
    blocking_warning,
    draft_invoice,
    families_with_children,
    proposal,
)


@pytest.fixture
def ctx(session, org, frozen_today):
    return build_context(session, org)


def _counter(session, org, year=2026):
    return session.scalar(select(NumberCounter.last_number).where(
        NumberCounter.organisation_id == org.id, NumberCounter.series == InvoiceKind.INVOICE,
        NumberCounter.year == year))


def test_finalise_numbers_every_debtor_and_stores_lines_and_days(ctx, session, factory, org, location, finance):
    pairs = families_with_children(factory, org, location, 3)
    drafts = [draft_invoice(f, [c.id], name=f"Gezin {n}") for n, (f, c) in zip("CAB", pairs, strict=True)]
    done = fin.finalise(ctx, proposal(2026, 10, drafts), finance)
    invoices = session.scalars(select(Invoice).where(Invoice.id.in_(done.invoice_ids)).order_by(Invoice.number)).all()
    assert [i.number for i in invoices] == [1, 2, 3]
    assert [i.debtor_name for i in invoices] == ["Gezin A", "Gezin B", "Gezin C"]  # numbered by name
    assert [i.display_number for i in invoices] == ["2026-000001", "2026-000002", "2026-000003"]
    first = invoices[0]
    assert first.issue_date == date(2026, 11, 18) and first.due_date == date(2026, 12, 18)  # 30 days default
    assert first.total == Decimal("67.50") and first.payment_state == PaymentState.OPEN
    assert is_valid_ogm(first.ogm) and len(first.ogm) == 12
    assert format_ogm(first.ogm).startswith("+++") and len({i.ogm for i in invoices}) == 3
    assert [line.kind.value for line in first.lines] == ["care", "meals"]
    assert len(first.lines[0].days) == 3 and first.lines[0].days[0].detail["registered"] == "07:45-16:50"
    assert first.lines[0].summary["respijt_left"] == 17
    run = session.scalar(select(BillingRun).where(BillingRun.organisation_id == org.id))
    assert run.state == RunState.FINALISED and run.finalised_by_id == finance.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "facturatie_run"))
    assert entry.changes["numbers"][1] == "2026-000001..2026-000003"
    assert _counter(session, org) == 3


def test_a_second_month_continues_the_series(ctx, session, factory, org, location):
    (f1, c1), (f2, c2) = families_with_children(factory, org, location, 2)
    fin.finalise(ctx, proposal(2026, 9, [draft_invoice(f1, [c1.id], month=9)]))
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f2, [c2.id])]))
    assert done.first_number == 2 and _counter(session, org) == 2


def test_finalising_twice_is_refused_and_uses_no_number(ctx, session, factory, org, location):
    (f1, c1), = families_with_children(factory, org, location, 1)
    fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id])]))
    with pytest.raises(DomainError) as err:
        fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id])]))
    assert err.value.code == "facturatie.already_finalised"
    assert "creditnota" in err.value.message
    with pytest.raises(DomainError):
        fin.finalise_month(ctx, 2026, 10, None, proposal_provider=lambda *a: pytest.fail("not computed"))
    assert _counter(session, org) == 1


def test_blocking_warnings_refuse_and_accepted_ones_do_not(ctx, session, factory, org, location):
    (f1, c1), = families_with_children(factory, org, location, 1)
    with pytest.raises(DomainError) as err:
        fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id])], [blocking_warning(f1.id)]))
    assert err.value.code == "facturatie.warnings_block" and err.value.params["count"] == 1
    assert session.scalar(select(func.count()).select_from(Invoice)) == 0
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id])], [blocking_warning(f1.id, True)]))
    assert done.first_number == 1


def test_a_future_month_is_refused(ctx, factory, org, location):
    with pytest.raises(DomainError) as err:
        fin.finalise_month(ctx, 2026, 12, None, proposal_provider=lambda *a: pytest.fail("not computed"))
    assert err.value.code == "facturatie.month_future"
    with pytest.raises(DomainError) as err:
        fin.finalise_month(ctx, 2026, 13, None, proposal_provider=lambda *a: pytest.fail("not computed"))
    assert err.value.code == "facturatie.month_invalid"


def test_a_failure_half_way_leaves_no_number_used(app, ctx, session, factory, org, location):
    """A day the database refuses (its line id is fine, its category too long is cut; a child
    that does not exist breaks the foreign key): the savepoint rolls back, counter included."""
    (f1, c1), (f2, _c2) = families_with_children(factory, org, location, 2)
    good = draft_invoice(f1, [c1.id])
    bad = draft_invoice(f2, [999_999])  # no such child: the line days' foreign key fails
    nested = session.begin_nested()
    with pytest.raises(Exception):  # noqa: B017 - the database's own error
        fin.finalise(ctx, proposal(2026, 10, [good, bad]))
    nested.rollback()
    session.expire_all()
    assert (_counter(session, org) or 0) == 0
    assert session.scalar(select(func.count()).select_from(Invoice).where(Invoice.organisation_id == org.id)) == 0
    done = fin.finalise(ctx, proposal(2026, 10, [good]))
    assert done.first_number == 1


def test_a_long_name_with_diacritics_and_a_family_without_address_or_email(ctx, session, factory, org, location):
    (f1, c1), = families_with_children(factory, org, location, 1)
    name = ("Éléonore-Çécile Van den Broeck-D'Hondt " * 10)[:300]
    assert len(name) == 300
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id], name=name, email=None, street="")]))
    invoice = session.get(Invoice, done.invoice_ids[0])
    assert invoice.debtor_name == name.strip() and invoice.debtor_email == "" and invoice.debtor_street == ""


def test_an_empty_month_is_finalised_without_numbers(ctx, session, org):
    done = fin.finalise(ctx, proposal(2026, 10, []))
    assert done.invoice_ids == () and (_counter(session, org) or 0) == 0


def test_amounts_not_in_cents_and_negative_months_without_earlier_invoice_are_refused(ctx, factory, org, location):
    from dataclasses import replace

    (f1, c1), = families_with_children(factory, org, location, 1)
    draft = draft_invoice(f1, [c1.id])
    odd = replace(draft, lines=(replace(draft.lines[0], amount=Decimal("1.005")),))
    with pytest.raises(DomainError) as err:
        fin.finalise(ctx, proposal(2026, 10, [odd]))
    assert err.value.code == "facturatie.amount_not_cents"
    negative = replace(draft, lines=(replace(draft.lines[0], amount=Decimal("-5.00")),))
    with pytest.raises(DomainError) as err:
        fin.finalise(ctx, proposal(2026, 10, [negative]))
    assert err.value.code == "facturatie.negative_invoice"


def test_a_negative_month_becomes_a_credit_note_of_the_family_s_last_invoice(ctx, session, factory, org, location):
    """A deposit refunded or a correction that leaves a family money back: a credit note in its own
    series referring to the family's last invoice; the others of the month are invoices as usual."""
    from dataclasses import replace

    (f1, c1), (f2, c2) = families_with_children(factory, org, location, 2)
    september = fin.finalise(ctx, proposal(2026, 9, [draft_invoice(f1, [c1.id], month=9)]))
    refund = draft_invoice(f1, [c1.id])
    refund = replace(refund, lines=(replace(refund.lines[0], amount=Decimal("-250.00")),))
    done = fin.finalise(ctx, proposal(2026, 10, [refund, draft_invoice(f2, [c2.id])]))
    made = session.scalars(select(Invoice).where(Invoice.id.in_(done.invoice_ids))).all()
    note = next(i for i in made if i.kind == InvoiceKind.CREDIT_NOTE)
    invoice = next(i for i in made if i.kind == InvoiceKind.INVOICE)
    assert note.credited_invoice_id == september.invoice_ids[0] and note.family_id == f1.id
    assert note.total == Decimal("-250.00") + sum(line.amount for line in refund.lines[1:])
    assert note.display_number == "CN2026-000001" and note.payment_state == PaymentState.SETTLED
    assert is_valid_ogm(note.ogm) and note.reason
    assert invoice.number == 2 and invoice.family_id == f2.id  # the invoice series goes on without a gap


def test_lines_and_days_are_written_in_a_fixed_number_of_statements(app, ctx, session, factory, org, location):
    from tests.conftest import QueryCounter

    pairs = families_with_children(factory, org, location, 6)
    small = proposal(2026, 9, [draft_invoice(f, [c.id], month=9) for f, c in pairs[:2]])
    large = proposal(2026, 10, [draft_invoice(f, [c.id]) for f, c in pairs])
    counts = []
    for prop in (small, large):
        with QueryCounter(session.connection()) as q:
            fin.finalise(ctx, prop)
        counts.append(q.count)
    assert counts[1] <= counts[0], counts  # the first also reads the settings
    assert session.scalar(select(func.count()).select_from(InvoiceLineDay)) == 8 * 3
    assert session.scalar(select(func.count()).select_from(InvoiceLine)) == 8 * 2


def test_a_finalised_invoice_never_changes_except_its_delivery_and_payment_state(ctx, session, factory, org,
                                                                                  location):
    from plugins.facturatie.models import DeliveryState
    from plugins.facturatie.services.immutable import FinalisedInvoiceChanged

    (f1, c1), = families_with_children(factory, org, location, 1)
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id])]))
    invoice = session.get(Invoice, done.invoice_ids[0])
    invoice.send_state = DeliveryState.PRINT
    invoice.payment_state = PaymentState.PAID
    session.flush()  # allowed
    for change in (lambda: setattr(invoice, "total", Decimal("1.00")),
                   lambda: setattr(invoice, "debtor_name", "Iemand anders"),
                   lambda: setattr(invoice.lines[0], "amount", Decimal("0.01")),
                   lambda: setattr(invoice.lines[0].days[0], "day_price", Decimal("1")),
                   lambda: session.delete(invoice)):
        nested = session.begin_nested()
        change()
        with pytest.raises(FinalisedInvoiceChanged):
            session.flush()
        nested.rollback()


def test_invoices_hold_their_family_for_the_retention_period_and_erasing_later_keeps_the_numbers(
        ctx, session, factory, org, location):
    from plugins.facturatie.services.retention import before_erase, retention_holds

    (f1, c1), (f2, _c2) = families_with_children(factory, org, location, 2)
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id])]))
    holds = retention_holds(session, org, [c1.id], [f1.id, f2.id])
    assert len(holds) == 1 and holds[0].family_ids == {f1.id} and holds[0].child_ids == {c1.id}
    before_erase(session, org, [f1.id])
    session.expire_all()
    invoice = session.get(Invoice, done.invoice_ids[0])
    assert invoice.family_id is None and invoice.debtor_name == "-" and invoice.number == 1
