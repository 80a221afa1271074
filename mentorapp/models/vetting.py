from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class Vetting(StrEnum):
    """Where a mentor's application stands: a draft until they send it, then like a
    listing (`pending -> approved`, or `rejected`, or `changes_requested`)."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


class MentorApplication(db.Model):
    """A mentor's application to be vetted. `data` is the version an admin judges (the
    credits, portfolio links and studio of the profile, and the links where the work can
    be checked, as they were when sent); `submitted_at` tells versions apart. A mentor
    with no row has not applied yet (a draft)."""

    __tablename__ = "mentor_applications"
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft', 'pending', 'approved', 'rejected', 'changes_requested')",
            name="known_state",
        ),
        Index("ix_mentor_applications_state_submitted", "state", "submitted_at"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(20), default=Vetting.DRAFT)
    # What the mentor types on the application page (the rest comes from the profile).
    evidence_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The version last approved, so a re-check shows what changed since.
    approved_data: Mapped[dict | None] = mapped_column(JSON)
    # The admin's reason (a rejection) or note (changes asked for), shown to the mentor.
    review_note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by an approval, kept through a re-check, cleared by a rejection.
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", back_populates="mentor_application")

    @property
    def is_vetted(self) -> bool:
        return self.vetted_at is not None

    @property
    def is_recheck(self) -> bool:
        """Waiting again after an approved mentor changed their credits or studio."""
        return self.state == Vetting.PENDING and self.vetted_at is not None


def is_vetted(user) -> bool:
    """Whether an admin approved this person as a mentor (and has not withdrawn it)."""
    application = user.mentor_application if user is not None else None
    return application is not None and application.vetted_at is not None
