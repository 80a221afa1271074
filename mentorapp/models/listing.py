from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.place import Place
from mentorapp.models.taxonomy import Specialty
from mentorapp.models.types import UTCDateTime, utcnow
from mentorapp.places.gazetteer import fold


class ListingKind(StrEnum):
    RECORDING_STUDIO = "recording_studio"
    MUSIC_SCHOOL = "music_school"
    AUDIO_ENGINEERING_SCHOOL = "audio_engineering_school"
    TRADE_SCHOOL = "trade_school"
    OTHER = "other"


class Review(StrEnum):
    """Where a listing, or a proposed edit of one, stands with the admins."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


class FlagKind(StrEnum):
    CLOSED = "closed"
    WRONG_DETAILS = "wrong_details"
    NOT_REAL = "not_real"
    ABUSE = "abuse"


listing_specialties = Table(
    "listing_specialties",
    db.metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column("specialty_id", ForeignKey("specialties.id", ondelete="CASCADE"), primary_key=True),
)

_REVIEW_SQL = "'pending', 'approved', 'rejected', 'changes_requested'"


class Listing(db.Model):
    """A studio or a school. Its columns are what the public sees once approved; a
    change to an approved listing waits as a `ListingEdit` until an admin approves it."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint(f"state IN ({_REVIEW_SQL})", name="known_state"),
        CheckConstraint(
            "kind IN ('recording_studio', 'music_school', 'audio_engineering_school', "
            "'trade_school', 'other')",
            name="known_kind",
        ),
        Index("ix_listings_state_created", "state", "created_at"),
        Index("ix_listings_public", "state", "unpublished_at", "place_id"),
        # The public directory in name order, walked a page at a time.
        Index("ix_listings_public_by_name", "state", "unpublished_at", "sort_name", "id"),
        Index("ix_listings_recheck_due", "state", "unpublished_at", "recheck_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    programmes: Mapped[str] = mapped_column(Text, default="")
    typical_length: Mapped[str] = mapped_column(String(80), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default=Review.PENDING)
    # The admin's reason (a rejection) or note (changes asked for), shown to the submitter.
    review_note: Mapped[str] = mapped_column(Text, default="")
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recheck_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the lister was last told their yearly check is due (once per due date).
    recheck_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unpublished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unpublish_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Lower-case copies for the directory's search and order (search_text also without
    # accents, and indexed: pg_trgm on PostgreSQL, FTS5 trigrams on SQLite), so neither database
    # lower-cases every row per query (and SQLite's lower() knows only ASCII). Kept by
    # `refresh_search` before every flush.
    # In code-point order on PostgreSQL whatever the database's locale, as Python sorts
    # (SQLite's own order), so the name index serves ORDER BY on both.
    sort_name: Mapped[str] = mapped_column(
        String(120).with_variant(String(120, collation="C"), "postgresql"), default=""
    )
    search_text: Mapped[str] = mapped_column(Text, default="")

    place: Mapped[Place] = relationship()
    specialties: Mapped[list[Specialty]] = relationship(
        secondary=listing_specialties, order_by=Specialty.name
    )
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    edits: Mapped[list[ListingEdit]] = relationship(
        back_populates="listing",
        order_by="ListingEdit.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def refresh_search(self) -> None:
        city = self.place.name if self.place is not None else ""
        self.sort_name = (self.name or "").lower()[:120]
        # Folded (lower case, no accents) like the words searched for: "Sao" finds "São".
        self.search_text = "\n".join(
            fold(part) for part in (self.name or "", self.description or "", city)
        )

    @property
    def is_public(self) -> bool:
        return self.state == Review.APPROVED and self.unpublished_at is None

    @property
    def is_school(self) -> bool:
        return self.kind in (
            ListingKind.MUSIC_SCHOOL,
            ListingKind.AUDIO_ENGINEERING_SCHOOL,
            ListingKind.TRADE_SCHOOL,
        )


class ListingEdit(db.Model):
    """A change proposed to an approved listing: the public keeps seeing the approved
    version until an admin approves this one."""

    __tablename__ = "listing_edits"
    __table_args__ = (
        CheckConstraint(f"state IN ({_REVIEW_SQL})", name="known_state"),
        # One edit waiting per listing: a second submission updates it.
        Index(
            "uq_listing_edits_open",
            "listing_id",
            unique=True,
            sqlite_where=text("state IN ('pending', 'changes_requested')"),
            postgresql_where=text("state IN ('pending', 'changes_requested')"),
        ),
        Index("ix_listing_edits_state_submitted", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The whole proposed listing: the same fields as Listing, specialties as slugs.
    data: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=Review.PENDING)
    review_note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    listing: Mapped[Listing] = relationship(back_populates="edits")
    submitted_by = relationship("User")


class ListingFlag(db.Model):
    """Someone says a listing is wrong: closed, wrong details, not real, or abusive."""

    __tablename__ = "listing_flags"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('closed', 'wrong_details', 'not_real', 'abuse')", name="known_kind"
        ),
        Index("ix_listing_flags_open", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(20), default="")

    listing: Mapped[Listing] = relationship()
    reporter = relationship("User", foreign_keys=[reporter_id])


class AuditEntry(db.Model):
    """An admin decision: who, when, what, on what, and why. Never edited or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept when the admin's account is gone, so the trail still says who.
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor = relationship("User")


@event.listens_for(Session, "before_flush")
def _refresh_listing_search(session: Session, _context, _instances) -> None:
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, Listing):
            instance.refresh_search()
