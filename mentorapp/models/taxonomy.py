from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime, utcnow


class Archetype(db.Model):
    """One of the five kinds of producer (seeded by a migration, fixed)."""

    __tablename__ = "archetypes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(200))
    apprenticeship: Mapped[str] = mapped_column(String(400))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Archetype {self.slug}>"


class Specialty(db.Model):
    """A part of the craft someone teaches or wants to learn; admins can add more."""

    __tablename__ = "specialties"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    summary: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Specialty {self.slug}>"
