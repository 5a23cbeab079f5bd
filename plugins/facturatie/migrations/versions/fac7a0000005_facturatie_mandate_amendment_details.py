"""facturatie mandate amendments in pain.008: the old reference and the file that reported it

Revision ID: fac7a0000005
Revises: fac7a0000004
Create Date: 2026-12-02 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'fac7a0000005'
down_revision = 'fac7a0000004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('facturatie_sepa_mandate_amendment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('old_reference', sa.String(length=35), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sent_batch_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_facturatie_sepa_mandate_amendment_sent_batch_id', 'facturatie_dd_batch',
                                    ['sent_batch_id'], ['id'], ondelete='SET NULL')
    # references could not change before this revision: the old one is the mandate's own
    op.execute("UPDATE facturatie_sepa_mandate_amendment SET old_reference = (SELECT reference FROM "
               "facturatie_sepa_mandate WHERE facturatie_sepa_mandate.id = facturatie_sepa_mandate_amendment.mandate_id)")


def downgrade() -> None:
    with op.batch_alter_table('facturatie_sepa_mandate_amendment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_facturatie_sepa_mandate_amendment_sent_batch_id', type_='foreignkey')
        batch_op.drop_column('sent_batch_id')
        batch_op.drop_column('old_reference')
