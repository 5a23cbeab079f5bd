"""Sending: one mail per invoice through the outbox (PDF attached, the family's language), the
families without e-mail in one PDF to print, the outbox's result read back per invoice."""
from __future__ import annotations

import email
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.context import build_context
from core.db import get_db
from core.errors import DomainError
from core.jobs import run_pending
from core.mail import outbox_dir
from core.models.document import Document
from core.models.job import Job, JobStatus
from plugins.facturatie.models import DeliveryState, Invoice
from plugins.facturatie.services import documents, sending
from plugins.facturatie.services import finalise as fin
from tests.plugins.facturatie.draft_builders import draft_invoice, families_with_children, proposal


@pytest.fixture
def ctx(session, org, frozen_today):
    return build_context(session, org)


@pytest.fixture
def month(ctx, session, factory, org, location):
    pairs = families_with_children(factory, org, location, 3)
    drafts = [draft_invoice(pairs[0][0], [pairs[0][1].id], name="Gezin Aerts", email="aerts@example.be"),
              draft_invoice(pairs[1][0], [pairs[1][1].id], name="Famille Bodart", email="bodart@example.be",
                            language="fr"),
              draft_invoice(pairs[2][0], [pairs[2][1].id], name="Gezin Claes", email=None, street="")]
    done = fin.finalise(ctx, proposal(2026, 10, drafts))
    by_name = {session.get(Invoice, i).debtor_name: session.get(Invoice, i) for i in done.invoice_ids}
    return [by_name["Gezin Aerts"], by_name["Famille Bodart"], by_name["Gezin Claes"]]


def _mail_jobs(session):
    return session.scalars(select(Job).where(Job.kind == "mail.send").order_by(Job.id)).all()


def test_sending_is_refused_while_pdfs_are_missing(ctx, month):
    with pytest.raises(DomainError) as err:
        sending.queue_send(ctx, 2026, 10)
    assert err.value.code == "facturatie.pdfs_not_ready" and err.value.params["missing"] == 3
    with pytest.raises(DomainError) as err:
        sending.queue_send(ctx, 2026, 9)
    assert err.value.code == "facturatie.no_invoices"


def test_each_invoice_is_mailed_in_its_language_and_the_rest_printed(app, ctx, session, month):
    documents.render_month(ctx, 2026, 10, processes=1)
    result = sending.send_month(ctx, 2026, 10)
    assert (result["mailed"], result["printed"]) == (2, 1)
    aerts, bodart, claes = month
    assert claes.send_state == DeliveryState.PRINT
    jobs = _mail_jobs(session)
    assert sorted(j.payload["to"] for j in jobs) == ["aerts@example.be", "bodart@example.be"]
    jobs = sorted(jobs, key=lambda j: j.payload["to"])
    assert jobs[0].payload["subject"] == f"Factuur {aerts.display_number} van Kinderopvang De Bolle"
    assert jobs[1].payload["subject"] == f"Facture {bodart.display_number} de Kinderopvang De Bolle"
    assert jobs[1].payload["attachments"] == [{"document_id": bodart.pdf_document_id}]
    printed = session.get(Document, result["print_document_id"])
    assert len(PdfReader(BytesIO(printed.content)).pages) == 1
    assert "Gezin Claes" in PdfReader(BytesIO(printed.content)).pages[0].extract_text()
    # sending again queues nothing twice
    sending.send_month(ctx, 2026, 10)
    assert len(_mail_jobs(session)) == 2
    session.commit()
    run_pending(get_db(), kinds=["mail.send"])
    session.expire_all()
    assert sending.refresh_send_states(ctx, 2026, 10) == 2
    assert session.get(Invoice, aerts.id).send_state == DeliveryState.DONE
    assert session.get(Invoice, aerts.id).sent_at is not None
    sent = sorted(outbox_dir().glob("*.eml"))
    message = email.message_from_bytes(next(p for p in sent if "facturatie" in p.name and
                                            b"bodart" in p.read_bytes()).read_bytes())
    body = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    assert "communication structur" in body.get_payload(decode=True).decode()
    attachment = next(part for part in message.walk() if part.get_filename())
    assert attachment.get_filename() == f"{bodart.display_number}.pdf"
    assert attachment.get_payload(decode=True) == session.get(Document, bodart.pdf_document_id).content


def test_a_failed_mail_is_shown_and_can_be_sent_again(app, ctx, session, month):
    documents.render_month(ctx, 2026, 10, processes=1)
    sending.send_month(ctx, 2026, 10)
    first = next(j for j in _mail_jobs(session) if j.payload["to"] == "aerts@example.be")
    first.status, first.last_error = JobStatus.FAILED, "Traceback...\nSMTPRecipientsRefused: unknown user"
    session.flush()
    sending.refresh_send_states(ctx, 2026, 10)
    aerts = month[0]
    assert aerts.send_state == DeliveryState.FAILED and "unknown user" in aerts.send_error
    sending.send_month(ctx, 2026, 10, retry=True)
    assert aerts.send_state == DeliveryState.PENDING
    jobs = _mail_jobs(session)
    assert len(jobs) == 3 and jobs[-1].payload["to"] == "aerts@example.be"
    jobs[-1].status = JobStatus.DONE
    session.flush()
    sending.refresh_send_states(ctx, 2026, 10)
    assert aerts.send_state == DeliveryState.DONE


def test_the_send_job_runs_in_the_background(app, ctx, session, month):
    documents.render_month(ctx, 2026, 10, processes=1)
    job = sending.queue_send(ctx, 2026, 10)
    session.commit()
    run_pending(get_db(), kinds=[sending.JOB_KIND])
    session.expire_all()
    assert session.get(Job, job.id).status == JobStatus.DONE, session.get(Job, job.id).last_error
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "mail.send")) == 2
    assert sending.print_document(ctx, 2026, 10) is not None
