from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class OutboundEmail(db.Model):
    """An email written in a request's transaction and delivered after its commit."""

    __tablename__ = "outbound_emails"
    __table_args__ = (
        Index("ix_outbound_emails_pending", "sent_at", "id"),
        Index("ix_outbound_emails_next_attempt_at", "next_attempt_at"),
        Index("ix_outbound_emails_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # When the next try is due (a new email: at once); None once sent or failed for good.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the worker that claimed a try, cleared after it: nobody else takes it meanwhile.
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set after the last try failed: the email is not tried again unless an admin resends it.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
