"""planning: start of the module's migration branch.

Revision ID: b0b0b0b0b001
Revises:
Create Date: 2026-11-22
"""

revision = "b0b0b0b0b001"
down_revision = None
branch_labels = ("planning",)
depends_on = "c0de00000001"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
