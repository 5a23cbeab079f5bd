"""core: a location's permission to register out-of-school care (FO-SU-05 BO tick)

Out-of-school locations (buitenschoolse opvang) have it by nature; an IKT kinderdagverblijf
gets it when Opgroeien allowed it (set on the location form).

Revision ID: c0de5b0a0001
Revises: c0de00000007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "c0de5b0a0001"
down_revision = "c0de00000007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.add_column(sa.Column("out_of_school_permission", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    location = sa.table("location", sa.column("care_type", sa.String), sa.column("out_of_school_permission", sa.Boolean))
    op.execute(location.update().where(location.c.care_type == "buitenschoolse_opvang")
               .values(out_of_school_permission=True))


def downgrade() -> None:
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_column("out_of_school_permission")
