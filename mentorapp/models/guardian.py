"""A parent's or guardian's consent for a person under 18, asked by an emailed link."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class ConsentState(StrEnum):
    """One emailed link's life: it waits, then the guardian gives or refuses consent,
    or a newer link replaces it. A waiting link past `expires_at` is expired."""

    WAITING = "waiting"
    GIVEN = "given"
    REFUSED = "refused"
    REPLACED = "replaced"


class GuardianConsent(db.Model):
    """One request for consent, sent to the guardian's email.

    Only a SHA-256 of the link's token is stored: a copy of the database cannot be
    turned into a working link."""

    __tablename__ = "guardian_consents"
    __table_args__ = (
        CheckConstraint("state IN ('waiting', 'given', 'refused', 'replaced')", name="known_state"),
        Index("ix_guardian_consents_minor_created", "minor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    guardian_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=ConsentState.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The name the guardian typed when they consented.
    guardian_name: Mapped[str | None] = mapped_column(String(80))

    minor = relationship("User")
