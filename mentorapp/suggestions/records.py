"""Turning stored profiles into the matching engine's plain records, in bulk."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

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
    WaitingListEntry,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.types import utcnow
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


def _held_places():
    """How many of the mentor's places are held for people on their waiting list."""
    return (
        select(func.count(WaitingListEntry.id))
        .where(
            WaitingListEntry.mentor_id == MentorProfile.user_id,
            WaitingListEntry.offered_at.is_not(None),
        )
        .correlate(MentorProfile)
        .scalar_subquery()
    )


def load_mentor_records(user_ids: list[int] | None = None) -> list[MentorRecord]:
    """Every mentor (or these), as records. Four queries, whatever the number."""
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
            User.suspended_at,
            User.is_mentor,
            MentorApplication.vetted_at,
            _held_places().label("held"),
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
    if user_ids is not None:
        query = query.where(MentorProfile.user_id.in_(user_ids))
        archetypes = archetypes.where(mentor_archetypes.c.mentor_id.in_(user_ids))
        specialties = specialties.where(mentor_specialties.c.mentor_id.in_(user_ids))
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
            active=row.suspended_at is None and row.is_mentor and row.vetted_at is not None,
            takes_minors=row.takes_minors,
            tools=frozenset(row.tools or ()),
        )
        for row in db.session.execute(query)
    ]


def load_mentee_records(user_ids: list[int] | None = None) -> list[MenteeRecord]:
    """Every mentee (or these), as records. Three queries, whatever the number."""
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
    if user_ids is not None:
        query = query.where(MenteeProfile.user_id.in_(user_ids))
        aspirations = aspirations.where(MenteeAspiration.mentee_id.in_(user_ids))
        wants = wants.where(MenteeWant.mentee_id.in_(user_ids))
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
