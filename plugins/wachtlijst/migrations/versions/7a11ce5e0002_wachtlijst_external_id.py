"""wachtlijst: a care request's id in the outside system it came from (the lokaal loket)

Revision ID: 7a11ce5e0002
Revises: 7a11ce5e0001
"""
from alembic import op
import sqlalchemy as sa


revision = "7a11ce5e0002"
down_revision = "7a11ce5e0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wachtlijst_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_source", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            "uq_wachtlijst_request_external_once", ["organisation_id", "external_source", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("wachtlijst_request", schema=None) as batch_op:
        batch_op.drop_constraint("uq_wachtlijst_request_external_once", type_="unique")
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_source")
