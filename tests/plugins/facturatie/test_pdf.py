"""Invoice PDFs with real WeasyPrint: the debtor's language, OGM and QR, batches cut per invoice,
a resumable run that never makes a second PDF, one family's failure recorded while the others go on."""
from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.context import build_context
from core.models.document import Document
from plugins.facturatie.models import DeliveryState, Invoice
from plugins.facturatie.services import credit, documents
from plugins.facturatie.services import finalise as fin
from plugins.facturatie.services.ogm import format_ogm
from tests.plugins.facturatie.draft_builders import draft_invoice, families_with_children, proposal


@pytest.fixture
def ctx(session, org, frozen_today):
    org.enterprise_number = "0123456749"
    org.street, org.postcode, org.municipality = "Marktplein 1", "8500", "Kortrijk"
    session.commit()
    return build_context(session, org)


def _month(ctx, session, factory, org, location, languages=("nl", "fr", "en"), **kw):
    pairs = families_with_children(factory, org, location, len(languages))
    drafts = [draft_invoice(f, [c.id], language=lang, name=f"Gezin {i}", **kw)
              for i, ((f, c), lang) in enumerate(zip(pairs, languages, strict=True))]
    done = fin.finalise(ctx, proposal(2026, 10, drafts))
    return [session.get(Invoice, i) for i in done.invoice_ids]


def _text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(data)).pages)


def _pdf(session, invoice) -> bytes:
    return session.get(Document, invoice.pdf_document_id).content


def test_each_invoice_gets_its_own_pdf_in_its_language(ctx, session, factory, org, location):
    invoices = _month(ctx, session, factory, org, location)
    report = documents.render_month(ctx, 2026, 10, batch_size=2, processes=1)
    assert (report.rendered, report.failed) == (3, 0)
    texts = {}
    for invoice in invoices:
        session.refresh(invoice)
        assert invoice.pdf_state == DeliveryState.DONE and invoice.pdf_error == ""
        data = _pdf(session, invoice)
        assert hashlib.sha256(data).hexdigest() == invoice.pdf_sha256
        assert len(PdfReader(BytesIO(data)).pages) == 1  # cut per invoice, not the batch
        texts[invoice.language] = _text(data)
    nl, fr, en = texts["nl"], texts["fr"], texts["en"]
    assert "Factuur 2026-00000" in nl and "Vervaldag" in nl and "Gestructureerde mededeling" in nl
    assert "Facture 2026-00000" in fr and "Échéance" in fr
    assert "Invoice 2026-00000" in en and "Due date" in en
    assert format_ogm(invoices[0].ogm) in nl.replace("\n", " ")
    assert "0123456749" in nl and "BE68 5390 0754 7034" in nl and "art. 44" in nl
    assert "Gezin 0" in nl and "Gezin 1" not in nl  # each PDF holds its own invoice only
    assert "respijtdagen: 1 gebruikt, 17 over" in nl
    assert "jours de répit : 1 utilisés, 17 restants" in fr and "Exonéré de TVA" in fr
    assert "respite days: 1 used, 17 left" in en


def test_the_pdf_holds_an_svg_qr_code_and_the_logo(ctx, session, factory, org, location):
    from core.branding import set_logo

    set_logo(org, b"\x89PNG\r\n\x1a\n" + _tiny_png()[8:])
    session.commit()
    invoice, = _month(ctx, session, factory, org, location, languages=("nl",))
    loaded, names, credited = documents._load(ctx, [invoice.id])
    org_data = documents.organisation_data(ctx)
    html = str(documents.render_fragment(loaded[0], org_data, names, credited))
    assert 'class="qr" src="data:image/svg+xml;base64,' in html
    assert 'class="logo" src="data:image/png;base64,' in html
    data = documents.render_one(ctx, invoice)
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page["/Resources"].get("/XObject")  # the logo (an image) and the QR code (a form)


def _tiny_png() -> bytes:
    import segno

    buffer = BytesIO()
    segno.make("logo").save(buffer, kind="png", scale=2)
    return buffer.getvalue()


def test_a_second_run_makes_no_second_pdf(ctx, session, factory, org, location):
    invoices = _month(ctx, session, factory, org, location)
    documents.render_month(ctx, 2026, 10, batch_size=10, processes=1)
    before = {i.id: (i.pdf_document_id, i.pdf_sha256) for i in invoices}
    again = documents.render_month(ctx, 2026, 10, batch_size=10, processes=1)
    assert (again.rendered, again.skipped) == (0, 3)
    assert {i.id: (i.pdf_document_id, i.pdf_sha256) for i in invoices} == before
    assert session.scalar(select(func.count()).select_from(Document).where(
        Document.kind == documents.DOCUMENT_KIND, Document.organisation_id == org.id)) == 3


def test_a_crash_after_the_first_group_resumes_without_second_pdfs(ctx, session, factory, org, location):
    invoices = _month(ctx, session, factory, org, location, languages=("nl",) * 5)
    calls = []

    def crash_after_first():
        session.commit()
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        documents.render_month(ctx, 2026, 10, batch_size=2, processes=1, checkpoint=crash_after_first)
    session.expire_all()
    states = [session.get(Invoice, i.id).pdf_state for i in invoices]
    assert states.count(DeliveryState.DONE) == 2 and states.count(DeliveryState.PENDING) == 3
    first_docs = {i.id: session.get(Invoice, i.id).pdf_document_id for i in invoices[:2]}
    report = documents.render_month(ctx, 2026, 10, batch_size=2, processes=1)
    assert (report.rendered, report.skipped) == (3, 2)
    assert {i.id: session.get(Invoice, i.id).pdf_document_id for i in invoices[:2]} == first_docs
    assert session.scalar(select(func.count()).select_from(Document).where(
        Document.kind == documents.DOCUMENT_KIND, Document.organisation_id == org.id)) == 5


def test_one_family_that_fails_is_recorded_and_the_others_go_on(ctx, session, factory, org, location, monkeypatch):
    invoices = _month(ctx, session, factory, org, location)
    real = documents.invoice_data

    def broken(invoice, *args):
        if invoice.id == invoices[1].id:
            raise ValueError("kapotte gegevens")
        return real(invoice, *args)

    monkeypatch.setattr(documents, "invoice_data", broken)
    report = documents.render_month(ctx, 2026, 10, batch_size=10, processes=1)
    assert (report.rendered, report.failed) == (2, 1)
    session.refresh(invoices[1])
    assert invoices[1].pdf_state == DeliveryState.FAILED and "kapotte gegevens" in invoices[1].pdf_error
    monkeypatch.setattr(documents, "invoice_data", real)
    documents.queue_render(ctx, 2026, 10, retry_failed=True)
    report = documents.render_month(ctx, 2026, 10, batch_size=10, processes=1)
    assert (report.rendered, report.failed, report.skipped) == (1, 0, 2)


def test_a_batch_whose_layout_fails_is_retried_invoice_by_invoice(ctx, session, factory, org, location, monkeypatch):
    from plugins.facturatie.services import pdf_worker

    invoices = _month(ctx, session, factory, org, location)
    real = pdf_worker.layout

    def picky(html, count):
        if count > 1 or "Gezin 2" in html:
            raise RuntimeError("layout failed")
        return real(html, count)

    monkeypatch.setattr(pdf_worker, "layout", picky)
    report = documents.render_month(ctx, 2026, 10, batch_size=10, processes=1)
    assert (report.rendered, report.failed) == (2, 1)
    failed = next(i for i in invoices if i.debtor_name == "Gezin 2")
    session.refresh(failed)
    assert failed.pdf_state == DeliveryState.FAILED and "layout failed" in failed.pdf_error


def test_a_long_name_with_diacritics_and_no_address(ctx, session, factory, org, location):
    (family, child), = families_with_children(factory, org, location, 1)
    name = ("Žofie-Ægidius Ørsted-Łukasiewicz Çelebi " * 8)[:300]
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(family, [child.id], name=name, street="")]))
    invoice = session.get(Invoice, done.invoice_ids[0])
    text = _text(documents.render_one(ctx, invoice))
    assert "Žofie-Ægidius Ørsted-Łukasiewicz" in text


def test_a_credit_note_pdf_names_the_invoice_and_has_no_qr(ctx, session, factory, org, location):
    invoice, = _month(ctx, session, factory, org, location, languages=("nl",))
    note = credit.create_credit_note(ctx, invoice.id, "Dubbel aangerekend")
    text = _text(documents.render_one(ctx, note))
    assert "Creditnota CN2026-000001" in text and invoice.display_number in text and "Dubbel aangerekend" in text
    loaded, names, credited = documents._load(ctx, [note.id])
    assert "data:image/svg" not in str(documents.render_fragment(loaded[0], documents.organisation_data(ctx),
                                                                  names, credited))


def test_two_processes_render_two_batches(ctx, session, factory, org, location):
    invoices = _month(ctx, session, factory, org, location, languages=("nl", "fr", "en", "nl"))
    report = documents.render_month(ctx, 2026, 10, batch_size=2, processes=2)
    assert (report.rendered, report.failed) == (4, 0)
    for invoice in invoices:
        session.refresh(invoice)
        assert invoice.pdf_state == DeliveryState.DONE
        assert invoice.debtor_name in _text(_pdf(session, invoice))


def test_the_month_runs_as_a_background_job(app, ctx, session, factory, org, location):
    from core.db import get_db
    from core.jobs import run_pending
    from core.models.job import Job, JobStatus

    invoices = _month(ctx, session, factory, org, location, languages=("nl", "fr"))
    job = documents.queue_render(ctx, 2026, 10)
    session.commit()
    run_pending(get_db(), kinds=[documents.JOB_KIND])
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.status == JobStatus.DONE, job.last_error
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert all(session.get(Invoice, i.id).pdf_state == DeliveryState.DONE for i in invoices)
