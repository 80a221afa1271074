"""Cohorts: an intake an admin pairs at once, its runs (previews) and each run's outcome
per mentee, which committing turns into programme invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class Cohort(db.Model):
    """An intake: who is in it (members), chosen by the admin when it was made, and the
    adjustments (pins, forbidden pairs, people dropped) the next run starts from."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the admin chose the members by, as they typed it (shown on the cohort page).
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    # The adjustments for the next run: [[mentee, mentor], ...] and [person, ...].
    pins: Mapped[list] = mapped_column(JSON, default=list)
    forbids: Mapped[list] = mapped_column(JSON, default=list)
    drops: Mapped[list] = mapped_column(JSON, default=list)
    # The one run whose pairs became invitations; set once, by the first commit.
    # (No foreign key: the two tables would point at each other.)
    committed_run_id: Mapped[int | None]

    created_by = relationship("User")
    runs: Mapped[list[CohortRun]] = relationship(
        back_populates="cohort",
        order_by="CohortRun.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CohortMember(db.Model):
    """One person of a cohort, on one side; a mentor's `capacity` is what the admin
    lowered their places to for this cohort (None: their free places)."""

    __tablename__ = "cohort_members"
    __table_args__ = (
        CheckConstraint("side IN ('mentee', 'mentor')", name="known_side"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(10), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    capacity: Mapped[int | None]


class CohortRun(db.Model):
    """One preview of a cohort: its inputs (strategy, pins, forbidden pairs, drops), how
    far the background task got, the figures, and then the commit's own progress."""

    __tablename__ = "cohort_runs"
    __table_args__ = (
        CheckConstraint("strategy IN ('optimal', 'stable')", name="known_strategy"),
        CheckConstraint("state IN ('queued', 'running', 'finished', 'failed')", name="known_state"),
        CheckConstraint(
            "commit_state IS NULL OR commit_state IN ('queued', 'running', 'finished')",
            name="known_commit_state",
        ),
        Index("ix_cohort_runs_cohort", "cohort_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    strategy: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=RunState.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    stage: Mapped[str] = mapped_column(String(120), default="Waiting for a worker")
    failure: Mapped[str] = mapped_column(Text, default="")
    pins: Mapped[list] = mapped_column(JSON, default=list)
    forbids: Mapped[list] = mapped_column(JSON, default=list)
    drops: Mapped[list] = mapped_column(JSON, default=list)
    # mentees, places, placed, mean, lowest, blocking, seconds
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commit_state: Mapped[str | None] = mapped_column(String(10))
    commit_total: Mapped[int] = mapped_column(default=0)
    commit_done: Mapped[int] = mapped_column(default=0)
    invited: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship(back_populates="runs")

    @property
    def is_over(self) -> bool:
        return self.state in (RunState.FINISHED, RunState.FAILED)

    @property
    def committing(self) -> bool:
        return self.commit_state in ("queued", "running")


class CohortPlacement(db.Model):
    """What a run proposed for one mentee: a mentor with the score and the engine's
    reasons, or why nobody. Keyed by (run, mentee): committing claims the row once, so
    a double click, a retried task or two workers create one invitation at most."""

    __tablename__ = "cohort_placements"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('invited', 'skipped')", name="known_outcome"
        ),
        Index("ix_cohort_placements_run_mentor", "run_id", "mentor_id"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("cohort_runs.id", ondelete="CASCADE"), primary_key=True
    )
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    why: Mapped[str] = mapped_column(String(200), default="")  # unplaced: why
    pinned: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(10))
    outcome_note: Mapped[str] = mapped_column(String(300), default="")
    apprenticeship_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="SET NULL")
    )

    mentee = relationship("User", foreign_keys=[mentee_id])
    mentor = relationship("User", foreign_keys=[mentor_id])


class DashboardSnapshot(db.Model):
    """The programme dashboard's figures for one span (dates, and a cohort or all),
    worked out in the background: the page reads one row, however many people there
    are. `refresh_since` is set while a refresh is on the queue (a lease: one at a time)."""

    __tablename__ = "dashboard_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60), unique=True)  # Span.scope
    charts: Mapped[list] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
