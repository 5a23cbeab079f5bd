"""Synthetic payments demo for ``koepel demo`` (never real people): national numbers for most
paying parents (the tax certificate needs them), SEPA mandates for a third of the families, last
year's invoices paid (so last year's certificates can be made), one month collected by direct
debit (a frozen batch) and a sample CODA file of the open invoices, kept as a document that
finance staff download on the bank statements page and upload again. When the organisation has
no invoices yet (billing not run in the demo), a few simple ones are made first. Idempotent: an
organisation with mandates gets nothing added."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from stdnum.be import vat as kbo
from stdnum.eu import at_02

from core.context import context_for
from core.models import Child, ChildFamily, ContactPerson, Family, Role

from ..models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineDay,
    LineKind,
    Payment,
    PaymentMethod,
    PaymentState,
    RunState,
    SepaMandate,
)
from . import allocation, sepa
from .coda_sample import _demo_iban, sample_from_open_invoices
from .errors import BillingError
from .finalise import display_number, take_numbers
from .months import lock_run
from .ogm import make_ogm

SAMPLE_KIND = "facturatie.coda_sample"


def _national_number(rng: random.Random, born: date) -> str:
    base = f"{born:%y%m%d}{rng.randint(1, 997):03d}"
    number = int(("2" if born.year >= 2000 else "") + base)
    return base + f"{97 - number % 97:02d}"


def _invoices(session, org, families, children_of, months) -> None:
    """Simple demo invoices (care + meals) for ``months`` [(year, month), ...], numbered from the
    series' counter like finalised ones (so the month finance staff finalise in the demo continues
    the series without a gap) and their months marked finalised."""
    ctx = context_for(session, org)
    for year, month in months:
        billed = [f for f in families if children_of.get(f.id) and f.contacts]
        issue = date(year, month, 28)
        number = take_numbers(ctx, InvoiceKind.INVOICE, issue.year, len(billed)) - 1 if billed else 0
        run = lock_run(ctx, year, month)
        run.state, run.finalised_at = RunState.FINALISED, ctx.now()
        for family in billed:
            kids = children_of[family.id]
            contact = family.contacts[0]
            number += 1
            inv = Invoice(organisation_id=org.id, kind=InvoiceKind.INVOICE, year=issue.year, number=number,
                          display_number=display_number(InvoiceKind.INVOICE, issue.year, number),
                          period_year=year, period_month=month,
                          family_id=family.id, debtor_contact_id=contact.id,
                          debtor_name=f"{contact.first_name} {contact.last_name}", debtor_email=contact.email or "",
                          language=getattr(contact.language, "value", "nl"), issue_date=issue,
                          due_date=issue + timedelta(days=30), total=Decimal("0"),
                          ogm=make_ogm(org.id, InvoiceKind.INVOICE, issue.year, number))
            total = Decimal("0")
            for position, child in enumerate(kids, start=1):
                price = Decimal("24.50")
                line = InvoiceLine(organisation_id=org.id, position=position * 2 - 1, kind=LineKind.CARE,
                                   child_id=child.id, description=f"Opvang {child.first_name}", rule="demo",
                                   quantity=Decimal(8), unit_price=price, amount=price * 8)
                for d in range(8):
                    line.days.append(InvoiceLineDay(organisation_id=org.id, child_id=child.id,
                                                    day=date(year, month, 3 + d), category="full", day_price=price,
                                                    amount=price))
                meals = InvoiceLine(organisation_id=org.id, position=position * 2, kind=LineKind.MEALS,
                                    child_id=child.id, description="Maaltijden", rule="demo", quantity=Decimal(8),
                                    unit_price=Decimal("2.50"), amount=Decimal("20.00"))
                inv.lines += [line, meals]
                total += line.amount + meals.amount
            inv.total = total
            session.add(inv)
    session.flush()


def populate(session, org, seed: int) -> int:
    """Returns the number of mandates made."""
    if session.scalar(select(func.count(SepaMandate.id)).where(SepaMandate.organisation_id == org.id)):
        return 0
    rng = random.Random(seed)
    ctx = context_for(session, org)
    today = ctx.today()
    if not org.sepa_creditor_id and kbo.is_valid(org.enterprise_number or ""):
        number = "".join(ch for ch in org.enterprise_number if ch.isdigit())
        org.sepa_creditor_id = "BE" + at_02.calc_check_digits(f"BE00ZZZ{number}") + "ZZZ" + number
    families = session.scalars(select(Family).where(Family.organisation_id == org.id).order_by(Family.id)).all()
    contacts = session.scalars(select(ContactPerson).where(ContactPerson.organisation_id == org.id)).all()
    for contact in contacts:
        if contact.national_number is None and rng.random() < 0.85:
            contact.national_number = _national_number(rng, date(rng.randint(1980, 1995), rng.randint(1, 12),
                                                                 rng.randint(1, 28)))
    children_of: dict[int, list[Child]] = {}
    for child, family_id in session.execute(select(Child, ChildFamily.family_id).join(
            ChildFamily, ChildFamily.child_id == Child.id).where(Child.organisation_id == org.id,
                                                                   Child.date_of_birth.is_not(None))):
        children_of.setdefault(family_id, []).append(child)
        if child.national_number is None and rng.random() < 0.9:
            child.national_number = _national_number(rng, child.date_of_birth)
    demo_families = families[:40]
    # last year's autumn only: this year's months are left to the demo's proposal (finance staff
    # finalise last month themselves), and are never compared with these synthetic days
    if not session.scalar(select(func.count(Invoice.id)).where(Invoice.organisation_id == org.id)):
        _invoices(session, org, demo_families, children_of, [(today.year - 1, m) for m in (9, 10, 11, 12)])
    # last year's invoices paid up to November (the certificates of last year), a few only partly;
    # December's are left open for the direct-debit batch and the sample bank statement
    for inv in session.scalars(select(Invoice).where(Invoice.organisation_id == org.id,
                                                     Invoice.period_year == today.year - 1,
                                                     Invoice.period_month < 12,
                                                     Invoice.payment_state == PaymentState.OPEN)):
        due = inv.total - inv.paid_amount
        amount = due if rng.random() < 0.9 else (due / 2).quantize(Decimal("0.01"))
        payment = Payment(organisation_id=org.id, family_id=inv.family_id, received_on=inv.due_date - timedelta(days=5),
                          amount=amount, method=PaymentMethod.TRANSFER, source="manual", reference=inv.ogm,
                          counterparty_iban=_demo_iban(inv.family_id or 0), unallocated=Decimal("0"))
        session.add(payment)
        payment.unallocated = amount - allocation.allocate(payment, inv, amount)
    # mandates for a third of the families with a contact
    made = 0
    for family in families:
        if not family.contacts or rng.random() > 0.33:
            continue
        contact = family.contacts[0]
        made += 1
        sepa.record_mandate(ctx, family.id, sepa.MandateInput(
            f"MDT-{org.id}-{made:05d}", f"{contact.first_name} {contact.last_name}", _demo_iban(family.id), "",
            today - timedelta(days=rng.randint(30, 400)), contact.id))
    session.flush()
    # one month collected: the open invoices of families with a mandate in a frozen batch
    if org.sepa_creditor_id and org.iban:
        try:
            batch = sepa.build_batch(ctx, sepa.earliest_collection_date(ctx)).batch
            sepa.freeze_batch(ctx, batch)
        except BillingError:
            pass
    # the sample bank statement: the remaining open invoices, paid the way families do
    if org.iban:
        from core import documents

        data = sample_from_open_invoices(ctx, today)
        documents.store(session, org, data, filename=f"voorbeeld-coda-{org.slug}.cod", content_type="text/plain",
                        kind=SAMPLE_KIND, module="facturatie", roles=(Role.FINANCE, Role.DIRECTOR))
    session.flush()
    return made
