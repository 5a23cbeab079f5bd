"""SEPA mandates, the creditor identifier, collection dates and pain.008 batches (both versions,
validated with lxml against the ISO 20022 XSDs that sepaxml ships)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
from lxml import etree
from sqlalchemy import select

from core.context import build_context
from core.settings import set_setting
from plugins.facturatie.models import (
    BatchState,
    BillingProfile,
    Invoice,
    PaymentMethod,
    PaymentState,
    SepaMandateAmendment,
)
from plugins.facturatie.services import sepa
from plugins.facturatie.services.errors import BillingError

from . import payment_builders as build

CREDITOR_ID = "BE11ZZZ0403170701"
XSD_DIR = Path(sepaxml.__file__).parent / "schemas"


@pytest.fixture
def ctx(session, org, frozen_today):
    org.sepa_creditor_id = CREDITOR_ID
    session.commit()
    return build_context(session, org)


def mandate_for(ctx, family, reference, iban="BE71096123456769", signed=date(2026, 9, 1), bic=""):
    return sepa.record_mandate(ctx, family.id, sepa.MandateInput(reference, "Ouder Debiteur", iban, bic, signed))


def test_creditor_identifier_is_checked():
    assert sepa.clean_creditor_id("be11 zzz 0403 170 701") == CREDITOR_ID
    for bad in ("BE12ZZZ0403170701", "BE11ZZZ0403170702", "NL11ZZZ0403170701", "BE11ZZZ04031707", ""):
        with pytest.raises(BillingError) as err:
            sepa.clean_creditor_id(bad)
        assert err.value.code == "facturatie.creditor_id_invalid"


def test_iban_with_a_wrong_check_digit_is_refused(ctx, factory, org):
    family = factory.family(org)
    with pytest.raises(BillingError) as err:
        mandate_for(ctx, family, "M-1", iban="BE71096123456768")
    assert err.value.code == "facturatie.iban_invalid" and err.value.field == "iban"
    assert "BE71096123456768" in err.value.message


def test_mandate_needs_signature_date_and_unique_reference(ctx, factory, org, session):
    family = factory.family(org)
    with pytest.raises(BillingError) as err:
        sepa.record_mandate(ctx, family.id, sepa.MandateInput("M-1", "X", "BE71096123456769", "", None))
    assert err.value.code == "facturatie.mandate_signed_missing"
    with pytest.raises(BillingError) as err:
        mandate_for(ctx, family, "M-1", signed=date(2027, 1, 1))
    assert err.value.code == "facturatie.mandate_signed_future"
    mandate = mandate_for(ctx, family, "M-1")
    assert mandate.bic == "GKCCBEBB"  # schwifty knows the Belgian bank of the IBAN
    assert session.scalar(select(BillingProfile.payment_method).where(
        BillingProfile.family_id == family.id)) == PaymentMethod.DIRECT_DEBIT
    with pytest.raises(BillingError) as err:
        mandate_for(ctx, factory.family(org), "M-1")
    assert err.value.code == "facturatie.mandate_reference_taken"
    with pytest.raises(BillingError):
        mandate_for(ctx, family, "M<1>")
    with pytest.raises(BillingError) as err:
        mandate_for(ctx, family, "M-2", bic="NOTABIC")
    assert err.value.code == "facturatie.bic_invalid"


def test_amendment_keeps_the_old_account_and_another_bank_means_frst(ctx, factory, org, session):
    family = factory.family(org)
    mandate = mandate_for(ctx, family, "M-9")
    mandate.needs_first = False
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M-9", "Ouder Debiteur", "BE68539007547034"), "nieuwe bank")
    amendment = session.scalars(select(SepaMandateAmendment)).one()
    assert amendment.old_iban == "BE71096123456769" and amendment.reason == "nieuwe bank"
    assert mandate.iban == "BE68539007547034" and mandate.needs_first is True
    sepa.revoke_mandate(ctx, mandate)
    assert session.scalar(select(BillingProfile.payment_method).where(
        BillingProfile.family_id == family.id)) == PaymentMethod.TRANSFER
    with pytest.raises(BillingError) as err:
        sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M-9", "Y", "BE71096123456769"))
    assert err.value.code == "facturatie.mandate_revoked"


def test_collection_date_rules(ctx):
    # today is Wednesday 18/11/2026: next business day Thursday 19, plus 1 lead day: Friday 20
    assert sepa.earliest_collection_date(ctx) == date(2026, 11, 20)
    for day, code in ((date(2026, 11, 17), "facturatie.collection_date_past"),
                      (date(2026, 11, 19), "facturatie.collection_date_too_soon"),
                      (date(2026, 11, 21), "facturatie.collection_date_closed"),
                      (date(2026, 12, 25), "facturatie.collection_date_closed"),
                      (date(2026, 12, 26), "facturatie.collection_date_closed")):
        with pytest.raises(BillingError) as err:
            sepa.check_collection_date(ctx, day)
        assert err.value.code == code, day
    assert sepa.check_collection_date(ctx, date(2026, 11, 20)) == date(2026, 11, 20)
    assert sepa.add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 28)


def _validate(xml: bytes, schema: str) -> etree._Element:
    xsd = etree.XMLSchema(etree.parse(str(XSD_DIR / f"{schema}.xsd")))
    doc = etree.fromstring(xml)
    xsd.assertValid(doc)
    return doc


@pytest.mark.parametrize("version", ["pain.008.001.02", "pain.008.001.08"])
def test_batch_file_validates_and_freezes(ctx, factory, org, session, version):
    set_setting(session, org, "facturatie.sepa_pain_version", version)
    ctx.forget_settings()
    paying, other, transfer = factory.family(org), factory.family(org), factory.family(org)
    mandate_for(ctx, paying, "M-A")
    mandate_for(ctx, other, "M-B", iban="NL91ABNA0417164300")
    child = factory.child(org, paying)
    inv1 = build.invoice(session, org, paying, child, care="120.50", meals="10")
    inv2 = build.invoice(session, org, other, None, care="80.00")
    paid = build.invoice(session, org, other, None, care="5.00")
    paid.payment_state = PaymentState.PAID
    build.invoice(session, org, transfer, None, care="99.00")  # no mandate: never collected
    result = sepa.build_batch(ctx, date(2026, 11, 20))
    batch = result.batch
    assert {i.invoice_id for i in batch.items} == {inv1.id, inv2.id}
    assert batch.control_sum == Decimal("210.50") and batch.count == 2
    assert {i.sequence_type for i in batch.items} == {"FRST"}
    xml = sepa.render_batch(ctx, batch)
    doc = _validate(xml, version)
    ns = {"p": doc.nsmap[None]}
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "210.50"
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert {e.text for e in doc.iterfind(".//p:EndToEndId", ns)} == {inv1.ogm, inv2.ogm}
    assert doc.findtext(".//p:CdtrSchmeId//p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns) == CREDITOR_ID

    doc_row = sepa.freeze_batch(ctx, batch)
    session.commit()
    assert batch.state == BatchState.FROZEN and doc_row.content_type == "application/xml"
    assert session.get(Invoice, inv1.id).payment_state == PaymentState.COLLECTING
    # a frozen batch is what was downloaded: freezing again returns the same document
    assert sepa.freeze_batch(ctx, batch).id == doc_row.id

    # next month: only the new invoice, now RCUR
    inv3 = build.invoice(session, org, paying, child, care="50", month=11)
    later = sepa.build_batch(ctx, date(2026, 12, 18)).batch
    assert [(i.invoice_id, i.sequence_type) for i in later.items] == [(inv3.id, "RCUR")]
    _validate(sepa.render_batch(ctx, later), version)


def test_batch_without_creditor_id_or_debtors(ctx, factory, org, session):
    with pytest.raises(BillingError) as err:
        sepa.build_batch(ctx, date(2026, 11, 20))
    assert err.value.code == "facturatie.batch_empty"
    org.sepa_creditor_id = None
    with pytest.raises(BillingError) as err:
        sepa.build_batch(ctx, date(2026, 11, 20))
    assert err.value.code == "facturatie.creditor_id_missing"


def test_batch_is_built_and_written_in_a_fixed_number_of_statements(ctx, factory, org, session):
    """Two debits or seven: the same statements (the debits in one bulk insert, one audit entry
    for the batch naming every debit)."""
    from core.models import AuditEntry
    from tests.conftest import QueryCounter

    families = [factory.family(org) for _ in range(7)]
    for n, family in enumerate(families):
        mandate_for(ctx, family, f"M-{n}")
        build.invoice(session, org, family, None, care=f"{10 + n}.00")
    session.commit()
    counts = []
    for day, keep in ((date(2026, 11, 20), 2), (date(2026, 11, 23), 7)):
        for n, family in enumerate(families):  # only ``keep`` families pay by direct debit
            profile = session.scalar(select(BillingProfile).where(BillingProfile.family_id == family.id))
            profile.payment_method = PaymentMethod.DIRECT_DEBIT if n < keep else PaymentMethod.TRANSFER
        session.commit()
        with QueryCounter(session.connection()) as q:
            batch = sepa.build_batch(ctx, day).batch
            _validate(sepa.render_batch(ctx, batch), "pain.008.001.02")
        counts.append(q.count)
        assert batch.count == keep and len(batch.items) == keep
    assert counts[1] <= counts[0], counts  # the first also reads the settings
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "facturatie_dd_batch",
                                                     AuditEntry.entity_id == batch.id,
                                                     AuditEntry.action == "update")).one()
    assert sorted(row[1:] for row in entry.changes["items"][1]) == sorted(
        [i.invoice_id, i.mandate_id, str(i.amount), i.sequence_type] for i in batch.items)
    assert {row[0] for row in entry.changes["items"][1]} == {i.id for i in batch.items}


def _collected_mandate(ctx, factory, org, session, reference="M-AM"):
    """A mandate with one frozen (downloaded) collection behind it."""
    family = factory.family(org)
    mandate = mandate_for(ctx, family, reference)
    build.invoice(session, org, family, None, care="40.00")
    sepa.freeze_batch(ctx, sepa.build_batch(ctx, date(2026, 11, 20)).batch)
    session.commit()
    assert mandate.needs_first is False and mandate.last_collection_on == date(2026, 11, 20)
    return family, mandate


def _next_debit(ctx, session, org, family, version):
    """The next month's batch, validated; its one debit's element and namespace map."""
    build.invoice(session, org, family, None, care="45.00", month=11)
    batch = sepa.build_batch(ctx, date(2026, 12, 18)).batch
    doc = _validate(sepa.render_batch(ctx, batch), version)
    ns = {"p": doc.nsmap[None]}
    (tx,) = doc.findall(".//p:DrctDbtTxInf", ns)
    return batch, doc, tx, ns


@pytest.fixture(params=["pain.008.001.02", "pain.008.001.08"])
def version(request, session, org, ctx):
    set_setting(session, org, "facturatie.sepa_pain_version", request.param)
    session.commit()
    ctx.forget_settings()
    return request.param


def test_new_account_at_the_same_bank_gives_the_original_account(ctx, factory, org, session, version):
    family, mandate = _collected_mandate(ctx, factory, org, session)
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("", "Ouder Debiteur", "BE93096011111167"), "nieuwe rekening")
    session.commit()
    batch, doc, tx, ns = _next_debit(ctx, session, org, family, version)
    assert [i.sequence_type for i in batch.items] == ["RCUR"]  # same bank: the series goes on
    info = tx.find("p:DrctDbtTx/p:MndtRltdInf", ns)
    assert [etree.QName(e).localname for e in info] == ["MndtId", "DtOfSgntr", "AmdmntInd", "AmdmntInfDtls"]
    assert info.findtext("p:AmdmntInd", namespaces=ns) == "true"
    details = info.find("p:AmdmntInfDtls", ns)
    assert [etree.QName(e).localname for e in details] == ["OrgnlDbtrAcct"]
    assert details.findtext("p:OrgnlDbtrAcct/p:Id/p:IBAN", namespaces=ns) == "BE71096123456769"
    assert tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns) == "BE93096011111167"
    assert doc.findtext(".//p:PmtTpInf/p:SeqTp", namespaces=ns) == "RCUR"


def test_new_bank_gives_smnda_and_frst(ctx, factory, org, session, version):
    family, mandate = _collected_mandate(ctx, factory, org, session)
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("", "Ouder Debiteur", "BE68539007547034"), "andere bank")
    session.commit()
    batch, doc, tx, ns = _next_debit(ctx, session, org, family, version)
    assert [i.sequence_type for i in batch.items] == ["FRST"]
    assert doc.findtext(".//p:PmtTpInf/p:SeqTp", namespaces=ns) == "FRST"
    details = tx.find("p:DrctDbtTx/p:MndtRltdInf/p:AmdmntInfDtls", ns)
    assert [etree.QName(e).localname for e in details] == ["OrgnlDbtrAgt"]  # no original account with SMNDA
    assert details.findtext("p:OrgnlDbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=ns) == "SMNDA"
    assert tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:AmdmntInd", namespaces=ns) == "true"


def test_new_reference_gives_the_original_reference_which_is_never_reused(ctx, factory, org, session, version):
    family, mandate = _collected_mandate(ctx, factory, org, session, reference="M-OUD")
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M-NIEUW", "Ouder Debiteur", "BE71096123456769"))
    session.commit()
    assert mandate.reference == "M-NIEUW"
    with pytest.raises(BillingError) as err:
        mandate_for(ctx, factory.family(org), "M-OUD")
    assert err.value.code == "facturatie.mandate_reference_taken"
    batch, doc, tx, ns = _next_debit(ctx, session, org, family, version)
    info = tx.find("p:DrctDbtTx/p:MndtRltdInf", ns)
    assert info.findtext("p:MndtId", namespaces=ns) == "M-NIEUW"
    details = info.find("p:AmdmntInfDtls", ns)
    assert [etree.QName(e).localname for e in details] == ["OrgnlMndtId"]
    assert details.findtext("p:OrgnlMndtId", namespaces=ns) == "M-OUD"
    assert [i.sequence_type for i in batch.items] == ["RCUR"]


def test_reference_and_bank_changed_together_in_one_amendment_block(ctx, factory, org, session, version):
    family, mandate = _collected_mandate(ctx, factory, org, session, reference="M-X1")
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M-X2", "Ouder Debiteur", "BE93096011111167"))
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M-X2", "Ouder Debiteur", "BE68539007547034"))
    session.commit()
    batch, doc, tx, ns = _next_debit(ctx, session, org, family, version)
    details = tx.find("p:DrctDbtTx/p:MndtRltdInf/p:AmdmntInfDtls", ns)
    # compared with what the bank last saw (the first change since the collection)
    assert [etree.QName(e).localname for e in details] == ["OrgnlMndtId", "OrgnlDbtrAgt"]
    assert details.findtext("p:OrgnlMndtId", namespaces=ns) == "M-X1"
    assert [i.sequence_type for i in batch.items] == ["FRST"]


def test_amendment_is_reported_once_and_not_before_a_first_collection(ctx, factory, org, session):
    family, mandate = _collected_mandate(ctx, factory, org, session)
    fresh_family = factory.family(org)
    fresh = mandate_for(ctx, fresh_family, "M-FRESH")
    sepa.amend_mandate(ctx, fresh, sepa.MandateInput("", "Ouder Debiteur", "BE68539007547034"))  # never collected
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("", "Ouder Debiteur", "BE93096011111167"))
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("", "Andere Naam", "BE93096011111167"))  # a name only
    build.invoice(session, org, fresh_family, None, care="30.00", month=11)
    build.invoice(session, org, family, None, care="45.00", month=11)
    batch = sepa.build_batch(ctx, date(2026, 12, 18)).batch
    doc = _validate(sepa.render_batch(ctx, batch), "pain.008.001.02")
    ns = {"p": doc.nsmap[None]}
    flagged = {tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=ns):
               tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:AmdmntInfDtls/p:OrgnlDbtrAcct/p:Id/p:IBAN", namespaces=ns)
               for tx in doc.iterfind(".//p:DrctDbtTxInf", ns)}
    assert flagged == {"M-AM": "BE71096123456769", "M-FRESH": None}
    sepa.freeze_batch(ctx, batch)
    session.commit()
    assert all(a.sent_batch_id == batch.id for a in session.scalars(select(SepaMandateAmendment)))
    # the month after: the bank knows, nothing to report
    build.invoice(session, org, family, None, care="50.00", month=12)
    later = sepa.build_batch(ctx, date(2027, 1, 20)).batch
    doc = _validate(sepa.render_batch(ctx, later), "pain.008.001.02")
    assert not doc.findall(".//{*}AmdmntInd") and [i.sequence_type for i in later.items] == ["RCUR"]


def test_a_bank_change_after_the_draft_makes_its_debit_frst(ctx, factory, org, session):
    family, mandate = _collected_mandate(ctx, factory, org, session)
    build.invoice(session, org, family, None, care="45.00", month=11)
    draft = sepa.build_batch(ctx, date(2026, 12, 18)).batch
    assert [i.sequence_type for i in draft.items] == ["RCUR"]
    sepa.amend_mandate(ctx, mandate, sepa.MandateInput("", "Ouder Debiteur", "BE68539007547034"))
    session.commit()
    assert [i.sequence_type for i in draft.items] == ["FRST"]
    doc = _validate(sepa.render_batch(ctx, draft), "pain.008.001.02")
    assert doc.findtext(".//{*}SeqTp") == "FRST" and doc.findtext(".//{*}OrgnlDbtrAgt//{*}Id") == "SMNDA"


def test_amendment_input_is_checked(ctx, factory, org, session):
    family, mandate = _collected_mandate(ctx, factory, org, session)
    other = mandate_for(ctx, factory.family(org), "M-ANDER")
    with pytest.raises(BillingError) as err:
        sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M-ANDER", "Ouder Debiteur", "BE71096123456769"))
    assert err.value.code == "facturatie.mandate_reference_taken" and other.reference == "M-ANDER"
    with pytest.raises(BillingError) as err:
        sepa.amend_mandate(ctx, mandate, sepa.MandateInput("M<1>", "Ouder Debiteur", "BE71096123456769"))
    assert err.value.code == "facturatie.mandate_reference_invalid"
    assert session.scalars(select(SepaMandateAmendment)).all() == []


def test_freezing_takes_a_fixed_number_of_statements_and_logs_every_change(ctx, factory, org, session):
    """Freezing two debits or five: the same statements; the batch's audit entry names each
    invoice's and mandate's change."""
    from core.models import AuditEntry
    from tests.conftest import QueryCounter

    families = [factory.family(org) for _ in range(7)]
    mandates = [mandate_for(ctx, family, f"M-F{n}") for n, family in enumerate(families)]
    invoices = [build.invoice(session, org, family, None, care="20.00") for family in families]
    counts, batches = [], []
    for day, keep in ((date(2026, 11, 20), 2), (date(2026, 11, 23), 7)):
        for n, family in enumerate(families):
            profile = session.scalar(select(BillingProfile).where(BillingProfile.family_id == family.id))
            profile.payment_method = PaymentMethod.DIRECT_DEBIT if n < keep else PaymentMethod.TRANSFER
        session.commit()
        batch = sepa.build_batch(ctx, day).batch
        session.commit()
        with QueryCounter(session.connection()) as q:
            sepa.freeze_batch(ctx, batch)
        counts.append(q.count)
        batches.append(batch)
        session.commit()
    assert [b.count for b in batches] == [2, 5]
    assert counts[1] <= counts[0], counts
    assert all(session.get(Invoice, i.id).payment_state == PaymentState.COLLECTING for i in invoices)
    assert all(m.needs_first is False and m.last_collection_on is not None for m in mandates)
    (entry,) = [e for e in session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "facturatie_dd_batch", AuditEntry.entity_id == batches[1].id,
        AuditEntry.action == "update")) if "invoices" in (e.changes or {})]
    assert sorted(entry.changes["invoices"][1]) == sorted([i.id, "open", "collecting"] for i in invoices[2:])
    assert sorted(entry.changes["mandates"][1]) == sorted([m.id, True, None, "2026-11-23"] for m in mandates[2:])
