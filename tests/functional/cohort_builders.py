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
    """The rows of these slugs, in the order given (a mentee's wishes are ranked)."""
    found = {
        row.slug: row for row in db.session.scalars(select(model).where(model.slug.in_(slugs)))
    }
    return [found[slug] for slug in slugs]


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


ADMIN = "cohort.admin@example.com"
INTAKE_DEFAULTS = {
    "name": "Spring intake",
    "mentee_waiting": "y",
    "mentor_accepting": "y",
    "mentor_free": "y",
    "mentee_archetype": "",
    "mentee_specialty": "",
    "mentor_archetype": "",
}


def sign_in_admin(users, auth) -> int:
    admin = users(email=ADMIN, display_name="Ada Admin", is_admin=True, is_mentee=False)
    auth.login(ADMIN)
    return admin


def make_cohort(client, **fields):
    """Post the intake form; returns the response (a redirect to the cohort when made)."""
    from tests.conftest import post_form

    data = {**INTAKE_DEFAULTS, **fields}
    for name in [k for k, v in data.items() if v is None]:
        del data[name]
    return post_form(client, "/admin/cohorts/new", data)


def cohort_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.location.rstrip("/").split("/")[-1])


def start_run(client, cohort_id: int, strategy: str = "optimal") -> int:
    from tests.conftest import post_form

    response = post_form(
        client,
        f"/admin/cohorts/{cohort_id}/runs",
        {"strategy": strategy},
        page=f"/admin/cohorts/{cohort_id}",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.location.rstrip("/").split("/")[-1])


def placements(app, run_id: int) -> dict[int, tuple[int | None, str]]:
    """mentee id -> (mentor id or None, why unplaced)."""
    from mentorapp.models import CohortPlacement

    with app.app_context():
        rows = db.session.scalars(select(CohortPlacement).where(CohortPlacement.run_id == run_id))
        return {row.mentee_id: (row.mentor_id, row.why) for row in rows}


def members(app, cohort_id: int, side: str) -> set[int]:
    from mentorapp.models import CohortMember

    with app.app_context():
        return set(
            db.session.scalars(
                select(CohortMember.user_id).where(
                    CohortMember.cohort_id == cohort_id, CohortMember.side == side
                )
            )
        )


def adjust(client, cohort_id: int, act: str, **ids):
    from tests.conftest import post_form

    return post_form(
        client,
        f"/admin/cohorts/{cohort_id}/adjust",
        {"act": act, **{k: str(v) for k, v in ids.items()}},
        page=f"/admin/cohorts/{cohort_id}",
    )
