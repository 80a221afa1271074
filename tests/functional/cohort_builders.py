"""Setting the scene for cohort tests: mentors and apprentices with just the profile
matching reads (a city, specialties, kinds of producer), written straight to the
database; the step under test goes through the test client."""

from __future__ import annotations

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import (
    Archetype,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorProfile,
    Place,
    Specialty,
)
from tests.factories import make_user

CITIES = {
    "London": (2643743, 51.5085, -0.1257, "GB", "United Kingdom", 8_900_000),
    "Reading": (2639577, 51.4566, -0.9731, "GB", "United Kingdom", 300_000),
    "Manchester": (2643123, 53.4809, -2.2374, "GB", "United Kingdom", 550_000),
    "Paris": (2988507, 48.8534, 2.3488, "FR", "France", 2_100_000),
}


def place(name: str) -> int:
    geonameid, lat, lon, code, country, population = CITIES[name]
    if db.session.get(Place, geonameid) is None:
        db.session.add(
            Place(
                id=geonameid,
                name=name,
                country_code=code,
                country=country,
                latitude=lat,
                longitude=lon,
                population=population,
            )
        )
        db.session.flush()
    return geonameid


def _by_slug(model, slugs):
    return list(db.session.scalars(select(model).where(model.slug.in_(slugs))))


def mentor(
    app,
    name: str,
    city: str = "London",
    teaches=("mixing",),
    kinds=("engineer",),
    capacity: int = 2,
    remote: bool = False,
    travel_km: int = 50,
    accepting: bool = True,
    email: str | None = None,
) -> int:
    with app.app_context():
        user = make_user(
            email=email or f"{name.lower().replace(' ', '.')}@example.com",
            display_name=name,
            is_mentor=True,
            is_mentee=False,
        )
        profile = MentorProfile(
            user_id=user.id,
            headline=f"{name} teaches",
            capacity=capacity,
            accepting=accepting,
            place_id=place(city),
            works_remotely=remote,
            travel_km=travel_km,
            years_producing=12,
        )
        profile.specialties = _by_slug(Specialty, teaches)
        profile.archetypes = _by_slug(Archetype, kinds)
        db.session.add(profile)
        db.session.commit()
        return user.id


def mentee(
    app,
    name: str,
    city: str = "London",
    wants=("mixing",),
    becomes=("engineer",),
    travel_km: int = 30,
    remote_ok: bool = False,
    email: str | None = None,
    **fields,
) -> int:
    with app.app_context():
        user = make_user(
            email=email or f"{name.lower().replace(' ', '.')}@example.com",
            display_name=name,
            is_mentee=True,
            **fields,
        )
        db.session.add(
            MenteeProfile(
                user_id=user.id,
                place_id=place(city),
                travel_km=travel_km,
                remote_ok=remote_ok,
                experience="starting_out",
            )
        )
        db.session.flush()
        for rank, specialty in enumerate(_by_slug(Specialty, wants), start=1):
            db.session.add(MenteeWant(mentee_id=user.id, specialty_id=specialty.id, rank=rank))
        for rank, kind in enumerate(_by_slug(Archetype, becomes), start=1):
            db.session.add(MenteeAspiration(mentee_id=user.id, archetype_id=kind.id, rank=rank))
        db.session.commit()
        return user.id
