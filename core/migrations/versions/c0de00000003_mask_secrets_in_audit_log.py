"""core: mask secrets already copied into the audit log (PIN hashes, offline PIN verifiers,
device keys and tokens were logged in clear before they joined core.audit.SECRET_FIELDS)

Revision ID: c0de00000003
Revises: c0de00000002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "c0de00000003"
down_revision = "c0de00000002"
branch_labels = None
depends_on = None

KEYS = ("pin_hash", "offline_salt", "offline_hash", "offline_key", "token_hash", "token")
BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("changes", sa.JSON))
    last = 0
    while True:
        rows = bind.execute(sa.select(log.c.id, log.c.changes).where(log.c.id > last, log.c.changes.is_not(None))
                            .order_by(log.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row_id, changes in rows:
            if isinstance(changes, dict) and any(k in changes for k in KEYS):
                masked = {k: (["***" if v and v[0] else None, "***" if v and len(v) > 1 and v[1] else None]
                              if k in KEYS and isinstance(v, list) else ("***" if k in KEYS else v))
                          for k, v in changes.items()}
                bind.execute(sa.update(log).where(log.c.id == row_id).values(changes=masked))
        last = rows[-1][0]


def downgrade() -> None:
    pass  # the clear values are gone on purpose
