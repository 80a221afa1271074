"""The capacity rule under concurrent accepts, served by real gunicorn workers.

    .venv/bin/python bench/capacity_race.py                 # SQLite, then PostgreSQL
    .venv/bin/python bench/capacity_race.py --rounds 50
    .venv/bin/python bench/capacity_race.py --only sqlite

Each round makes a mentor with 3 places and 40 mentees who asked them, signs the mentor
in through the login form, and sends the 40 accepts at the same moment from 40 threads
to gunicorn (4 workers x 10 threads). Then it counts: a round is broken when more than
3 requests were accepted, or the stored count of apprentices is above the capacity or
differs from the accepted requests.

The same rounds run against the app as it is and against a naive read-check-write
(bench/_race_wsgi.py): on a database whose CHECK on the count was dropped, so nothing
behind the code saves it, and with the CHECK kept, to see what the CHECK alone catches.
On SQLite the naive code also runs with plain deferred BEGINs, as a default SQLite app
has them. PostgreSQL (database mentorapp_bench_race, made with createdb when missing) is
skipped with a note when no server answers at 127.0.0.1:5432. The workers' log is kept
in a temporary file and printed when a round fails.
"""

from __future__ import annotations

import argparse
import http.cookies
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from _http import NoRedirect, adult_who_accepted, free_port
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1234"
PG_HOST, PG_USER, PG_DATABASE = "127.0.0.1", "postgres", "mentorapp_bench_race"
CAPACITY = 3
ACCEPTS = 40
CHECK_NAME = "ck_mentor_profiles_apprentices_within_capacity"
SECRET = "bench-capacity-race"


@dataclass
class Result:
    database: str
    variant: str
    keep_check: bool
    rounds: int = 0
    broken: int = 0
    most_accepted: int = 0
    highest_count: int = 0
    statuses: Counter = field(default_factory=Counter)
    times_ms: list[float] = field(default_factory=list)


# --- The database ---------------------------------------------------------------------


def configure(database_url: str) -> None:
    os.environ.update(
        MENTORAPP_ENV="production",
        SECRET_KEY=SECRET,
        PUBLIC_URL="http://bench.invalid",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        MAIL_SERVER="",
    )


def fresh_schema(database_url: str, keep_check: bool):
    """Migrate an empty database; drop the CHECK on the count unless told to keep it."""
    if database_url.startswith("postgresql"):
        from mentorapp.config import database_url as sqlalchemy_url

        engine = create_engine(sqlalchemy_url(database_url, ""))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    configure(database_url)
    from flask_migrate import upgrade

    from mentorapp import create_app
    from mentorapp.extensions import db

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if not keep_check:
            drop_capacity_check(db)
        db.session.commit()
    return app


def drop_capacity_check(db) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE mentor_profiles DROP CONSTRAINT {CHECK_NAME}"))
        return
    # SQLite cannot drop a constraint: build the table again without it (it is empty).
    table_sql = db.session.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'mentor_profiles'")
    )
    indexes = db.session.scalars(
        text(
            "SELECT sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'mentor_profiles' AND sql IS NOT NULL"
        )
    ).all()
    # Wherever it stands among the table's items (later migrations add items after it).
    check = re.search(rf",\s*CONSTRAINT {CHECK_NAME} CHECK \([^()]*\)", table_sql)
    assert check, "the CHECK on the apprentice count was not found"
    without = table_sql.replace(check.group(0), "").replace(
        'CREATE TABLE "mentor_profiles"', 'CREATE TABLE "mentor_profiles_new"', 1
    )
    db.session.commit()
    connection = db.session.connection()
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    for statement in [
        without,
        "INSERT INTO mentor_profiles_new SELECT * FROM mentor_profiles",
        "DROP TABLE mentor_profiles",
        "ALTER TABLE mentor_profiles_new RENAME TO mentor_profiles",
        *indexes,
    ]:
        connection.exec_driver_sql(statement)
    db.session.commit()


def seed_round(app, number: int, password_hash: str) -> tuple[int, str, list[int]]:
    """A mentor with CAPACITY places and ACCEPTS open requests: (mentor id, email, ids)."""
    from mentorapp.extensions import db
    from mentorapp.models import Apprenticeship, MentorApplication, MentorProfile, User, Vetting
    from mentorapp.models.types import utcnow
    from mentorapp.trust.vetting import application_data

    with app.app_context():
        now = utcnow()
        email = f"mentor{number}@race.bench.example.com"
        mentor = User(
            email=email,
            display_name=f"Mentor {number}",
            password_hash=password_hash,
            is_mentor=True,
            email_verified_at=now,
            **adult_who_accepted(),
        )
        mentor.mentor_profile = MentorProfile(capacity=CAPACITY, accepting=True, availability=1)
        # Only a vetted mentor may accept (issue 12); the bench's mentors are approved.
        blank = application_data(None, [], "")
        mentor.mentor_application = MentorApplication(
            state=Vetting.APPROVED,
            data=blank,
            submitted_at=now,
            vetted_at=now,
            approved_data=blank,
        )
        mentees = [
            User(
                email=f"mentee{number}-{n}@race.bench.example.com",
                display_name=f"Mentee {number}-{n}",
                password_hash=password_hash,
                is_mentee=True,
                email_verified_at=now,
                **adult_who_accepted(),
            )
            for n in range(ACCEPTS)
        ]
        db.session.add_all([mentor, *mentees])
        db.session.flush()
        requests = [
            Apprenticeship(
                mentor_id=mentor.id,
                mentee_id=mentee.id,
                requested_by="mentee",
                message="I would like to learn to mix with you, please.",
                created_at=now,
                expires_at=now + timedelta(days=14),
            )
            for mentee in mentees
        ]
        db.session.add_all(requests)
        db.session.commit()
        return mentor.id, email, [r.id for r in requests]


def count_round(app, mentor_id: int) -> tuple[int, int, int]:
    """(accepted requests, stored apprentice count, capacity) for the mentor."""
    from mentorapp.extensions import db
    from mentorapp.models import Apprenticeship, MentorProfile

    with app.app_context():
        accepted = db.session.scalar(
            select(func.count(Apprenticeship.id)).where(
                Apprenticeship.mentor_id == mentor_id, Apprenticeship.state == "accepted"
            )
        )
        count, capacity = db.session.execute(
            select(MentorProfile.apprentice_count, MentorProfile.capacity).where(
                MentorProfile.user_id == mentor_id
            )
        ).one()
        return accepted, count, capacity


# --- Serving and sending --------------------------------------------------------------


def serve(database_url: str, variant: str, port: int, log) -> subprocess.Popen:
    configure(database_url)
    process = subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "gunicorn"), "_race_wsgi:app"),
            *("--pythonpath", str(ROOT / "bench"), "--bind", f"127.0.0.1:{port}"),
            *("--workers", "4", "--threads", "10", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_VARIANT": variant},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


class Browser:
    """A cookie jar (Secure cookies too, over plain HTTP) that many threads may share."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)
        self.lock = threading.Lock()

    def request(self, path: str, data: dict | None = None) -> int:
        return self.send(path, data)[0]

    def send(self, path: str, data: dict | None = None) -> tuple[int, str]:
        """(status, where a redirect points, or "")."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        with self.lock:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        self.page = response.read().decode()
        with self.lock:
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[key] = morsel.value
        return response.status, response.headers.get("Location", "")

    def csrf(self, path: str) -> str:
        self.request(path)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.page).group(1)

    def log_in(self, email: str) -> None:
        # With deferred BEGINs on SQLite a login itself may answer 503 (its commit lost a
        # race), and yet set the session cookie; the login page then redirects.
        for _ in range(10):
            if self.request("/login") == 302:
                return
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.page)
            data = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
            if self.request("/login", data) == 302:
                return
            time.sleep(0.2)
        raise AssertionError(f"login failed for {email}")


def accepts_at_once(base: str, email: str, requests: list[int]) -> tuple[list[int], float]:
    """Sign the mentor in, send every accept at the same moment: (statuses, ms)."""
    browser = Browser(base)
    browser.log_in(email)
    token = browser.csrf(f"/apprenticeships/{requests[0]}")
    start = threading.Barrier(len(requests) + 1)

    def accept(request_id: int) -> int:
        start.wait()
        return browser.request(f"/apprenticeships/{request_id}/accept", {"csrf_token": token})

    with ThreadPoolExecutor(len(requests)) as pool:
        futures = [pool.submit(accept, r) for r in requests]
        start.wait()
        began = time.perf_counter()
        statuses = [f.result() for f in futures]
    return statuses, (time.perf_counter() - began) * 1000


# --- Measuring ------------------------------------------------------------------------


def measure(
    database: str, database_url: str, variant: str, keep_check: bool, rounds: int
) -> Result:
    app = fresh_schema(database_url, keep_check)
    from mentorapp.auth.passwords import hash_password
    from mentorapp.extensions import db

    password_hash = hash_password(PASSWORD)
    result = Result(database, variant, keep_check)
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = serve(database_url, variant, port, log)
        try:
            for number in range(rounds):
                mentor_id, email, requests = seed_round(app, number, password_hash)
                statuses, elapsed = accepts_at_once(f"http://127.0.0.1:{port}", email, requests)
                accepted, count, capacity = count_round(app, mentor_id)
                result.rounds += 1
                result.statuses.update(statuses)
                result.times_ms.append(elapsed)
                result.most_accepted = max(result.most_accepted, accepted)
                result.highest_count = max(result.highest_count, count)
                if accepted > capacity or count > capacity or count != accepted:
                    result.broken += 1
        except BaseException:
            log.seek(0)
            print(f"gunicorn's log:\n{log.read()[-5000:]}", file=sys.stderr)
            raise
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    print(
        f"  {database}, {label(result)}: {result.broken} of {result.rounds} rounds broken",
        flush=True,
    )
    return result


def postgres_url() -> str | None:
    """The bench database on the local server, made with createdb when missing."""
    try:
        import psycopg

        with psycopg.connect(
            f"postgresql://{PG_USER}@{PG_HOST}:5432/postgres", connect_timeout=3
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)
            ).fetchone()
        createdb = shutil.which("createdb")
        if not exists and createdb:
            subprocess.run(
                [createdb, "-h", PG_HOST, "-U", PG_USER, PG_DATABASE],
                check=True,
                capture_output=True,
            )
        elif not exists:
            with psycopg.connect(
                f"postgresql://{PG_USER}@{PG_HOST}:5432/postgres", autocommit=True
            ) as conn:
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    except Exception as error:  # any failure means: no PostgreSQL here
        print(f"PostgreSQL: skipped ({type(error).__name__}: {error})")
        return None
    return f"postgresql://{PG_USER}@{PG_HOST}:5432/{PG_DATABASE}"


# (code as served by bench/_race_wsgi.py, whether the CHECK on the count stays)
VARIANTS = {
    "SQLite": [("app", True), ("naive", False), ("naive", True), ("naive-deferred", False)],
    "PostgreSQL": [("app", True), ("naive", False), ("naive", True)],
}


def label(result: Result) -> str:
    code = {
        "app": "conditional UPDATE (app)",
        "naive": "read-check-write",
        "naive-deferred": "read-check-write, deferred BEGIN",
    }[result.variant]
    return f"{code}, {'CHECK' if result.keep_check else 'no CHECK'}"


COLUMNS = [
    ("database", 11),
    ("variant", 44),
    ("rounds", 7),
    ("broken", 7),
    ("most accepted", 14),
    ("top count", 10),
    ("302s", 6),
    ("409s", 6),
    ("500s", 6),
    ("503s", 6),
    ("median round ms", 16),
]


def print_table(results: list[Result]) -> None:
    def line(values) -> str:
        # The first two columns are words, aligned left; the rest are numbers.
        return "".join(
            f"{value:<{width}}" if n < 2 else f"{value:>{width}}"
            for n, (value, (_, width)) in enumerate(zip(values, COLUMNS, strict=True))
        )

    print("\n" + line([name for name, _ in COLUMNS]))
    for r in results:
        print(
            line(
                [
                    r.database,
                    label(r),
                    r.rounds,
                    r.broken,
                    f"{r.most_accepted} of {CAPACITY}",
                    r.highest_count,
                    *(r.statuses[code] for code in (302, 409, 500, 503)),
                    f"{statistics.median(r.times_ms):.0f}",
                ]
            )
        )
        other = {code: n for code, n in r.statuses.items() if code not in (302, 409, 500, 503)}
        if other:
            print(f"{'':<11}other answers: {other}")
    print(
        f"\n{ACCEPTS} accepts at once per round, capacity {CAPACITY}; gunicorn 4 workers x 10 "
        "threads.\nbroken: more requests accepted than places, or a stored count above the "
        "capacity or unlike the\naccepted requests. top count: the highest stored count."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = []
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            for number, (variant, keep_check) in enumerate(VARIANTS["SQLite"]):
                url = f"sqlite:///{folder}/{number}.sqlite3"
                results.append(measure("SQLite", url, variant, keep_check, args.rounds))
    if args.only != "sqlite":
        url = postgres_url()
        if url:
            for variant, keep_check in VARIANTS["PostgreSQL"]:
                results.append(measure("PostgreSQL", url, variant, keep_check, args.rounds))
    print_table(results)


if __name__ == "__main__":
    main()
