"""CODA import: matching by structured communication, partial and over-payments, manual matches
with suggestions, returned direct debits, idempotence, interrupted imports and bad files."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.context import build_context
from plugins.facturatie.models import (
    BankMovement,
    CodaImport,
    DebitState,
    DirectDebitItem,
    Invoice,
    LineKind,
    MovementState,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentState,
)
from plugins.facturatie.services import allocation, coda, sepa
from plugins.facturatie.services.coda_sample import SampleEntry, write_coda
from plugins.facturatie.services.errors import BillingError

from . import payment_builders as build

DAY = date(2026, 11, 18)
PARENT_IBAN = "BE71096123456769"


@pytest.fixture
def ctx(session, org, frozen_today):
    org.sepa_creditor_id = "BE11ZZZ0403170701"
    session.commit()
    return build_context(session, org)


def coda_file(org, entries, statement=1, **kw) -> bytes:
    return write_coda(iban=org.iban, holder=org.name, bic="GEBABEBB", day=DAY, entries=entries,
                      statement=statement, **kw)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_structured_payments_are_matched_partial_and_over_payments_kept(ctx, factory, org, session):
    fam = factory.family(org)
    child = factory.child(org, fam)
    full = build.invoice(session, org, fam, child, care="100", meals="20")
    part = build.invoice(session, org, fam, child, care="90", meals="10", fine="5")
    over = build.invoice(session, org, fam, child, care="50")
    data = coda_file(org, [SampleEntry(Decimal("120"), ogm=full.ogm, name="Ouder", iban=PARENT_IBAN),
                           SampleEntry(Decimal("60"), ogm=part.ogm, name="Ouder", iban=PARENT_IBAN),
                           SampleEntry(Decimal("55.25"), ogm=over.ogm, name="Ouder", iban=PARENT_IBAN)])
    result = coda.import_file(ctx, "nov.cod", data)
    session.commit()
    assert (result.movements, result.matched, result.unmatched) == (3, 3, 0)
    assert session.get(Invoice, full.id).payment_state == PaymentState.PAID
    part = session.get(Invoice, part.id)
    assert part.payment_state == PaymentState.PARTIAL and part.paid_amount == Decimal("60")
    # care last: meals (10) and the fine (5) are paid first, care gets the remaining 45
    assert session.scalars(select(PaymentAllocation.amount).where(
        PaymentAllocation.invoice_id == part.id)).all() == [Decimal("60")]  # one row per payment and invoice
    received = allocation.received_per_line(org.id)
    split = dict(session.execute(select(received.c.line_id, received.c.received)).all())
    care_line = next(line for line in part.lines if line.kind == LineKind.CARE)
    assert split[care_line.id] == Decimal("45") and sum(split[line.id] for line in part.lines) == Decimal("60")
    payment = session.scalar(select(Payment).where(Payment.amount == Decimal("55.25")))
    assert payment.unallocated == Decimal("5.25") and payment.family_id == fam.id
    assert allocation.family_balances(session, org.id)[fam.id] == Decimal("5.25")
    assert session.get(Invoice, over.id).payment_state == PaymentState.PAID
    # every payment, movement and invoice change is in the import's one audit entry
    from core.models import AuditEntry

    record = session.scalar(select(CodaImport))
    entry = session.scalar(select(AuditEntry).where(
        AuditEntry.organisation_id == org.id, AuditEntry.entity == "facturatie_coda_import",
        AuditEntry.entity_id == record.id, AuditEntry.action == "update"))
    movements = {m.id: m for m in session.scalars(select(BankMovement).where(BankMovement.import_id == record.id))}
    payments = {p.id: p for p in session.scalars(select(Payment))}
    logged = {pid: rest for pid, *rest in entry.changes["payments"][1]}
    assert len(logged) == 3
    for movement_id, key, state, payment_id in entry.changes["movements"][1]:
        assert movements[movement_id].payment_id == payment_id and movements[movement_id].external_key == key
        assert state == "matched" and logged[payment_id][3] == key
        family_id, amount, unallocated, _ = logged[payment_id]
        assert payments[payment_id].amount == Decimal(amount) and payments[payment_id].family_id == family_id
        assert payments[payment_id].unallocated == Decimal(unallocated)
    changed = {inv_id: (old, new, state) for inv_id, old, new, _, state in entry.changes["invoices"][1]}
    assert changed[part.id] == ("0.00", "60.00", "partial") and changed[full.id][2] == "paid"

    # the same file again changes nothing
    again = coda.import_file(ctx, "nov-copy.cod", data)
    assert again.already and count(session, Payment) == 3 and count(session, CodaImport) == 1
    # an overlapping file (another copy of the same statement, other bytes) records nothing twice
    overlap = coda_file(org, [SampleEntry(Decimal("120"), ogm=full.ogm, name="Ouder", iban=PARENT_IBAN),
                              SampleEntry(Decimal("60"), ogm=part.ogm, name="Ouder", iban=PARENT_IBAN),
                              SampleEntry(Decimal("55.25"), ogm=over.ogm, name="Ouder", iban=PARENT_IBAN),
                              SampleEntry(Decimal("45"), ogm=part.ogm, name="Ouder", iban=PARENT_IBAN)])
    second = coda.import_file(ctx, "nov2.cod", overlap)
    assert (second.movements, second.skipped, second.matched) == (1, 3, 1)
    assert count(session, Payment) == 4
    assert session.get(Invoice, part.id).payment_state == PaymentState.PAID


def test_unmatched_movements_get_suggestions_and_a_manual_match(ctx, factory, org, session):
    fam = factory.family(org)
    inv = build.invoice(session, org, fam, None, care="73.40")
    earlier = build.invoice(session, org, fam, None, care="10")
    coda.import_file(ctx, "oct.cod", coda_file(org, [SampleEntry(Decimal("10"), ogm=earlier.ogm, name="X",
                                                                 iban=PARENT_IBAN)], statement=1))
    data = coda_file(org, [SampleEntry(Decimal("73.40"), text="opvang oktober", name="Jan Janssens",
                                       iban=PARENT_IBAN)], statement=2)
    result = coda.import_file(ctx, "nov.cod", data)
    assert (result.matched, result.unmatched) == (0, 1)
    row = session.scalar(select(BankMovement).where(BankMovement.state == MovementState.UNMATCHED))
    tips = coda.suggestions(ctx, [row])[row.id]
    assert tips[0].invoice_id == inv.id and "zelfde bedrag" in tips[0].why and "rekening" in tips[0].why
    payment = coda.manual_match(ctx, row.id, inv.id)
    assert payment.amount == Decimal("73.40") and row.state == MovementState.MANUAL
    assert session.get(Invoice, inv.id).payment_state == PaymentState.PAID
    with pytest.raises(BillingError) as err:
        coda.manual_match(ctx, row.id, inv.id)
    assert err.value.code == "facturatie.movement_done"


def test_an_invoice_of_another_organisation_is_never_matched(ctx, factory, org, session):
    other_org = factory.org(modules={"planning", "aanwezigheden", "facturatie"})
    theirs = build.invoice(session, other_org, factory.family(other_org), None, care="30")
    data = coda_file(org, [SampleEntry(Decimal("30"), ogm=theirs.ogm, name="Z", iban=PARENT_IBAN)])
    result = coda.import_file(ctx, "nov.cod", data)
    assert (result.matched, result.unmatched) == (0, 1)
    assert session.get(Invoice, theirs.id).payment_state == PaymentState.OPEN
    row = session.scalar(select(BankMovement))
    with pytest.raises(BillingError) as err:
        coda.manual_match(ctx, row.id, theirs.id)
    assert err.value.code == "facturatie.invoice_unknown"


def test_collected_and_returned_direct_debits(ctx, factory, org, session):
    fam, fam2 = factory.family(org), factory.family(org)
    child = factory.child(org, fam)
    for family, ref in ((fam, "M-1"), (fam2, "M-2")):
        sepa.record_mandate(ctx, family.id, sepa.MandateInput(ref, "Ouder", PARENT_IBAN, "", date(2026, 9, 1)))
    inv = build.invoice(session, org, fam, child, care="80", meals="20")
    inv2 = build.invoice(session, org, fam2, None, care="40")
    batch = sepa.build_batch(ctx, date(2026, 11, 20)).batch
    sepa.freeze_batch(ctx, batch)
    session.commit()
    # the collection comes in (end-to-end id = OGM, no structured communication), then is returned
    coda.import_file(ctx, "a.cod", coda_file(org, [SampleEntry(Decimal("100"), reference=inv.ogm, name="Ouder")]))
    item = session.scalar(select(DirectDebitItem).where(DirectDebitItem.invoice_id == inv.id))
    assert item.state == DebitState.COLLECTED and session.get(Invoice, inv.id).payment_state == PaymentState.PAID
    result = coda.import_file(ctx, "b.cod", coda_file(org, [
        SampleEntry(Decimal("-100"), reference=inv.ogm, return_reason="MD06"),
        SampleEntry(Decimal("-40"), reference=inv2.ogm, return_reason="AM04"),
        SampleEntry(Decimal("-2.50"), text="bankkosten")], statement=2))
    assert result.returned == 2
    session.commit()
    inv, inv2 = session.get(Invoice, inv.id), session.get(Invoice, inv2.id)
    assert inv.payment_state == PaymentState.OPEN and inv.paid_amount == 0
    assert inv2.payment_state == PaymentState.OPEN  # refused before it was collected
    assert item.state == DebitState.RETURNED and item.return_reason.startswith("MD06")
    assert session.scalar(select(func.sum(PaymentAllocation.amount)).where(
        PaymentAllocation.invoice_id == inv.id)) == 0
    states = {r.amount: r.state for r in session.scalars(select(BankMovement))}
    assert states[Decimal("-2.50")] == MovementState.IGNORED
    # the reopened invoice goes into the next batch
    again = sepa.build_batch(ctx, date(2026, 12, 18)).batch
    assert {i.invoice_id for i in again.items} == {inv.id, inv2.id}


def test_interrupted_import_records_every_movement_exactly_once(ctx, factory, org, session, monkeypatch):
    fam = factory.family(org)
    invoices = [build.invoice(session, org, fam, None, care=str(10 + i)) for i in range(6)]
    entries = [SampleEntry(inv.total, ogm=inv.ogm, name="O", iban=PARENT_IBAN) for inv in invoices]
    data = coda_file(org, entries)
    real = coda._write_bulk

    def crash(*args, **kw):  # the process dies after the rows were written, before the commit
        real(*args, **kw)
        assert count(session, Payment) == 6
        raise RuntimeError("worker died")

    monkeypatch.setattr(coda, "_write_bulk", crash)
    with pytest.raises(RuntimeError):
        coda.import_file(ctx, "nov.cod", data)
    session.rollback()
    assert count(session, BankMovement) == 0 and count(session, Payment) == 0
    monkeypatch.setattr(coda, "_write_bulk", real)
    # an earlier run that did commit the first half (e.g. a first, shorter file of the same statement)
    coda.import_file(ctx, "half.cod", coda_file(org, entries[:3]))
    session.commit()
    result = coda.import_file(ctx, "nov.cod", data)
    session.commit()
    assert (result.movements, result.skipped) == (3, 3)
    assert count(session, BankMovement) == 6 and count(session, Payment) == 6
    assert all(session.get(Invoice, inv.id).payment_state == PaymentState.PAID for inv in invoices)


@pytest.mark.parametrize("case,code", [
    ("truncated", "facturatie.coda_truncated"),
    ("other_account", "facturatie.coda_account"),
    ("old_version", "facturatie.coda_version"),
    ("not_coda", "facturatie.coda_not_coda"),
    ("empty", "facturatie.coda_not_coda"),
])
def test_bad_files_are_refused_with_nothing_imported(ctx, org, session, case, code):
    good = coda_file(org, [SampleEntry(Decimal("5"), text="x", name="A", iban=PARENT_IBAN)])
    data = {
        "truncated": b"\r\n".join(good.split(b"\r\n")[:4]),
        "other_account": write_coda(iban="BE71096123456769", holder="X", bic="GKCCBEBB", day=DAY,
                                    entries=[SampleEntry(Decimal("5"), text="x")]),
        "old_version": coda_file(org, [], version="1"),
        "not_coda": b"Datum;Bedrag;Mededeling\n18/11/2026;5,00;x\n",
        "empty": b"",
    }[case]
    with pytest.raises(BillingError) as err:
        coda.import_file(ctx, "bad.cod", data)
    assert err.value.code == code
    assert "bad.cod" in err.value.message
    assert count(session, BankMovement) == 0 and count(session, CodaImport) == 0


def test_normalise_ogm():
    assert coda.normalise_ogm("factuur +++010/0000/01069+++ dank") == ""
    valid = build.ogm_for(12345)
    assert coda.normalise_ogm(f"***{valid[:3]}/{valid[3:7]}/{valid[7:]}***") == valid
    assert coda.normalise_ogm(f"betaling {valid}") == valid
    assert coda.normalise_ogm(valid[:-1] + str((int(valid[-1]) + 1) % 10)) == ""


def test_own_ogm_check_is_stdnums():
    from stdnum.be import ogm_vcs

    for n in list(range(0, 3000, 7)) + [97, 194, 9_999_999_999 // 97 * 97]:
        base = f"{n:010d}"
        for check in range(100):
            digits = f"{base}{check:02d}"
            assert coda.valid_ogm(digits) == ogm_vcs.is_valid(digits), digits


def test_a_batch_credited_as_one_sum_settles_every_debit(ctx, factory, org, session):
    """A bank that books a whole direct-debit batch as one credit (no detail records): the sum is
    the batch's control sum and the reference names its message id, so every debit is paid."""
    families = [factory.family(org) for _ in range(3)]
    for n, family in enumerate(families):
        sepa.record_mandate(ctx, family.id, sepa.MandateInput(f"M-{n}", "Ouder", PARENT_IBAN, "", date(2026, 9, 1)))
    invoices = [build.invoice(session, org, family, None, care=care, meals="10")
                for family, care in zip(families, ("80", "40", "25.50"), strict=True)]
    batch = sepa.build_batch(ctx, date(2026, 11, 20)).batch
    sepa.freeze_batch(ctx, batch)
    session.commit()
    assert batch.message_id and batch.control_sum == Decimal("175.50")
    # the wrong sum with the right message id, and the right sum without it, settle nothing
    wrong = coda.import_file(ctx, "w.cod", coda_file(org, [
        SampleEntry(Decimal("175.49"), text=f"SEPA DD {batch.message_id}"),
        SampleEntry(Decimal("175.50"), text="SEPA DD andere batch")], statement=1))
    assert (wrong.matched, wrong.unmatched) == (0, 2)
    result = coda.import_file(ctx, "lump.cod", coda_file(org, [
        SampleEntry(Decimal("175.50"), reference=batch.message_id, name="Bank")], statement=2))
    session.commit()
    assert (result.matched, result.unmatched) == (1, 0)
    for invoice in invoices:
        invoice = session.get(Invoice, invoice.id)
        assert invoice.payment_state == PaymentState.PAID and invoice.paid_amount == invoice.total
    assert {i.state for i in session.scalars(select(DirectDebitItem))} == {DebitState.COLLECTED}
    paid = session.scalars(select(Payment).where(Payment.source == "coda")).all()
    assert sorted(p.amount for p in paid) == [Decimal("35.50"), Decimal("50"), Decimal("90")]
    assert {p.method for p in paid} == {PaymentMethod.DIRECT_DEBIT} and all(p.unallocated == 0 for p in paid)
    movement = session.scalar(select(BankMovement).where(BankMovement.amount == Decimal("175.50"),
                                                         BankMovement.state == MovementState.MATCHED))
    assert movement.payment_id in {p.id for p in paid} and batch.message_id in movement.note
    # the same file again settles nothing twice; one debit returned later reopens only its invoice
    assert coda.import_file(ctx, "lump-copy.cod", coda_file(org, [
        SampleEntry(Decimal("175.50"), reference=batch.message_id, name="Bank")], statement=2)).already
    coda.import_file(ctx, "r.cod", coda_file(org, [
        SampleEntry(Decimal("-50"), reference=invoices[1].ogm, return_reason="AM04")], statement=3))
    session.commit()
    assert [session.get(Invoice, i.id).payment_state for i in invoices] == [
        PaymentState.PAID, PaymentState.OPEN, PaymentState.PAID]
