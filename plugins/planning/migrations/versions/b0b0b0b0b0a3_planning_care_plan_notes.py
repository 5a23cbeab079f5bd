"""planning: the care plan keeps its remarks (the form's "Opmerkingen" field was never stored)

Revision ID: b0b0b0b0b0a3
Revises: b0b0b0b0b005
Create Date: 2026-12-02 06:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b0b0b0b0b0a3'
down_revision = 'b0b0b0b0b005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planning_care_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('planning_care_plan', schema=None) as batch_op:
        batch_op.drop_column('notes')
