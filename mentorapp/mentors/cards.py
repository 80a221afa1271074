"""What a mentor's card on the Mentors page shows, for a page of mentors in two queries.

Plain rows, not ORM objects: the card needs a dozen columns of four tables, and loading
twelve mentors with their profiles, places, archetypes and specialties through the ORM
took six queries and most of a search's time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, literal, select, union_all

from mentorapp.extensions import db
from mentorapp.models import (
    Archetype,
    MentorProfile,
    Place,
    Specialty,
    User,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.place import place_label
from mentorapp.models.waiting import held_count


@dataclass(frozen=True)
class MentorCard:
    """A vetted mentor as a card shows them. It stands for both the person (id, name,
    photo: what the avatar macro reads) and their profile."""

    id: int
    display_name: str
    photo_key: str | None
    headline: str
    place_label: str | None
    latitude: float | None
    longitude: float | None
    genres: tuple[str, ...]
    tools: tuple[str, ...]
    works_in_person: bool
    works_remotely: bool
    accepting: bool
    capacity: int
    apprentice_count: int
    held: int  # places held for people other than the viewer on the waiting list
    archetypes: tuple[str, ...] = ()  # names, in the archetypes' own order
    specialties: tuple[str, ...] = ()  # names, alphabetical

    @property
    def free_places(self) -> int:
        """Places the viewer could ask for: neither taken nor held for someone else."""
        return self.capacity - self.apprentice_count - self.held


@cache
def _cards_query():
    """Built once (and compiled once): the page's ids and the viewer are parameters.
    Viewer 0 is nobody (ids start at 1): every held place counts."""
    ids = bindparam("ids", expanding=True)
    return (
        select(
            User.id,
            User.display_name,
            User.photo_key,
            MentorProfile.headline,
            MentorProfile.genres,
            MentorProfile.tools,
            MentorProfile.works_in_person,
            MentorProfile.works_remotely,
            MentorProfile.accepting,
            MentorProfile.capacity,
            MentorProfile.apprentice_count,
            Place.name.label("place_name"),
            Place.region,
            Place.country,
            Place.latitude,
            Place.longitude,
            held_count(MentorProfile.user_id, bindparam("viewer")).label("held"),
        )
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .outerjoin(Place, Place.id == MentorProfile.place_id)
        .where(User.id.in_(ids))
    )


def load_cards(ids: list[int], viewer_id: int | None) -> dict[int, MentorCard]:
    """The cards of these mentors, by id (mentors without a profile are left out)."""
    if not ids:
        return {}
    connection = db.session.connection()
    rows = connection.execute(_cards_query(), {"ids": ids, "viewer": viewer_id or 0})
    names = _names(ids)
    return {
        row.id: MentorCard(
            id=row.id,
            display_name=row.display_name,
            photo_key=row.photo_key,
            headline=row.headline or "",
            place_label=(
                place_label(row.place_name, row.region, row.country)
                if row.place_name is not None
                else None
            ),
            latitude=row.latitude,
            longitude=row.longitude,
            genres=tuple(row.genres or ()),
            tools=tuple(row.tools or ()),
            works_in_person=bool(row.works_in_person),
            works_remotely=bool(row.works_remotely),
            accepting=bool(row.accepting),
            capacity=row.capacity,
            apprentice_count=row.apprentice_count,
            held=row.held,
            archetypes=names.get((row.id, 0), ()),
            specialties=names.get((row.id, 1), ()),
        )
        for row in rows
    }


@cache
def _names_query():
    """Built once: the archetypes' and specialties' names of the mentors in :ids."""
    ids = bindparam("ids", expanding=True)
    archetypes = (
        select(
            mentor_archetypes.c.mentor_id.label("mentor_id"),
            literal(0).label("kind"),
            Archetype.position.label("rank"),
            Archetype.name.label("name"),
        )
        .join(Archetype, Archetype.id == mentor_archetypes.c.archetype_id)
        .where(mentor_archetypes.c.mentor_id.in_(ids))
    )
    specialties = (
        select(mentor_specialties.c.mentor_id, literal(1), literal(0), Specialty.name)
        .join(Specialty, Specialty.id == mentor_specialties.c.specialty_id)
        .where(mentor_specialties.c.mentor_id.in_(ids))
    )
    both = union_all(archetypes, specialties).subquery()
    return select(both).order_by(both.c.mentor_id, both.c.kind, both.c.rank, both.c.name)


def _names(ids: list[int]) -> dict[tuple[int, int], tuple[str, ...]]:
    """(mentor id, 0 for archetypes or 1 for specialties) -> names in the profile's
    order, in one query for the page."""
    found: dict[tuple[int, int], list[str]] = {}
    for mentor_id, kind, _, name in db.session.connection().execute(_names_query(), {"ids": ids}):
        found.setdefault((mentor_id, kind), []).append(name)
    return {key: tuple(names) for key, names in found.items()}
