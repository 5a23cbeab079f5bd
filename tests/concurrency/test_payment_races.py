"""Manual matching by finance staff in parallel (docs/concurrency.md): the organisation row is
locked first, so one bank movement is matched once, and parallel matches of different movements
to one invoice never allocate more than its lines (each sees the allocations committed before)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from core.clock import BRUSSELS
from core.models import Role
from plugins.facturatie.models import (
    BankMovement,
    Invoice,
    MovementState,
    Payment,
    PaymentAllocation,
)
from tests.concurrency.conftest import fire
from tests.factories import Factory
from tests.plugins.facturatie import payment_builders as build

MODULES = {"planning", "aanwezigheden", "facturatie"}


def _movement(s, org, n, amount):
    row = BankMovement(organisation_id=org.id, external_key=f"race-{org.id}-{n}", entry_date=date(2026, 11, 18),
                       amount=Decimal(amount), state=MovementState.UNMATCHED)
    s.add(row)
    s.flush()
    return row.id


def test_one_movement_matched_by_ten_requests_is_one_payment(live):
    live.freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules=MODULES)
        finance = factory.user(org, Role.FINANCE)
        inv = build.invoice(s, org, factory.family(org), None, care="40")
        movement_id = _movement(s, org, 1, "40")
        s.commit()
        slug, email, invoice_id = org.slug, finance.email, inv.id
    client = live.client()
    client.login(email)
    url = f"/o/{slug}/facturatie/payments/bank/movements/{movement_id}/match"
    answers = fire([lambda: client.copy().post(url, {"invoice_id": str(invoice_id)}) for _ in range(10)])
    assert sorted(a.status for a in answers) == [302] + [422] * 9, [a.status for a in answers]
    with live.unit() as s:
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.family_id.is_not(None),
                                                                          Payment.external_key.like("race-%"))) == 1
        assert s.get(Invoice, invoice_id).paid_amount == Decimal("40.00")


def test_parallel_matches_to_one_invoice_never_over_allocate(live):
    live.freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules=MODULES)
        finance = factory.user(org, Role.FINANCE)
        inv = build.invoice(s, org, factory.family(org), None, care="50")
        movements = [_movement(s, org, n, "20") for n in range(8)]
        s.commit()
        slug, email, invoice_id = org.slug, finance.email, inv.id
    client = live.client()
    client.login(email)
    answers = fire([lambda m=m: client.copy().post(f"/o/{slug}/facturatie/payments/bank/movements/{m}/match",
                                                   {"invoice_id": str(invoice_id)}) for m in movements])
    assert {a.status for a in answers} == {302}
    with live.unit() as s:
        allocated = s.scalar(select(func.sum(PaymentAllocation.amount)).where(
            PaymentAllocation.invoice_id == invoice_id))
        assert allocated == Decimal("50.00")
        assert s.get(Invoice, invoice_id).paid_amount == Decimal("50.00")
        assert s.scalar(select(func.sum(Payment.unallocated)).where(
            Payment.external_key.like(f"race-{s.get(Invoice, invoice_id).organisation_id}-%"))) == Decimal("110.00")
