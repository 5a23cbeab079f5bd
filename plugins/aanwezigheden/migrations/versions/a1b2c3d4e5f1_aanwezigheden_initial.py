"""aanwezigheden: start of the module's migration branch (no tables yet).

Revision ID: a1b2c3d4e5f1
Revises:
Create Date: 2026-11-22
"""

revision = "a1b2c3d4e5f1"
down_revision = None
branch_labels = ("aanwezigheden",)
depends_on = "c0de00000001"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
