from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """A person with an account. Emails are stored lower-cased and trimmed."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        Index("ix_users_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_mentee: Mapped[bool] = mapped_column(default=False)
    is_mentor: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pending_email: Mapped[str | None] = mapped_column(String(254))
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    # Part of the login cookie: bumping it signs the person out everywhere.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kinds of email the person chose not to get (see apprenticeships.notify.EMAIL_KINDS).
    muted_emails: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # NULL for accounts made before sign-up asked (see trust.conduct: asked at sign-in).
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # The version of the code of conduct last accepted (trust.conduct.CONDUCT_VERSION).
    conduct_version: Mapped[int | None]
    conduct_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The random name of the person's profile photo (photos.services); NULL: initials.
    photo_key: Mapped[str | None] = mapped_column(String(32), unique=True)

    mentor_profile = relationship(
        "MentorProfile",
        back_populates="user",
        uselist=False,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    mentee_profile = relationship(
        "MenteeProfile",
        back_populates="user",
        uselist=False,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # The mentor's application to be vetted (none: not applied yet).
    mentor_application = relationship(
        "MentorApplication",
        back_populates="user",
        uselist=False,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.suspended_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def roles(self) -> list[Role]:
        flags = [
            (Role.MENTEE, self.is_mentee),
            (Role.MENTOR, self.is_mentor),
            (Role.ADMIN, self.is_admin),
        ]
        return [role for role, held in flags if held]

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def end_all_sessions(self) -> None:
        """Invalidate every login cookie and remember-me cookie issued so far."""
        self.session_version = (self.session_version or 1) + 1

    def __repr__(self) -> str:
        return f"<User {self.id}>"
