"""The outbox table of ``core.jobs``. It lives here so that importing ``core.models`` registers it
on the metadata (Alembic, drift tests) without importing the worker and its CLI."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import clock
from core.db import Base, UTCDateTime
from core.models.base import str_enum

MAX_ATTEMPTS = 8


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        # coalescing: one *pending* job per key (a new one is allowed once it ran; core.jobs.enqueue)
        Index("uq_job_key_pending", "key", unique=True, postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
        # no overlap: one *running* job per lock key (core.jobs.claim)
        Index("uq_job_lock_key_running", "lock_key", unique=True, postgresql_where=text("status = 'running'"),
              sqlite_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    key: Mapped[str | None] = mapped_column(String(200), index=True)
    # the module whose handler runs the job (None: core); skipped while it is off for the organisation
    module: Mapped[str | None] = mapped_column(String(40))
    lock_key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, 16), default=JobStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=MAX_ATTEMPTS)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # progress of a long run, written by the handler in a short transaction of its own
    progress_done: Mapped[int | None] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    progress_message: Mapped[str | None] = mapped_column(String(300))
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
