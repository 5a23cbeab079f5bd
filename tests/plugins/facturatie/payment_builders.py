"""Invoices made directly with the shared models, for the payments tests (finalising is another
part's work): a valid OGM, typed lines and the days that explain the care lines."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from stdnum.be import ogm_vcs

from core.context import context_for
from plugins.facturatie.models import (
    BillingProfile,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineDay,
    LineKind,
    PaymentMethod,
)
from plugins.facturatie.services.finalise import take_numbers
from plugins.facturatie.services.ogm import make_ogm


def ogm_for(number: int) -> str:
    base = f"{number:010d}"
    return base + ogm_vcs.calc_check_digits(base)


def invoice(session, org, family, child=None, *, care: str | Decimal = "100.00", meals: str | Decimal = "0",
            fine: str | Decimal = "0", absence: str | Decimal = "0", year: int = 2026, month: int = 10,
            day_price: str | Decimal | None = None, issue: date | None = None, due: date | None = None,
            contact=None, method: PaymentMethod = PaymentMethod.TRANSFER, commit: bool = True,
            language: str = "nl") -> Invoice:
    """One finalised invoice of ``family`` for ``child``'s care in ``year``/``month``; the care
    line is explained by days at ``day_price`` (default: 10 days) so that they add up."""
    contact = contact or (family.contacts[0] if family.contacts else None)
    issue = issue or date(year, month, 28)
    n = take_numbers(context_for(session, org), InvoiceKind.INVOICE, issue.year, 1)  # the series' own counter
    inv = Invoice(organisation_id=org.id, year=issue.year, number=n, display_number=f"{issue.year}-{n:06d}",
                  period_year=year, period_month=month, family_id=family.id,
                  debtor_contact_id=contact.id if contact else None,
                  debtor_name=f"{contact.first_name} {contact.last_name}" if contact else family.name,
                  debtor_email=(contact.email or "") if contact else "", language=language, payment_method=method,
                  issue_date=issue, due_date=due or issue + timedelta(days=30), total=Decimal("0"),
                  ogm=make_ogm(org.id, InvoiceKind.INVOICE, issue.year, n))
    position = count(1)
    total = Decimal("0")
    for kind, amount in ((LineKind.CARE, care), (LineKind.MEALS, meals), (LineKind.FINE, fine),
                         (LineKind.ABSENCE_FEE, absence)):
        amount = Decimal(str(amount))
        if not amount:
            continue
        line = InvoiceLine(organisation_id=org.id, position=next(position), kind=kind,
                           child_id=child.id if child else None, description=kind.value, quantity=Decimal("1"),
                           unit_price=amount, amount=amount)
        if kind == LineKind.CARE and child is not None:
            price = Decimal(str(day_price)) if day_price is not None else (amount / 10)
            days = int((amount / price).to_integral_value())
            first = date(year, month, 1)
            for i in range(days):
                line.days.append(InvoiceLineDay(organisation_id=org.id, child_id=child.id,
                                                day=first + timedelta(days=i), category="full", fraction=Decimal(1),
                                                day_price=price, amount=price))
        inv.lines.append(line)
        total += amount
    inv.total = total
    session.add(inv)
    if commit:
        session.commit()
    return inv


def profile(session, org, family, method: PaymentMethod = PaymentMethod.TRANSFER, **kw) -> BillingProfile:
    row = BillingProfile(organisation_id=org.id, family_id=family.id, payment_method=method, **kw)
    session.add(row)
    session.commit()
    return row


def rrn(born: date, seq: int = 1) -> str:
    """A valid Belgian national number for someone born on ``born``."""
    base = f"{born:%y%m%d}{seq:03d}"
    number = int(("2" if born.year >= 2000 else "") + base)
    return base + f"{97 - number % 97:02d}"


def pay(session, org, inv: Invoice, amount, received_on: date, *, commit: bool = True):
    """Money received for ``inv`` on ``received_on``, allocated like a matched bank movement."""
    from plugins.facturatie.models import Payment
    from plugins.facturatie.services import allocation

    amount = Decimal(str(amount))
    payment = Payment(organisation_id=org.id, family_id=inv.family_id, received_on=received_on, amount=amount,
                      method=PaymentMethod.TRANSFER, source="manual", unallocated=Decimal("0"))
    session.add(payment)
    payment.unallocated = amount - allocation.allocate(payment, inv, amount)
    if commit:
        session.commit()
    return payment
