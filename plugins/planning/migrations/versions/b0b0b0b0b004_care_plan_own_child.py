"""care plan of the onthaalouder's own child: planning_care_plan.own_child

Own children count in capacity and ratio in family daycare (domain-rules §3.6, §4.2); their plan
is never billed and gives no respijtdagen.

Revision ID: b0b0b0b0b004
Revises: b0b0b0b0b003
Create Date: 2026-12-02 06:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b0b0b0b0b004'
down_revision = 'b0b0b0b0b003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planning_care_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('own_child', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('planning_care_plan', schema=None) as batch_op:
        batch_op.drop_column('own_child')
