"""The admin's programme dashboard at size: 100,000 people and 200,000 apprenticeships.

    .venv/bin/python bench/dashboard.py                      # SQLite, then PostgreSQL
    .venv/bin/python bench/dashboard.py --people 20000 --only sqlite
    .venv/bin/python bench/dashboard.py --keep               # keep the databases built

For each database: a fresh database (migrations), 100,000 people over two years (a
fifth mentors, vetted, with archetypes, specialties and places; the rest apprentices
with what they want and where they live), 200,000 apprenticeships in every state and
reason, and a listing queue. Then, through the app in one process (an admin signed in,
the Flask test client, no network): the dashboard page with its figures worked out
afresh each time (what the first admin after a minute waits for), the page with them
kept (the next admins), each figure's own queries, and drawing the charts (pygal, the
first time their data is seen). Median and p95 in ms, and the CPU time of the process
and of its PostgreSQL backend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

import _population
import numpy as np
from _http import PG_SERVER, ROOT, adult_who_accepted, postgres_database, use_database
from sqlalchemy import insert, select
from sqlalchemy import text as sql

sys.path.insert(0, str(ROOT))

TARGET = "target: the page under 200 ms with 100,000 people and 200,000 apprenticeships"
BATCH = 5_000


def _batches(rows: list[dict]):
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def build(database_url: str, people: int, apprenticeships: int, kept: bool = False):
    """The app on a database of that size (filled unless `kept`)."""
    use_database(database_url)
    from flask_migrate import upgrade

    from mentorapp import create_app
    from mentorapp.extensions import db
    from mentorapp.models import (
        Apprenticeship,
        Archetype,
        Listing,
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
    from mentorapp.trust.vetting import application_data

    app = create_app()
    if kept:
        return app
    rng = np.random.default_rng(7)
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.execute(insert(Place), _population.place_rows())
        archetypes = db.session.scalars(select(Archetype.id)).all()
        specialties = db.session.scalars(select(Specialty.id)).all()
        towns, weights = _population.towns()
        adult = adult_who_accepted()
        mentors = people // 5
        joined = now - timedelta(days=730) * rng.random(people) ** 0.7
        place = [towns[i].geonameid for i in rng.choice(len(towns), people, p=weights)]
        users = [
            {
                "id": i + 1,
                "email": f"p{i + 1}@bench.example.com",
                "display_name": f"Person {i + 1}",
                "password_hash": "x",
                "is_mentor": i < mentors,
                "is_mentee": i >= mentors,
                "is_admin": i == 0,
                "email_verified_at": joined[i],
                "created_at": joined[i],
                **adult,
            }
            for i in range(people)
        ]
        for batch in _batches(users):
            db.session.execute(insert(User), batch)
        blank = application_data(None, [], "")
        for batch in _batches(list(range(1, mentors + 1))):
            db.session.execute(
                insert(MentorProfile),
                [
                    {
                        "user_id": i,
                        "headline": "Producer",
                        "capacity": int(rng.integers(1, 5)),
                        "accepting": bool(rng.random() < 0.8),
                        "works_in_person": True,
                        "works_remotely": bool(rng.random() < 0.5),
                        "place_id": place[i - 1],
                    }
                    for i in batch
                ],
            )
            db.session.execute(
                insert(MentorApplication),
                [
                    {
                        "user_id": i,
                        "state": "approved",
                        "data": blank,
                        "approved_data": blank,
                        "submitted_at": joined[i - 1],
                        "vetted_at": joined[i - 1],
                    }
                    for i in batch
                ],
            )
            db.session.execute(
                insert(mentor_archetypes),
                [
                    {"mentor_id": i, "archetype_id": int(a)}
                    for i in batch
                    for a in rng.choice(archetypes, 2, replace=False)
                ],
            )
            db.session.execute(
                insert(mentor_specialties),
                [
                    {"mentor_id": i, "specialty_id": int(s)}
                    for i in batch
                    for s in rng.choice(specialties, 3, replace=False)
                ],
            )
        for batch in _batches(list(range(mentors + 1, people + 1))):
            db.session.execute(
                insert(MenteeProfile),
                [
                    {
                        "user_id": i,
                        "place_id": place[i - 1],
                        "travel_km": int(rng.choice([10, 25, 50, 100])),
                        "remote_ok": bool(rng.random() < 0.4),
                    }
                    for i in batch
                ],
            )
            db.session.execute(
                insert(MenteeAspiration),
                [
                    {"mentee_id": i, "archetype_id": int(a), "rank": r}
                    for i in batch
                    for r, a in enumerate(rng.choice(archetypes, 2, replace=False), 1)
                ],
            )
            db.session.execute(
                insert(MenteeWant),
                [
                    {"mentee_id": i, "specialty_id": int(s), "rank": r}
                    for i in batch
                    for r, s in enumerate(rng.choice(specialties, 3, replace=False), 1)
                ],
            )
        states = ["accepted", "completed", "declined", "withdrawn", "ended", "requested"]
        shares = [0.15, 0.3, 0.3, 0.1, 0.1, 0.05]
        reasons = ["no_time", "not_my_field", "too_far", "level", "expired", "full"]
        rows = []
        for _ in range(apprenticeships):
            mentor = int(rng.integers(1, mentors + 1))
            mentee = int(rng.integers(mentors + 1, people + 1))
            made = max(joined[mentee - 1], joined[mentor - 1]) + timedelta(
                days=float(rng.random() * 60)
            )
            made = min(made, now - timedelta(hours=1))
            state = str(rng.choice(states, p=shares))
            decided = None if state == "requested" else made + timedelta(days=rng.random() * 12)
            ended = (
                decided + timedelta(days=float(rng.random() * 120))
                if state in ("completed", "ended")
                else None
            )
            rows.append(
                {
                    "mentor_id": mentor,
                    "mentee_id": mentee,
                    "state": state,
                    "requested_by": "mentee",
                    "reason": str(rng.choice(reasons)) if state == "declined" else None,
                    "created_at": made,
                    "decided_at": min(decided, now) if decided else None,
                    "ended_at": min(ended, now) if ended else None,
                }
            )
        # Only one open apprenticeship per pair: later duplicates are closed.
        open_pairs = set()
        for row in rows:
            if row["state"] in ("requested", "accepted"):
                pair = (row["mentor_id"], row["mentee_id"])
                if pair in open_pairs:
                    row["state"], row["ended_at"] = "ended", row["decided_at"] or row["created_at"]
                open_pairs.add(pair)
        for batch in _batches(rows):
            db.session.execute(insert(Apprenticeship), batch)
        db.session.execute(
            insert(Listing),
            [
                {
                    "name": f"Studio {i}",
                    "kind": "recording_studio",
                    "place_id": place[i],
                    "state": "pending" if i % 3 else "approved",
                    "submitted_at": now - timedelta(days=float(rng.random() * 30)),
                    "recheck_due_at": now + timedelta(days=100),
                }
                for i in range(600)
            ],
        )
        db.session.commit()
        db.session.execute(sql("ANALYZE"))
        db.session.commit()
    return app


def _cpu_clock(app):
    """This process's CPU seconds plus, on PostgreSQL, its backends' (read from /proc)."""
    from mentorapp.extensions import db

    pids = []
    if db.engine.dialect.name == "postgresql":
        pids = [r[0] for r in db.session.execute(sql("SELECT pg_backend_pid()"))]
    tick = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        total = time.process_time()
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
        return total

    return seconds


def measure(app, runs: int) -> list[tuple[str, float, float, float]]:
    from mentorapp.extensions import db
    from mentorapp.insights import charts, figures, services
    from mentorapp.models import User
    from mentorapp.models.types import utcnow

    rows = []
    client = app.test_client()
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        with client.session_transaction() as session:
            session["_user_id"] = admin.get_id()
            session["_fresh"] = True

    def timed(label: str, action, each=None) -> None:
        times, clock = [], None
        with app.app_context():
            clock = _cpu_clock(app)
            spent = clock()
            for _ in range(runs):
                if each:
                    each()
                began = time.perf_counter()
                action()
                times.append((time.perf_counter() - began) * 1000)
            spent = clock() - spent
        rows.append(
            (
                label,
                statistics.median(times),
                _population.percentile(times, 0.95),
                spent * 1000 / runs,
            )
        )
        print(f"  {label}: {rows[-1][1:]}", file=sys.stderr, flush=True)

    def page():
        response = client.get("/admin")
        assert response.status_code == 200, response.status_code

    def forget():
        services.forget()
        db.session.commit()

    page()  # warm: templates compiled, charts drawn once
    timed("page, a span never seen (worked out in the request)", page, each=forget)
    timed("page, figures kept (the dashboard's snapshot)", page)
    with app.app_context():
        scope = figures.default_span(utcnow().date()).scope
    timed("background: working a snapshot out", lambda: services.refresh(scope))
    with app.app_context():
        span = figures.default_span(utcnow().date())
        for name, figure in [
            ("signups", lambda: figures.signups(span)),
            ("requests", lambda: figures.request_outcomes(span)),
            ("answers", lambda: figures.answer_times(span)),
            ("apprenticeships", lambda: figures.apprenticeships_per_period(span)),
            ("archetypes", lambda: figures.supply_and_demand("archetypes")),
            ("specialties", lambda: figures.supply_and_demand("specialties")),
            ("waiting", lambda: figures.waiting_places()),
            ("queue", lambda: figures.queue_age(utcnow())),
        ]:
            timed(f"  figure: {name}", figure)
        every = figures.dashboard(span, utcnow())
    timed(
        "drawing the 8 charts afresh",
        lambda: [charts.draw(c) for c in every],
        each=charts.draw.cache_clear,
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--apprenticeships", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the databases")
    args = parser.parse_args()
    size = f"{args.people}_{args.apprenticeships}"
    targets = []
    if args.only in (None, "sqlite"):
        folder = tempfile.gettempdir() if args.keep else tempfile.mkdtemp()
        path = f"{folder}/bench_dashboard_{size}.sqlite3"
        targets.append(("SQLite", f"sqlite:///{path}", args.keep and os.path.exists(path)))
    if args.only in (None, "postgresql"):
        import psycopg

        name = f"bench_dashboard_{size}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        kept = bool(args.keep and exists)
        url = f"{PG_SERVER}/{name}" if kept else postgres_database(name)
        if url:
            targets.append(("PostgreSQL", url, kept))
    results = {}
    for label, url, kept in targets:
        began = time.perf_counter()
        app = build(url, args.people, args.apprenticeships, kept)
        print(
            f"{label}: {'kept' if kept else 'built'} in {time.perf_counter() - began:.0f} s",
            file=sys.stderr,
        )
        results[label] = measure(app, args.runs)
        from mentorapp.extensions import db

        with app.app_context():
            db.engine.dispose()
    names = list(results)
    print(
        f"\n{args.people:,} people, {args.apprenticeships:,} apprenticeships, "
        f"{args.runs} runs each; {TARGET}"
    )
    header = f"{'what':32}" + "".join(f" | {n:>10} median    p95    cpu" for n in names)
    print(header)
    print("-" * len(header))
    for i, (what, *_rest) in enumerate(next(iter(results.values()))):
        line = f"{what:32}"
        for n in names:
            _, median, p95, cpu = results[n][i]
            line += f" | {'':>10} {median:6.1f} {p95:6.1f} {cpu:6.1f}"
        print(line)
    print("(ms; median and p95 wall time; cpu: the process's and its PostgreSQL backend's)")


if __name__ == "__main__":
    main()
