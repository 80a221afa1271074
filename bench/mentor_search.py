"""The Mentors page's search function at size: 100,000 vetted mentors.

    .venv/bin/python bench/mentor_search.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/mentor_search.py --mentors 20000 --only sqlite

For each database: a fresh database (migrations), mentors with names, headlines, bios
and cities drawn from word lists of skewed frequency, their search rows written by
`reindex_mentors`; then the median and p95 of `search_mentors` (first page, ranked)
for single words from common to rare, two words, and the list with no words.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import _population
import numpy as np
from _http import ROOT, adult_who_accepted, postgres_database
from sqlalchemy import insert

sys.path.insert(0, str(ROOT))

FIRST = [
    "Ana",
    "Marcus",
    "Joana",
    "Kim",
    "Zoé",
    "Ravi",
    "Lena",
    "Tomás",
    "Ade",
    "Mei",
    "Sam",
    "Noor",
]
LAST = ["Silva", "Lindqvist", "Okafor", "Müller", "Rossi", "Tanaka", "Nguyen", "García", "Kowalski"]
WORDS = [
    "mixing",
    "recording",
    "records",
    "studio",
    "beats",
    "vocals",
    "soul",
    "jazz",
    "analog",
    "tape",
    "drums",
    "synths",
    "mastering",
    "sessions",
    "artists",
    "bands",
    "film",
    "score",
    "strings",
    "orchestral",
    "hip",
    "hop",
    "grime",
    "techno",
    "house",
    "ambient",
    "modular",
    "sampling",
    "songwriting",
    "arrangement",
    "guitars",
    "piano",
    "choir",
    "reggae",
    "dub",
    "afrobeats",
    "gospel",
    "lofi",
    "trap",
    "drill",
    "bossa",
    "tango",
    "flamenco",
    "fado",
    "qawwali",
    "zydeco",
]
QUERIES = ["mixing", "jazz", "tango", "zydeco", "lindqvist", "são", "mixing jazz", ""]


def build(database_url: str, count: int):
    os.environ.update(
        MENTORAPP_ENV="production",
        SECRET_KEY="bench",
        PUBLIC_URL="http://bench.invalid",
        DATABASE_URL=database_url,
    )
    from flask_migrate import upgrade

    from mentorapp import create_app
    from mentorapp.extensions import db
    from mentorapp.mentors.index import reindex_mentors
    from mentorapp.models import MentorApplication, MentorProfile, Place, User
    from mentorapp.models.types import utcnow

    app = create_app()
    rng = np.random.default_rng(7)
    weights = 1 / np.arange(1, len(WORDS) + 1)  # Zipf: the first words are common
    weights /= weights.sum()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        towns, _ = _population.towns()
        db.session.execute(insert(Place), _population.place_rows())
        adult, now = adult_who_accepted(), utcnow()
        for start in range(1000, 1000 + count, 20_000):
            ids = range(start, min(start + 20_000, 1000 + count))
            db.session.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "email": f"m{i}@bench.example.com",
                        "display_name": f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]}",
                        "password_hash": "x",
                        "is_mentor": True,
                        **adult,
                    }
                    for i in ids
                ],
            )
            db.session.execute(
                insert(MentorProfile),
                [
                    {
                        "user_id": i,
                        "headline": " ".join(rng.choice(WORDS, 4, p=weights)),
                        "bio": " ".join(rng.choice(WORDS, 30, p=weights)),
                        "credits": " ".join(rng.choice(WORDS, 8, p=weights)),
                        "place_id": towns[i % len(towns)].geonameid,
                        "genres": [],
                        "tools": [],
                        "portfolio_links": [],
                    }
                    for i in ids
                ],
            )
            db.session.execute(
                insert(MentorApplication),
                [
                    {
                        "user_id": i,
                        "state": "approved",
                        "data": {},
                        "evidence_links": [],
                        "vetted_at": now,
                        "submitted_at": now,
                    }
                    for i in ids
                ],
            )
        db.session.flush()
        reindex_mentors()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
    return app


def measure(app, runs: int) -> list[tuple[str, int, float, float]]:
    from mentorapp.extensions import db
    from mentorapp.mentors.search import MentorQuery, search_mentors

    rows = []
    with app.test_request_context():
        for words in QUERIES:
            times, total = [], 0
            for _ in range(runs):
                began = time.perf_counter()
                total = search_mentors(MentorQuery(text=words)).total
                times.append((time.perf_counter() - began) * 1000)
                db.session.rollback()
            rows.append(
                (
                    words or "(no words)",
                    total,
                    statistics.median(times),
                    _population.percentile(times, 0.95),
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    if args.only in (None, "postgresql"):
        url = postgres_database("bench_mentor_search")
        if url:
            targets.append(("PostgreSQL", url))
    print(f"{'database':<11} {'query':<14} {'found':>7} {'median ms':>10} {'p95 ms':>8}")
    for name, url in targets:
        app = build(url, args.mentors)
        for words, total, median, p95 in measure(app, args.runs):
            print(f"{name:<11} {words:<14} {total:>7} {median:>10.1f} {p95:>8.1f}", flush=True)
        from mentorapp.extensions import db

        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
