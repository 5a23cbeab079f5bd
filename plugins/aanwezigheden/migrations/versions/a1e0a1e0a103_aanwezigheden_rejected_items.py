"""aanwezigheden: refused offline absences and confirmations, kept for a decision

Revision ID: a1e0a1e0a103
Revises: a1e0a1e0a102
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "a1e0a1e0a103"
down_revision = "a1e0a1e0a102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aanwezigheden_rejected_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("received_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["aanwezigheden_device.id"],
                                name=op.f("fk_aanwezigheden_rejected_item_device_id_aanwezigheden_device"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"],
                                name=op.f("fk_aanwezigheden_rejected_item_location_id_location"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_aanwezigheden_rejected_item_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aanwezigheden_rejected_item")),
        sa.UniqueConstraint("organisation_id", "client_id",
                            name=op.f("uq_aanwezigheden_rejected_item_organisation_id_client_id")),
    )
    with op.batch_alter_table("aanwezigheden_rejected_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aanwezigheden_rejected_item_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aanwezigheden_rejected_item_organisation_id"), ["organisation_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aanwezigheden_rejected_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aanwezigheden_rejected_item_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_aanwezigheden_rejected_item_location_id"))
    op.drop_table("aanwezigheden_rejected_item")
