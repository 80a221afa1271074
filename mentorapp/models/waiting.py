from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class WaitingListEntry(db.Model):
    """A mentee waiting for a place with a full mentor, first come first told.

    When a place frees up the first not yet told is offered it (`offered_at`): the place
    is held for them until `offer_expires_at`. Asking clears `offer_expires_at` and keeps
    the place held until the mentor answers (offered_at set, offer_expires_at NULL);
    the answer, leaving or letting the offer pass removes the row (availability.waiting)."""

    __tablename__ = "waiting_list_entries"
    __table_args__ = (
        UniqueConstraint("mentor_id", "mentee_id", name="uq_waiting_list_entries_pair"),
        Index("ix_waiting_list_entries_order", "mentor_id", "joined_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def held_count(mentor_id, viewer_id: int | None):
    """How many of a mentor's places are held (offered or asked) for people on their
    waiting list other than the viewer: a scalar subquery on `mentor_id`, a column of
    the outer query."""
    query = select(func.count(WaitingListEntry.id)).where(
        WaitingListEntry.mentor_id == mentor_id, WaitingListEntry.offered_at.is_not(None)
    )
    if viewer_id is not None:
        query = query.where(WaitingListEntry.mentee_id != viewer_id)
    return query.scalar_subquery()
