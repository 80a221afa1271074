"""Reports about people and what they wrote, and blocks between two people."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.apprenticeship import ThreadMessage
from mentorapp.models.types import UTCDateTime, utcnow


class ReportSubject(StrEnum):
    """What a report is about: the person, their profile, a message, a reference."""

    PERSON = "person"
    PROFILE = "profile"
    MESSAGE = "message"
    REFERENCE = "reference"


class ReportState(StrEnum):
    """Open until an admin decides; the decision names what was done."""

    OPEN = "open"
    DISMISSED = "dismissed"
    WARNED = "warned"
    HIDDEN = "hidden"
    SUSPENDED = "suspended"


REPORT_REASONS = (
    "harassment",
    "inappropriate",
    "spam",
    "in_person_safety",
    "impersonation",
    "other",
)
_OPEN_SQL = "state = 'open'"


def _listed(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Report(db.Model):
    """What a person told the admins about another person or something they wrote.

    `snapshot` is the reported text as it was when reported, so a later edit or deletion
    hides nothing from the admins. Neither side's account going away removes a report."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_listed("subject", ReportSubject), name="known_subject"),
        CheckConstraint(_listed("reason", REPORT_REASONS), name="known_reason"),
        CheckConstraint(_listed("state", ReportState), name="known_state"),
        CheckConstraint("reporter_id <> reported_id", name="not_oneself"),
        # One open report per person and thing reported, whatever the timing.
        Index(
            "uq_reports_open_subject",
            "reporter_id",
            "subject",
            "subject_id",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_reports_state_created", "state", "created_at"),
        Index("ix_reports_reported_state", "reported_id", "state"),
        Index("ix_reports_subject", "subject", "subject_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reported_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(20))
    # The id of the person, message or reference reported (kept after it is deleted).
    subject_id: Mapped[int]
    apprenticeship_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    reported_name: Mapped[str] = mapped_column(String(80))
    snapshot: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default=ReportState.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    reporter = relationship("User", foreign_keys=[reporter_id])
    reported = relationship("User", foreign_keys=[reported_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        return self.state == ReportState.OPEN


class Block(db.Model):
    """One person's choice never to meet another in the product again."""

    __tablename__ = "blocks"
    __table_args__ = (
        UniqueConstraint("blocker_id", "blocked_id"),
        CheckConstraint("blocker_id <> blocked_id", name="not_oneself"),
        Index("ix_blocks_blocked", "blocked_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    blocked = relationship("User", foreign_keys=[blocked_id])


# The sending limits count a person's messages of the last hour (trust/limits.py).
Index(
    "ix_apprenticeship_messages_author_created",
    ThreadMessage.author_id,
    ThreadMessage.created_at,
)
