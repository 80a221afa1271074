from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text, false
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db
from mentorapp.models.types import UTCDateTime


class MentorSearchEntry(db.Model):
    """The words a mentor is found by, folded (lower case, no accents, punctuation gone),
    one row per mentor profile, kept in step by mentorapp.mentors.index.

    The database's own full-text index follows this table by trigger (see the
    migration e1f0a0000009): on PostgreSQL `vector` (name weighted above the rest) with
    a GIN index; on SQLite the FTS5 table `mentor_search_fts`, whose content is this
    table. `vector` stays empty on SQLite.

    `listed` (shown to anyone: a mentor, vetted, not suspended) and `created_at` (the
    profile's) let the page take its first mentors from this table alone, newest first
    by ix_mentor_search_listed_newest; on PostgreSQL the names have a GIN index of
    their own (ix_mentor_search_name, made by the migration e1f0a0000014)."""

    __tablename__ = "mentor_search"
    __table_args__ = (
        Index("ix_mentor_search_vector", "vector", postgresql_using="gin"),
        Index("ix_mentor_search_listed_newest", "listed", "created_at", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(Text, default="")
    # Headline, bio, credits, city and country.
    body: Mapped[str] = mapped_column(Text, default="")
    vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The database's own text indexes, built by migrations and kept by triggers, not models:
# the FTS5 tables (with their shadow tables) on SQLite, the pg_trgm indexes on PostgreSQL
# (the admins' people search has two on users, made by the migration e1f0a0000022).
DATABASE_OWN_TABLES = ("mentor_search_fts", "listings_search")
DATABASE_OWN_INDEXES = frozenset(
    {
        "ix_listings_search_text_trgm",
        "ix_mentor_search_name",
        "ix_users_display_name_trgm",
        "ix_users_email_trgm",
    }
)


def include_in_schema_comparison(name: str | None, type_: str, _parents) -> bool:
    """For Alembic's `include_name`: leave out the database's own text indexes."""
    if type_ == "table":
        return not (name or "").startswith(DATABASE_OWN_TABLES)
    if type_ == "index":
        return name not in DATABASE_OWN_INDEXES
    return True
