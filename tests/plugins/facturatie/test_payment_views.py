"""The payments screens as finance staff (edit) and director (read): mandates, batches, CODA
upload and manual matching, reminders in the family's language, certificates and Belcotax; bad
input answers 422 with a Dutch message and writes nothing; page queries do not grow."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.models import Job
from plugins.facturatie.models import (
    BankMovement,
    DirectDebitBatch,
    FiscalCertificate,
    Invoice,
    PaymentState,
    Reminder,
    SepaMandate,
)
from plugins.facturatie.services.coda_sample import SampleEntry, write_coda
from tests.conftest import QueryCounter, login

from . import payment_builders as build


@pytest.fixture
def setup(session, org, frozen_today):
    org.sepa_creditor_id = "BE11ZZZ0403170701"
    org.enterprise_number = "0403170701"
    org.street, org.postcode, org.municipality = "Kerkstraat 1", "9000", "Gent"
    session.commit()
    return org


def url(org, path):
    return f"/o/{org.slug}/facturatie{path}"


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_mandate_screens(client, setup, factory, finance, session):
    org = setup
    family = factory.family(org)
    login(client, finance)
    page = client.get(url(org, f"/payments/families/{family.id}"))
    assert page.status_code == 200 and "Nieuw mandaat registreren" in page.get_data(as_text=True)
    bad = client.post(url(org, f"/payments/families/{family.id}/mandates"), data={
        "reference": "MDT-1", "debtor_name": "Ouder", "iban": "BE71096123456768", "signed_on": "2026-10-01",
        "contact_id": "0"})
    assert bad.status_code == 422 and "Het IBAN BE71096123456768 is ongeldig" in bad.get_data(as_text=True)
    no_date = client.post(url(org, f"/payments/families/{family.id}/mandates"), data={
        "reference": "MDT-1", "debtor_name": "Ouder", "iban": "BE71096123456769", "contact_id": "0"})
    assert no_date.status_code == 422 and "handtekeningdatum" in no_date.get_data(as_text=True)
    assert count(session, SepaMandate) == 0
    ok = client.post(url(org, f"/payments/families/{family.id}/mandates"), data={
        "reference": "MDT-1", "debtor_name": "Ouder", "iban": "BE71 0961 2345 6769", "signed_on": "2026-10-01",
        "contact_id": str(family.contacts[0].id)})
    assert ok.status_code == 302
    mandate = session.scalars(select(SepaMandate)).one()
    pdf = client.get(url(org, f"/payments/mandates/{mandate.id}/form.pdf"))
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    page = client.get(url(org, f"/payments/families/{family.id}")).get_data(as_text=True)
    assert 'name="reference" value="MDT-1"' in page  # the amendment form offers the reference
    amended = client.post(url(org, f"/payments/mandates/{mandate.id}/amend"), data={
        "reference": "MDT-1B", "debtor_name": "Ouder", "iban": "BE93096011111167", "reason": "herschikt"})
    assert amended.status_code == 302
    session.expire_all()
    mandate = session.get(SepaMandate, mandate.id)
    assert (mandate.reference, mandate.iban) == ("MDT-1B", "BE93096011111167")
    page = client.get(url(org, f"/payments/families/{family.id}")).get_data(as_text=True)
    assert "was BE71096123456769" in page and "referentie was MDT-1" in page and "herschikt" in page
    assert "gemeld aan de bank" not in page  # no file has carried it yet
    refused = client.post(url(org, f"/payments/families/{family.id}/mandates"), data={
        "reference": "MDT-1", "debtor_name": "Ouder", "iban": "BE71096123456769", "signed_on": "2026-10-01",
        "contact_id": "0"})
    assert refused.status_code == 422  # the old reference is never given again


def test_batch_screens_and_frozen_download(client, setup, factory, finance, director, session):
    org = setup
    family = factory.family(org)
    login(client, finance)
    client.post(url(org, f"/payments/families/{family.id}/mandates"), data={
        "reference": "MDT-2", "debtor_name": "Ouder", "iban": "BE71096123456769", "signed_on": "2026-10-01",
        "contact_id": "0"})
    inv = build.invoice(session, org, family, None, care="75")
    past = client.post(url(org, "/payments/direct-debits"), data={"collection_date": "2026-11-10"})
    assert past.status_code == 422 and "in het verleden" in past.get_data(as_text=True)
    holiday = client.post(url(org, "/payments/direct-debits"), data={"collection_date": "2026-12-25"})
    assert holiday.status_code == 422 and "geen bankwerkdag" in holiday.get_data(as_text=True)
    made = client.post(url(org, "/payments/direct-debits"), data={"collection_date": "2026-11-20"})
    assert made.status_code == 302
    batch = session.scalars(select(DirectDebitBatch)).one()
    assert client.get(url(org, f"/payments/direct-debits/{batch.id}")).status_code == 200
    download = client.post(url(org, f"/payments/direct-debits/{batch.id}/download"))
    assert download.status_code == 200 and b"CstmrDrctDbtInitn" in download.data
    session.expire_all()
    assert session.get(Invoice, inv.id).payment_state == PaymentState.COLLECTING
    again = client.post(url(org, f"/payments/direct-debits/{batch.id}/download"))
    assert again.data == download.data  # frozen: the same file
    client.get("/logout")
    login(client, director)
    assert client.get(url(org, "/payments/direct-debits")).status_code == 200
    assert client.post(url(org, f"/payments/direct-debits/{batch.id}/download")).status_code == 403


def test_coda_upload_and_manual_match(client, setup, factory, finance, session):
    org = setup
    family = factory.family(org)
    inv = build.invoice(session, org, family, None, care="60")
    other = build.invoice(session, org, family, None, care="33")
    data = write_coda(iban=org.iban, holder=org.name, bic="GEBABEBB", day=date(2026, 11, 18), entries=[
        SampleEntry(Decimal("60"), ogm=inv.ogm, name="Ouder", iban="BE71096123456769"),
        SampleEntry(Decimal("33"), text="opvang", name="Ouder", iban="BE71096123456769")])
    login(client, finance)
    empty = client.post(url(org, "/payments/bank"), data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Kies minstens één CODA-bestand" in empty.get_data(as_text=True)
    junk = client.post(url(org, "/payments/bank"), data={
        "files": [(io.BytesIO(data), "goed.cod"), (io.BytesIO(b"not coda"), "slecht.txt")]},
        content_type="multipart/form-data")
    assert junk.status_code == 422 and "slecht.txt is geen CODA-bestand" in junk.get_data(as_text=True)
    assert count(session, BankMovement) == 0  # one bad file: nothing imported
    ok = client.post(url(org, "/payments/bank"), data={"files": [(io.BytesIO(data), "nov.cod")]},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    page = client.get(url(org, "/payments/bank")).get_data(as_text=True)
    assert other.display_number in page and "zelfde bedrag" in page
    row = session.scalar(select(BankMovement).where(BankMovement.amount == Decimal("33")))
    wrong = client.post(url(org, f"/payments/bank/movements/{row.id}/match"), data={"invoice_id": "999999"})
    assert wrong.status_code == 422 and "Deze factuur bestaat niet" in wrong.get_data(as_text=True)
    matched = client.post(url(org, f"/payments/bank/movements/{row.id}/match"), data={"invoice_id": str(other.id)})
    assert matched.status_code == 302
    session.expire_all()
    assert session.get(Invoice, other.id).payment_state == PaymentState.PAID
    again = client.post(url(org, "/payments/bank"), data={"files": [(io.BytesIO(data), "nov-again.cod")]},
                        content_type="multipart/form-data")
    assert again.status_code == 302 and count(session, BankMovement) == 2


def test_reminders_in_the_familys_language_with_a_stop(client, setup, factory, finance, session):
    org = setup
    fr, stopped = factory.family(org), factory.family(org)
    inv = build.invoice(session, org, fr, None, care="50", issue=date(2026, 9, 1), due=date(2026, 10, 1),
                        language="fr")
    build.invoice(session, org, stopped, None, care="50", issue=date(2026, 9, 1), due=date(2026, 10, 1))
    build.profile(session, org, stopped, reminders_stopped=True)
    session.commit()
    login(client, finance)
    page = client.get(url(org, "/payments/overdue")).get_data(as_text=True)
    assert inv.display_number in page and "gestopt voor dit gezin" in page
    assert client.post(url(org, "/payments/reminders")).status_code == 302
    (reminder,) = session.scalars(select(Reminder)).all()
    assert reminder.invoice_id == inv.id and reminder.level == 2  # 48 days late: the second level only
    mail = session.scalar(select(Job).where(Job.kind == "mail.send"))
    assert mail.payload["language"] == "fr" and mail.payload["subject"].startswith("Deuxième rappel")
    client.post(url(org, "/payments/reminders"))
    assert count(session, Reminder) == 1  # not twice


def test_certificates_pdf_duplicate_and_belcotax(client, setup, factory, finance, director, session):
    org = setup
    family = factory.family(org)
    family.contacts[0].national_number = build.rrn(date(1985, 7, 30))
    child = factory.child(org, family, born=date(2024, 1, 1), national_number=build.rrn(date(2024, 1, 1), 5))
    nobody = factory.family(org)
    inv = build.invoice(session, org, family, child, care="100", year=2025, month=5, day_price="10")
    build.pay(session, org, inv, "100", date(2025, 6, 1))
    build.pay(session, org, build.invoice(session, org, nobody, factory.child(org, nobody), care="20", year=2025,
                                          month=5), "20", date(2025, 6, 1))
    login(client, finance)
    future = client.get(url(org, "/payments/certificates?year=2026")).get_data(as_text=True)
    assert "kunnen pas vanaf 1 januari 2027" in future
    assert client.post(url(org, "/payments/certificates?year=2026")).status_code in (302, 303)
    assert count(session, FiscalCertificate) == 0
    page = client.get(url(org, "/payments/certificates?year=2025")).get_data(as_text=True)
    assert "rijksregisternummer van de schuldenaar ontbreekt" in page
    assert client.post(url(org, "/payments/certificates?year=2025")).status_code == 302
    cert = session.scalars(select(FiscalCertificate)).one()
    first = client.post(url(org, f"/payments/certificates/{cert.id}/pdf"))
    second = client.post(url(org, f"/payments/certificates/{cert.id}/pdf"))
    assert first.data[:4] == b"%PDF" and second.data[:4] == b"%PDF"
    session.expire_all()
    assert session.get(FiscalCertificate, cert.id).prints == 2
    xml = client.post(url(org, "/payments/certificates/belcotax.xml?year=2025"))
    assert xml.status_code == 200 and b"<Fiche28186>" in xml.data
    client.get("/logout")
    login(client, director)
    assert client.get(url(org, "/payments/certificates?year=2025")).status_code == 200
    assert client.post(url(org, f"/payments/certificates/{cert.id}/pdf")).status_code == 403


def test_page_queries_do_not_grow_with_families(client, setup, factory, finance, session, engine):
    org = setup
    login(client, finance)

    def add(n):
        for _ in range(n):
            fam = factory.family(org)
            build.invoice(session, org, fam, None, care="10", issue=date(2026, 9, 1), due=date(2026, 10, 1),
                          commit=False)
        session.commit()

    add(2)
    counts = []
    for _ in range(2):
        for path in ("/payments/", "/payments/overdue", "/payments/bank"):
            client.get(url(org, path))
        with QueryCounter(engine) as q:
            for path in ("/payments/", "/payments/overdue", "/payments/bank"):
                assert client.get(url(org, path)).status_code == 200
        counts.append(q.count)
        add(8)
    assert counts[0] == counts[1]


def test_cash_receipt_statement_method_and_handicap(client, setup, factory, finance, session):
    org = setup
    family = factory.family(org)
    child = factory.child(org, family)
    inv = build.invoice(session, org, family, child, care="80", meals="20")
    login(client, finance)
    zero = client.post(url(org, f"/payments/families/{family.id}/cash"), data={
        "invoice_id": str(inv.id), "amount": "0", "received_on": "2026-11-18"})
    assert zero.status_code == 422
    other_org = factory.org(modules={"planning", "aanwezigheden", "facturatie"})
    theirs = build.invoice(session, other_org, factory.family(other_org), None, care="10")
    foreign = client.post(url(org, f"/payments/families/{family.id}/cash"), data={
        "invoice_id": str(theirs.id), "amount": "10", "received_on": "2026-11-18"})
    assert foreign.status_code == 422
    ok = client.post(url(org, f"/payments/families/{family.id}/cash"), data={
        "invoice_id": str(inv.id), "amount": "100", "received_on": "2026-11-18"})
    assert ok.status_code == 302 and "receipt=" in ok.headers["Location"]
    payment_id = int(ok.headers["Location"].split("receipt=")[1])
    receipt = client.get(url(org, f"/payments/receipts/{payment_id}.pdf"))
    assert receipt.status_code == 200 and receipt.data[:4] == b"%PDF"
    session.expire_all()
    assert session.get(Invoice, inv.id).payment_state == PaymentState.PAID
    statement = client.get(url(org, f"/payments/families/{family.id}/statement.pdf"))
    assert statement.status_code == 200 and statement.data[:4] == b"%PDF"
    page = client.get(url(org, f"/payments/families/{family.id}")).get_data(as_text=True)
    assert inv.display_number in page and "€ 0.00" in page  # paid: balance 0
    imposed = client.post(url(org, f"/payments/families/{family.id}/method"), data={"payment_method": "direct_debit"})
    assert imposed.status_code == 422 and "ondertekend mandaat" in imposed.get_data(as_text=True)
    cash = client.post(url(org, f"/payments/families/{family.id}/method"), data={"payment_method": "cash",
                                                                                 "reminders_stopped": "y"})
    assert cash.status_code == 302
    flag = client.post(url(org, f"/payments/families/{family.id}/handicap"), data={"child_id": str(child.id),
                                                                                   "severe_handicap": "y"})
    assert flag.status_code == 302
    from plugins.facturatie.models import BillingProfile, ChildFiscalInfo

    assert session.scalar(select(ChildFiscalInfo.severe_handicap).where(ChildFiscalInfo.child_id == child.id))
    profile = session.scalar(select(BillingProfile).where(BillingProfile.family_id == family.id))
    assert profile.payment_method.value == "cash" and profile.reminders_stopped
    # a child of another family cannot be flagged through this family
    stranger = factory.child(org, factory.family(org))
    assert client.post(url(org, f"/payments/families/{family.id}/handicap"),
                       data={"child_id": str(stranger.id), "severe_handicap": "y"}).status_code == 404


def test_reminder_letters_for_families_without_email(client, setup, factory, finance, director, session):
    """Families without an e-mail address get their reminder as a letter: one PDF to print, each
    letter in the family's language; no mail is queued for them and nothing is sent twice."""
    from pypdf import PdfReader

    org = setup
    mailed, paper, paper_fr = factory.family(org), factory.family(org), factory.family(org)
    for family in (paper, paper_fr):
        for contact in family.contacts:
            contact.email = None
    inv = build.invoice(session, org, mailed, None, care="50", issue=date(2026, 9, 1), due=date(2026, 10, 1))
    letter = build.invoice(session, org, paper, None, care="61.5", issue=date(2026, 9, 1), due=date(2026, 10, 1))
    letter_fr = build.invoice(session, org, paper_fr, None, care="20", issue=date(2026, 10, 1),
                              due=date(2026, 11, 1), language="fr")
    assert letter.debtor_email == "" and letter_fr.debtor_email == ""
    login(client, finance)
    assert client.get(url(org, "/payments/reminders/letters.pdf")).status_code == 404  # none yet
    assert client.post(url(org, "/payments/reminders")).status_code == 302
    levels = {r.invoice_id: (r.level, r.email) for r in session.scalars(select(Reminder))}
    assert levels[inv.id][1] and levels[letter.id] == (2, "") and levels[letter_fr.id] == (1, "")
    assert count(session, Job) >= 1 and all(
        j.payload["to"] for j in session.scalars(select(Job).where(Job.kind == "mail.send")))
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "mail.send")) == 1
    page = client.get(url(org, "/payments/overdue")).get_data(as_text=True)
    assert "Herinneringsbrieven om af te drukken" in page and "per brief" in page
    pdf = client.get(url(org, "/payments/reminders/letters.pdf"))
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 2 and "Tweede herinnering" in text and letter.display_number in text
    assert "61.50" in text and "Rappel" in text and letter_fr.display_number in text
    assert inv.display_number not in text
    # the next run sends nothing twice: no new letters
    client.post(url(org, "/payments/reminders"))
    assert count(session, Reminder) == 3
    # a director may read the overdue list but not download the letters
    client.get("/logout")
    login(client, director)
    assert client.get(url(org, "/payments/reminders/letters.pdf")).status_code == 403
