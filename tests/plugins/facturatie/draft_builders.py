"""Proposals built by hand (what fact-engine's ``compute_proposal`` hands to finalising), so the
finalising, PDF, sending and export tests do not depend on tariffs and registrations."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from plugins.facturatie.models import LineKind, PaymentMethod
from plugins.facturatie.services.drafts import (
    DraftDay,
    DraftInvoice,
    DraftLine,
    Proposal,
    ProposalWarning,
)


def care_line(child_id: int, year: int, month: int, days: int = 3, price: str = "20.00",
              description: str = "Opvang", half: int = 0) -> DraftLine:
    """``days`` full days and ``half`` half days (60 %) at ``price`` from the 1st of the month."""
    start = date(year, month, 1)
    price_d = Decimal(price)
    priced = []
    for i in range(days + half):
        is_half = i >= days
        fraction = Decimal("0.6") if is_half else Decimal("1")
        priced.append(DraftDay(child_id=child_id, day=start + timedelta(days=i), category="half" if is_half else "full",
                               rule="ikt.half" if is_half else "ikt.full", fraction=fraction, day_price=price_d,
                               amount=(price_d * fraction).quantize(Decimal("0.01")),
                               detail={"reserved": "07:30-17:00", "registered": "07:45-16:50"}))
    amount = sum((d.amount for d in priced), Decimal("0"))
    return DraftLine(kind=LineKind.CARE, child_id=child_id, description=description, rule="ikt.full",
                     quantity=Decimal(days) + Decimal("0.6") * half, unit_price=price_d, amount=amount,
                     days=tuple(priced),
                     summary={"days": {"full": days, "half": half}, "respijt_used": 1, "respijt_left": 17,
                              "absences": {"justified": 1, "unjustified": 0}})


def meals_line(child_id: int, count: int = 3, price: str = "2.50") -> DraftLine:
    p = Decimal(price)
    return DraftLine(kind=LineKind.MEALS, child_id=child_id, description="Maaltijden", rule="extra.meal",
                     quantity=Decimal(count), unit_price=p, amount=p * count)


def draft_invoice(family, child_ids=(), year: int = 2026, month: int = 10, *, name: str | None = None,
                  email: str | None = "ouder@example.be", language: str = "nl", street: str = "Kerkstraat 1",
                  lines=None) -> DraftInvoice:
    contact = family.contacts[0] if getattr(family, "contacts", None) else None
    if lines is None:
        lines = []
        for child_id in child_ids:
            lines += [care_line(child_id, year, month), meals_line(child_id)]
    return DraftInvoice(family_id=family.id, debtor_contact_id=contact.id if contact else None,
                        debtor_name=name if name is not None else family.name, debtor_street=street,
                        debtor_postcode="8500" if street else "", debtor_municipality="Kortrijk" if street else "",
                        debtor_email=email or "", language=language, payment_method=PaymentMethod.TRANSFER,
                        lines=tuple(lines))


def proposal(year: int, month: int, invoices, warnings=()) -> Proposal:
    return Proposal(year=year, month=month, invoices=tuple(invoices), warnings=tuple(warnings))


def blocking_warning(family_id: int | None = None, accepted: bool = False) -> ProposalWarning:
    return ProposalWarning(key=f"no_address:family:{family_id}", code="facturatie.no_address",
                           family_id=family_id, accepted=accepted, accepted_reason="ok" if accepted else "")


def families_with_children(factory, org, location, count: int, **kw):
    """``count`` families with one child each: [(family, child), ...]."""
    out = []
    for _ in range(count):
        family = factory.family(org, **kw)
        out.append((family, factory.child(org, family, location)))
    return out
