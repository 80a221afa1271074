"""Candidate arrays kept in memory per process, refreshed when the data changes.

Reading 100,000 profiles on every request is far too slow for a page, so each worker
keeps the engine's arrays and asks the database one cheap question per request: has the
change log grown? Every transaction that changes something matching reads adds a row per
person changed to `matching_changes` as it commits (see `track_changes`), so several
gunicorn workers stay correct, and a worker that falls behind reloads just those people.
A change to the taxonomy, or a worker too far behind, reloads everyone.

The log's own ids are the version: writers only insert (no shared row to queue on).
PostgreSQL hands out ids before the commits, which may finish out of order, so a worker
does not trust "the highest id" alone: it remembers the ids of the last WINDOW it has
applied and asks for the highest id and the count above that window; a late commit
changes the count, and its row is applied then.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from mentorapp.database import read_only
from mentorapp.extensions import db
from mentorapp.matching import MenteePool, MentorPool, Vocabulary
from mentorapp.models import (
    Archetype,
    MatchingChange,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorProfile,
    Place,
    Specialty,
    User,
)
from mentorapp.suggestions.records import (
    load_mentee_records,
    load_mentor_records,
    load_vocabulary,
    mentee_record_batches,
    mentor_record_batches,
)

# Changes to these can change a match; an existing row only through the attributes named
# (what suggestions/records.py reads): a new headline or bio moves nobody's suggestions.
WATCHED = (MentorProfile, MenteeProfile, MenteeAspiration, MenteeWant, Specialty, Archetype, Place)
WATCHED_FIELDS: dict[type, tuple[str, ...]] = {
    User: ("suspended_at", "is_mentor", "is_mentee", "date_of_birth"),
    MentorProfile: (
        *("years_producing", "availability", "genres", "tools", "works_in_person"),
        *("works_remotely", "travel_km", "capacity", "apprentice_count", "accepting"),
        *("takes_minors", "place_id", "place", "archetypes", "specialties"),
    ),
    MenteeProfile: (
        *("availability", "genres", "tools", "travel_km", "remote_ok", "experience"),
        *("place_id", "place"),
    ),
    Place: ("latitude", "longitude"),
}


@dataclass(frozen=True)
class LogState:
    """Where the change log stands for a worker: the highest id, and how many ids lie
    above `low` (= that id - WINDOW)."""

    version: int
    low: int
    count: int


@dataclass
class Snapshot:
    version: int
    seen: frozenset[int]  # the ids above version - WINDOW applied in these arrays
    vocabulary: Vocabulary
    mentors: MentorPool
    mentees: MenteePool

    @property
    def low(self) -> int:
        return self.version - WINDOW

    def matches(self, state: LogState) -> bool:
        return state.version == self.version and state.count == len(self.seen)


logger = logging.getLogger(__name__)

PATCH_LIMIT = 2000  # more changed people than this: reload everyone
KEEP_CHANGES = 5000  # ids of the change log kept; older rows are pruned
WINDOW = 500  # ids below the highest in which a commit may still land late


class CandidateIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.rebuilds = 0
        self.patches = 0

    @property
    def loaded(self) -> bool:
        return self._snapshot is not None

    def build_now(self, app: Flask) -> None:
        """Load the arrays now (a gunicorn worker before its first request, or the first
        /readyz of a process nothing warmed). Per process: they live in its memory."""
        started = time.perf_counter()
        try:
            with app.app_context(), read_only():
                snapshot = self.current()
        except Exception:
            # The database may not be up yet: the first request (or /readyz) tries again.
            logger.exception("Could not build the candidate arrays ahead of requests")
            return
        logger.info(
            "Candidate arrays ready: %d mentors, %d mentees in %.0f ms",
            *(len(snapshot.mentors.ids), len(snapshot.mentees.ids)),
            (time.perf_counter() - started) * 1000,
        )

    def current(self) -> Snapshot:
        snapshot = self._snapshot
        state = log_state(snapshot.low if snapshot else None)
        if snapshot is not None and snapshot.matches(state):
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None:
                self._snapshot = self._built()
            elif not snapshot.matches(log_state(snapshot.low)):
                self._snapshot = self._patched(snapshot) or self._built()
            return self._snapshot

    def _built(self) -> Snapshot:
        # The log first, then the data: a change committed in between is read twice
        # (harmless), never missed.
        version = log_state(None).version
        seen = frozenset(_ids_above(version - WINDOW))
        vocabulary = load_vocabulary()
        self.rebuilds += 1
        return Snapshot(
            version,
            seen,
            vocabulary,
            # A block of people at a time: a million records would take gigabytes, and
            # the memory a worker once held it keeps.
            MentorPool.joined(
                (MentorPool.build(block, vocabulary) for block in mentor_record_batches()),
                vocabulary,
            ),
            MenteePool.joined(
                (MenteePool.build(block, vocabulary) for block in mentee_record_batches()),
                vocabulary,
            ),
        )

    def _patched(self, snapshot: Snapshot) -> Snapshot | None:
        """Reload only the people changed since the snapshot, or None to reload everyone."""
        rows = db.session.execute(
            select(MatchingChange.id, MatchingChange.user_id)
            .where(MatchingChange.id > snapshot.low)
            .order_by(MatchingChange.id)
            .limit(KEEP_CHANGES // 2)
        ).all()
        if not rows or len(rows) == KEEP_CHANGES // 2:
            return None  # the log was emptied, or this worker is too far behind
        version = rows[-1].id
        if version < snapshot.version:
            return None
        changed = {row.user_id for row in rows if row.id not in snapshot.seen}
        if None in changed or len(changed) > PATCH_LIMIT:
            return None
        ids = sorted(changed)  # type: ignore[type-var]  # None was ruled out above
        self.patches += 1
        return Snapshot(
            version,
            frozenset(row.id for row in rows if row.id > version - WINDOW),
            snapshot.vocabulary,
            snapshot.mentors.replaced(ids, load_mentor_records(ids)),
            snapshot.mentees.replaced(ids, load_mentee_records(ids)),
        )


def log_state(low: int | None) -> LogState:
    """One query on the change log's primary key: its highest id and, when `low` is
    given, how many ids lie above it (at most WINDOW and a few when nothing changed)."""
    if low is None:
        version = db.session.scalar(select(func.max(MatchingChange.id))) or 0
        return LogState(version, version - WINDOW, 0)
    version, count = db.session.execute(
        select(func.max(MatchingChange.id), func.count()).where(MatchingChange.id > low)
    ).one()
    return LogState(version or 0, low, count)


def _ids_above(low: int) -> list[int]:
    return list(db.session.scalars(select(MatchingChange.id).where(MatchingChange.id > low)))


def current_version() -> int:
    """The change log's highest id: it moves with every change matching reads."""
    return log_state(None).version


def candidate_index() -> CandidateIndex:
    return current_app.extensions["candidate_index"]


def warm_up(app) -> None:
    """Build a worker's arrays before it takes a request (gunicorn's post_worker_init),
    so nobody's first page after a deploy or a worker restart waits for them."""
    index = getattr(app, "extensions", {}).get("candidate_index")
    if index is not None:
        index.build_now(app)


_EVERYONE = None  # a change that may touch everyone's matching (the taxonomy)


def _owner(obj) -> int | None:
    """Whose matching data this object is, after the flush gave it an id."""
    if isinstance(obj, User):
        return obj.id
    if isinstance(obj, (MentorProfile, MenteeProfile)):
        return obj.user_id
    if isinstance(obj, (MenteeAspiration, MenteeWant)):
        return obj.mentee_id
    return _EVERYONE  # Specialty, Archetype, an edited Place


def _matters(session: Session, obj, new_or_deleted: bool) -> bool:
    if not isinstance(obj, (User, *WATCHED)):
        return False
    if new_or_deleted:
        return not isinstance(obj, Place)  # a new city changes no one
    fields = WATCHED_FIELDS.get(type(obj))
    if fields is None:
        return session.is_modified(obj)
    attrs = db.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


def track_changes(app: Flask) -> None:
    """Note who changed in each flush that changes something matching reads, and write
    them to the change log as the transaction commits."""
    app.extensions["candidate_index"] = CandidateIndex()
    session_class = db.session.session_factory.class_

    if getattr(session_class, "_mentorapp_tracks_matching", False):
        return
    session_class._mentorapp_tracks_matching = True

    @event.listens_for(session_class, "before_flush")
    def _note(session, _context, _instances):
        # Decided before the flush, while the changes are still pending; who they belong
        # to is read after it, when new rows have their ids.
        touched = [o for o in (*session.new, *session.deleted) if _matters(session, o, True)]
        touched += [o for o in session.dirty if _matters(session, o, False)]
        if touched:
            session.info.setdefault("matching_touched", []).extend(touched)

    @event.listens_for(session_class, "after_flush")
    def _owners(session, _context):
        touched = session.info.pop("matching_touched", None)
        if touched:
            _pending(session).update(_owner(obj) for obj in touched)

    # The change is written once, at the end of the transaction, just before its commit:
    # the log's rows are the last thing a transaction writes, so its locks never sit in a
    # cycle of waits.
    @event.listens_for(session_class, "before_commit")
    def _bump(session):
        if session.in_nested_transaction():
            return  # a savepoint released: the transaction goes on
        session.flush()
        owners = session.info.pop("matching_owners", None)
        if owners:
            _record_change(session, owners)

    @event.listens_for(session_class, "after_transaction_end")
    def _forget(session, transaction):
        if transaction.parent is None:  # the whole transaction, not a savepoint
            session.info.pop("matching_owners", None)
            session.info.pop("matching_touched", None)


def _pending(session: Session) -> set[int | None]:
    return session.info.setdefault("matching_owners", set())


def note_matching_change(user_ids: set[int]) -> None:
    """Record a change made by a bulk UPDATE, which the flush events never see; it is
    written when the transaction commits."""
    _pending(db.session).update(user_ids)


def _record_change(session: Session, owners: set[int | None]) -> None:
    session.connection().execute(insert(MatchingChange), [{"user_id": o} for o in owners])
