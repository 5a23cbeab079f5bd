"""written agreement and house rules: planning_house_rules, planning_agreement

The schriftelijke overeenkomst per care plan and the dated versions of the huishoudelijk
reglement it refers to (domain-rules §2.1-§2.6).

Revision ID: b0b0b0b0b006
Revises: b0b0b0b0b0a3
Create Date: 2026-12-02 07:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b0b0b0b0b006'
down_revision = 'b0b0b0b0b0a3'
branch_labels = None
depends_on = None


def _stamps():
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        'planning_house_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('effective_date', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('pdf_name', sa.String(length=200), nullable=False),
        sa.Column('to_detriment', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('families_notified', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'effective_date'),
    )
    op.create_index('ix_planning_house_rules_organisation_id', 'planning_house_rules', ['organisation_id'])
    op.create_table(
        'planning_agreement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('care_plan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=True),
        sa.Column('house_rules_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('deposit_amount', sa.Numeric(8, 2), nullable=False),
        sa.Column('deposit_cap', sa.Numeric(8, 2), nullable=True),
        sa.Column('low_income', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_via', sa.String(length=4), nullable=True),
        sa.Column('accepted_ip', sa.String(length=45), nullable=True),
        sa.Column('signed_copy', sa.LargeBinary(), nullable=True),
        sa.Column('signed_copy_name', sa.String(length=200), nullable=False),
        sa.Column('signed_copy_type', sa.String(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint('deposit_amount >= 0', name='deposit_positive'),
        sa.CheckConstraint("accepted_via IS NULL OR accepted_via IN ('link', 'scan')", name='accepted_via_known'),
        sa.ForeignKeyConstraint(['care_plan_id'], ['planning_care_plan.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['child_id'], ['child.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['family_id'], ['family.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['house_rules_id'], ['planning_house_rules.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('care_plan_id', 'number'),
    )
    for column in ('organisation_id', 'care_plan_id', 'child_id'):
        op.create_index(f'ix_planning_agreement_{column}', 'planning_agreement', [column])


def downgrade() -> None:
    op.drop_table('planning_agreement')
    op.drop_table('planning_house_rules')
