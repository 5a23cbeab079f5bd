"""facturatie allocations per payment and invoice (the split over the lines is derived)

Revision ID: fac7a0000006
Revises: fac7a0000005
Create Date: 2026-12-02 13:00:00.000000

One row per (payment, invoice) instead of one per invoice line: the rows of a payment for one
invoice are summed into its first row (the lowest id, so the order of the allocations, which the
derived split follows, is kept) and the others deleted. Every allocation was made by filling the
lines in the fixed order (non-care by position, care last) and every return undid them from the
top, so the derived split (services/allocation.py) gives back the stored one. The downgrade
splits the rows again by that rule.
"""
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


revision = 'fac7a0000006'
down_revision = 'fac7a0000005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE facturatie_payment_allocation SET amount = ("
        " SELECT SUM(b.amount) FROM facturatie_payment_allocation b"
        " WHERE b.payment_id = facturatie_payment_allocation.payment_id"
        " AND b.invoice_id = facturatie_payment_allocation.invoice_id)"
        " WHERE id IN (SELECT MIN(id) FROM facturatie_payment_allocation GROUP BY payment_id, invoice_id)")
    op.execute(
        "DELETE FROM facturatie_payment_allocation"
        " WHERE id NOT IN (SELECT MIN(id) FROM facturatie_payment_allocation GROUP BY payment_id, invoice_id)")
    with op.batch_alter_table('facturatie_payment_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facturatie_payment_allocation_line_id'))
        batch_op.drop_constraint(batch_op.f('fk_facturatie_payment_allocation_line_id_facturatie_invoice_line'),
                                 type_='foreignkey')
        batch_op.drop_column('line_id')


def downgrade() -> None:
    with op.batch_alter_table('facturatie_payment_allocation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_id', sa.Integer(), nullable=True))
    bind = op.get_bind()
    money = sa.bindparam('amount', type_=sa.Numeric(10, 2))
    lines: dict[int, list] = {}
    for row in bind.execute(sa.text(
            "SELECT id, invoice_id, kind, position, amount FROM facturatie_invoice_line"
            " WHERE invoice_id IN (SELECT invoice_id FROM facturatie_payment_allocation)")):
        lines.setdefault(row.invoice_id, []).append(row)
    level: dict[int, Decimal] = {}
    rows = bind.execute(sa.text("SELECT id, organisation_id, payment_id, invoice_id, amount"
                                " FROM facturatie_payment_allocation ORDER BY id")).all()
    for alloc in rows:
        ordered = sorted(lines.get(alloc.invoice_id, []), key=lambda ln: (ln.kind == 'care', ln.position))
        before = level.get(alloc.invoice_id, Decimal('0'))
        after = before + Decimal(alloc.amount)
        level[alloc.invoice_id] = after
        parts, start = [], Decimal('0')
        for line in ordered:
            end = start + max(Decimal(line.amount), Decimal('0'))
            part = min(max(after, start), end) - min(max(before, start), end)
            if part:
                parts.append((line.id, part))
            start = end
        if not parts:
            bind.execute(sa.text("DELETE FROM facturatie_payment_allocation WHERE id = :id"), {"id": alloc.id})
            continue
        first_line, first_part = parts[0]
        bind.execute(sa.text("UPDATE facturatie_payment_allocation SET line_id = :line, amount = :amount"
                             " WHERE id = :id").bindparams(money), {"line": first_line, "amount": first_part, "id": alloc.id})
        for line_id, part in parts[1:]:
            bind.execute(sa.text("INSERT INTO facturatie_payment_allocation"
                                 " (organisation_id, payment_id, invoice_id, line_id, amount)"
                                 " VALUES (:org, :payment, :invoice, :line, :amount)").bindparams(money),
                         {"org": alloc.organisation_id, "payment": alloc.payment_id, "invoice": alloc.invoice_id,
                          "line": line_id, "amount": part})
    with op.batch_alter_table('facturatie_payment_allocation', schema=None) as batch_op:
        batch_op.alter_column('line_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_facturatie_payment_allocation_line_id_facturatie_invoice_line'),
                                    'facturatie_invoice_line', ['line_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index(batch_op.f('ix_facturatie_payment_allocation_line_id'), ['line_id'], unique=False)
