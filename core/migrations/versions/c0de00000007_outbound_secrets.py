"""core: secrets for outbound calls, encrypted at rest (core.http)

Revision ID: c0de00000007
Revises: c0de00000006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "c0de00000007"
down_revision = "c0de00000006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_secret",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value_encrypted", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=200), nullable=False),
        sa.Column("set_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_outbound_secret_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"],
                                name=op.f("fk_outbound_secret_set_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_secret")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_outbound_secret_organisation_id_name")),
    )
    with op.batch_alter_table("outbound_secret", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_secret_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbound_secret", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_secret_organisation_id"))
    op.drop_table("outbound_secret")
