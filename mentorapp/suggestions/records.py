"""Turning stored profiles into the matching engine's plain records, in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from mentorapp.extensions import db
from mentorapp.matching import MenteeRecord, MentorRecord, Vocabulary
from mentorapp.models import (
    Archetype,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorApplication,
    MentorProfile,
    Place,
    Specialty,
    User,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.types import utcnow
from mentorapp.models.waiting import held_count
from mentorapp.profiles.vocabulary import AVAILABILITY_SLOTS, GENRES, TOOLS
from mentorapp.trust.ages import is_minor_on


def load_vocabulary() -> Vocabulary:
    archetypes = db.session.execute(
        select(Archetype.slug, Archetype.name).order_by(Archetype.position)
    ).all()
    # By id, so a specialty added later never shifts the others' positions.
    specialties = db.session.execute(
        select(Specialty.slug, Specialty.name).order_by(Specialty.id)
    ).all()
    return Vocabulary(
        archetypes=dict(archetypes),
        specialties=dict(specialties),
        genres=dict(GENRES),
        slots=dict(AVAILABILITY_SLOTS),
        tools=dict(TOOLS),
    )


def _sets(query) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for owner, slug in db.session.execute(query):
        found[owner].add(slug)
    return found


def _ranked(query) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for owner, slug in db.session.execute(query):
        found[owner].append(slug)
    return found


# A condition on the column holding each row's person: these ids, or a range of them.
Owners = Callable[[ColumnElement[int] | InstrumentedAttribute[int]], ColumnElement[bool]]
BATCH = 50_000  # people read and turned into arrays at a time when building the pools


def _among(user_ids: list[int] | None) -> Owners | None:
    return None if user_ids is None else (lambda column: column.in_(user_ids))


def _batches(owner: InstrumentedAttribute[int], size: int) -> Iterator[Owners]:
    """Conditions that split everyone into runs of `size` people, by id: they can be
    read a run at a time, never all held at once (a million records take gigabytes)."""
    after = 0
    while True:
        last = db.session.scalar(
            select(owner).where(owner > after).order_by(owner).offset(size - 1).limit(1)
        )
        yield _between(after, last)
        if last is None:
            return
        after = last


def _between(low: int, high: int | None) -> Owners:
    """Ids above `low`, up to `high` (or all of them above `low` when None)."""
    if high is None:
        return lambda column: column > low
    return lambda column: (column > low) & (column <= high)


def mentor_record_batches(size: int | None = None) -> Iterator[list[MentorRecord]]:
    """Every mentor as records, `size` (BATCH) at a time in order of id."""
    for owners in _batches(MentorProfile.user_id, size or BATCH):
        yield _mentor_records(owners)


def mentee_record_batches(size: int | None = None) -> Iterator[list[MenteeRecord]]:
    """Every mentee as records, `size` (BATCH) at a time in order of id."""
    for owners in _batches(MenteeProfile.user_id, size or BATCH):
        yield _mentee_records(owners)


def load_mentor_records(user_ids: list[int] | None = None) -> list[MentorRecord]:
    """Every mentor (or these), as records. Four queries, whatever the number."""
    return _mentor_records(_among(user_ids))


def _mentor_records(owners: Owners | None) -> list[MentorRecord]:
    query = (
        select(
            MentorProfile.user_id,
            MentorProfile.years_producing,
            MentorProfile.availability,
            MentorProfile.genres,
            MentorProfile.tools,
            MentorProfile.works_in_person,
            MentorProfile.works_remotely,
            MentorProfile.travel_km,
            MentorProfile.capacity,
            MentorProfile.apprentice_count,
            MentorProfile.accepting,
            MentorProfile.paused_until,
            MentorProfile.takes_minors,
            Place.latitude,
            Place.longitude,
            # Yes or no from the database: no timestamps to convert, a million times.
            User.suspended_at.is_(None).label("unsuspended"),
            User.is_mentor,
            MentorApplication.vetted_at.is_not(None).label("vetted"),
            held_count(MentorProfile.user_id, None).label("held"),
        )
        .join(User, User.id == MentorProfile.user_id)
        .outerjoin(Place, Place.id == MentorProfile.place_id)
        .outerjoin(MentorApplication, MentorApplication.user_id == MentorProfile.user_id)
        .order_by(MentorProfile.user_id)
    )
    archetypes = select(mentor_archetypes.c.mentor_id, Archetype.slug).join(
        Archetype, Archetype.id == mentor_archetypes.c.archetype_id
    )
    specialties = select(mentor_specialties.c.mentor_id, Specialty.slug).join(
        Specialty, Specialty.id == mentor_specialties.c.specialty_id
    )
    if owners is not None:
        query = query.where(owners(MentorProfile.user_id))
        archetypes = archetypes.where(owners(mentor_archetypes.c.mentor_id))
        specialties = specialties.where(owners(mentor_specialties.c.mentor_id))
    kinds, teaches = _sets(archetypes), _sets(specialties)
    return [
        MentorRecord(
            id=row.user_id,
            archetypes=frozenset(kinds.get(row.user_id, ())),
            specialties=frozenset(teaches.get(row.user_id, ())),
            genres=frozenset(row.genres or ()),
            availability=row.availability or 0,
            latitude=row.latitude,
            longitude=row.longitude,
            in_person=row.works_in_person,
            remote=row.works_remotely,
            travel_km=float(row.travel_km),
            years=row.years_producing,
            # A place held for someone on the waiting list is not free for anyone else.
            free_places=row.capacity - row.apprentice_count - row.held,
            # A mentor on a pause is not suggested until it ends (availability.tasks).
            accepting=row.accepting and row.paused_until is None,
            # Only a vetted mentor is suggested or placed in a cohort.
            active=bool(row.unsuspended and row.is_mentor and row.vetted),
            takes_minors=row.takes_minors,
            tools=frozenset(row.tools or ()),
        )
        for row in db.session.execute(query)
    ]


def load_mentee_records(user_ids: list[int] | None = None) -> list[MenteeRecord]:
    """Every mentee (or these), as records. Three queries, whatever the number."""
    return _mentee_records(_among(user_ids))


def _mentee_records(owners: Owners | None) -> list[MenteeRecord]:
    query = (
        select(
            MenteeProfile.user_id,
            MenteeProfile.availability,
            MenteeProfile.genres,
            MenteeProfile.tools,
            MenteeProfile.travel_km,
            MenteeProfile.remote_ok,
            MenteeProfile.experience,
            Place.latitude,
            Place.longitude,
            User.suspended_at,
            User.is_mentee,
            User.date_of_birth,
        )
        .join(User, User.id == MenteeProfile.user_id)
        .outerjoin(Place, Place.id == MenteeProfile.place_id)
        .order_by(MenteeProfile.user_id)
    )
    aspirations = (
        select(MenteeAspiration.mentee_id, Archetype.slug)
        .join(Archetype, Archetype.id == MenteeAspiration.archetype_id)
        .order_by(MenteeAspiration.mentee_id, MenteeAspiration.rank)
    )
    wants = (
        select(MenteeWant.mentee_id, Specialty.slug)
        .join(Specialty, Specialty.id == MenteeWant.specialty_id)
        .order_by(MenteeWant.mentee_id, MenteeWant.rank)
    )
    if owners is not None:
        query = query.where(owners(MenteeProfile.user_id))
        aspirations = aspirations.where(owners(MenteeAspiration.mentee_id))
        wants = wants.where(owners(MenteeWant.mentee_id))
    hopes, wishes = _ranked(aspirations), _ranked(wants)
    today = utcnow().date()
    return [
        MenteeRecord(
            id=row.user_id,
            aspirations=tuple(hopes.get(row.user_id, ())),
            wants=tuple(wishes.get(row.user_id, ())),
            genres=frozenset(row.genres or ()),
            availability=row.availability or 0,
            latitude=row.latitude,
            longitude=row.longitude,
            travel_km=float(row.travel_km),
            remote_ok=row.remote_ok,
            experience=row.experience,
            active=row.suspended_at is None and row.is_mentee,
            # Worked out when loaded: a pool that outlives a birthday keeps a new adult
            # with the mentors who take minors for a while, never the other way round.
            minor=is_minor_on(row.date_of_birth, today),
            tools=frozenset(row.tools or ()),
        )
        for row in db.session.execute(query)
    ]
