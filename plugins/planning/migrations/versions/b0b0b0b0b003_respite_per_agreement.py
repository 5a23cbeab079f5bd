"""respite per agreement: planning_respite_use.care_plan_id

A respijtdag is taken from the balance of one agreement (domain-rules §2.4; co-parenting: two
agreements). Existing rows are matched to the child's agreement that covered the day (the
lowest id when several did).

Revision ID: b0b0b0b0b003
Revises: b0b0b0b0b002
Create Date: 2026-12-02 06:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b0b0b0b0b003'
down_revision = 'b0b0b0b0b002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planning_respite_use', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_plan_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_planning_respite_use_care_plan_id'), ['care_plan_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_planning_respite_use_care_plan_id_planning_care_plan'),
                                    'planning_care_plan', ['care_plan_id'], ['id'], ondelete='CASCADE')
    op.execute(
        "UPDATE planning_respite_use SET care_plan_id = ("
        " SELECT MIN(p.id) FROM planning_care_plan p"
        " WHERE p.child_id = planning_respite_use.child_id"
        " AND p.organisation_id = planning_respite_use.organisation_id"
        " AND p.start_date <= planning_respite_use.day"
        " AND (p.end_date IS NULL OR p.end_date >= planning_respite_use.day))"
        " WHERE care_plan_id IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('planning_respite_use', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_planning_respite_use_care_plan_id_planning_care_plan'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_planning_respite_use_care_plan_id'))
        batch_op.drop_column('care_plan_id')
