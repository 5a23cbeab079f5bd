"""Credit notes: in full or in part, own series, reason required, the invoice never edited."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.context import build_context
from core.errors import DomainError
from plugins.facturatie.models import Invoice, InvoiceKind, PaymentState
from plugins.facturatie.services import credit
from plugins.facturatie.services import finalise as fin
from plugins.facturatie.services.ogm import is_valid_ogm
from tests.plugins.facturatie.draft_builders import draft_invoice, families_with_children, proposal


@pytest.fixture
def ctx(session, org, frozen_today):
    return build_context(session, org)


@pytest.fixture
def invoice(ctx, session, factory, org, location):
    (family, child), = families_with_children(factory, org, location, 1)
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(family, [child.id])]))
    return session.get(Invoice, done.invoice_ids[0])


def _snapshot(invoice):
    return (invoice.total, invoice.number, invoice.ogm, [(ln.amount, ln.description) for ln in invoice.lines])


def test_a_full_credit_note_cancels_every_line_in_its_own_series(ctx, session, invoice, finance):
    before = _snapshot(invoice)
    note = credit.create_credit_note(ctx, invoice.id, "Dubbel gefactureerd", user=finance)
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.number == 1 and note.display_number == "CN2026-000001"
    assert note.total == -invoice.total == Decimal("-67.50")
    assert [ln.credited_line_id for ln in note.lines] == [ln.id for ln in invoice.lines]
    assert [ln.amount for ln in note.lines] == [-ln.amount for ln in invoice.lines]
    assert note.credited_invoice_id == invoice.id and note.reason == "Dubbel gefactureerd"
    assert is_valid_ogm(note.ogm) and note.ogm != invoice.ogm
    assert note.payment_state == PaymentState.SETTLED
    session.refresh(invoice)
    assert invoice.payment_state == PaymentState.CREDITED and _snapshot(invoice) == before
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, invoice.id, "nog eens")
    assert err.value.code == "facturatie.already_credited"


def test_a_partial_credit_note_then_the_rest(ctx, session, invoice):
    care, meals = invoice.lines
    note = credit.create_credit_note(ctx, invoice.id, "Eén dag te veel", {care.id: Decimal("20.00")})
    assert note.total == Decimal("-20.00") and len(note.lines) == 1
    assert note.lines[0].credited_line_id == care.id and note.lines[0].amount == Decimal("-20.00")
    session.refresh(invoice)
    assert invoice.payment_state == PaymentState.OPEN
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, invoice.id, "te veel", {care.id: Decimal("40.01")})
    assert err.value.code == "facturatie.credit_too_much" and err.value.params["left"] == "40,00"
    rest = credit.create_credit_note(ctx, invoice.id, "De rest")
    assert rest.number == 2 and rest.total == Decimal("-47.50")
    session.refresh(invoice)
    assert invoice.payment_state == PaymentState.CREDITED
    assert [n.number for n in credit.credit_notes_of(ctx, invoice.id)] == [1, 2]


def test_bad_credit_input_is_refused_without_using_a_number(ctx, session, invoice, factory):
    care = invoice.lines[0]
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, invoice.id, "   ")
    assert err.value.code == "facturatie.credit_reason_required" and err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, invoice.id, "x", {care.id: None})
    assert err.value.code == "facturatie.credit_nothing"
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, invoice.id, "x", {999_999: Decimal("1")})
    assert err.value.code == "facturatie.credit_line_unknown"
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, 999_999, "x")
    assert err.value.code == "facturatie.invoice_unknown"
    note = credit.create_credit_note(ctx, invoice.id, "ok", {care.id: Decimal("1.00")})
    assert note.number == 1  # nothing above used a number
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(ctx, note.id, "credit of a credit")
    assert err.value.code == "facturatie.credit_not_invoice"


def test_an_invoice_of_another_organisation_cannot_be_credited(ctx, session, invoice, factory):
    other = factory.org(modules={"facturatie"})
    with pytest.raises(DomainError) as err:
        credit.create_credit_note(build_context(session, other), invoice.id, "x")
    assert err.value.code == "facturatie.invoice_unknown"


@pytest.mark.parametrize("text,expected", [("12,50", Decimal("12.50")), ("1.234,50", Decimal("1234.50")),
                                           ("7.5", Decimal("7.5")), ("", None), ("€ 3", Decimal("3"))])
def test_amounts_from_the_form(text, expected):
    assert credit.parse_amount(text, 1) == expected


@pytest.mark.parametrize("text", ["abc", "-3", "0", "1,234", "NaN", "Infinity"])
def test_bad_amounts_from_the_form(text):
    with pytest.raises(DomainError) as err:
        credit.parse_amount(text, 2)
    assert err.value.code == "facturatie.credit_bad_amount" and err.value.field == "amount_2"
