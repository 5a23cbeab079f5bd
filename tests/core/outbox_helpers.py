"""Objects of an organisation for the route contract tests: a job with progress, a document."""
from __future__ import annotations

from core import documents
from core.jobs import enqueue


def victim_job(factory, org, session) -> int:
    job = enqueue(session, "test.victim", {"secret": "x"}, organisation_id=org.id)
    job.progress_done, job.progress_total, job.progress_message = 1, 3, f"{org.name} verwerken"
    session.flush()
    return job.id


def victim_document(factory, org, session) -> int:
    doc = documents.store(session, org, f"<rapport>{org.name}</rapport>".encode(), filename="rapport.xml",
                          content_type="application/xml", kind="test.report")
    return doc.id
