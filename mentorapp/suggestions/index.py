"""Candidate arrays kept in memory per process, rebuilt when the data changes.

Reading 100,000 profiles on every request is far too slow for a page, so each worker
keeps the engine's arrays and asks the database one cheap question per request: has
the matching version moved? Every flush that changes something matching reads bumps
it (see `track_changes`), so several gunicorn workers stay correct.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from mentorapp.extensions import db
from mentorapp.matching import MenteePool, MentorPool, Vocabulary
from mentorapp.models import (
    Archetype,
    MatchingState,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorProfile,
    Place,
    Specialty,
    User,
)
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records, load_vocabulary

# Changes to these can change a match; a User only through these attributes.
WATCHED = (MentorProfile, MenteeProfile, MenteeAspiration, MenteeWant, Specialty, Archetype, Place)
WATCHED_USER_FIELDS = ("suspended_at", "is_mentor", "is_mentee")


@dataclass
class Snapshot:
    version: int
    vocabulary: Vocabulary
    mentors: MentorPool
    mentees: MenteePool


class CandidateIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.rebuilds = 0

    def current(self) -> Snapshot:
        version = current_version()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                vocabulary = load_vocabulary()
                self._snapshot = Snapshot(
                    version,
                    vocabulary,
                    MentorPool.build(load_mentor_records(), vocabulary),
                    MenteePool.build(load_mentee_records(), vocabulary),
                )
                self.rebuilds += 1
            return self._snapshot


def current_version() -> int:
    return db.session.scalar(select(MatchingState.version).where(MatchingState.id == 1)) or 0


def candidate_index() -> CandidateIndex:
    return current_app.extensions["candidate_index"]


def _changes_matching(session: Session) -> bool:
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, (*WATCHED, User)):
            return True
    for obj in session.dirty:
        if isinstance(obj, WATCHED) and session.is_modified(obj):
            return True
        if isinstance(obj, User):
            state = db.inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in WATCHED_USER_FIELDS):
                return True
    return False


def track_changes(app: Flask) -> None:
    """Bump the matching version in the same transaction as any change matching reads."""
    app.extensions["candidate_index"] = CandidateIndex()
    session_class = db.session.session_factory.class_

    if getattr(session_class, "_mentorapp_tracks_matching", False):
        return
    session_class._mentorapp_tracks_matching = True

    @event.listens_for(session_class, "before_flush")
    def _note(session, _context, _instances):
        if _changes_matching(session):
            session.info["matching_changed"] = True

    @event.listens_for(session_class, "after_flush")
    def _bump(session, _context):
        if session.info.pop("matching_changed", False):
            session.connection().execute(
                update(MatchingState)
                .where(MatchingState.id == 1)
                .values(version=MatchingState.version + 1)
            )
