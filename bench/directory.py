"""The directory of studios and schools at size, served by real gunicorn workers.

    .venv/bin/python bench/directory.py                        # SQLite, then PostgreSQL
    .venv/bin/python bench/directory.py --sizes 1000,10000     # smaller
    .venv/bin/python bench/directory.py --only postgresql
    .venv/bin/python bench/directory.py --sizes 50000,500000 --pg-database bench_dir_mine

For each database: a fresh database (migrations), approved listings in real cities
(weighted by population) grown through each size in turn (COPY on PostgreSQL,
executemany in transactions of 100,000 rows on SQLite, so 500,000 take minutes, not
an hour), and 5,000 listings waiting in the vetting queue (what a large CSV import
leaves). At each size it starts gunicorn with two workers in production mode and
times the public search (plain, by text, by filters, near a city, a far page), a
listing's page, "near you" and the dashboard for a signed-in apprentice, and the admin
queue; at the end a table gives the median and p95 of each, the databases side by side.
Then it imports a CSV file of 5,000 rows the way the app does for a large file (one
transaction per 100 rows, with the pause that lets other writers in) and prints how
long that took. PostgreSQL is skipped with a note when no server answers.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import _population
import numpy as np
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
)
from _listings import DESCRIPTIONS, FIRST, SECOND
from sqlalchemy import insert, select

PG_DATABASE = "mentorapp_bench_directory"
PENDING = 5_000
IMPORT_ROWS = 5_000
KINDS = ["recording_studio"] * 6 + [
    "music_school",
    "audio_engineering_school",
    "trade_school",
    "other",
]
OFFERS = ["apprenticeship", "internship", "jobs", "courses", "studio_visits"]
TARGETS = (
    "aim: the directory pages well under 100 ms median at 50,000 listings; text search,\n"
    "two words: under 10 ms at 50,000 and 40 ms at 500,000; a word in 42%: under 30 ms\n"
    "at 50,000"
)


def app_for(database_url: str):
    use_database(database_url)
    from mentorapp import create_app

    return create_app()


def prepare(database_url: str) -> None:
    """Migrations, the places, a mentee and an admin to sign in as, 5,000 pending."""
    from flask_migrate import upgrade

    from mentorapp.auth.passwords import hash_password
    from mentorapp.extensions import db
    from mentorapp.models import MenteeProfile, MenteeWant, Place, Specialty, User
    from mentorapp.places.gazetteer import Gazetteer

    app = app_for(database_url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        gazetteer = Gazetteer.load()
        db.session.execute(insert(Place), _population.place_rows())
        london = gazetteer.search("London", limit=1)[0]
        password = hash_password(PASSWORD)
        db.session.add(
            User(
                id=1,
                email="admin@bench.example.com",
                display_name="Bench Admin",
                password_hash=password,
                is_admin=True,
                **adult_who_accepted(),
            )
        )
        mentee = User(
            id=2,
            email="mentee@bench.example.com",
            display_name="Bench Mentee",
            password_hash=password,
            is_mentee=True,
            **adult_who_accepted(),
        )
        mentee.mentee_profile = MenteeProfile(
            about="Wants to learn.",
            genres=["hip-hop"],
            experience="some_experience",
            path="both",
            place_id=london.geonameid,
            travel_km=50,
            remote_ok=True,
            availability=0b111000,
        )
        db.session.add(mentee)
        db.session.flush()
        specialty_ids = dict(db.session.execute(select(Specialty.slug, Specialty.id)).all())
        for rank, slug in enumerate(["mixing", "recording", "mastering"], 1):
            db.session.add(MenteeWant(mentee_id=2, specialty_id=specialty_ids[slug], rank=rank))
        db.session.commit()
        add_listings(0, PENDING, seed=99, state="pending")
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            db.session.execute(text("SELECT setval('users_id_seq', 10)"))
            db.session.commit()


def add_listings(first: int, n: int, seed: int, state: str = "approved") -> None:
    """n listings with ids from first + 1 (inside an app context), written the fast way
    each database has: COPY on PostgreSQL, executemany in big transactions on SQLite
    (the FTS5 index follows by its triggers, as it does for the app's own writes)."""
    from mentorapp.extensions import db
    from mentorapp.models import Place, Specialty

    rng = np.random.default_rng(seed)
    towns, chance = _population.towns()
    where = rng.choice(len(towns), size=n, p=chance)
    specialty_ids = dict(db.session.execute(select(Specialty.slug, Specialty.id)).all())
    specialties = _population._picks(rng, list(specialty_ids), 1, 4, n)
    offers = _population._picks(rng, OFFERS, 1, 3, n)
    kinds = rng.choice(len(KINDS), size=n)
    postgres = db.engine.dialect.name == "postgresql"
    now = datetime.now(UTC)
    stamp = now if postgres else now.replace(tzinfo=None).isoformat(" ")
    next_year = now.replace(year=now.year + 1)
    recheck = next_year if postgres else next_year.replace(tzinfo=None).isoformat(" ")
    approved = state == "approved"
    offset = 10_000_000 if state == "pending" else 0
    cities = dict(db.session.execute(select(Place.id, Place.name)).all())

    def listing(i: int) -> tuple:
        name = f"{FIRST[i % 8]} {SECOND[(i // 8) % 8]} {first + i + 1}"
        geonameid = towns[where[i]].geonameid
        description = DESCRIPTIONS[i % 3]
        return (
            offset + first + i + 1,
            KINDS[kinds[i]],
            name,
            description,
            name.lower(),
            "\n".join((name, description, cities[geonameid])).lower(),
            geonameid,
            json.dumps(offers[i]),
            2,
            state,
            stamp if approved else None,
            recheck if approved else None,
            stamp,
            stamp,
            stamp,
        )

    blank = ("address", "website", "contact_email", "programmes", "typical_length")
    columns = (
        "id, kind, name, description, sort_name, search_text, place_id, offers,"
        " submitted_by_id, state, vetted_at, recheck_due_at, created_at, submitted_at,"
        " updated_at, review_note, unpublish_reason, " + ", ".join(blank)
    )
    empty = ("",) * (2 + len(blank))
    links = ((offset + first + i + 1, specialty_ids[s]) for i in range(n) for s in specialties[i])
    connection = db.session.connection().connection.driver_connection
    if postgres:
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY listings ({columns}) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row(listing(i) + empty)
            with cursor.copy(
                "COPY listing_specialties (listing_id, specialty_id) FROM STDIN"
            ) as copy:
                for link in links:
                    copy.write_row(link)
            # rows made here came with their own ids
            cursor.execute("SELECT setval('listings_id_seq', (SELECT max(id) FROM listings))")
        db.session.commit()
        return
    marks = ", ".join("?" * (15 + len(empty)))
    # The FTS5 index takes the new rows in one statement, not a trigger a row (ten
    # times faster); the trigger is back before the transaction ends.
    [trigger] = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'listings_search_ai'"
    ).fetchone()
    for start in range(0, n, 100_000):
        rows = range(start, min(n, start + 100_000))
        connection.execute("DROP TRIGGER listings_search_ai")
        connection.executemany(
            f"INSERT INTO listings ({columns}) VALUES ({marks})",
            (listing(i) + empty for i in rows),
        )
        connection.executemany(
            "INSERT INTO listing_specialties (listing_id, specialty_id) VALUES (?, ?)",
            ((offset + first + i + 1, specialty_ids[s]) for i in rows for s in specialties[i]),
        )
        connection.execute(
            "INSERT INTO listings_search(rowid, search_text) SELECT id, search_text"
            " FROM listings WHERE id BETWEEN ? AND ?",
            (offset + first + start + 1, offset + first + rows[-1] + 1),
        )
        connection.execute(trigger)
        db.session.commit()


def grow(database_url: str, have: int, want: int) -> None:
    """More listings, then the statistics a running database would have gathered."""
    from sqlalchemy import text

    from mentorapp.extensions import db

    app = app_for(database_url)
    with app.app_context():
        add_listings(have, want - have, seed=want)
        with db.engine.connect() as conn:
            if db.engine.dialect.name == "postgresql":  # what autovacuum does in time
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
                conn.commit()


def import_csv(database_url: str) -> tuple[float, int, int]:
    """A 5,000-row file through the app's own import, as its task on the queue runs it."""
    from mentorapp.directory import imports
    from mentorapp.extensions import db
    from mentorapp.models import ImportJob, User
    from mentorapp.places.gazetteer import Gazetteer

    towns, _ = _population.towns()
    gazetteer = Gazetteer.load()
    lines = ["kind,name,description,city,country,specialties,offers"]
    for i in range(IMPORT_ROWS):
        city = gazetteer.get(towns[i % len(towns)].geonameid)
        lines.append(
            f'recording_studio,Imported Room {i},"{DESCRIPTIONS[i % 3]}",'
            f'"{city.name}",{city.country_code},mixing; recording,studio_visits'
        )
    data = "\n".join(lines).encode()
    app = app_for(database_url)
    with app.app_context():
        started = time.perf_counter()
        job = imports.start_import(db.session.get(User, 1), "bench.csv", data, False)
        db.session.commit()
        job_id = job.id
        db.session.remove()
        while imports.run_import(job_id):  # what the queue's task does, batch by batch
            pass
        elapsed = time.perf_counter() - started
        job = db.session.get(ImportJob, job_id)
        return elapsed, job.imported, job.refused


def measure(name: str, database_url: str, sizes: list[int], runs: int, results: str) -> None:
    """Each page at each size; the times go to the results file (JSON) for main's table."""
    started = time.perf_counter()
    prepare(database_url)
    print(f"{name}: prepared in {time.perf_counter() - started:.0f} s ({PENDING:,} pending)")
    pages = [
        ("/directory", "/directory"),
        ("text: a word in 42%", "/directory?q=tape"),
        ("text: a word in 42%, page 80", "/directory?q=tape&page=80"),
        ("text: a word in 42%, by name", "/directory?q=tape&sort=name"),
        ("text: two words, few matches", "/directory?q=velvet+academy"),
        ("kind + specialty + offer", "/directory?kind=music_school&specialty=mixing&offer=courses"),
        ("near London, 50 km, nearest", "/directory?near=London&within_km=50&sort=distance"),
        ("page 40", "/directory?page=40"),
        ("a listing's page", "/directory/7"),
    ]
    signed_in = [
        ("near you (apprentice)", "/directory/near"),
        ("dashboard (apprentice)", "/dashboard"),
    ]
    admin_pages = [
        ("admin queue", "/admin/listings"),
        ("admin queue, new, page 100", "/admin/listings?section=new&page=100"),
    ]
    have = 0
    table: list[tuple[str, int, list[float]]] = []
    for size in sizes:
        filling = time.perf_counter()
        grow(database_url, have, size)
        print(f"{name}: {size:,} listings, {size - have:,} added in", end=" ")
        print(f"{time.perf_counter() - filling:.0f} s (with the statistics)", flush=True)
        have = size
        port = free_port()
        server = serve(database_url, port)
        try:
            base = f"http://127.0.0.1:{port}"
            public = Browser(base)
            mentee = Browser(base)
            mentee.log_in("mentee@bench.example.com")
            admin = Browser(base)
            admin.log_in("admin@bench.example.com")
            for group, browser in ((pages, public), (signed_in, mentee), (admin_pages, admin)):
                for label, path in group:
                    timed(browser, path, 8)  # both workers warm (the gazetteer loaded)
                    table.append((label, size, timed(browser, path, runs)))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
    with open(results, "w") as out:
        json.dump(table, out)
    seconds, imported, refused = import_csv(database_url)
    print(
        f"CSV import of {IMPORT_ROWS:,} rows: {seconds:.1f} s ({imported:,} imported, "
        f"{refused:,} refused; {IMPORT_ROWS / seconds:,.0f} rows/s, batches of 100)\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-database", default=PG_DATABASE, help="dropped and made afresh")
    args = parser.parse_args()
    measured: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "postgresql":
            url = f"sqlite:///{folder}/bench.sqlite3"
            measured["SQLite"] = run_isolated("SQLite", url, args, folder)
        if args.only != "sqlite":
            url = postgres_database(args.pg_database)
            if url:
                measured["PostgreSQL"] = run_isolated("PostgreSQL", url, args, folder)
    print_table(measured, [int(s) for s in args.sizes.split(",")])
    print(TARGETS)


def print_table(measured: dict[str, list], sizes: list[int]) -> None:
    """Median / p95 in ms, the databases side by side at each size."""
    times = {
        (name, label, size): values
        for name, table in measured.items()
        for label, size, values in table
    }
    labels = dict.fromkeys(label for table in measured.values() for label, _, _ in table)
    columns = [(size, name) for size in sizes for name in measured]
    print(f"\n{'median / p95, ms':<32}" + "".join(f"{f'{n} {s:,}':>24}" for s, n in columns))
    for label in labels:
        cells = []
        for size, name in columns:
            values = times.get((name, label, size))
            cells.append(
                f"{statistics.median(values):.1f} / {_population.percentile(values, 0.95):.1f}"
                if values
                else "-"
            )
        print(f"{label:<32}" + "".join(f"{c:>24}" for c in cells))


def run_isolated(name: str, url: str, args, folder: str) -> list:
    """Each database in its own process, so neither's caches help the other."""
    results = os.path.join(folder, f"{name}.json")
    subprocess.run(
        [sys.executable, __file__, "--measure", name, url, args.sizes, str(args.runs), results],
        check=True,
    )
    with open(results) as found:
        return json.load(found)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--measure":
        sizes = [int(s) for s in sys.argv[4].split(",")]
        measure(sys.argv[2], sys.argv[3], sizes, int(sys.argv[5]), sys.argv[6])
    else:
        main()
