"""Matching a bank movement by hand: staff search an invoice by its number or the family's name
(facturatie.invoice_search) and see the amount still open, not a database id. Only this
organisation's open invoices; the bank page's manual match is a picker, and its post still
matches the chosen invoice."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.models import Role
from plugins.facturatie.models import BankMovement, CodaImport, Invoice, MovementState, PaymentState
from tests.conftest import login

from . import payment_builders as build


def url(org, path):
    return f"/o/{org.slug}/facturatie{path}"


@pytest.fixture
def invoices(session, org, factory):
    """Two families' invoices: Maes's open one (60 of which 20 paid), Maes's paid one, Peeters' open one."""
    maes, peeters = factory.family(org, name="Gezin Maes"), factory.family(org, name="Gezin Peeters")
    open_maes = build.invoice(session, org, maes, care="60")
    open_maes.paid_amount, open_maes.payment_state = Decimal("20"), PaymentState.PARTIAL
    paid_maes = build.invoice(session, org, maes, care="45", month=9)
    paid_maes.paid_amount, paid_maes.payment_state = Decimal("45"), PaymentState.PAID
    open_peeters = build.invoice(session, org, peeters, care="33")
    session.commit()
    return open_maes, paid_maes, open_peeters


def test_search_by_family_name_or_number_shows_the_amount_open(client, org, finance, invoices):
    open_maes, _paid, open_peeters = invoices
    login(client, finance)
    found = client.get(url(org, "/payments/invoices/search.json?q=maes")).get_json()["results"]
    assert [r["id"] for r in found] == [open_maes.id]  # the paid one is not offered
    assert found[0]["name"] == open_maes.display_number and "nog open € 40.00" in found[0]["detail"]
    assert found[0]["detail"].startswith(f"{open_maes.debtor_name} · Gezin Maes · ")
    by_number = client.get(url(org, "/payments/invoices/search.json"),
                           query_string={"q": open_peeters.display_number}).get_json()["results"]
    assert [r["id"] for r in by_number] == [open_peeters.id]


def test_search_never_returns_another_partners_invoices_nor_answers_a_caregiver(client, factory, org, finance,
                                                                                 invoices, session):
    other = factory.org(name="Andere vzw", modules={"planning", "aanwezigheden", "facturatie"}, bic="GEBABEBB")
    theirs = build.invoice(session, other, factory.family(other, name="Gezin Maes"), care="70")
    login(client, finance)
    ids = [r["id"] for r in client.get(url(org, "/payments/invoices/search.json?q=maes")).get_json()["results"]]
    assert theirs.id not in ids and ids == [invoices[0].id]
    assert client.get(url(org, "/payments/invoices/search.json?q=m")).status_code == 400
    client.get("/logout")
    login(client, factory.user(org, Role.CAREGIVER, locations=[factory.location(org)]))
    assert client.get(url(org, "/payments/invoices/search.json?q=maes")).status_code == 403


def test_bank_page_matches_by_a_picker_not_an_id_and_the_post_still_matches(client, org, finance, invoices, session):
    open_maes = invoices[0]
    imported = CodaImport(organisation_id=org.id, filename="nov.cod", sha256="0" * 64, account=org.iban or "",
                          statements="2026/012", movements=1, matched=0)
    session.add(imported)
    session.flush()
    movement = BankMovement(organisation_id=org.id, import_id=imported.id, external_key="k-1",
                            entry_date=date(2026, 11, 18), amount=Decimal("40"), communication="opvang",
                            counterparty_name="Els Maes", counterparty_iban="BE71096123456769",
                            state=MovementState.UNMATCHED)
    session.add(movement)
    session.commit()
    login(client, finance)
    page = client.get(url(org, "/payments/bank")).get_data(as_text=True)
    assert "Factuur-id" not in page and 'type="number" name="invoice_id"' not in page
    assert f'id="invoice-{movement.id}" name="invoice_id"' in page and "/payments/invoices/search.json" in page
    assert "tom-select.complete.min.js" in page
    done = client.post(url(org, f"/payments/bank/movements/{movement.id}/match"), data={"invoice_id": str(open_maes.id)})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Invoice, open_maes.id).payment_state == PaymentState.PAID
    assert session.scalar(select(BankMovement.state).where(BankMovement.id == movement.id)) == MovementState.MANUAL
