"""CSV imports of listings: the job (its file, its state, how far it got, who holds it)
and one outcome per row of the file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class ImportState(StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # a worker holds its lease (or held it and died: the lease runs out)
    FINISHED = "finished"
    FAILED = "failed"  # stopped for good; `failure` says why


class ImportJob(db.Model):
    """A CSV import of listings. The file is kept here (gzip-compressed) until the import
    finishes, so any worker on any machine can take it up; `done` is the checkpoint: the
    file's first `done` listing rows have their outcome, committed with it."""

    __tablename__ = "listing_imports"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'finished', 'failed')", name="known_state"),
        Index("ix_listing_imports_state", "state"),
        Index("ix_listing_imports_admin_id", "admin_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    file: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    approve_valid: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default=ImportState.QUEUED)
    failure: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    # The worker holding the job: a random token, renewed with every batch it commits.
    # Once the lease has run out (the worker died), another worker may take the job.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runs: Mapped[int] = mapped_column(default=0)  # how many times a worker took it up
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_over(self) -> bool:
        return self.state in (ImportState.FINISHED, ImportState.FAILED)


class ImportRow(db.Model):
    """What became of one row of an import's file: imported (the listing) or refused
    (every reason). Written in the same transaction as the job's checkpoint, and keyed
    by the row, so each row is reported once."""

    __tablename__ = "listing_import_rows"
    __table_args__ = (
        CheckConstraint("outcome IN ('imported', 'refused')", name="known_outcome"),
        Index("ix_listing_import_rows_outcome", "job_id", "outcome", "number"),
    )

    job_id: Mapped[int] = mapped_column(
        ForeignKey("listing_imports.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # as a sheet shows
    outcome: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), default="")  # the name the row gave
    reasons: Mapped[str] = mapped_column(Text, default="")
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL"), index=True
    )
