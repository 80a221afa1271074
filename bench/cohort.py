"""Cohort matching end to end on a real database: a 10,000-mentee by 2,000-mentor
preview (read from the database, score, pair, write the reasons, store the run) and the
commit of 2,000 pairs as programme invitations (notifications and emails included).

    .venv/bin/python bench/cohort.py                          # SQLite, then PostgreSQL
    .venv/bin/python bench/cohort.py --only postgresql --pg-database h_cohorts
    .venv/bin/python bench/cohort.py --mentees 2000 --mentors 400

Fills a fresh database (migrations, real cities, vetted mentors with capacities 1-5,
apprentices with wishes), then calls the code the background tasks run, in this
process, and prints a table. Targets: preview under 5 s on PostgreSQL, commit of 2,000
pairs under 10 s, the engine's part under 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import _population
from _http import ROOT, adult_who_accepted, postgres_database, use_database
from sqlalchemy import insert, select, text

BATCH = 5_000


def fill(mentors: int, mentees: int) -> None:
    from flask_migrate import upgrade

    from mentorapp.extensions import db
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
    from mentorapp.trust.vetting import application_data

    upgrade(directory=str(ROOT / "migrations"))
    archetype_ids = dict(db.session.execute(select(Archetype.slug, Archetype.id)).all())
    specialty_ids = dict(db.session.execute(select(Specialty.slug, Specialty.id)).all())
    towns, _ = _population.towns()
    db.session.execute(insert(Place), _population.place_rows())
    place_of = {(t.latitude, t.longitude): t.geonameid for t in towns}
    adult = adult_who_accepted()
    password = "not used: nobody signs in"
    db.session.add(
        User(
            id=1,
            email="admin@bench.example.com",
            display_name="Bench Admin",
            password_hash=password,
            is_admin=True,
            **adult,
        )
    )
    teachers = _population.mentors(mentors, first_id=1000)
    learners = _population.mentees(mentees, first_id=100_000)
    vetted, blank = utcnow(), application_data(None, [], "")
    for start in range(0, len(teachers), BATCH):
        chunk = teachers[start : start + BATCH]
        db.session.execute(
            insert(User),
            [
                {
                    "id": r.id,
                    "email": f"mentor{r.id}@bench.example.com",
                    "display_name": f"Mentor {r.id}",
                    "password_hash": password,
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
                    "headline": "Producer",
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
    for start in range(0, len(learners), BATCH):
        chunk = learners[start : start + BATCH]
        db.session.execute(
            insert(User),
            [
                {
                    "id": r.id,
                    "email": f"mentee{r.id}@bench.example.com",
                    "display_name": f"Mentee {r.id}",
                    "password_hash": password,
                    "is_mentee": True,
                    **adult,
                }
                for r in chunk
            ],
        )
        db.session.execute(
            insert(MenteeProfile),
            [
                {
                    "user_id": r.id,
                    "genres": sorted(r.genres),
                    "tools": sorted(r.tools),
                    "experience": r.experience,
                    "place_id": place_of[(r.latitude, r.longitude)],
                    "travel_km": int(r.travel_km),
                    "remote_ok": r.remote_ok,
                    "availability": r.availability,
                }
                for r in chunk
            ],
        )
        db.session.execute(
            insert(MenteeAspiration),
            [
                {"mentee_id": r.id, "archetype_id": archetype_ids[a], "rank": rank}
                for r in chunk
                for rank, a in enumerate(r.aspirations, 1)
            ],
        )
        db.session.execute(
            insert(MenteeWant),
            [
                {"mentee_id": r.id, "specialty_id": specialty_ids[s], "rank": rank}
                for r in chunk
                for rank, s in enumerate(r.wants, 1)
            ],
        )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def measure(name: str, database_url: str, mentors: int, mentees: int, commit_pairs: int):
    use_database(database_url)
    # The emails' delivery tasks go to a queue file of the bench's own, thrown away after.
    os.environ["MENTORAPP_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="cohort-bench-")
    from mentorapp import create_app
    from mentorapp.extensions import db
    from mentorapp.models import CohortRun, User
    from mentorapp.programme import commit, intake, preview

    app = create_app()
    rows = []
    with app.app_context():
        started = time.perf_counter()
        fill(mentors, mentees)
        print(
            f"{name}: {mentees:,} apprentices and {mentors:,} mentors written in "
            f"{time.perf_counter() - started:.0f} s"
        )
        admin = db.session.get(User, 1)

        started = time.perf_counter()
        cohort = intake.create_cohort(
            admin,
            "Bench",
            intake.MenteeFilters(),
            intake.MentorFilters(accepting=False, free_places=False),
        )
        db.session.commit()
        rows.append(
            (
                f"intake: {mentees:,} x {mentors:,} members chosen",
                time.perf_counter() - started,
                None,
            )
        )
        run = preview.start_run(admin, cohort, "optimal")
        db.session.commit()
        started = time.perf_counter()
        assert preview.run_preview(run.id)
        elapsed = time.perf_counter() - started
        stats = db.session.get(CohortRun, run.id).stats
        rows.append((f"preview, optimal: {stats['placed']:,} placed", elapsed, 5.0))
        rows.append(("  of which the engine (score and pair)", stats["engine_seconds"], 1.0))
        stable = preview.start_run(admin, cohort, "stable")
        db.session.commit()
        started = time.perf_counter()
        assert preview.run_preview(stable.id)
        elapsed = time.perf_counter() - started
        stats_stable = db.session.get(CohortRun, stable.id).stats
        rows.append((f"preview, stable: {stats_stable['placed']:,} placed", elapsed, 5.0))
        rows.append(("  of which the engine (score and pair)", stats_stable["engine_seconds"], 1.0))

        # The commit: a cohort of as many apprentices as pairs to send (nearly all placed).
        emails = [f"mentee{100_000 + i}@bench.example.com" for i in range(commit_pairs)]
        small = intake.create_cohort(
            admin,
            "Bench commit",
            intake.MenteeFilters(emails=emails),
            intake.MentorFilters(accepting=False, free_places=False),
        )
        db.session.commit()
        small_run = preview.start_run(admin, small, "optimal")
        db.session.commit()
        assert preview.run_preview(small_run.id)
        placed = db.session.get(CohortRun, small_run.id).stats["placed"]
        started = time.perf_counter()
        commit.start_commit(admin, small, db.session.get(CohortRun, small_run.id))
        db.session.commit()
        commit.run_commit(small_run.id)
        elapsed = time.perf_counter() - started
        done = db.session.get(CohortRun, small_run.id)
        rows.append(
            (
                f"commit: {done.invited:,} invited, {done.skipped:,} skipped of {placed:,}",
                elapsed,
                10.0 * placed / 2000,
            )
        )
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(os.environ["MENTORAPP_INSTANCE_PATH"], ignore_errors=True)
    print(f"{'':<48} {'seconds':>8}  target")
    for label, seconds, target in rows:
        mark = (
            ""
            if target is None
            else (f"< {target:.1f} s " + ("ok" if seconds < target else "MISSED"))
        )
        print(f"{label:<48} {seconds:>8.2f}  {mark}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--commit-pairs", type=int, default=2_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-database", default="mentorapp_bench_cohort")
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            measure(
                "SQLite",
                f"sqlite:///{folder}/bench.sqlite3",
                args.mentors,
                args.mentees,
                args.commit_pairs,
            )
    if args.only != "sqlite":
        url = postgres_database(args.pg_database)
        if url:
            measure("PostgreSQL", url, args.mentors, args.mentees, args.commit_pairs)


if __name__ == "__main__":
    main()
