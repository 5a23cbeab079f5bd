"""Retention (core/retention.py asks every module): invoices are accounting documents, kept for
``facturatie.invoice_retention_years`` (default 10) after their issue date. A family (or a
child on a line) of an invoice issued on or after that cutoff is held, so that neither the
invoice nor what it explains loses its debtor."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import context_for
from core.models import Organisation
from core.plugins import RetentionHold
from core.retention import years_before

from ..models import Invoice, InvoiceLine

REASON = "facturen binnen de bewaartermijn van facturen"


def retention_holds(session: Session, org: Organisation, child_ids: Sequence[int],
                    family_ids: Sequence[int]) -> list[RetentionHold]:
    if not child_ids and not family_ids:
        return []
    ctx = context_for(session, org)
    cutoff = years_before(ctx.today(), int(ctx.setting("facturatie.invoice_retention_years")))
    families: set[int] = set()
    children: set[int] = set()
    if family_ids:
        families = set(session.scalars(select(Invoice.family_id).distinct().where(
            Invoice.organisation_id == org.id, Invoice.issue_date >= cutoff, Invoice.family_id.in_(family_ids))))
    if child_ids:
        children = set(session.scalars(select(InvoiceLine.child_id).distinct().join(
            Invoice, Invoice.id == InvoiceLine.invoice_id).where(
            InvoiceLine.organisation_id == org.id, Invoice.issue_date >= cutoff, InvoiceLine.child_id.in_(child_ids))))
    if not families and not children:
        return []
    return [RetentionHold("facturatie", child_ids=children, family_ids=families, reason=REASON)]


def before_erase(session: Session, org: Organisation, family_ids: Sequence[int]) -> None:
    """Families past every retention period are erased: their (older) invoices lose the link and
    the debtor's personal data, so the family's delete is not stopped by them (the numbers, dates
    and amounts stay for the series)."""
    from sqlalchemy import update

    if not family_ids:
        return
    session.execute(update(Invoice).where(Invoice.organisation_id == org.id, Invoice.family_id.in_(family_ids))
                    .values(family_id=None, debtor_contact_id=None, debtor_name="-", debtor_street="",
                            debtor_postcode="", debtor_municipality="", debtor_email=""))
