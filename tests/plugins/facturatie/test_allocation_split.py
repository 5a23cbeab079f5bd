"""One allocation row per payment and invoice; the split over the invoice's lines is derived from
the order of the rows (non-care lines first, care last; a return empties care first), by year of
receipt, as the tax certificate reads it. And the migration that summed the old per-line rows
gives back the split that was stored."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select, text

from core.models import Family, Koepel, Organisation
from plugins.facturatie.models import (
    Invoice,
    InvoiceLine,
    LineKind,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentState,
)
from plugins.facturatie.services import allocation

from . import payment_builders as build


def split(session, org, **period) -> dict[int, Decimal]:
    received = allocation.received_per_line(org.id, **period)
    return dict(session.execute(select(received.c.line_id, received.c.received)).all())


def returned(session, org, inv, amount: str, on: date) -> Decimal:
    payment = Payment(organisation_id=org.id, family_id=inv.family_id, received_on=on, amount=-Decimal(amount),
                      method=PaymentMethod.DIRECT_DEBIT, source="coda", unallocated=Decimal("0"))
    session.add(payment)
    undone = allocation.reverse(session, payment, inv, Decimal(amount))
    session.commit()
    return undone


def test_split_follows_the_order_of_the_allocations_by_year_and_returns_undo_care_first(factory, org, session):
    fam = factory.family(org)
    inv = build.invoice(session, org, fam, None, care="100", meals="20", fine="5")
    care, meals, fine = (next(ln for ln in inv.lines if ln.kind == k) for k in (LineKind.CARE, LineKind.MEALS,
                                                                                 LineKind.FINE))
    build.pay(session, org, inv, "50", date(2025, 12, 20))  # meals 20, fine 5, care 25
    build.pay(session, org, inv, "60", date(2026, 1, 10))  # care 60
    assert session.scalars(select(PaymentAllocation.amount).where(PaymentAllocation.invoice_id == inv.id)
                           .order_by(PaymentAllocation.id)).all() == [Decimal("50"), Decimal("60")]
    y2025 = {"received_from": date(2025, 1, 1), "received_to": date(2025, 12, 31)}
    y2026 = {"received_from": date(2026, 1, 1), "received_to": date(2026, 12, 31)}
    assert split(session, org, **y2025) == {meals.id: Decimal("20"), fine.id: Decimal("5"), care.id: Decimal("25")}
    assert split(session, org, **y2026) == {care.id: Decimal("60")}
    assert split(session, org, kind=LineKind.CARE, **y2025) == {care.id: Decimal("25")}
    # a return of 70 in 2026: care first (the 85 received), nothing of the meals or the fine
    assert returned(session, org, inv, "70", date(2026, 2, 1)) == Decimal("70")
    assert split(session, org, **y2026) == {care.id: Decimal("-10")}
    assert split(session, org) == {meals.id: Decimal("20"), fine.id: Decimal("5"), care.id: Decimal("15")}
    assert inv.paid_amount == Decimal("40") and inv.payment_state == PaymentState.PARTIAL
    # a return of more than is left undoes the rest, last in first out: care, fine, meals
    assert returned(session, org, inv, "100", date(2026, 3, 1)) == Decimal("40")
    assert split(session, org, received_from=date(2026, 3, 1)) == {
        care.id: Decimal("-15"), fine.id: Decimal("-5"), meals.id: Decimal("-20")}
    assert inv.paid_amount == 0 and inv.payment_state == PaymentState.OPEN
    # paid again: the lines fill in the same order
    build.pay(session, org, inv, "22", date(2026, 4, 1))
    assert split(session, org, received_from=date(2026, 4, 1)) == {meals.id: Decimal("20"), fine.id: Decimal("2")}


def test_never_more_than_the_invoice_total_and_negative_lines_take_nothing(factory, org, session):
    fam = factory.family(org)
    inv = build.invoice(session, org, fam, None, care="100", meals="10", commit=False)
    inv.lines.append(InvoiceLine(organisation_id=org.id, position=3, kind=LineKind.CARE, description="correctie",
                                 quantity=Decimal("-1"), unit_price=Decimal("30"), amount=Decimal("-30")))
    inv.total = Decimal("80")
    session.commit()
    payment = build.pay(session, org, inv, "100", date(2026, 11, 2))
    care = next(ln for ln in inv.lines if ln.kind == LineKind.CARE and ln.amount > 0)
    meals = next(ln for ln in inv.lines if ln.kind == LineKind.MEALS)
    assert payment.unallocated == Decimal("20") and inv.paid_amount == Decimal("80")
    assert inv.payment_state == PaymentState.PAID
    assert split(session, org) == {meals.id: Decimal("10"), care.id: Decimal("70")}
    # a second payment for a paid invoice stays whole on the family
    again = build.pay(session, org, inv, "5", date(2026, 11, 3))
    assert again.unallocated == Decimal("5") and again.allocations == []
    assert allocation.family_balances(session, org.id)[fam.id] == Decimal("25")


def test_the_migration_sums_the_rows_per_payment_and_invoice_and_keeps_the_split(database_url, tmp_path):
    """Upgrade a scratch database to the per-line schema, write per-line rows the old way (two
    payments and a return), upgrade: one row per payment and invoice, same derived split; the
    downgrade splits them again as they were."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from core.db import make_engine
    from core.migrate import downgrade, upgrade

    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        name = f"{url.database}_split"
        admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                            isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        scratch = url.set(database=name).render_as_string(hide_password=False)
    else:
        admin, scratch = None, f"sqlite:///{tmp_path / 'split.db'}"
    try:
        upgrade(scratch, target="fac7a0000005")
        engine = create_engine(scratch)
        with engine.begin() as conn:  # the other tables are as at the head: their models' defaults apply
            conn.execute(insert(Koepel.__table__).values(id=1, name="K"))
            conn.execute(insert(Organisation.__table__).values(id=1, koepel_id=1, slug="o", name="O"))
            conn.execute(insert(Family.__table__).values(id=1, organisation_id=1, name="F"))
            conn.execute(insert(Invoice.__table__).values(
                id=1, organisation_id=1, year=2025, number=1, display_number="2025-000001", period_year=2025,
                period_month=11, family_id=1, debtor_name="D", issue_date=date(2025, 11, 28),
                due_date=date(2025, 12, 28), total=Decimal("120"), ogm="000000000101", paid_amount=Decimal("40"),
                payment_state=PaymentState.PARTIAL))
            conn.execute(insert(InvoiceLine.__table__), [
                {"id": 1, "organisation_id": 1, "invoice_id": 1, "position": 1, "kind": LineKind.CARE,
                 "description": "x", "unit_price": Decimal("100"), "amount": Decimal("100")},
                {"id": 2, "organisation_id": 1, "invoice_id": 1, "position": 2, "kind": LineKind.MEALS,
                 "description": "x", "unit_price": Decimal("20"), "amount": Decimal("20")}])
            conn.execute(insert(Payment.__table__), [
                {"id": pay_id, "organisation_id": 1, "family_id": 1, "received_on": on, "amount": Decimal(amount),
                 "method": PaymentMethod.TRANSFER}
                for pay_id, on, amount in ((1, date(2025, 12, 20), 50), (2, date(2026, 1, 10), 60),
                                           (3, date(2026, 2, 1), -70))])
            old = [(1, 2, 20), (1, 1, 30), (2, 1, 60), (3, 1, -70)]  # (payment, line, amount), in this order
            for pay_id, line_id, amount in old:
                conn.execute(text("INSERT INTO facturatie_payment_allocation (organisation_id, payment_id,"
                                  " invoice_id, line_id, amount) VALUES (1, :pay, 1, :line, :amount)"),
                             {"pay": pay_id, "line": line_id, "amount": amount})
            ids = conn.execute(text("SELECT id FROM facturatie_payment_allocation ORDER BY id")).scalars().all()
        upgrade(scratch)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, payment_id, amount FROM facturatie_payment_allocation"
                                     " ORDER BY id")).all()
            assert [(r.id, r.payment_id, Decimal(str(r.amount))) for r in rows] == [
                (ids[0], 1, Decimal("50")), (ids[2], 2, Decimal("60")), (ids[3], 3, Decimal("-70"))]
            received = allocation.received_per_line(1, received_from=date(2025, 1, 1),
                                                    received_to=date(2025, 12, 31))
            assert {k: Decimal(str(v)) for k, v in conn.execute(
                select(received.c.line_id, received.c.received))} == {1: Decimal("30"), 2: Decimal("20")}
            received = allocation.received_per_line(1, kind=LineKind.CARE, received_from=date(2026, 1, 1))
            assert {k: Decimal(str(v)) for k, v in conn.execute(
                select(received.c.line_id, received.c.received))} == {1: Decimal("-10")}
        downgrade(scratch, target="fac7a0000005")
        with engine.connect() as conn:
            back = conn.execute(text("SELECT payment_id, line_id, amount FROM facturatie_payment_allocation")).all()
        assert sorted((r.payment_id, r.line_id, Decimal(str(r.amount))) for r in back) == sorted(
            (pay_id, line_id, Decimal(amount)) for pay_id, line_id, amount in old)
        engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
