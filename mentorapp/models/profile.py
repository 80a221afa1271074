from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorapp.extensions import db
from mentorapp.models.place import Place
from mentorapp.models.storefront import MentorCredit
from mentorapp.models.taxonomy import Archetype, Specialty
from mentorapp.models.types import UTCDateTime, utcnow

mentor_archetypes = Table(
    "mentor_archetypes",
    db.metadata,
    Column(
        "mentor_id", ForeignKey("mentor_profiles.user_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("archetype_id", ForeignKey("archetypes.id", ondelete="CASCADE"), primary_key=True),
)

mentor_specialties = Table(
    "mentor_specialties",
    db.metadata,
    Column(
        "mentor_id", ForeignKey("mentor_profiles.user_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("specialty_id", ForeignKey("specialties.id", ondelete="CASCADE"), primary_key=True),
)


class MentorProfile(db.Model):
    """What an established producer teaches, where, when and to how many."""

    __tablename__ = "mentor_profiles"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 1 AND 20", name="capacity_range"),
        CheckConstraint("travel_km BETWEEN 0 AND 500", name="travel_range"),
        CheckConstraint("years_producing BETWEEN 0 AND 80", name="years_range"),
        # The capacity rule, held by the database whatever the timing of two accepts.
        CheckConstraint(
            "apprentice_count >= 0 AND apprentice_count <= capacity",
            name="apprentices_within_capacity",
        ),
        CheckConstraint(
            "terms IS NULL OR terms IN ('free', 'paid', 'work_for_learning')", name="known_terms"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    tools: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    years_producing: Mapped[int | None]
    # A plain-text summary of `credit_list`, one line a credit, rewritten with the list
    # (profiles.credits): the search indexes it and the admins vet it.
    credits: Mapped[str] = mapped_column(Text, default="")
    portfolio_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The numbers read from the Bandcamp pages among the links, by page address
    # ("album=123"; "" when the page had none): written by profiles/tasks.py.
    bandcamp_items: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    works_in_person: Mapped[bool] = mapped_column(default=True)
    works_remotely: Mapped[bool] = mapped_column(default=False)
    travel_km: Mapped[int] = mapped_column(default=25)
    availability: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int] = mapped_column(default=2)
    accepting: Mapped[bool] = mapped_column(default=True)
    # Whether they take apprentices under 18 (who come with a guardian's consent).
    takes_minors: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The listed studio they work at, when they chose one.
    studio_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL"), index=True
    )
    # Accepted apprenticeships running now; changed only by a conditional UPDATE.
    apprentice_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # On a pause until this day (availability.services): not suggested, not asked.
    paused_until: Mapped[date | None] = mapped_column(Date())
    # The terms of an apprenticeship (models.storefront.Terms), in the mentor's words.
    terms: Mapped[str | None] = mapped_column(String(20))
    terms_rate: Mapped[str] = mapped_column(String(200), default="", server_default="")
    typical_week: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="mentor_profile")
    credit_list: Mapped[list[MentorCredit]] = relationship(
        order_by=(MentorCredit.position, MentorCredit.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    place: Mapped[Place | None] = relationship()
    studio = relationship("Listing")
    archetypes: Mapped[list[Archetype]] = relationship(
        secondary=mentor_archetypes, order_by=Archetype.position
    )
    specialties: Mapped[list[Specialty]] = relationship(
        secondary=mentor_specialties, order_by=Specialty.name
    )


class MenteeAspiration(db.Model):
    """An archetype a mentee wants to become, ranked (1 = most wanted)."""

    __tablename__ = "mentee_aspirations"
    __table_args__ = (UniqueConstraint("mentee_id", "rank", name="uq_mentee_aspirations_rank"),)

    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("mentee_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    archetype_id: Mapped[int] = mapped_column(
        ForeignKey("archetypes.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int]
    archetype: Mapped[Archetype] = relationship(lazy="joined")


class MenteeWant(db.Model):
    """A specialty a mentee wants to learn, ranked (1 = most wanted)."""

    __tablename__ = "mentee_wants"
    __table_args__ = (UniqueConstraint("mentee_id", "rank", name="uq_mentee_wants_rank"),)

    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("mentee_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    specialty_id: Mapped[int] = mapped_column(
        ForeignKey("specialties.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int]
    specialty: Mapped[Specialty] = relationship(lazy="joined")


class MenteeProfile(db.Model):
    """What an aspiring producer wants to become and learn, where and when."""

    __tablename__ = "mentee_profiles"
    __table_args__ = (CheckConstraint("travel_km BETWEEN 0 AND 500", name="travel_range"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    about: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    tools: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    experience: Mapped[str | None] = mapped_column(String(20))
    path: Mapped[str | None] = mapped_column(String(20))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    travel_km: Mapped[int] = mapped_column(default=25)
    remote_ok: Mapped[bool] = mapped_column(default=True)
    availability: Mapped[int] = mapped_column(default=0)
    quiz_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="mentee_profile")
    place: Mapped[Place | None] = relationship()
    aspirations: Mapped[list[MenteeAspiration]] = relationship(
        order_by=MenteeAspiration.rank, cascade="all, delete-orphan"
    )
    wants: Mapped[list[MenteeWant]] = relationship(
        order_by=MenteeWant.rank, cascade="all, delete-orphan"
    )

    @property
    def aspired_archetypes(self) -> list[Archetype]:
        return [a.archetype for a in self.aspirations]

    @property
    def wanted_specialties(self) -> list[Specialty]:
        return [w.specialty for w in self.wants]
