"""Requests per second under wrk, side by side with the home page, served by gunicorn.

    .venv/bin/python bench/throughput.py                          # PostgreSQL
    .venv/bin/python bench/throughput.py --only sqlite --duration 5
    .venv/bin/python bench/throughput.py --mentors 20000 --listings 10000

Fills a fresh database (100,000 mentors as bench/suggestions.py makes them, then 50,000
approved listings as bench/directory.py makes them), starts gunicorn with 2 workers in
production mode, signs a mentee in through the login form and hands its session cookie
to wrk (`-H 'Cookie: ...'`). Then wrk (2 threads, 16 connections, `--duration` seconds
each) loads the home page, the signed-in suggestions page and a directory text search
one after the other, and the table shows each one's requests per second, its ratio to
the home page's, and p50 / p95 / p99 latency. Last, "50 users": gunicorn with 4 workers
and wrk with 50 connections, each going round the same pages signed in, with its error
count (sockets, and answers other than 2xx / 3xx) and p95.

Needs wrk (`apt-get install wrk`). The workers' log goes to a temporary file.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import directory
import suggestions
from _http import Browser, free_port, postgres_database, serve

PG_DATABASE = "mentorapp_bench_throughput"
HOME = "/"
SUGGESTIONS = "/suggestions"
SEARCH = "/directory?q=velvet+academy"
TARGETS = (
    "targets: /suggestions (100,000 mentors) and the directory text search (50,000 "
    "listings) each at 0.25 or more of the home page's requests per second;\n"
    "50 users on 4 workers on PostgreSQL: 0 errors, p95 under 200 ms"
)
# wrk goes round the paths given after `--`, and prints its figures on one line.
SCRIPT = """
local paths, n = {}, 0
init = function(args) paths = args end
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FIGURES %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def fill(database_url: str, mentors: int, listings: int) -> None:
    """The suggestions bench's mentors and mentee, then the directory bench's listings."""
    suggestions.fill(database_url, mentors)
    from mentorapp.extensions import db
    from mentorapp.models import User

    app = directory.app_for(database_url)
    with app.app_context():
        # The directory bench's listings are submitted by person 2.
        db.session.add(
            User(
                id=2,
                email="lister@bench.example.com",
                display_name="Lister",
                password_hash="!",
            )
        )
        db.session.commit()
    directory.grow(database_url, 0, listings)


def wrk(base: str, paths: list[str], connections: int, seconds: int, cookie: str | None):
    """(requests/s, socket errors, non-2xx/3xx answers, p50, p95, p99 in ms)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT)
    command = [
        *("wrk", "--threads", "2", "--connections", str(connections)),
        *("--duration", f"{seconds}s", "--timeout", "10s", "--script", script.name),
        *(("--header", f"Cookie: {cookie}") if cookie else ()),
        base,
        "--",
        *paths,
    ]
    try:
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(script.name)
    numbers = re.search(r"FIGURES ([\d ]+)", out).group(1).split()
    requests, duration, sockets, status, p50, p95, p99 = (int(n) for n in numbers)
    return requests / (duration / 1e6), sockets, status, p50 / 1000, p95 / 1000, p99 / 1000


def signed_in_cookie(base: str) -> str:
    mentee = Browser(base)
    mentee.log_in("mentee@bench.example.com")
    status, page, _ = mentee.request(SUGGESTIONS)
    assert status == 200 and "suggestion__name" in page, f"no suggestions ({status})"
    return "; ".join(f"{k}={v}" for k, v in mentee.cookies.items())


def warm(base: str, cookie: str) -> None:
    """Every worker past its first requests (the gazetteer, the templates)."""
    wrk(base, [HOME, SUGGESTIONS, SEARCH], 8, 2, cookie)


def measure(name: str, database_url: str, args) -> None:
    if not args.reuse:
        fill(database_url, args.mentors, args.listings)
    rows = []
    with tempfile.TemporaryFile("w+") as log:
        for workers, runs in [
            (
                2,
                [
                    ("/ (home, a visitor)", [HOME], False),
                    ("/ (home, signed in)", [HOME], True),
                    (f"{SUGGESTIONS} (signed in)", [SUGGESTIONS], True),
                    (f"{SEARCH}", [SEARCH], False),
                ],
            ),
            (4, [("50 users: /, suggestions, search", [HOME, SUGGESTIONS, SEARCH], True)]),
        ]:
            port = free_port()
            server = serve(database_url, port, workers=workers, output=log)
            base = f"http://127.0.0.1:{port}"
            try:
                cookie = signed_in_cookie(base)
                warm(base, cookie)
                for label, paths, signed in runs:
                    connections = 50 if workers == 4 else 16
                    figures = wrk(
                        base, paths, connections, args.duration, cookie if signed else None
                    )
                    rows.append((label, workers, connections, *figures))
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
    home = rows[0][3]
    print(
        f"\n{name}: {args.mentors:,} mentors, {args.listings:,} listings, "
        f"wrk {args.duration} s a run"
    )
    print(
        f"{'page':<40}{'workers':>8}{'conns':>6}{'req/s':>9}{'x home':>8}"
        f"{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    for label, workers, connections, rate, sockets, status, p50, p95, p99 in rows:
        print(
            f"{label:<40}{workers:>8}{connections:>6}{rate:>9.0f}{rate / home:>8.2f}"
            f"{sockets + status:>8}{p50:>8.1f}{p95:>8.1f}{p99:>8.1f}"
        )
    print(f"cores: {os.cpu_count()} (shared with whatever else runs)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=100_000)
    parser.add_argument("--listings", type=int, default=50_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument(
        "--reuse",
        metavar="DATABASE_URL",
        help="measure on a database an earlier run filled (the figures given must match)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if args.reuse:
        measure("PostgreSQL" if "postgres" in args.reuse else "SQLite", args.reuse, args)
    elif args.only == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            measure("SQLite", f"sqlite:///{Path(folder)}/bench.sqlite3", args)
    else:
        url = postgres_database(PG_DATABASE)
        if url:
            measure("PostgreSQL", url, args)
    print(TARGETS)


if __name__ == "__main__":
    sys.exit(main())
