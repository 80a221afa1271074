"""Producer profiles: what matching reads. Services add and flush; requests commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    Archetype,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorProfile,
    Place,
    Role,
    Specialty,
    User,
)
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.profiles.vocabulary import TOOLS
from mentorapp.trust import vetting

# Taxonomy


def archetypes() -> list[Archetype]:
    return list(db.session.scalars(select(Archetype).order_by(Archetype.position)))


def specialties() -> list[Specialty]:
    return list(db.session.scalars(select(Specialty).order_by(Specialty.name)))


def _by_slug(model, slugs: list[str]) -> list:
    if not slugs:
        return []
    found = {
        row.slug: row for row in db.session.scalars(select(model).where(model.slug.in_(slugs)))
    }
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise DomainError(f"Unknown choice: {', '.join(missing)}.")
    return [found[slug] for slug in slugs]


# Places


def ensure_place(geonameid: int) -> Place:
    """The stored place for a gazetteer city, stored now if nobody chose it before."""
    # The gazetteer first: it also bounds the id before it reaches the database.
    city = Gazetteer.load().get(geonameid)
    if city is None:
        raise DomainError("Choose your city from the list.", field="place_query")
    place = db.session.get(Place, geonameid)
    if place is not None:
        return place
    place = Place(
        id=city.geonameid,
        name=city.name,
        region=city.region,
        country_code=city.country_code,
        country=city.country,
        latitude=city.latitude,
        longitude=city.longitude,
        population=city.population,
    )
    db.session.add(place)
    db.session.flush()
    return place


# Loading


def person_with_profiles(user_id: int) -> User | None:
    """A person and both profiles, with everything their page shows, in few queries."""
    return db.session.scalar(
        select(User)
        .where(User.id == user_id)
        .options(
            joinedload(User.mentor_application),  # the vetted mark
            selectinload(User.mentor_profile).selectinload(MentorProfile.archetypes),
            selectinload(User.mentor_profile).selectinload(MentorProfile.specialties),
            selectinload(User.mentor_profile).selectinload(MentorProfile.place),
            selectinload(User.mentor_profile).selectinload(MentorProfile.credit_list),
            selectinload(User.mentee_profile).selectinload(MenteeProfile.aspirations),
            selectinload(User.mentee_profile).selectinload(MenteeProfile.wants),
            selectinload(User.mentee_profile).selectinload(MenteeProfile.place),
        )
    )


def _blank(role: Role) -> MentorProfile | MenteeProfile:
    common = {"genres": [], "travel_km": 25, "availability": 0}
    if role is Role.MENTOR:
        return MentorProfile(
            headline="",
            bio="",
            credits="",
            portfolio_links=[],
            works_in_person=True,
            works_remotely=False,
            capacity=2,
            accepting=True,
            **common,
        )
    return MenteeProfile(about="", goals="", remote_ok=True, **common)


def profile_to_show(user: User, role: Role) -> MentorProfile | MenteeProfile:
    """The person's profile for a role, or an unsaved blank one (reading never writes)."""
    existing = user.mentor_profile if role is Role.MENTOR else user.mentee_profile
    return existing if existing is not None else _blank(role)


def profile_to_edit(user: User, role: Role) -> MentorProfile | MenteeProfile:
    """The person's profile for a role, created the first time they save a section."""
    if role is Role.ADMIN or not user.has_role(role):
        raise NotAllowed("You do not have that role. Add it in your account settings.")
    if role is Role.MENTOR:
        if user.mentor_profile is None:
            user.mentor_profile = _blank(role)
        return user.mentor_profile
    if user.mentee_profile is None:
        user.mentee_profile = _blank(role)
    return user.mentee_profile


# Saving sections


def save_mentor_craft(
    profile: MentorProfile,
    archetype_slugs: list[str],
    specialty_slugs: list[str],
    genres: list[str],
) -> None:
    profile.archetypes = _by_slug(Archetype, archetype_slugs)
    profile.specialties = _by_slug(Specialty, specialty_slugs)
    profile.genres = list(dict.fromkeys(genres))


def save_tools(profile: MentorProfile | MenteeProfile, tools: list[str]) -> None:
    """The DAW and tools a person works in, in the vocabulary's order."""
    chosen = set(tools or ())
    profile.tools = [slug for slug, _ in TOOLS if slug in chosen]


def save_mentee_craft(
    profile: MenteeProfile,
    aspirations: list[str],
    wants: list[str],
    genres: list[str],
    experience: str,
    path: str,
) -> None:
    if len(set(aspirations)) != len(aspirations) or len(set(wants)) != len(wants):
        raise DomainError("Each choice can appear only once.")
    chosen_archetypes = _by_slug(Archetype, aspirations)
    chosen_specialties = _by_slug(Specialty, wants)
    # Replace the ranked rows in two steps so the (mentee, rank) unique index never clashes.
    profile.aspirations.clear()
    profile.wants.clear()
    db.session.flush()
    profile.aspirations.extend(
        MenteeAspiration(archetype=a, rank=rank) for rank, a in enumerate(chosen_archetypes, 1)
    )
    profile.wants.extend(
        MenteeWant(specialty=s, rank=rank) for rank, s in enumerate(chosen_specialties, 1)
    )
    profile.genres = list(dict.fromkeys(genres))
    profile.experience = experience
    profile.path = path


def save_place(profile: MentorProfile | MenteeProfile, geonameid: int | None, **fields) -> None:
    if geonameid is None:
        raise DomainError("Choose your city from the list.", field="place_query")
    profile.place = ensure_place(geonameid)
    for name, value in fields.items():
        setattr(profile, name, value)


def save_mentor_week(
    profile: MentorProfile,
    availability: int,
    capacity: int,
    accepting: bool,
    takes_minors: bool | None = None,
) -> None:
    """Save when and how many; requests waiting on a mentor now full, or no longer
    taking apprentices, are answered at once."""
    from mentorapp.apprenticeships.services import after_mentor_settings_change

    running = profile.apprentice_count or 0
    if capacity < running:
        raise DomainError(
            f"You have {running} apprentices now: choose at least {running}, or end an "
            "apprenticeship first.",
            field="capacity",
        )
    try:
        with db.session.begin_nested():
            save_fields(profile, availability=availability, capacity=capacity, accepting=accepting)
            if takes_minors is not None:
                profile.takes_minors = bool(takes_minors)
            db.session.flush()
    except IntegrityError:
        # An apprentice was accepted between reading the count and saving (the CHECK
        # on capacity caught it).
        db.session.refresh(profile)
        raise DomainError(
            f"You have {profile.apprentice_count} apprentices now: choose at least that many.",
            field="capacity",
        ) from None
    if profile.user is not None:
        after_mentor_settings_change(profile.user)


def save_fields(profile: MentorProfile | MenteeProfile, **fields) -> None:
    for name, value in fields.items():
        setattr(profile, name, value)
    if isinstance(profile, MentorProfile):
        vetting.note_profile_change(profile.user)  # changed credits are checked again


# Completeness


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    why: str
    section: str


def mentor_checks(p: MentorProfile | None) -> list[Check]:
    p = p or MentorProfile(genres=[], availability=0)
    return [
        Check("A headline", bool(p.headline), "It is the first line apprentices read.", "about"),
        Check(
            "About you", bool(p.bio), "Apprentices choose a person, not only a skill set.", "about"
        ),
        Check(
            "Years producing",
            p.years_producing is not None,
            "Apprentices look for someone further along than they are.",
            "about",
        ),
        Check(
            "Portfolio links",
            bool(p.portfolio_links),
            "Apprentices want to hear your work before they ask.",
            "about",
        ),
        Check(
            "Credits",
            bool((p.credits or "").strip()),
            "Your credits show what you have made, and admins check them to vet you.",
            "credits",
        ),
        Check(
            "What kind of producer you are",
            bool(p.archetypes),
            "Matching compares it with what apprentices want to become.",
            "craft",
        ),
        Check(
            "What you teach",
            bool(p.specialties),
            "What you teach weighs most in every match.",
            "craft",
        ),
        Check("Genres", bool(p.genres), "Shared genres add to a match.", "craft"),
        Check(
            "Your city",
            p.place_id is not None or p.place is not None,
            "Distance decides who can come to your studio.",
            "place",
        ),
        Check(
            "When you are free",
            bool(p.availability),
            "Overlapping free time raises a match.",
            "week",
        ),
    ]


def mentee_checks(p: MenteeProfile | None) -> list[Check]:
    p = p or MenteeProfile(genres=[], availability=0)
    return [
        Check("About you", bool(p.about), "Mentors choose a person, not only a request.", "about"),
        Check("Your goals", bool(p.goals), "Mentors want to know what you hope to learn.", "about"),
        Check(
            "The producer you want to become",
            bool(p.aspirations),
            "Matching looks for mentors who are what you want to become.",
            "craft",
        ),
        Check(
            "What you want to learn",
            bool(p.wants),
            "What you want to learn weighs most in every match.",
            "craft",
        ),
        Check(
            "Your experience",
            bool(p.experience),
            "A good mentor is a few steps ahead of you.",
            "craft",
        ),
        Check("Genres", bool(p.genres), "Shared genres add to a match.", "craft"),
        Check(
            "Your city",
            p.place_id is not None or p.place is not None,
            "Distance decides which studios you can reach.",
            "place",
        ),
        Check(
            "When you are free",
            bool(p.availability),
            "Overlapping free time raises a match.",
            "week",
        ),
    ]


def checks_for(user: User, role: Role) -> list[Check]:
    if role is Role.MENTOR:
        return mentor_checks(user.mentor_profile)
    return mentee_checks(user.mentee_profile)


def percent_complete(checks: list[Check]) -> int:
    return round(100 * sum(c.done for c in checks) / len(checks)) if checks else 100
