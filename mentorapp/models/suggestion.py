from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class MarkKind(StrEnum):
    DISMISSED = "dismissed"
    FAVOURITE = "favourite"


class SuggestionMark(db.Model):
    """A person hid a suggestion, or saved it as a favourite."""

    __tablename__ = "suggestion_marks"
    __table_args__ = (
        UniqueConstraint("user_id", "other_id", "kind", name="uq_suggestion_marks_pair_kind"),
        Index("ix_suggestion_marks_user_kind", "user_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MatchingChange(db.Model):
    """Whose matching data changed, so a worker can refresh just them; the highest id is
    the matching version (see suggestions/index.py).

    `user_id` is None when everything may have changed (the taxonomy). No foreign key:
    a deleted account must stay recorded until every worker has dropped it."""

    __tablename__ = "matching_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None]
