from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class Feedback(db.Model):
    """What one side says when an apprenticeship is completed or ended: a rating of 1 to 5
    on "would you recommend", private words only admins read, and for the apprentice an
    optional testimonial, which the mentor's public page shows only if the mentor chooses.

    One per side per apprenticeship (a unique index), and never edited afterwards: not by
    the other side, not by the author."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("side IN ('mentor', 'mentee')", name="known_side"),
        # Only the apprentice writes a testimonial, so only theirs can be shown.
        CheckConstraint("side = 'mentee' OR testimonial = ''", name="testimonial_by_apprentice"),
        Index("uq_feedback_one_per_side", "apprenticeship_id", "side", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))  # who wrote it: 'mentor' or 'mentee'
    rating: Mapped[int]
    private_words: Mapped[str] = mapped_column(Text, default="")
    testimonial: Mapped[str] = mapped_column(Text, default="")
    # False: the profile says "a former apprentice" instead of the author's first name.
    testimonial_signed: Mapped[bool] = mapped_column(default=True)
    testimonial_shown: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    apprenticeship = relationship(
        "Apprenticeship",
        backref=backref(
            "feedback", order_by="Feedback.id", cascade="all, delete-orphan", passive_deletes=True
        ),
    )
    author = relationship("User")

    @property
    def signature(self) -> str:
        """Who the public reads as the author of the testimonial."""
        if self.author is None or not self.testimonial_signed:
            return "A former apprentice"
        return self.author.display_name.split()[0]
