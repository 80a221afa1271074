from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class State(StrEnum):
    """An apprenticeship's life cycle, exactly as PRODUCT.md has it: requested -> accepted
    -> completed, or declined, withdrawn, ended. A request nobody answered in time is
    declined with the reason `expired`."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"


OPEN_STATES = (State.REQUESTED, State.ACCEPTED)
EXPIRED_REASON = "expired"
_OPEN_SQL = "state IN ('requested', 'accepted')"


class Apprenticeship(db.Model):
    """A mentor and a mentee, from the first request to the end of their work together.

    `requested_by` is whoever asked: the mentee (a request) or the mentor (an invitation);
    the other person answers it. A programme invitation (`programme`, with the cohort it
    came from) is answered by the mentor, as a request is; the mentee may withdraw it."""

    __tablename__ = "apprenticeships"
    __table_args__ = (
        CheckConstraint("mentor_id <> mentee_id", name="not_oneself"),
        CheckConstraint(
            "state IN ('requested', 'accepted', 'completed', 'declined', 'withdrawn', 'ended')",
            name="known_state",
        ),
        CheckConstraint(
            "requested_by IN ('mentee', 'mentor', 'programme')", name="known_requester"
        ),
        # One open request or running apprenticeship per pair, whatever the timing.
        Index(
            "uq_apprenticeships_open_pair",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_apprenticeships_mentor_state", "mentor_id", "state"),
        Index("ix_apprenticeships_mentee_state", "mentee_id", "state"),
        Index("ix_apprenticeships_state_due", "state", "expires_at"),
        Index("ix_apprenticeships_created_at", "created_at"),  # the dashboard's dates
        Index("ix_apprenticeships_cohort_id", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the mentor deleted their account: a completed apprenticeship with a
    # reference stays, so the apprentice keeps the reference (account.services).
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default=State.REQUESTED)
    requested_by: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    info_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why a request was declined or an apprenticeship ended: a code from a list, a note.
    reason: Mapped[str | None] = mapped_column(String(30))
    reason_note: Mapped[str] = mapped_column(Text, default="")
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))

    mentor = relationship("User", foreign_keys=[mentor_id])
    cohort = relationship("Cohort")
    mentee = relationship("User", foreign_keys=[mentee_id])
    messages: Mapped[list[ThreadMessage]] = relationship(
        back_populates="apprenticeship",
        order_by="ThreadMessage.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    goals: Mapped[list[Goal]] = relationship(
        order_by="Goal.id", cascade="all, delete-orphan", passive_deletes=True
    )
    sessions: Mapped[list[WorkSession]] = relationship(
        order_by="WorkSession.held_on.desc(), WorkSession.id.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    reference: Mapped[Reference | None] = relationship(
        back_populates="apprenticeship", uselist=False, passive_deletes=True
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def status(self) -> str:
        """What to call the state on screen: a declined request that ran out of time
        is "expired"."""
        if self.state == State.DECLINED and self.reason == EXPIRED_REASON:
            return "expired"
        return self.state

    @property
    def requester_id(self) -> int:
        return self.mentor_id if self.requested_by == "mentor" else self.mentee_id

    @property
    def answerer_id(self) -> int:
        return self.mentee_id if self.requested_by == "mentor" else self.mentor_id

    def other(self, user_id: int):
        return self.mentee if user_id == self.mentor_id else self.mentor

    def role_of(self, user_id: int) -> str | None:
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None

    @property
    def confirmed_minutes(self) -> int:
        return sum(s.minutes for s in self.sessions if s.confirmed_at is not None)


class ThreadMessage(db.Model):
    """A message between the two people of an apprenticeship (or a request)."""

    __tablename__ = "apprenticeship_messages"
    __table_args__ = (Index("ix_apprenticeship_messages_thread", "apprenticeship_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # A token from the form, so a resent form adds the message once.
    nonce: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    apprenticeship: Mapped[Apprenticeship] = relationship(back_populates="messages")
    author = relationship("User")


class Goal(db.Model):
    """A goal or milestone the pair agreed on, ticked off when reached."""

    __tablename__ = "apprenticeship_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(40), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WorkSession(db.Model):
    """A session the pair held: when, how long, what it covered. The mentor confirms it."""

    __tablename__ = "apprenticeship_sessions"
    __table_args__ = (CheckConstraint("minutes BETWEEN 15 AND 720", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]
    covered: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(String(40), unique=True)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def hours(self) -> float:
        return self.minutes / 60


class Reference(db.Model):
    """What a mentor writes about an apprentice when their apprenticeship is completed.

    Only the mentor writes it; the mentee only chooses whether their profile shows it."""

    __tablename__ = "references"

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    learned: Mapped[str] = mapped_column(Text)
    work: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(String(20))
    confirmed_minutes: Mapped[int] = mapped_column(default=0)
    shown_on_profile: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    apprenticeship: Mapped[Apprenticeship] = relationship(back_populates="reference")
    author = relationship("User")


class Notification(db.Model):
    """Something a person should know about, shown in their inbox until read."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(300))
    apprenticeship_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprenticeships.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
