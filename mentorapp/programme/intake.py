"""Making a cohort: who is in it, chosen by filters (or a list of emails for the
mentees), and each mentor's places for it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time

import numpy as np
from sqlalchemy import exists, func, insert, select, update

from mentorapp.audit import record
from mentorapp.auth.services import normalise_email
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    Archetype,
    Cohort,
    CohortMember,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorApplication,
    MentorProfile,
    Place,
    Specialty,
    User,
    mentor_archetypes,
)
from mentorapp.models.apprenticeship import OPEN_STATES
from mentorapp.places.gazetteer import distances_km

MAX_EMAILS = 10_000


@dataclass(frozen=True)
class MenteeFilters:
    waiting: bool = True  # no running apprenticeship and no request waiting
    since: date | None = None  # signed up on or after
    city: str = ""
    radius_km: int | None = None
    archetype: str = ""
    specialty: str = ""
    emails: list[str] = field(default_factory=list)  # instead of the filters above


@dataclass(frozen=True)
class MentorFilters:
    accepting: bool = True
    free_places: bool = True
    city: str = ""
    radius_km: int | None = None
    archetype: str = ""


def find_place(name: str, field_name: str) -> Place:
    """The stored city of that name where most people live (cities are stored once
    someone chose them)."""
    place = db.session.scalar(
        select(Place)
        .where(func.lower(Place.name) == name.strip().lower())
        .order_by(Place.population.desc(), Place.id)
        .limit(1)
    )
    if place is None:
        raise DomainError(f"Nobody on mentorapp lives in a city called {name!r}.", field=field_name)
    return place


def _near(rows, place: Place, radius_km: int) -> list[int]:
    """The ids of rows (id, latitude, longitude) within radius_km of the place."""
    rows = [row for row in rows if row[1] is not None]
    if not rows:
        return []
    ids = np.array([row[0] for row in rows])
    lat = np.array([row[1] for row in rows], dtype=float)
    lon = np.array([row[2] for row in rows], dtype=float)
    close = distances_km((place.latitude, place.longitude), lat, lon) <= radius_km
    return [int(i) for i in ids[close]]


def _located(query, profile, filters, field_name: str) -> list[int]:
    if not filters.city:
        return list(db.session.scalars(query))
    place = find_place(filters.city, field_name)
    rows = db.session.execute(
        query.add_columns(Place.latitude, Place.longitude).outerjoin(
            Place, Place.id == profile.place_id
        )
    ).all()
    return _near(rows, place, filters.radius_km or 25)


def select_mentees(filters: MenteeFilters) -> list[int]:
    """The ids of the mentees these filters choose (active accounts only)."""
    query = (
        select(MenteeProfile.user_id)
        .join(User, User.id == MenteeProfile.user_id)
        .where(User.is_mentee, User.suspended_at.is_(None))
        .order_by(MenteeProfile.user_id)
    )
    if filters.emails:
        return _by_email(query, filters.emails)
    if filters.waiting:
        busy = exists().where(
            Apprenticeship.mentee_id == MenteeProfile.user_id,
            Apprenticeship.state.in_(OPEN_STATES),
        )
        query = query.where(~busy)
    if filters.since:
        query = query.where(
            User.created_at >= datetime.combine(filters.since, time.min, tzinfo=UTC)
        )
    if filters.archetype:
        query = query.where(
            exists()
            .where(MenteeAspiration.mentee_id == MenteeProfile.user_id)
            .where(
                MenteeAspiration.archetype_id == Archetype.id, Archetype.slug == filters.archetype
            )
        )
    if filters.specialty:
        query = query.where(
            exists()
            .where(MenteeWant.mentee_id == MenteeProfile.user_id)
            .where(MenteeWant.specialty_id == Specialty.id, Specialty.slug == filters.specialty)
        )
    return _located(query, MenteeProfile, filters, "mentee_city")


def _by_email(query, emails: list[str]) -> list[int]:
    wanted = sorted({normalise_email(e) for e in emails if e.strip()})
    if len(wanted) > MAX_EMAILS:
        raise DomainError(f"At most {MAX_EMAILS:,} emails at once.", field="mentee_emails")
    found = dict(
        db.session.execute(query.add_columns(User.email).where(User.email.in_(wanted))).all()
    )
    # (user_id, email) rows: turn them round to see which emails matched nobody.
    known = {email for email in found.values()}
    missing = [email for email in wanted if email not in known]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise DomainError(
            f"No active apprentice has the email {shown}: correct or remove "
            f"{'it' if len(missing) == 1 else 'them'}.",
            field="mentee_emails",
        )
    return sorted(found)


def select_mentors(filters: MentorFilters) -> list[int]:
    """The ids of the vetted, active mentors these filters choose."""
    query = (
        select(MentorProfile.user_id)
        .join(User, User.id == MentorProfile.user_id)
        .join(MentorApplication, MentorApplication.user_id == MentorProfile.user_id)
        .where(
            User.is_mentor, User.suspended_at.is_(None), MentorApplication.vetted_at.is_not(None)
        )
        .order_by(MentorProfile.user_id)
    )
    if filters.accepting:
        query = query.where(MentorProfile.accepting, MentorProfile.paused_until.is_(None))
    if filters.free_places:
        query = query.where(MentorProfile.apprentice_count < MentorProfile.capacity)
    if filters.archetype:
        query = query.where(
            exists()
            .where(mentor_archetypes.c.mentor_id == MentorProfile.user_id)
            .where(
                mentor_archetypes.c.archetype_id == Archetype.id,
                Archetype.slug == filters.archetype,
            )
        )
    return _located(query, MentorProfile, filters, "mentor_city")


def create_cohort(admin: User, name: str, mentees: MenteeFilters, mentors: MentorFilters) -> Cohort:
    """A cohort of the people the filters choose now (its members stay as chosen)."""
    if not admin.is_admin:
        raise NotAllowed("Only admins make cohorts.")
    name = name.strip()
    if not name:
        raise DomainError("Give the cohort a name.", field="name")
    mentee_ids = select_mentees(mentees)
    if not mentee_ids:
        raise DomainError("No apprentice matches these filters.", field="mentee_waiting")
    mentor_ids = select_mentors(mentors)
    if not mentor_ids:
        raise DomainError("No vetted mentor matches these filters.", field="mentor_accepting")
    criteria = {"mentees": asdict(mentees), "mentors": asdict(mentors)}
    criteria["mentees"]["since"] = mentees.since.isoformat() if mentees.since else None
    criteria["mentees"]["emails"] = len(mentees.emails)
    return _create(admin, name, criteria, mentee_ids, mentor_ids)


@dataclass(frozen=True)
class Members:
    mentees: int
    mentors: int
    lowered: list[tuple[User, int, int]]  # mentor, their free places, this cohort's places


def members(cohort: Cohort) -> Members:
    counts = dict(
        db.session.execute(
            select(CohortMember.side, func.count())
            .where(CohortMember.cohort_id == cohort.id)
            .group_by(CohortMember.side)
        ).all()
    )
    lowered = db.session.execute(
        select(User, MentorProfile.capacity - MentorProfile.apprentice_count, CohortMember.capacity)
        .join(CohortMember, CohortMember.user_id == User.id)
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.side == "mentor",
            CohortMember.capacity.is_not(None),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return Members(
        counts.get("mentee", 0), counts.get("mentor", 0), [tuple(row) for row in lowered]
    )


def lower_places(admin: User, cohort: Cohort, email: str, places: int) -> User:
    """Give a mentor of the cohort at most `places` places in it (below their free ones)."""
    mentor = db.session.scalar(
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.side == "mentor",
            User.email == normalise_email(email),
        )
    )
    if mentor is None:
        raise DomainError("No mentor of this cohort has that email.", field="email")
    profile = mentor.mentor_profile
    free = max(0, profile.capacity - profile.apprentice_count)
    if places > free:
        raise DomainError(
            f"{mentor.display_name} has {free} free place{'s' if free != 1 else ''}: "
            "a cohort can only lower that.",
            field="places",
        )
    db.session.execute(
        update(CohortMember)
        .where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.side == "mentor",
            CohortMember.user_id == mentor.id,
        )
        .values(capacity=places)
        .execution_options(synchronize_session=False)
    )
    record(
        admin,
        "cohort_places_lowered",
        "cohort",
        cohort.id,
        cohort.name,
        f"{mentor.display_name}: {places} of {free} free places",
    )
    return mentor


def cohort_for(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotAllowed("There is no such cohort.")
    return cohort


def cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.id.desc()).limit(200)))


def is_member(cohort_id: int, user_id: int, side: str) -> bool:
    return (
        db.session.scalar(
            select(CohortMember.user_id).where(
                CohortMember.cohort_id == cohort_id,
                CohortMember.side == side,
                CohortMember.user_id == user_id,
            )
        )
        is not None
    )


def cohort_of_everyone(admin: User, name: str) -> Cohort:
    """A cohort of the whole intake `flask match-cohort` pairs: every active mentee
    without an open request or running apprenticeship, every vetted mentor with a free
    place (planning.whole_intake)."""
    from mentorapp.programme.planning import whole_intake

    everyone = whole_intake()
    mentees = [r.id for r in everyone.mentees]
    mentors = [r.id for r in everyone.mentors if r.active and r.accepting and r.free_places > 0]
    if not mentees or not mentors:
        raise DomainError("Nobody to pair: no waiting apprentice or no mentor with a free place.")
    return _create(
        admin, name.strip(), {"everyone": True}, mentees, mentors, " (from the command line)"
    )


def _create(admin, name, criteria, mentee_ids, mentor_ids, how: str = "") -> Cohort:
    """A cohort with these members, audited."""
    cohort = Cohort(name=name[:120], created_by_id=admin.id, criteria=criteria)
    db.session.add(cohort)
    db.session.flush()
    db.session.execute(
        insert(CohortMember),
        [{"cohort_id": cohort.id, "side": "mentee", "user_id": i} for i in mentee_ids]
        + [{"cohort_id": cohort.id, "side": "mentor", "user_id": i} for i in mentor_ids],
    )
    why = f"{len(mentee_ids)} apprentices, {len(mentor_ids)} mentors{how}"
    record(admin, "cohort_created", "cohort", cohort.id, cohort.name, why)
    return cohort
