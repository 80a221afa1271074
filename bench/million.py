"""1,000,000 mentors on PostgreSQL: the fill by COPY, a fresh worker, the suggestions page.

    .venv/bin/python bench/million.py                     # 1,000,000 mentors
    .venv/bin/python bench/million.py --mentors 100000    # smaller, same steps
    .venv/bin/python bench/million.py --keep              # leave the database for a look

Fills a fresh database (mentorapp_bench_million) by COPY with what bench/suggestions.py
writes by INSERT: users, mentor profiles in real cities, archetype and specialty links,
approved mentor applications, plus the Mentors page's search rows; a mentee in London
to sign in as. Then starts gunicorn (one worker by default, production mode), times the
worker from its start to /readyz answering 200 (it builds the candidate arrays before
it takes a request), the first request, the signed-in suggestions page, and the
worker's resident memory after warm-up and after the timed requests. Wall times are
inflated on a shared machine: the worker's CPU time is printed beside them, and the
load average. The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import _population
from _http import (
    PASSWORD,
    PG_SERVER,
    ROOT,
    Browser,
    adult_who_accepted,
    free_port,
    postgres_database,
    serve,
    use_database,
    worker_rss_mb,
)
from suggestions import add_people_to_sign_in

PG_DATABASE = "mentorapp_bench_million"
FIRST_ID = 1000  # mentor1000@bench.example.com is a mentor, as in bench/suggestions.py
CHUNK = 100_000  # mentors made and copied at a time, so memory stays flat
TARGETS = (
    "targets at 1,000,000: fill under 10 min; first request under 1 s; "
    "suggestions under 60 ms median; a worker under 600 MB resident"
)


# --- Filling the database by COPY --------------------------------------------------


def _default(column):
    """The value SQLAlchemy would give an omitted column (COPY knows only the server's)."""
    default = column.default
    if default is None:
        return None
    value = default.arg if default.is_scalar else default.arg(None)
    return json.dumps(value) if column.type.__class__.__name__ == "JSON" else value


def copy_rows(cursor, table, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY the rows (values for `columns`) into the table, every other column with its
    model default. JSON values must be given as text already."""
    rest = [c for c in table.columns if c.name not in columns and c.default is not None]
    tail = tuple(_default(c) for c in rest)
    names = ", ".join([*columns, *(c.name for c in rest)])
    written = 0
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row + tail)
            written += 1
    return written


def fill(database_url: str, mentors: int) -> dict[str, float]:
    """Returns the seconds each step took."""
    use_database(database_url)
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from mentorapp import create_app
    from mentorapp.auth.passwords import hash_password
    from mentorapp.extensions import db
    from mentorapp.mentors.index import folded
    from mentorapp.models import (
        Archetype,
        MentorApplication,
        MentorProfile,
        MentorSearchEntry,
        Place,
        Specialty,
        User,
        mentor_archetypes,
        mentor_specialties,
    )
    from mentorapp.models.types import utcnow
    from mentorapp.trust.vetting import application_data

    steps: dict[str, float] = {}
    started = time.perf_counter()
    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        archetype_ids = dict(db.session.execute(select(Archetype.slug, Archetype.id)).all())
        specialty_ids = dict(db.session.execute(select(Specialty.slug, Specialty.id)).all())
        places = _population.place_rows()
        db.session.execute(insert(Place), places)
        db.session.commit()
        steps["migrations and places"] = time.perf_counter() - started

        towns, _ = _population.towns()
        place_of = {(t.latitude, t.longitude): t.geonameid for t in towns}
        headline, bio = "Producer and engineer", "Makes records; teaches what they know."
        # The search row's text is the same for everyone in a city but the name.
        body_in = {
            p["id"]: folded("\n".join([headline, bio, "", p["name"], p["country"]])) for p in places
        }
        password_hash = hash_password(PASSWORD)
        adult = adult_who_accepted()
        now = utcnow()
        blank = json.dumps(application_data(None, [], ""))
        making = copying = 0.0
        with db.engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()
            for number, start in enumerate(range(0, mentors, CHUNK)):
                t0 = time.perf_counter()
                chunk = _population.mentors(
                    min(CHUNK, mentors - start), seed=1 + number, first_id=FIRST_ID + start
                )
                t1 = time.perf_counter()
                making += t1 - t0
                copy_rows(
                    cursor,
                    User.__table__,
                    [
                        *("id", "email", "display_name", "password_hash", "is_mentor"),
                        *("date_of_birth", "conduct_version", "conduct_accepted_at"),
                        "created_at",
                    ],
                    (
                        (
                            *(r.id, f"mentor{r.id}@bench.example.com", f"Mentor {r.id}"),
                            *(password_hash, True, adult["date_of_birth"]),
                            *(adult["conduct_version"], adult["conduct_accepted_at"], now),
                        )
                        for r in chunk
                    ),
                )
                copy_rows(
                    cursor,
                    MentorProfile.__table__,
                    [
                        *("user_id", "headline", "bio", "genres", "tools", "years_producing"),
                        *("place_id", "works_in_person", "works_remotely", "travel_km"),
                        *("availability", "capacity", "accepting", "created_at", "updated_at"),
                    ],
                    (
                        (
                            *(r.id, headline, bio, json.dumps(sorted(r.genres))),
                            *(json.dumps(sorted(r.tools)), int(r.years or 0)),
                            *(place_of[(r.latitude, r.longitude)], r.in_person, r.remote),
                            *(int(r.travel_km), r.availability, r.free_places, r.accepting),
                            *(now, now),
                        )
                        for r in chunk
                    ),
                )
                copy_rows(
                    cursor,
                    mentor_archetypes,
                    ["mentor_id", "archetype_id"],
                    ((r.id, archetype_ids[a]) for r in chunk for a in r.archetypes),
                )
                copy_rows(
                    cursor,
                    mentor_specialties,
                    ["mentor_id", "specialty_id"],
                    ((r.id, specialty_ids[s]) for r in chunk for s in r.specialties),
                )
                # Only vetted mentors are suggested (issue 12): every bench mentor is.
                copy_rows(
                    cursor,
                    MentorApplication.__table__,
                    [
                        *("user_id", "state", "data", "approved_data", "submitted_at"),
                        *("vetted_at", "created_at"),
                    ],
                    ((r.id, "approved", blank, blank, now, now, now) for r in chunk),
                )
                # The Mentors page's rows, as reindex_mentors writes them; the trigger
                # makes each one's tsvector.
                copy_rows(
                    cursor,
                    MentorSearchEntry.__table__,
                    ["user_id", "name", "body", "listed", "created_at"],
                    (
                        (
                            r.id,
                            f"mentor {r.id}",
                            body_in[place_of[(r.latitude, r.longitude)]],
                            True,
                            now,
                        )
                        for r in chunk
                    ),
                )
                copying += time.perf_counter() - t1
                del chunk
        steps["making the mentors (numpy)"] = making
        steps["COPY (6 tables)"] = copying
        add_people_to_sign_in(archetype_ids, specialty_ids, password_hash)
    t0 = time.perf_counter()
    # As autovacuum leaves tables in use: statistics, the visibility map.
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    steps["VACUUM ANALYZE"] = time.perf_counter() - t0
    steps["fill in all"] = time.perf_counter() - started
    return steps


# --- Measuring ----------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_of(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def wait_ready(base: str, timeout: float) -> float:
    """Seconds until /readyz answers 200."""
    started = time.perf_counter()
    probe = Browser(base)
    while time.perf_counter() - started < timeout:
        try:
            status, _, _ = probe.request("/readyz")
        except OSError:
            status = 0
        if status == 200:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError(f"not ready after {timeout:.0f} s")


def measure(database_url: str, runs: int, workers: int) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        started = time.perf_counter()
        server = serve(database_url, port, workers=workers, output=log)
        try:
            wait_ready(base, timeout=600)
            ready = time.perf_counter() - started
            pids = workers_of(server.pid)
            built = [
                float(m)
                for m in re.findall(
                    r"Candidate arrays ready: \d+ mentors, \d+ mentees in (\d+) ms",
                    Path(log.name).read_text(),
                )
            ]
            warm_cpu = [cpu_seconds(p) for p in pids]
            rows.append(("gunicorn start to /readyz 200", f"{ready:.1f} s", ""))
            rows.append(
                (
                    "  candidate arrays built (log)",
                    ", ".join(f"{ms / 1000:.1f} s" for ms in built) or "-",
                    "worker CPU since start " + ", ".join(f"{c:.1f} s" for c in warm_cpu),
                )
            )
            rss_warm = worker_rss_mb(server.pid)
            mentee = Browser(base)
            mentee.log_in("mentee@bench.example.com")
            before = sum(cpu_seconds(p) for p in pids)
            status, page, first = mentee.request("/suggestions")
            first_cpu = sum(cpu_seconds(p) for p in pids) - before
            assert status == 200, f"/suggestions answered {status}"
            shown = len(re.findall(r'class="suggestion__name"', page))
            assert shown > 0, "the bench mentee got no suggestions"
            rows.append(
                (
                    "first /suggestions (signed in)",
                    f"{first:.0f} ms",
                    f"CPU {first_cpu * 1000:.0f} ms",
                )
            )
            before = sum(cpu_seconds(p) for p in pids)
            times = [mentee.request("/suggestions")[2] for _ in range(runs)]
            per_request = (sum(cpu_seconds(p) for p in pids) - before) / runs * 1000
            rows.append(
                (
                    f"/suggestions median / p95 ({runs} runs)",
                    f"{statistics.median(times):.1f} / "
                    f"{_population.percentile(times, 0.95):.1f} ms",
                    f"CPU {per_request:.1f} ms a request ({shown} cards)",
                )
            )
            rss_after = worker_rss_mb(server.pid)
            rows.append(
                (
                    "worker RSS after warm-up",
                    ", ".join(f"{mb:.0f} MB" for mb in rss_warm),
                    "",
                )
            )
            rows.append(
                (
                    f"worker RSS after {runs + 1} requests",
                    ", ".join(f"{mb:.0f} MB" for mb in rss_after),
                    "",
                )
            )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return rows


def drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    url = postgres_database(PG_DATABASE)
    if url is None:
        return
    try:
        steps = fill(url, args.mentors)
        rows = [(f"fill: {step}", f"{s:.0f} s", "") for step, s in steps.items()]
        rows += measure(url, args.runs, args.workers)
    finally:
        if not args.keep:
            drop(PG_DATABASE)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"PostgreSQL, {args.mentors:,} mentors, {args.workers} gunicorn worker(s)")
    print(f"{'':<40}{'wall':>22}  cpu / notes")
    for label, wall, note in rows:
        print(f"{label:<40}{wall:>22}  {note}")
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores")
    print(TARGETS)


if __name__ == "__main__":
    main()
