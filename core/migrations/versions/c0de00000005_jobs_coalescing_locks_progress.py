"""core: job coalescing (one pending job per key), module, lock key (one running job per lock),
progress

Revision ID: c0de00000005
Revises: c0de00000004
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "c0de00000005"
down_revision = "c0de00000004"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_constraint("uq_job_key", type_="unique")
        batch_op.add_column(sa.Column("module", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("lock_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("progress_done", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("progress_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("progress_message", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("progress_at", core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_job_key"), ["key"], unique=False)
    # earlier versions kept done jobs under the same key forever: nothing conflicts (it was unique)
    op.create_index("uq_job_key_pending", "job", ["key"], unique=True, postgresql_where=PENDING,
                    sqlite_where=PENDING)
    op.create_index("uq_job_lock_key_running", "job", ["lock_key"], unique=True, postgresql_where=RUNNING,
                    sqlite_where=RUNNING)


def downgrade() -> None:
    op.drop_index("uq_job_lock_key_running", table_name="job")
    op.drop_index("uq_job_key_pending", table_name="job")
    # a key may now occur more than once (done and pending): keep the newest of each
    op.execute("DELETE FROM job WHERE key IS NOT NULL AND id NOT IN "
               "(SELECT max_id FROM (SELECT MAX(id) AS max_id FROM job WHERE key IS NOT NULL GROUP BY key) AS newest)")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_key"))
        batch_op.drop_column("progress_at")
        batch_op.drop_column("progress_message")
        batch_op.drop_column("progress_total")
        batch_op.drop_column("progress_done")
        batch_op.drop_column("lock_key")
        batch_op.drop_column("module")
        batch_op.create_unique_constraint("uq_job_key", ["key"])
