"""loket_sync: start of the module's migration branch (no tables yet).

Revision ID: a1b2c3d4e5f4
Revises:
Create Date: 2026-11-22
"""

revision = "a1b2c3d4e5f4"
down_revision = None
branch_labels = ("loket_sync",)
depends_on = "c0de00000001"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
