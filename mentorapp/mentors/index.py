"""Keeping mentor_search in step with the profiles, in the flush that changes them.

Any code that edits a mentor's profile, name or city goes through the session, so
the session events below notice it and rewrite that mentor's row; the database's own
full-text index follows the row by trigger. The same goes for what decides whether the
mentor is listed at all (vetted, not suspended). A bulk UPDATE bypasses the events: call
`reindex_mentors` after one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import and_, delete, event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from mentorapp.extensions import db
from mentorapp.models import MentorApplication, MentorProfile, MentorSearchEntry, Place, User

# What a mentor is found by, and whether they are listed; a change to any of these
# rewrites their row.
WATCHED_PROFILE_FIELDS = ("headline", "bio", "credits", "place_id", "place", "user_id")
WATCHED_USER_FIELDS = ("display_name", "is_mentor", "suspended_at")
WATCHED_PLACE_FIELDS = ("name", "country")
WATCHED_APPLICATION_FIELDS = ("vetted_at", "user_id")

_WATCHED = {
    MentorProfile: WATCHED_PROFILE_FIELDS,
    User: WATCHED_USER_FIELDS,
    Place: WATCHED_PLACE_FIELDS,
    MentorApplication: WATCHED_APPLICATION_FIELDS,
}
_WORD = re.compile(r"[^\W_]+")


def search_words(text: str | None) -> list[str]:
    """Lower case, accents folded ("São" is "sao"), punctuation dropped: the same for
    what is stored and what is searched, so both databases tokenise alike."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(stripped.casefold())


def listed():
    """Shown to anyone: a mentor an admin vetted, not suspended (deleted ones are gone).
    Needs users and mentor_applications joined; the search rows keep its answer."""
    return and_(
        User.is_mentor.is_(True),
        User.suspended_at.is_(None),
        MentorApplication.vetted_at.is_not(None),
    )


def folded(text: str | None) -> str:
    return " ".join(search_words(text))


def _changed(obj, fields: Iterable[str]) -> bool:
    state = db.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _touched(session: Session) -> list:
    found: list = []
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, MentorProfile | MentorApplication):
            found.append(obj)
    for obj in session.dirty:
        watched = _WATCHED.get(type(obj))
        if watched and _changed(obj, watched):
            found.append(obj)
    return found


def track_search_changes(app: Flask) -> None:
    """Rewrite the search rows of the mentors a flush changed (once per session class)."""
    session_class = db.session.session_factory.class_
    if getattr(session_class, "_mentorapp_tracks_mentor_search", False):
        return
    session_class._mentorapp_tracks_mentor_search = True

    @event.listens_for(session_class, "before_flush")
    def _note(session, _context, _instances):
        touched = _touched(session)
        if touched:
            session.info.setdefault("mentor_search_touched", []).extend(touched)

    @event.listens_for(session_class, "after_flush")
    def _rewrite(session, _context):
        touched = session.info.pop("mentor_search_touched", None)
        if not touched:
            return
        ids: set[int] = set()
        places: set[int] = set()
        for obj in touched:
            if isinstance(obj, Place):
                places.add(obj.id)
            elif isinstance(obj, User):
                ids.add(obj.id)
            elif obj.user_id is not None:
                ids.add(obj.user_id)
        connection = session.connection()
        if places:
            ids |= set(
                connection.scalars(
                    select(MentorProfile.user_id).where(MentorProfile.place_id.in_(places))
                )
            )
        reindex_on(connection, sorted(ids))


def reindex_mentors(user_ids: Iterable[int] | None = None) -> int:
    """Rewrite the search rows of these people (everyone when None). Returns how many
    mentors were written."""
    return reindex_on(db.session.connection(), None if user_ids is None else list(user_ids))


BATCH = 5000


def reindex_on(connection: Connection, user_ids: list[int] | None) -> int:
    if user_ids is not None and not user_ids:
        return 0
    query = (
        select(
            MentorProfile.user_id,
            User.display_name,
            MentorProfile.headline,
            MentorProfile.bio,
            MentorProfile.credits,
            Place.name,
            Place.country,
            listed().label("listed"),
            MentorProfile.created_at,
        )
        .join(User, User.id == MentorProfile.user_id)
        .outerjoin(MentorApplication, MentorApplication.user_id == MentorProfile.user_id)
        .outerjoin(Place, Place.id == MentorProfile.place_id)
    )
    written = 0
    if user_ids is None:
        connection.execute(delete(MentorSearchEntry))
        batches: list[list[int] | None] = [None]
    else:
        batches = [user_ids[i : i + BATCH] for i in range(0, len(user_ids), BATCH)]
    for batch in batches:
        if batch is not None:
            connection.execute(
                delete(MentorSearchEntry).where(MentorSearchEntry.user_id.in_(batch))
            )
        chosen = query if batch is None else query.where(MentorProfile.user_id.in_(batch))
        rows = [
            {
                "user_id": row[0],
                "name": folded(row[1]),
                "body": folded("\n".join(part or "" for part in row[2:7])),
                "listed": bool(row.listed),
                "created_at": row.created_at,
            }
            for row in connection.execute(chosen)
        ]
        if rows:
            connection.execute(insert(MentorSearchEntry), rows)
        written += len(rows)
    return written
