"""The admins' people download and people search at size: 100,000 people.

    .venv/bin/python bench/exports.py                    # SQLite, then PostgreSQL
    .venv/bin/python bench/exports.py --people 20000 --only sqlite

For each database: a fresh database (migrations), people from bench/_population (half
mentors, half mentees, in real cities, with their profiles), one admin. A real gunicorn
worker serves it; the admin downloads /admin/exports/people.csv over HTTP, and the
table shows the rows, the seconds, and the worker's memory (RSS) before and after the
download, its high-water mark (VmHWM) after it, and how far the download raised that
mark (above the worker's size before it or its earlier high-water mark, whichever is
larger). The people search (name, city, a filter) is
timed too, median of a few runs each.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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
)
from sqlalchemy import insert

sys.path.insert(0, str(ROOT))

BATCH = 20_000
FIRST = "Ana Marcus Joana Kim Zoé Ravi Lena Tomás Ade Mei Sam Noor Chidi Ingrid Mateo".split()  # noqa: SIM905
LAST = "Silva Lindqvist Okafor Müller Rossi Tanaka Nguyen García Kowalski Mensah".split()  # noqa: SIM905
SEARCHES = [
    ("a name (1 in 10)", "/admin/people?q=lindqvist"),
    ("an email, one person", "/admin/people?q=p77777%40bench"),
    ("a city", "/admin/people?place=lagos"),
    ("unverified", "/admin/people?show=unverified"),
    ("mentees waiting", "/admin/people?show=waiting"),
    ("everyone, page 40", "/admin/people?page=40"),
]


def build(database_url: str, count: int) -> None:
    use_database(database_url)
    from flask_migrate import upgrade

    from mentorapp import create_app
    from mentorapp.auth.passwords import hash_password
    from mentorapp.extensions import db
    from mentorapp.models import MenteeProfile, MentorProfile, Place, User
    from mentorapp.models.types import utcnow

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        towns, _ = _population.towns()
        db.session.execute(insert(Place), _population.place_rows())
        adult, now = adult_who_accepted(), utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "id": 1,
                    "email": "admin@bench.example.com",
                    "display_name": "Bench Admin",
                    "password_hash": hash_password(PASSWORD),
                    "is_admin": True,
                    "email_verified_at": now,
                    **adult,
                }
            ],
        )
        mentors = _population.mentors(count // 2, first_id=2)
        mentees = _population.mentees(count - count // 2, first_id=2 + count // 2)
        place_of = {(t.latitude, t.longitude): t.geonameid for t in towns}
        people = [(m, True) for m in mentors] + [(m, False) for m in mentees]
        for start in range(0, len(people), BATCH):
            chunk = people[start : start + BATCH]
            db.session.execute(
                insert(User), [person_row(r.id, mentor, adult, now) for r, mentor in chunk]
            )
            mentor_rows = [
                {
                    "user_id": r.id,
                    "place_id": place_of.get((r.latitude, r.longitude)),
                    "capacity": r.free_places,
                    # A quarter of the mentors have every place taken.
                    "apprentice_count": r.free_places if r.id % 4 == 0 else 0,
                }
                for r, mentor in chunk
                if mentor
            ]
            mentee_rows = [
                {"user_id": r.id, "place_id": place_of.get((r.latitude, r.longitude))}
                for r, mentor in chunk
                if not mentor
            ]
            for model, rows in ((MentorProfile, mentor_rows), (MenteeProfile, mentee_rows)):
                if rows:
                    db.session.execute(insert(model), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()


def person_row(i: int, mentor: bool, adult: dict, now) -> dict:
    return {
        "id": i,
        "email": f"p{i}@bench.example.com",
        # Every 50th name is hostile, so the formula guard runs on real rows.
        "display_name": (
            f'=HYPERLINK("http://x","{i}")'
            if i % 50 == 0
            else f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]}"
        ),
        "password_hash": "x",
        "is_mentor": mentor,
        "is_mentee": not mentor,
        "email_verified_at": None if i % 20 == 0 else now,
        **adult,
    }


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and its peak so far (VmRSS, VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    now = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return now, peak


def download(browser: Browser, path: str) -> tuple[int, int, float]:
    """Read the download as it streams, line by line: (rows, bytes, seconds)."""
    request = urllib.request.Request(browser.base + path)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in browser.cookies.items()))
    started = time.perf_counter()
    lines = size = 0
    with browser.opener.open(request) as response:
        assert response.status == 200, response.status
        for line in response:
            lines += 1
            size += len(line)
    return lines - 1, size, time.perf_counter() - started


def measure(database_url: str, label: str) -> dict:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = serve(database_url, port, workers=1, output=log)
        try:
            browser = Browser(f"http://127.0.0.1:{port}")
            browser.log_in("admin@bench.example.com")
            browser.request("/admin/people")  # warm: the worker has imported everything
            worker = int(Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text())
            searches = {name: statistics.median(timed(browser, p, 5)) for name, p in SEARCHES}
            before, peak_before = memory_mb(worker)
            rows, size, seconds = download(browser, "/admin/exports/people.csv")
            after, peak = memory_mb(worker)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return {
        "database": label,
        "rows": rows,
        "mb": size / 1e6,
        "seconds": seconds,
        "before": before,
        "after": after,
        "peak": peak,
        # The download's own peak: how far it raised the worker's high-water mark
        # above what it had reached before (the searches), or above its size then.
        "peak_growth": max(0.0, peak - max(before, peak_before)),
        "peak_before": peak_before,
        "searches": searches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "postgresql":
            url = f"sqlite:///{folder}/bench.sqlite3"
            build(url, args.people)
            results.append(measure(url, "SQLite"))
        if args.only != "sqlite":
            url = postgres_database(f"bench_exports_{args.people}")
            if url:
                build(url, args.people)
                results.append(measure(url, "PostgreSQL"))
    print(f"\nPeople download, {args.people:,} people, one gunicorn worker\n")
    print(
        f"{'database':<11} {'rows':>8} {'MB':>6} {'seconds':>8} "
        f"{'RSS before':>11} {'RSS after':>10} {'growth':>7} {'peak':>7} {'peak growth':>12}"
    )
    for r in results:
        print(
            f"{r['database']:<11} {r['rows']:>8,} {r['mb']:>6.1f} {r['seconds']:>8.2f} "
            f"{r['before']:>8.1f} MB {r['after']:>7.1f} MB {r['after'] - r['before']:>4.1f} MB"
            f" {r['peak']:>4.0f} MB {r['peak_growth']:>9.1f} MB"
        )
    print("\nPeople search, median of 5 (ms, through HTTP, the page rendered)\n")
    print(f"{'search':<24}" + "".join(f"{r['database']:>12}" for r in results))
    for name, _ in SEARCHES:
        print(f"{name:<24}" + "".join(f"{r['searches'][name]:>12.1f}" for r in results))


if __name__ == "__main__":
    main()
