"""An admin's request to give up their own admin role, waiting for a second admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow

_PENDING_SQL = "decided_at IS NULL"


class AdminStepDown(db.Model):
    """Nobody removes their own admin role alone: the request waits here until a
    different admin confirms it, or the person who asked cancels it."""

    __tablename__ = "admin_step_downs"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('confirmed', 'cancelled')",
            name="known_outcome",
        ),
        # One request waiting per admin, whatever the timing.
        Index(
            "uq_admin_step_downs_pending",
            "person_id",
            unique=True,
            sqlite_where=text(_PENDING_SQL),
            postgresql_where=text(_PENDING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(20))

    person = relationship("User", foreign_keys=[person_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
