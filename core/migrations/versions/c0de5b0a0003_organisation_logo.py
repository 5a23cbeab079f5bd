"""core: the organisation's logo (bytes, content type, hash for caching)

Revision ID: c0de5b0a0003
Revises: c0de5b0a0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "c0de5b0a0003"
down_revision = "c0de5b0a0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("logo_content_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("logo_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("logo_sha256")
        batch.drop_column("logo_content_type")
        batch.drop_column("logo")
