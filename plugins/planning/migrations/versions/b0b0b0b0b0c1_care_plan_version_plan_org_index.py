"""planning: care plan versions indexed by (care_plan_id, organisation_id) instead of care_plan_id

The versions of a plan are always read under the organisation's filter. With two single-column
indexes SQLite chose the organisation's and walked all its versions for every plan (a query
quadratic in the number of plans: 16 ms instead of 2 for 239 plans).

Revision ID: b0b0b0b0b0c1
Revises: b0b0b0b0b006
Create Date: 2026-12-02 13:00:00
"""
from alembic import op

revision = 'b0b0b0b0b0c1'
down_revision = 'b0b0b0b0b006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planning_care_plan_version', schema=None) as batch_op:
        batch_op.drop_index('ix_planning_care_plan_version_care_plan_id')
        batch_op.create_index('ix_planning_care_plan_version_plan_org', ['care_plan_id', 'organisation_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('planning_care_plan_version', schema=None) as batch_op:
        batch_op.drop_index('ix_planning_care_plan_version_plan_org')
        batch_op.create_index('ix_planning_care_plan_version_care_plan_id', ['care_plan_id'], unique=False)
