from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class PhotoRemoval(db.Model):
    """Files of a photo no longer shown (replaced, removed, or its account deleted) that
    are still to be deleted from storage. Written in the same transaction as the change,
    so the deletion is never lost; the task deletes the files, then this row."""

    __tablename__ = "photo_removals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The photo's random name (users.photo_key it had); its files are photos/<key>/...
    photo_key: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
