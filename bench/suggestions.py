"""The suggestions page with 100,000 mentors in the database, served by real gunicorn workers.

    .venv/bin/python bench/suggestions.py                   # SQLite, then PostgreSQL
    .venv/bin/python bench/suggestions.py --mentors 20000   # smaller
    .venv/bin/python bench/suggestions.py --only sqlite

For each database: fills a fresh database (migrations, then 100,000 mentors with full
profiles in real cities, a mentee and a mentor to sign in as), starts gunicorn with two
workers in production mode, signs in over HTTP, and prints a table of median and p95
response times for the pages people use, the first request of each worker (which
builds its candidate arrays), the request after a profile change elsewhere (which
rebuilds them), and each worker's resident memory. PostgreSQL is skipped with a note
when no server answers at 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import _population
from _http import (
    PASSWORD,
    ROOT,
    Browser,
    adult_who_accepted,
    free_port,
    postgres_database,
    serve,
    timed,
    use_database,
    worker_rss_mb,
)
from sqlalchemy import insert, select, text, update

PG_DATABASE = "mentorapp_bench"
TARGETS = "targets: under 50 ms median with 100,000 mentors; a worker under 250 MB resident"


# --- Filling the database ----------------------------------------------------------


def fill(database_url: str, mentors: int) -> None:
    use_database(database_url)
    from flask_migrate import upgrade

    from mentorapp import create_app
    from mentorapp.auth.passwords import hash_password
    from mentorapp.extensions import db
    from mentorapp.models import (
        Archetype,
        MentorApplication,
        MentorProfile,
        Place,
        Specialty,
        User,
        mentor_archetypes,
        mentor_specialties,
    )
    from mentorapp.models.types import utcnow
    from mentorapp.trust.vetting import application_data

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        archetype_ids = dict(db.session.execute(select(Archetype.slug, Archetype.id)).all())
        specialty_ids = dict(db.session.execute(select(Specialty.slug, Specialty.id)).all())
        towns, _ = _population.towns()
        db.session.execute(insert(Place), _population.place_rows())
        place_of = {(t.latitude, t.longitude): t.geonameid for t in towns}
        password_hash = hash_password(PASSWORD)
        adult = adult_who_accepted()  # the signed-in mentor goes straight to the pages
        records = _population.mentors(mentors, first_id=1000)
        batch = 20_000
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            db.session.execute(
                insert(User),
                [
                    {
                        "id": r.id,
                        "email": f"mentor{r.id}@bench.example.com",
                        "display_name": f"Mentor {r.id}",
                        "password_hash": password_hash,
                        "is_mentor": True,
                        **adult,
                    }
                    for r in chunk
                ],
            )
            db.session.execute(
                insert(MentorProfile),
                [
                    {
                        "user_id": r.id,
                        "headline": "Producer and engineer",
                        "bio": "Makes records; teaches what they know.",
                        "genres": sorted(r.genres),
                        "tools": sorted(r.tools),
                        "years_producing": int(r.years or 0),
                        "place_id": place_of[(r.latitude, r.longitude)],
                        "works_in_person": r.in_person,
                        "works_remotely": r.remote,
                        "travel_km": int(r.travel_km),
                        "availability": r.availability,
                        "capacity": r.free_places,
                        "accepting": r.accepting,
                    }
                    for r in chunk
                ],
            )
            db.session.execute(
                insert(mentor_archetypes),
                [
                    {"mentor_id": r.id, "archetype_id": archetype_ids[a]}
                    for r in chunk
                    for a in r.archetypes
                ],
            )
            db.session.execute(
                insert(mentor_specialties),
                [
                    {"mentor_id": r.id, "specialty_id": specialty_ids[s]}
                    for r in chunk
                    for s in r.specialties
                ],
            )
            # Only vetted mentors are suggested (issue 12): every bench mentor is approved.
            vetted, blank = utcnow(), application_data(None, [], "")
            db.session.execute(
                insert(MentorApplication),
                [
                    {
                        "user_id": r.id,
                        "state": "approved",
                        "data": blank,
                        "approved_data": blank,
                        "submitted_at": vetted,
                        "vetted_at": vetted,
                    }
                    for r in chunk
                ],
            )
            db.session.commit()
        add_people_to_sign_in(archetype_ids, specialty_ids, password_hash)


def add_people_to_sign_in(
    archetype_ids: dict[str, int], specialty_ids: dict[str, int], password_hash: str
) -> None:
    """A mentee in London (id 1) to sign in as, with aspirations and wants; the mentors
    are already there. Runs inside the app context that filled the mentors."""
    from mentorapp.extensions import db
    from mentorapp.models import MenteeAspiration, MenteeProfile, MenteeWant, Place, User
    from mentorapp.places.gazetteer import Gazetteer

    gazetteer = Gazetteer.load()
    london = gazetteer.search("London", limit=1)[0]
    if db.session.get(Place, london.geonameid) is None:
        db.session.add(
            Place(
                id=london.geonameid,
                name=london.name,
                region=london.region,
                country_code=london.country_code,
                country=london.country,
                latitude=london.latitude,
                longitude=london.longitude,
            )
        )
    mentee = User(
        id=1,
        email="mentee@bench.example.com",
        display_name="Bench Mentee",
        password_hash=password_hash,
        is_mentee=True,
        **adult_who_accepted(),
    )
    mentee.mentee_profile = MenteeProfile(
        about="Wants to learn.",
        genres=["hip-hop", "electronic"],
        tools=["ableton-live"],
        experience="some_experience",
        path="apprenticeship",
        place_id=london.geonameid,
        travel_km=50,
        remote_ok=True,
        availability=0b111000,
    )
    db.session.add(mentee)
    db.session.flush()
    for rank, slug in enumerate(["engineer", "artist_producer"], 1):
        db.session.add(MenteeAspiration(mentee_id=1, archetype_id=archetype_ids[slug], rank=rank))
    for rank, slug in enumerate(list(specialty_ids)[1:4], 1):
        db.session.add(MenteeWant(mentee_id=1, specialty_id=specialty_ids[slug], rank=rank))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
        db.session.commit()


def bump_a_profile(database_url: str) -> None:
    """Change one mentor's capacity, as an edit on another worker would."""
    os.environ["DATABASE_URL"] = database_url
    from mentorapp import create_app
    from mentorapp.extensions import db
    from mentorapp.models import MentorProfile

    app = create_app()
    with app.app_context():
        db.session.execute(
            update(MentorProfile)
            .where(MentorProfile.user_id == 1000)
            .values(capacity=MentorProfile.capacity + 1)
        )
        profile = db.session.get(MentorProfile, 1001)
        profile.capacity = profile.capacity % 5 + 1  # through the ORM: bumps the version
        db.session.commit()


# --- Measuring ----------------------------------------------------------------------


def measure(name: str, database_url: str, mentors: int, runs: int) -> None:
    started = time.perf_counter()
    fill(database_url, mentors)
    print(f"{name}: {mentors:,} mentors written in {time.perf_counter() - started:.0f} s")
    port = free_port()
    server = serve(database_url, port)
    try:
        mentee = Browser(f"http://127.0.0.1:{port}")
        mentee.log_in("mentee@bench.example.com")
        mentor = Browser(f"http://127.0.0.1:{port}")
        mentor.log_in("mentor1000@bench.example.com")
        # The first requests reach both workers cold: each builds its arrays once.
        firsts = [mentee.request("/suggestions")[2] for _ in range(4)]
        _, page, _ = mentee.request("/suggestions")
        shown = len(re.findall(r'class="suggestion__name"', page))
        assert shown > 0, "the bench mentee got no suggestions"
        rows = [
            ("first requests (cold workers)", sorted(firsts)[-2:], None),
        ]
        for label, browser, path in [
            ("/suggestions", mentee, "/suggestions"),
            ("/suggestions?page=5", mentee, "/suggestions?page=5"),
            ("filtered: specialty, 25 km", mentee, "/suggestions?specialty=mixing&max_km=25"),
            ("filtered: remote only", mentee, "/suggestions?remote_only=y"),
            ("/suggestions/mentees (mentor)", mentor, "/suggestions/mentees"),
            ("/ (home, for scale)", mentee, "/"),
        ]:
            rows.append((label, timed(browser, path, runs), None))
        bump_a_profile(database_url)
        after = [mentee.request("/suggestions")[2] for _ in range(4)]
        rows.append(("after a profile change elsewhere", sorted(after)[-2:], None))
        rss = worker_rss_mb(server.pid)
        print(f"{'page':<36}{'runs':>6}{'median ms':>11}{'p95 ms':>9}")
        for label, times, _ in rows:
            print(
                f"{label:<36}{len(times):>6}{statistics.median(times):>11.1f}"
                f"{_population.percentile(times, 0.95):>9.1f}"
            )
        print(
            f"worker resident memory: {', '.join(f'{mb:.0f} MB' for mb in rss)} "
            f"({shown} cards on the first page)\n"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            run_isolated("SQLite", url, args)
    if args.only != "sqlite":
        url = postgres_database(PG_DATABASE)
        if url:
            run_isolated("PostgreSQL", url, args)
    print(TARGETS)


def run_isolated(name: str, url: str, args) -> None:
    """Each database in its own process, so neither's imports or caches help the other."""
    subprocess.run(
        [sys.executable, __file__, "--measure", name, url, str(args.mentors), str(args.runs)],
        check=True,
    )


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--measure":
        measure(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
