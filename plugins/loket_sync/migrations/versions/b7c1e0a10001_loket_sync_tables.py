"""loket_sync: event outbox, sequences, vacancy state, connection, inbound requests

Revision ID: b7c1e0a10001
Revises: a1b2c3d4e5f4
"""
import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "b7c1e0a10001"
down_revision = "a1b2c3d4e5f4"
branch_labels = None
depends_on = None


def _org():
    return sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "loket_sync_event",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("aggregate_type", sa.String(20), nullable=False),
        sa.Column("aggregate_id", sa.String(120), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("outcome", sa.String(16)),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True)),
    )
    op.create_index("ix_loket_sync_event_due", "loket_sync_event",
                    ["organisation_id", "status", "next_attempt_at", "id"])
    op.create_index("ix_loket_sync_event_aggregate", "loket_sync_event",
                    ["organisation_id", "aggregate_type", "aggregate_id"])
    op.create_table(
        "loket_sync_sequence",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("aggregate_type", sa.String(20), nullable=False),
        sa.Column("aggregate_id", sa.String(120), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.UniqueConstraint("organisation_id", "aggregate_type", "aggregate_id",
                            name="uq_loket_sync_sequence_aggregate"),
    )
    op.create_table(
        "loket_sync_vacancy_state",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("location_id", sa.Integer(), nullable=False, index=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("age_band", sa.String(40), nullable=False),
        sa.Column("day_parts", sa.String(80), nullable=False),
        sa.Column("last_minute", sa.Boolean(), nullable=False),
        sa.Column("free", sa.Integer(), nullable=False),
        sa.Column("aggregate_id", sa.String(120), nullable=False),
        sa.UniqueConstraint("organisation_id", "location_id", "month", "age_band", "day_parts", "last_minute",
                            name="uq_loket_sync_vacancy_state"),
    )
    op.create_table(
        "loket_sync_connection",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("adapter", sa.String(20), nullable=False),
        sa.Column("base_url", sa.String(300), nullable=False),
        sa.Column("partner_id", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(200), nullable=False),
        sa.Column("old_key_id", sa.String(200), nullable=False),
        sa.Column("old_until", UTCDateTime(timezone=True)),
        sa.Column("cursor", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("state_message", sa.String(500), nullable=False),
        sa.Column("state_at", UTCDateTime(timezone=True)),
        sa.Column("last_sent_at", UTCDateTime(timezone=True)),
        sa.Column("last_pull_at", UTCDateTime(timezone=True)),
        sa.UniqueConstraint("organisation_id", name="uq_loket_sync_connection_org"),
    )
    op.create_table(
        "loket_sync_inbound",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("loket_request_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("care_request_id", sa.Integer()),
        sa.Column("unmapped_reason", sa.String(300)),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("organisation_id", "loket_request_id", name="uq_loket_sync_inbound"),
    )
    op.create_table(
        "loket_sync_location_ref",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("location.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ref", sa.String(60), nullable=False),
        sa.UniqueConstraint("location_id", name="uq_loket_sync_location_ref_location"),
    )
    op.create_table(
        "loket_sync_seen_nonce",
        sa.Column("id", sa.Integer(), primary_key=True), _org(),
        sa.Column("key_id", sa.String(200), nullable=False),
        sa.Column("nonce", sa.String(200), nullable=False),
        sa.Column("created", UTCDateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("organisation_id", "key_id", "nonce", name="uq_loket_sync_seen_nonce"),
    )


def downgrade() -> None:
    for name in ("loket_sync_seen_nonce", "loket_sync_location_ref", "loket_sync_inbound", "loket_sync_connection", "loket_sync_vacancy_state",
                 "loket_sync_sequence", "loket_sync_event"):
        op.drop_table(name)
