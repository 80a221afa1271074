"""Matching writes at the database, pgbench-style: what recording a change costs.

    .venv/bin/python bench/matching_writes.py
    .venv/bin/python bench/matching_writes.py --clients 32 --seconds 10

Every write that matching reads (a profile edit, an accept) also tells the other workers
that something changed. Until issue 15 that was `UPDATE matching_state SET version =
version + 1 WHERE id = 1` plus a change-log row: one row every writer queued on. Now it
is the change-log row alone (its id is the version). On a database of its own
(mentorapp_bench_matching_writes) with 100,000 profiles, N clients each commit small
transactions as fast as they can for a few seconds, three ways:

- without: the profile update only (the ceiling);
- change log (now): the profile update and one `INSERT INTO matching_changes`;
- one version row (before): the same plus the `UPDATE matching_state`.

Printed: commits a second and the share of the ceiling, for 1, 8 and 32 clients.
PostgreSQL only (SQLite has one writer at a time whatever the schema).
"""

from __future__ import annotations

import argparse
import random
import threading
import time

import psycopg
from _http import postgres_database

PROFILES = 100_000

SCHEMA = """
CREATE TABLE profiles (user_id integer PRIMARY KEY, travel_km integer NOT NULL);
CREATE TABLE matching_state (id integer PRIMARY KEY, version integer NOT NULL);
CREATE TABLE matching_changes (id serial PRIMARY KEY, version integer, user_id integer);
INSERT INTO matching_state VALUES (1, 1);
INSERT INTO profiles SELECT g, 25 FROM generate_series(1, %(n)s) AS g;
"""

WAYS = {
    "without": [],
    "change log (now)": ["INSERT INTO matching_changes (user_id) VALUES (%(id)s)"],
    "one version row (before)": [
        "UPDATE matching_state SET version = version + 1 WHERE id = 1",
        "INSERT INTO matching_changes (version, user_id) VALUES (1, %(id)s)",
    ],
}


def run(url: str, statements: list[str], clients: int, seconds: float) -> float:
    """Commits a second with `clients` connections for `seconds`."""
    counts = [0] * clients
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(n: int) -> None:
        rng = random.Random(n)  # benchmark data, not security
        with psycopg.connect(url) as conn:
            start.wait()
            while not stop.is_set():
                params = {"id": rng.randint(1, PROFILES), "km": rng.randint(1, 100)}
                with conn.transaction():
                    conn.execute(
                        "UPDATE profiles SET travel_km = %(km)s WHERE user_id = %(id)s", params
                    )
                    for statement in statements:
                        conn.execute(statement, params)
                counts[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    url = postgres_database("mentorapp_bench_matching_writes")
    if url is None:
        return
    url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA.replace("%(n)s", str(PROFILES)))
        conn.execute("VACUUM ANALYZE")
    print(f"PostgreSQL, {PROFILES:,} profiles, {args.seconds:g} s per run\n")
    print("| clients | way | commits/s | share of 'without' |")
    print("| ---: | --- | ---: | ---: |")
    for clients in args.clients:
        ceiling = None
        for way, statements in WAYS.items():
            rate = run(url, statements, clients, args.seconds)
            ceiling = ceiling or rate
            print(f"| {clients} | {way} | {rate:,.0f} | {rate / ceiling:.2f} |", flush=True)


if __name__ == "__main__":
    main()
