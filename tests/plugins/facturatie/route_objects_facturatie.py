"""URL arguments of the facturatie routes for the contract tests (tests/contracts/route_objects.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal


def victim_invoice(factory, org, session) -> int:
    """A finalised invoice of ``org`` with one line (written as finalising would)."""
    from core.context import context_for
    from plugins.facturatie.models import Invoice, InvoiceKind, InvoiceLine, LineKind
    from plugins.facturatie.services.finalise import take_numbers
    from plugins.facturatie.services.ogm import make_ogm

    family = factory.family(org)
    child = factory.child(org, family)
    number = take_numbers(context_for(session, org), InvoiceKind.INVOICE, 2026, 1)
    invoice = Invoice(organisation_id=org.id, year=2026, number=number, display_number=f"2026-{number:06d}",
                      period_year=2026, period_month=10, family_id=family.id, debtor_name=family.name,
                      issue_date=date(2026, 11, 3), due_date=date(2026, 12, 3), total=Decimal("20.00"),
                      ogm=make_ogm(org.id, "invoice", 2026, number))
    invoice.lines.append(InvoiceLine(organisation_id=org.id, position=1, kind=LineKind.CARE, child_id=child.id,
                                     description=f"Opvang {child.first_name}", unit_price=Decimal("20"),
                                     amount=Decimal("20.00")))
    session.add(invoice)
    session.commit()
    return invoice.id
