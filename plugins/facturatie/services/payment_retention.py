"""What the payments part keeps past core's retention cutoff (domain-rules §3.2: financial data
5 years, tax documents as tax law asks): a family with a payment, an active or recently revoked
mandate, or an unpaid invoice; a child and family with a tax certificate of a year not before the
cutoff's. Read only."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from core.plugins import RetentionHold

from ..models import (
    FiscalCertificate,
    Invoice,
    InvoiceKind,
    MandateState,
    Payment,
    PaymentState,
    SepaMandate,
)


def payment_holds(session, org, child_ids, family_ids, cutoff) -> list[RetentionHold]:
    holds = []
    if family_ids:
        families = set(session.scalars(select(Payment.family_id).where(
            Payment.organisation_id == org.id, Payment.family_id.in_(family_ids), Payment.received_on >= cutoff)))
        families |= set(session.scalars(select(SepaMandate.family_id).where(
            SepaMandate.organisation_id == org.id, SepaMandate.family_id.in_(family_ids),
            or_(SepaMandate.state == MandateState.ACTIVE, SepaMandate.revoked_on >= cutoff))))
        families |= set(session.scalars(select(Invoice.family_id).where(
            Invoice.organisation_id == org.id, Invoice.family_id.in_(family_ids), Invoice.kind == InvoiceKind.INVOICE,
            Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL, PaymentState.COLLECTING)))))
        if families:
            holds.append(RetentionHold("facturatie", family_ids=frozenset(families),
                                       reason=_("betalingen, mandaten of openstaande facturen")))
    if child_ids:
        children = set(session.scalars(select(FiscalCertificate.child_id).where(
            FiscalCertificate.organisation_id == org.id, FiscalCertificate.child_id.in_(child_ids),
            FiscalCertificate.year >= cutoff.year)))
        if children:
            holds.append(RetentionHold("facturatie", child_ids=frozenset(children),
                                       reason=_("fiscale attesten (281.86)")))
    return holds
