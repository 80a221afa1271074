"""Every write that can meet on one mentor, at the same moment, through real gunicorn workers.

    .venv/bin/python bench/mixed_races.py                          # SQLite, then PostgreSQL
    .venv/bin/python bench/mixed_races.py --only postgresql --rounds 100 --requests 50
    .venv/bin/python bench/mixed_races.py --only sqlite --rounds 20

Each round makes a mentor with 3 places and 40 mentees who asked them (as
bench/capacity_race.py does), plus apprentices to invite, and sends `--requests` forms
at the same moment from as many threads to gunicorn (4 workers x 10 threads, the app as
it is): half of them accepts that fill the mentor, then declines, withdrawals of
requests being accepted, invitations, capacity changes and account suspensions by an
admin (apprentices who asked, and in every tenth round the mentor). Then it counts:

- breaches: the stored apprentice count above the capacity, or unlike the running
  (accepted) apprenticeships;
- lost rows: a request that was written before the round and is gone, or an invitation
  answered "sent" (302) whose row is missing;
- 5xx: answers of 500 and over among the round's requests (the 503 page is what a
  transaction that lost its race 4 times in a row answers);
- retries: the "lost a race ... running it again" lines the workers wrote
  (mentorapp/transactions.py), read from their log.

Each database is fresh: a new SQLite file, or the PostgreSQL database
mentorapp_bench_mixed made again (skipped with a note when no server answers at
127.0.0.1:5432). The workers' log is kept in a temporary file; its 5xx tracebacks are
printed at the end.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import _population
from _http import PASSWORD, adult_who_accepted, free_port, postgres_database
from capacity_race import Browser, count_round, fresh_schema, seed_round, serve
from sqlalchemy import func, select

PG_DATABASE = "mentorapp_bench_mixed"
MESSAGE = "I would like to learn to mix with you, please."
RETRY_LINE = "lost a race"
# The share of each kind of request in a round; accepts take what rounding leaves.
MIX = {"decline": 0.16, "withdraw": 0.16, "invite": 0.06, "capacity": 0.06, "suspend": 0.06}


@dataclass
class Result:
    database: str
    rounds: int = 0
    requests: int = 0
    breaches: int = 0
    lost_rows: int = 0
    retries: int = 0
    statuses: Counter = field(default_factory=Counter)
    times_ms: list[float] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def kinds(requests: int) -> dict[str, int]:
    counts = {kind: max(1, round(requests * share)) for kind, share in MIX.items()}
    counts["accept"] = max(1, requests - sum(counts.values()))
    return counts


# --- People, written straight to the database -----------------------------------------


def add_people(app, number: int, invitees: int, password_hash: str) -> list[int]:
    """Apprentices with a profile, whom the round's mentor may invite: their ids."""
    from mentorapp.extensions import db
    from mentorapp.models import MenteeProfile, User
    from mentorapp.models.types import utcnow

    with app.app_context():
        people = []
        for n in range(invitees):
            user = User(
                email=f"invitee{number}-{n}@race.bench.example.com",
                display_name=f"Invitee {number}-{n}",
                password_hash=password_hash,
                is_mentee=True,
                email_verified_at=utcnow(),
                **adult_who_accepted(),
            )
            user.mentee_profile = MenteeProfile(about="Bedroom producer.", availability=1)
            people.append(user)
        db.session.add_all(people)
        db.session.commit()
        return [p.id for p in people]


def add_admin(app, password_hash: str) -> str:
    from mentorapp.extensions import db
    from mentorapp.models import User
    from mentorapp.models.types import utcnow

    with app.app_context():
        email = "admin@race.bench.example.com"
        db.session.add(
            User(
                email=email,
                display_name="Bench Admin",
                password_hash=password_hash,
                is_admin=True,
                email_verified_at=utcnow(),
                **adult_who_accepted(),
            )
        )
        db.session.commit()
        return email


def rows_left(app, ids: list[int]) -> int:
    from mentorapp.extensions import db
    from mentorapp.models import Apprenticeship

    with app.app_context():
        return db.session.scalar(
            select(func.count(Apprenticeship.id)).where(Apprenticeship.id.in_(ids))
        )


def invitations_made(app, mentor_id: int, invitees: list[int]) -> int:
    from mentorapp.extensions import db
    from mentorapp.models import Apprenticeship

    with app.app_context():
        return db.session.scalar(
            select(func.count(Apprenticeship.id)).where(
                Apprenticeship.mentor_id == mentor_id, Apprenticeship.mentee_id.in_(invitees)
            )
        )


# --- One round --------------------------------------------------------------------------


def log_in_all(base: str, emails: list[str]) -> list[Browser]:
    def one(email: str) -> Browser:
        browser = Browser(base)
        browser.log_in(email)
        return browser

    with ThreadPoolExecutor(min(8, len(emails))) as pool:
        return list(pool.map(one, emails))


def play_round(app, base: str, admin: Browser, number: int, size: int, password_hash: str):
    """(statuses, times in ms, breached, rows lost) of one round."""
    count = kinds(size)
    mentor_id, email, requests = seed_round(app, number, password_hash)
    invitees = add_people(app, number, count["invite"], password_hash)
    mentor = Browser(base)
    mentor.log_in(email)
    token = mentor.csrf(f"/apprenticeships/{requests[0]}")
    # The requests the accepts fill the mentor with are the ones their apprentices
    # withdraw and the admin suspends, at the same moment.
    accepted = [requests[n % len(requests)] for n in range(count["accept"])]
    declined = [requests[(count["accept"] + n) % len(requests)] for n in range(count["decline"])]
    withdrawn = list(range(count["withdraw"]))
    suspended = list(range(count["withdraw"], count["withdraw"] + count["suspend"]))
    askers = log_in_all(
        base, [f"mentee{number}-{n % len(requests)}@race.bench.example.com" for n in withdrawn]
    )
    withdraw_tokens = [
        a.csrf(f"/apprenticeships/{requests[n % len(requests)]}")
        for a, n in zip(askers, withdrawn, strict=True)
    ]
    admin_token = admin.csrf(f"/admin/people/{mentor_id}")
    reason = {"reason": "Reports of threats to apprentices, checked with two of them."}
    week = f"/people/{mentor_id}/edit/mentor/week"
    sends = [
        *((mentor, f"/apprenticeships/{r}/accept", {"csrf_token": token}) for r in accepted),
        *(
            (mentor, f"/apprenticeships/{r}/decline", {"csrf_token": token, "reason": "no_time"})
            for r in declined
        ),
        *(
            (a, f"/apprenticeships/{requests[n % len(requests)]}/withdraw", {"csrf_token": t})
            for a, n, t in zip(askers, withdrawn, withdraw_tokens, strict=True)
        ),
        *(
            (mentor, f"/people/{i}/invite", {"csrf_token": token, "message": MESSAGE})
            for i in invitees
        ),
        *(
            (
                mentor,
                week,
                {
                    "csrf_token": token,
                    "availability": "weekday_evening",
                    "capacity": 2 + (number + n) % 4,
                    "accepting": "y",
                },
            )
            for n in range(count["capacity"])
        ),
    ]
    # The admin suspends apprentices who asked; in every tenth round, the mentor.
    targets = [mentor_id_of_mentee(app, requests[n % len(requests)]) for n in suspended]
    if number % 10 == 9:
        targets[0] = mentor_id
    sends += [
        (admin, f"/admin/people/{t}/suspend", {"csrf_token": admin_token, **reason})
        for t in targets
    ]
    # Mix the kinds, so the accepts do not all start first.
    sends = sends[::2] + sends[1::2]
    start = threading.Barrier(len(sends))

    def go(send) -> tuple[int, str, float]:
        browser, path, data = send
        start.wait()
        began = time.perf_counter()
        status, location = browser.send(path, data)
        return status, location, (time.perf_counter() - began) * 1000

    with ThreadPoolExecutor(len(sends)) as pool:
        answers = list(pool.map(go, sends))
    statuses = [status for status, _, _ in answers]
    accepted_now, stored, capacity = count_round(app, mentor_id)
    breached = stored > capacity or stored != accepted_now
    # Sent: redirected on, not to the login page (a mentor suspended a moment before).
    sent_invitations = sum(
        1
        for (_, path, _), (status, location, _) in zip(sends, answers, strict=True)
        if "/invite" in path and status == 302 and "/login" not in location
    )
    gone = len(requests) - rows_left(app, requests)
    missing = max(0, sent_invitations - invitations_made(app, mentor_id, invitees))
    if breached or gone or missing:
        print(
            f"  round {number}: count {stored}, capacity {capacity}, accepted {accepted_now}, "
            f"requests gone {gone}, invitations missing {missing}",
            flush=True,
        )
    return statuses, [ms for _, _, ms in answers], breached, gone + missing


def mentor_id_of_mentee(app, request_id: int) -> int:
    """The apprentice who sent a request (to suspend them)."""
    from mentorapp.extensions import db
    from mentorapp.models import Apprenticeship

    with app.app_context():
        return db.session.get(Apprenticeship, request_id).mentee_id


# --- Measuring ----------------------------------------------------------------------------


def measure(database: str, database_url: str, rounds: int, size: int) -> tuple[Result, str]:
    app = fresh_schema(database_url, keep_check=True)
    from mentorapp.auth.passwords import hash_password
    from mentorapp.extensions import db

    password_hash = hash_password(PASSWORD)
    admin_email = add_admin(app, password_hash)
    result = Result(database)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        server = serve(database_url, "app", port, log)
        try:
            admin = Browser(base)
            admin.log_in(admin_email)
            for number in range(rounds):
                statuses, times, breached, lost = play_round(
                    app, base, admin, number, size, password_hash
                )
                result.rounds += 1
                result.requests += len(statuses)
                result.statuses.update(statuses)
                result.times_ms += times
                result.breaches += breached
                result.lost_rows += lost
                if (number + 1) % 10 == 0:
                    print(
                        f"  {database}: {number + 1} rounds, {result.errors} answers 5xx",
                        flush=True,
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        log.seek(0)
        text = log.read()
    result.retries = text.count(RETRY_LINE)
    return result, text


COLUMNS = [
    ("database", 11),
    ("rounds", 7),
    ("requests", 9),
    ("breaches", 9),
    ("lost rows", 10),
    ("5xx", 5),
    ("5xx share", 10),
    ("retries", 8),
    ("p50 ms", 8),
    ("p95 ms", 8),
]


def print_table(results: list[Result], size: int) -> None:
    def line(values) -> str:
        return "".join(
            f"{value:<{width}}" if n == 0 else f"{value:>{width}}"
            for n, (value, (_, width)) in enumerate(zip(values, COLUMNS, strict=True))
        )

    print("\n" + line([name for name, _ in COLUMNS]))
    for r in results:
        print(
            line(
                [
                    r.database,
                    r.rounds,
                    r.requests,
                    r.breaches,
                    r.lost_rows,
                    r.errors,
                    f"{100 * r.errors / max(1, r.requests):.2f}%",
                    r.retries,
                    f"{statistics.median(r.times_ms):.0f}",
                    f"{_population.percentile(r.times_ms, 0.95):.0f}",
                ]
            )
        )
        print(f"{'':<11}answers: {dict(sorted(r.statuses.items()))}")
    mix = ", ".join(f"{n} {kind}" for kind, n in kinds(size).items())
    print(
        f"\nper round, at once: {mix}; gunicorn 4 workers x 10 threads.\n"
        "breaches: a stored count above the capacity or unlike the running apprenticeships."
        "\nretries: transactions run again after losing a race (the workers' log)."
    )


def errors_in(log: str) -> str:
    """The workers' log lines of the requests answered 5xx (the same request id)."""
    lines = log.splitlines()
    ids = {
        match.group(1)
        for line in lines
        if re.search(r'"message": "[A-Z]+ \S+ 5\d\d ', line)
        and (match := re.search(r'"request_id": "([^"]+)"', line))
    }
    return "\n".join(line for line in lines if any(i in line for i in ids))[-8000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--log", help="write the workers' log to this file as well")
    args = parser.parse_args()
    results, logs = [], []
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/mixed.sqlite3"
            result, log = measure("SQLite", url, args.rounds, args.requests)
            results.append(result)
            logs.append(log)
    if args.only != "sqlite":
        url = postgres_database(PG_DATABASE)
        if url:
            result, log = measure("PostgreSQL", url, args.rounds, args.requests)
            results.append(result)
            logs.append(log)
    print_table(results, args.requests)
    if args.log:
        Path(args.log).write_text("\n".join(logs))
    for result, log in zip(results, logs, strict=True):
        if result.errors:
            print(f"\n{result.database}, the workers' log on errors:\n{errors_in(log)}")
    if any(r.breaches or r.lost_rows for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
