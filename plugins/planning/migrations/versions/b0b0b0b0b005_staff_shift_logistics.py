"""planned logistics staff: planning_staff_shift.logistics

From 2027 a logistiek medewerker counts for at most 25 % of the caregivers required, with at
least 2 qualified caregivers present (domain-rules §4.4).

Revision ID: b0b0b0b0b005
Revises: b0b0b0b0b004
Create Date: 2026-12-02 07:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b0b0b0b0b005'
down_revision = 'b0b0b0b0b004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planning_staff_shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logistics', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('planning_staff_shift', schema=None) as batch_op:
        batch_op.drop_column('logistics')
