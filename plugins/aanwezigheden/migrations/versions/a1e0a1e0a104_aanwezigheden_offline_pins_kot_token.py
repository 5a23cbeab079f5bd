"""aanwezigheden: offline PIN verifiers (per-device key, PBKDF2 base per PIN), encrypted KOT token

Revision ID: a1e0a1e0a104
Revises: a1e0a1e0a103
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "a1e0a1e0a104"
down_revision = "a1e0a1e0a103"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aanwezigheden_device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offline_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("aanwezigheden_staff_pin", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offline_salt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("offline_iterations", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("offline_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "aanwezigheden_kot_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("set_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_aanwezigheden_kot_credential_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"],
                                name=op.f("fk_aanwezigheden_kot_credential_set_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aanwezigheden_kot_credential")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_aanwezigheden_kot_credential_organisation_id")),
    )
    with op.batch_alter_table("aanwezigheden_kot_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aanwezigheden_kot_credential_organisation_id"), ["organisation_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aanwezigheden_kot_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aanwezigheden_kot_credential_organisation_id"))
    op.drop_table("aanwezigheden_kot_credential")
    with op.batch_alter_table("aanwezigheden_staff_pin", schema=None) as batch_op:
        batch_op.drop_column("offline_hash")
        batch_op.drop_column("offline_iterations")
        batch_op.drop_column("offline_salt")
    with op.batch_alter_table("aanwezigheden_device", schema=None) as batch_op:
        batch_op.drop_column("offline_key")
