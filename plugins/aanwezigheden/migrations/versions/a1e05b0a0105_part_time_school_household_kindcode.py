"""aanwezigheden: part-time school flag, a kindcode per household (co-parenting, FO-SU-05)

Revision ID: a1e05b0a0105
Revises: a1e0a1e0a104
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "a1e05b0a0105"
down_revision = "a1e0a1e0a104"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aanwezigheden_child_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_part_time", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "aanwezigheden_household_kindcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kindcode", sa.String(length=13), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"],
                                name=op.f("fk_aanwezigheden_household_kindcode_child_id_child"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"],
                                name=op.f("fk_aanwezigheden_household_kindcode_family_id_family"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_aanwezigheden_household_kindcode_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aanwezigheden_household_kindcode")),
        sa.UniqueConstraint("child_id", "family_id", name=op.f("uq_aanwezigheden_household_kindcode_child_id_family_id")),
    )
    with op.batch_alter_table("aanwezigheden_household_kindcode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aanwezigheden_household_kindcode_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aanwezigheden_household_kindcode_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aanwezigheden_household_kindcode_organisation_id"), ["organisation_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("aanwezigheden_household_kindcode")
    with op.batch_alter_table("aanwezigheden_child_code", schema=None) as batch_op:
        batch_op.drop_column("school_part_time")
