"""CSV import of listings on the task queue, measured from outside.

    .venv/bin/python bench/import.py                        # SQLite, then PostgreSQL
    .venv/bin/python bench/import.py --only sqlite --sizes 5000

For each database (a fresh SQLite file; on PostgreSQL a database of its own,
mentorapp_bench_imports, made afresh): gunicorn (2 workers, production settings) serves
the app and a separate `flask worker` process (one thread) runs the queue, both on a
SQLite queue file. An admin signs in and uploads CSV files over HTTP as a browser does:
listings in real cities (weighted by population), distinct names and contact emails,
one row in 50 refused (a bad web address). For each size: the upload's response time,
the import's time in the worker (its first claim to its last commit) and rows a second.

Then the crash: a 50,000-row import whose worker is killed with SIGKILL once 10,000
rows are done, and a fresh worker started at once. It resumes the job when the dead
worker's lease has run out (30 s after its last batch) and the next minute's sweep has
enqueued it again. Printed: how long from the kill until it resumed and until it
finished, and the rows reported (each exactly once, the listings and audit entries
matching). About 4 minutes per database.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime

import _population
from _http import PASSWORD, ROOT, Browser, free_port, postgres_database, serve
from _listings import DESCRIPTIONS, FIRST, SECOND
from sqlalchemy import create_engine, text

PG_DATABASE = "mentorapp_bench_imports"
ADMIN = "admin@bench.example.com"
KINDS = ["recording_studio"] * 5 + ["music_school", "audio_engineering_school", "trade_school"]
OFFERS = ["apprenticeship", "internship", "jobs", "courses", "studio visits"]
SPECIALTIES = ["Recording", "mixing", "Mastering", "sound design", "beat-making", "Live sound"]
KILL_AT = 10_000


def csv_file(rows: int, prefix: str, seed: int) -> bytes:
    from mentorapp.places.gazetteer import Gazetteer

    gazetteer = Gazetteer.load()
    towns, weights = _population.towns()
    chosen = random.Random(seed).choices(range(len(towns)), weights=list(weights), k=rows)
    pick = random.Random(seed + 1)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(
        [
            "kind",
            "name",
            "description",
            "city",
            "country",
            "website",
            "contact_email",
            "specialties",
            "offers",
        ]
    )
    for i, town in enumerate(chosen):
        city = gazetteer.get(towns[town].geonameid)
        writer.writerow(
            [
                pick.choice(KINDS),
                f"{pick.choice(FIRST)} {pick.choice(SECOND)} {prefix}{i}",
                pick.choice(DESCRIPTIONS),
                city.name,
                city.country_code,
                "not a web address" if i % 50 == 7 else f"https://{prefix.lower()}{i}.example.org",
                f"hello@{prefix.lower()}{i}.example.org",
                "; ".join(pick.sample(SPECIALTIES, pick.randint(1, 3))),
                "; ".join(pick.sample(OFFERS, pick.randint(1, 2))),
            ]
        )
    return out.getvalue().encode()


def prepare(database_url: str, instance: str) -> None:
    """Migrations and an admin to sign in as, in a process of their own."""
    script = f"""
import os
from flask_migrate import upgrade
from mentorapp import create_app
from mentorapp.auth.passwords import hash_password
from mentorapp.extensions import db
from mentorapp.models import User
from mentorapp.models.types import utcnow
import sys; sys.path.insert(0, {str(ROOT / "bench")!r})
from _http import adult_who_accepted
app = create_app()
with app.app_context():
    upgrade(directory={str(ROOT / "migrations")!r})
    db.session.add(User(email={ADMIN!r}, display_name="Bench Admin", is_admin=True,
        password_hash=hash_password({PASSWORD!r}), email_verified_at=utcnow(),
        **adult_who_accepted()))
    db.session.commit()
"""
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment(database_url, instance),
        check=True,
    )


def environment(database_url: str, instance: str) -> dict:
    return {
        **os.environ,
        "MENTORAPP_ENV": "production",
        "SECRET_KEY": "bench",
        "PUBLIC_URL": "http://bench.invalid",
        "DATABASE_URL": database_url,
        "MENTORAPP_INSTANCE_PATH": instance,
        "TASK_QUEUE_URL": f"sqlite:///{instance}/tasks.sqlite3",
        "LOG_LEVEL": "WARNING",
    }


def start_worker(database_url: str, instance: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "-w", "1"],
        cwd=ROOT,
        env=environment(database_url, instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def upload(browser: Browser, data: bytes, filename: str) -> tuple[int, float]:
    """Post the file as the import form does; the job's id and the response time."""
    _, page, _ = browser.request("/admin/listings/import")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
            "\r\nContent-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        browser.base + "/admin/listings/import",
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        },
    )
    started = time.perf_counter()
    try:
        response = browser.opener.open(request)
    except urllib.error.HTTPError as error:
        response = error
    response.read()
    elapsed = time.perf_counter() - started
    location = response.headers.get("Location", "")
    found = re.search(r"/admin/listings/imports/(\d+)$", location)
    assert response.status == 302 and found, f"upload answered {response.status}"
    return int(found.group(1)), elapsed


def job(engine, job_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT state, total, done, imported, refused, runs, started_at, finished_at,"
                " failure FROM listing_imports WHERE id = :i"
            ),
            {"i": job_id},
        ).one()
    return dict(row._mapping)


def wait_for(engine, job_id: int, condition, timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = job(engine, job_id)
        if condition(state):
            return state
        time.sleep(0.1)
    raise RuntimeError(f"import {job_id} did not get there within {timeout} s: {state}")


def reported_once(engine, job_id: int, total: int) -> str:
    """Each row one outcome, each imported row one listing and one audit entry."""
    with engine.connect() as conn:
        rows, numbers, imported, listings, audited = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT number),"
                " sum(CASE WHEN outcome = 'imported' THEN 1 ELSE 0 END),"
                " count(DISTINCT listing_id),"
                " (SELECT count(*) FROM audit_log WHERE action = 'listing_imported'"
                "  AND reason LIKE :tail)"
                " FROM listing_import_rows WHERE job_id = :i"
            ),
            {"i": job_id, "tail": f"%(import #{job_id})"},
        ).one()
    ok = rows == numbers == total and imported == listings == audited
    return f"{'yes' if ok else 'NO'}: {rows:,} outcomes, {numbers:,} rows, {listings:,} listings"


def seconds(state: dict) -> float:
    def moment(value) -> datetime:  # SQLite gives text
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    return (moment(state["finished_at"]) - moment(state["started_at"])).total_seconds()


def measure(name: str, database_url: str, sizes: list[int], crash: bool) -> list[list[str]]:
    from mentorapp.places.gazetteer import Gazetteer

    Gazetteer.load()
    table = []
    with tempfile.TemporaryDirectory() as instance:
        prepare(database_url, instance)
        engine = create_engine(database_url)
        os.environ.update(environment(database_url, instance))
        port = free_port()
        server = serve(database_url, port)
        worker = start_worker(database_url, instance)
        try:
            admin = Browser(f"http://127.0.0.1:{port}")
            admin.log_in(ADMIN)
            # A first small import: the worker has read the gazetteer, as a running one has.
            warm, _ = upload(admin, csv_file(300, "W", 1), "warm.csv")
            wait_for(engine, warm, lambda s: s["state"] in ("finished", "failed"))
            for n, size in enumerate(sizes):
                data = csv_file(size, f"S{n}x", 10 + n)
                job_id, took = upload(admin, data, f"listings-{size}.csv")
                state = wait_for(engine, job_id, lambda s: s["state"] in ("finished", "failed"))
                assert state["state"] == "finished", state
                table.append(
                    [
                        name,
                        f"{size:,} rows ({len(data) / 1e6:.1f} MB)",
                        f"{took:.1f} s",
                        f"{seconds(state):.1f} s",
                        f"{size / seconds(state):,.0f}",
                        f"{state['imported']:,} / {state['refused']:,}",
                        reported_once(engine, job_id, size),
                    ]
                )
                print(" | ".join(table[-1]), flush=True)
            if crash:
                table.append(crash_run(name, engine, admin, database_url, instance, worker))
                print(" | ".join(table[-1]), flush=True)
        finally:
            for process in (worker, server):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (worker, server):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            engine.dispose()
    return table


def crash_run(name, engine, admin, database_url, instance, worker) -> list[str]:
    size = 50_000
    data = csv_file(size, "K", 99)
    job_id, _ = upload(admin, data, "crash.csv")
    wait_for(engine, job_id, lambda s: s["done"] >= KILL_AT)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed = time.monotonic()
    at = job(engine, job_id)
    fresh = start_worker(database_url, instance)
    try:
        wait_for(engine, job_id, lambda s: s["runs"] >= 2)
        resumed = time.monotonic() - killed
        state = wait_for(engine, job_id, lambda s: s["state"] in ("finished", "failed"))
        finished = time.monotonic() - killed
    finally:
        fresh.send_signal(signal.SIGTERM)
        try:
            fresh.wait(timeout=30)
        except subprocess.TimeoutExpired:
            fresh.kill()
    assert state["state"] == "finished", state
    return [
        name,
        f"{size:,} rows, worker killed at {at['done']:,}",
        f"resumed after {resumed:.0f} s",
        f"finished {finished:.0f} s after the kill",
        f"{(size - at['done']) / (finished - resumed):,.0f} (the rest)",
        f"{state['imported']:,} / {state['refused']:,}",
        reported_once(engine, job_id, size),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-crash", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    table = []
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            table += measure(
                "SQLite", f"sqlite:///{folder}/bench.sqlite3", sizes, not args.no_crash
            )
    if args.only != "sqlite":
        url = postgres_database(PG_DATABASE)
        if url:
            table += measure("PostgreSQL", url, sizes, not args.no_crash)
    header = [
        "database",
        "file",
        "upload",
        "import",
        "rows/s",
        "imported / refused",
        "every row once",
    ]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " for _ in header) + "|")
    for line in table:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
