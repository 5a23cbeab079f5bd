"""core: register of complaints and crisis situations (decree art. 24: kept 10 years)

Revision ID: c0de5b0a0002
Revises: c0de5b0a0001
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "c0de5b0a0002"
down_revision = "c0de5b0a0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.Enum("klacht", "crisis", name="incidentkind", native_enum=False, create_constraint=True,
                                  length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("last_activity_on", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_incident_register_organisation_id_organisation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_register")),
    )
    with op.batch_alter_table("incident_register", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_register_occurred_on"), ["occurred_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_register_last_activity_on"), ["last_activity_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_register_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    op.drop_table("incident_register")
