"""The payments demo: mandates, last year's payments (certificates can be made), a frozen batch
and a sample CODA file that imports and matches; idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from core.context import build_context
from core.models import Document
from plugins.facturatie.models import BatchState, DirectDebitBatch, Payment, SepaMandate
from plugins.facturatie.services import coda, fiscal
from plugins.facturatie.services.payment_demo import SAMPLE_KIND, populate


def test_demo_payments(session, org, factory, location, frozen_today):
    org.enterprise_number = "0403170701"
    session.commit()
    for _ in range(9):
        family = factory.family(org)
        factory.child(org, family, location=location)
    made = populate(session, org, seed=7)
    session.commit()
    assert made == session.scalar(select(func.count(SepaMandate.id))) > 0
    assert session.scalar(select(func.count(Payment.id))) > 0
    assert session.scalar(select(DirectDebitBatch.state)) == BatchState.FROZEN
    ctx = build_context(session, org)
    certificates, _problems = fiscal.compute(ctx, frozen_today.year - 1)
    assert certificates
    sample = session.scalar(select(Document).where(Document.kind == SAMPLE_KIND))
    from core import documents

    result = coda.import_file(ctx, sample.filename, documents.content_of(session, sample))
    assert result.movements > 0 and result.matched > 0
    assert populate(session, org, seed=7) == 0
