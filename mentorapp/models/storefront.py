"""What a mentor's page shows of their work: credits as a list, and the terms of an
apprenticeship with them."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db


class Terms(StrEnum):
    """On what terms a mentor takes an apprentice."""

    FREE = "free"
    PAID = "paid"  # the mentor states a rate in their own words
    WORK_FOR_LEARNING = "work_for_learning"  # the apprentice assists on real sessions


class MentorCredit(db.Model):
    """One record, release or project a mentor worked on, in the order they list them.

    The profile keeps a plain-text summary of the list (`MentorProfile.credits`, one line
    a credit), which the search indexes and the admins vet."""

    __tablename__ = "mentor_credits"
    __table_args__ = (
        CheckConstraint("year IS NULL OR year BETWEEN 1900 AND 2100", name="year_range"),
        Index("ix_mentor_credits_mentor_position", "mentor_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.user_id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    artist: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int | None]
    link: Mapped[str] = mapped_column(String(300), default="")

    def summary(self) -> str:
        """The credit on one line of plain text, as the profile's summary holds it."""
        line = self.title
        if self.artist:
            line += f" by {self.artist}"
        if self.year:
            line += f" ({self.year})"
        if self.role:
            line += f", {self.role}"
        if self.link:
            line += f" · {self.link}"
        return line
