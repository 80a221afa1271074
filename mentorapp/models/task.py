from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow

TASK_RUN_STATES = ("running", "succeeded", "retrying", "failed", "lost")


class TaskRun(db.Model):
    """One run of a background task, kept because the queue keeps no history: what the
    admin's "Background work" page lists as running and recently failed."""

    __tablename__ = "task_runs"
    __table_args__ = (Index("ix_task_runs_state_started_at", "state", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # huey's id for the task message (a retry keeps the id of its first run).
    task_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # The arguments as JSON, so an admin can run it again; None when not JSON.
    payload: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(2000))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when an admin ran a failed task again, so it leaves the "failed" list.
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
