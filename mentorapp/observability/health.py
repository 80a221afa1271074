"""What `/readyz` checks: the database, the task queue, the rate limiter's storage.

No check runs in a thread of its own or outlives the probe: each asks on a connection
of its own (never one from the pool, which a hung server may hold) with a client-side
deadline, so a database that does not answer (a
stopped server behind a firewall, a SQLite file locked by another process) costs the
load balancer at most a couple of seconds and leaves nothing waiting behind it.
"""

from __future__ import annotations

import logging
import select
import sqlite3
import time
from collections.abc import Callable

from psycopg import pq
from sqlalchemy import Engine

logger = logging.getLogger("mentorapp.health")

# A check is asked with the seconds it may take and returns "ok" or what is wrong.
Check = Callable[[float], str]


class NoAnswer(Exception):
    """The check's deadline passed before the other side answered."""


def database_check(engine: Engine, sqlite_busy_seconds: float) -> Check:
    """On SQLite the probe waits for a lock no longer than a page would."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database or ":memory:"

        def check(budget: float) -> str:
            # Reads the file's header: needs the file and a shared lock, as a page does;
            # a file locked by another process gives up when a page would.
            wait = min(budget, sqlite_busy_seconds)
            connection = sqlite3.connect(path, timeout=wait, uri=path.startswith("file:"))
            try:
                connection.execute("PRAGMA schema_version").fetchone()
            except sqlite3.OperationalError as error:
                if "locked" in str(error):
                    raise NoAnswer from error
                raise
            finally:
                connection.close()
            return "ok"

        return check

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def check(budget: float) -> str:
        # libpq's non-blocking calls, polled against one deadline for the whole
        # exchange (connect, authenticate, answer): connect_timeout alone would not
        # cover a server that accepted the connection and then hung, and an event loop
        # would clash with any loop the worker already runs.
        deadline = time.monotonic() + budget
        connection = pq.PGconn.connect_start(conninfo.encode())
        try:
            if connection.status == pq.ConnStatus.BAD:
                raise ConnectionError(connection.get_error_message())
            status = pq.PollingStatus.WRITING  # where libpq says polling starts
            while status != pq.PollingStatus.OK:
                if status == pq.PollingStatus.FAILED:
                    raise ConnectionError(connection.get_error_message())
                _wait(connection.socket, status == pq.PollingStatus.WRITING, deadline)
                status = pq.PollingStatus(connection.connect_poll())
            connection.nonblocking = 1
            connection.send_query(b"SELECT 1")
            while connection.flush():
                _wait(connection.socket, True, deadline)
            connection.consume_input()
            while connection.is_busy():
                _wait(connection.socket, False, deadline)
                connection.consume_input()
            result = connection.get_result()
            if result is None or result.status != pq.ExecStatus.TUPLES_OK:
                raise ConnectionError(connection.get_error_message())
        finally:
            connection.finish()
        return "ok"

    return check


def _wait(socket: int, for_writing: bool, deadline: float) -> None:
    """Until the socket is ready, or NoAnswer once the deadline has passed."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise NoAnswer
    ready = (
        select.select([], [socket], [], remaining)
        if for_writing
        else select.select([socket], [], [], remaining)
    )
    if not any(ready):
        raise NoAnswer


def queue_check() -> Check:
    from mentorapp import tasks

    def check(_budget: float) -> str:
        # Bounded by the queue storage's own timeouts (Redis: 1 s to connect, 3 s to read).
        return "ok" if tasks.queue_reachable() else "unavailable"

    return check


def matching_check(index, app) -> Check:
    """The suggestions' candidate arrays are in this worker's memory. gunicorn builds
    them before a worker's first request; where nothing did (`flask run`), the probe
    builds them itself and answers once they are in."""

    def check(_budget: float) -> str:
        if not index.loaded:
            index.build_now(app)
        return "ok" if index.loaded else "loading (the candidate arrays could not be built)"

    return check


def rate_limit_state(limiter, enabled: bool, storage_uri: str) -> Check:
    """Where the login, sign-up and reset limits are being counted now."""

    def check(_budget: float) -> str:
        # Bounded by RATELIMIT_STORAGE_OPTIONS' socket timeouts (0.5 s).
        if not enabled:
            return "off"
        if storage_uri.startswith("memory://"):
            return "ok (memory, per process)"
        storage = limiter.storage
        if not storage.check():
            return "unavailable (counting in memory in the meantime)"
        if getattr(limiter, "_storage_dead", False):
            # Reachable again; the limiter moves back on its next backend check.
            return "recovering (counting in memory until the limiter checks again)"
        return "ok"

    return check


def readiness(
    checks: dict[str, Check],
    required: set[str],
    deadline: float,
    needs: dict[str, str] | None = None,
) -> tuple[bool, dict[str, str], list[str]]:
    """Ask each check in turn, each for at most `deadline` seconds (the queue and the
    limiter's storage answer or fail within their own sub-second socket timeouts, so a
    probe takes about `deadline` even when the database hangs). A check named in `needs`
    is skipped when the check it needs failed. Returns (ready, state of each, the
    required ones that failed)."""
    results: dict[str, str] = {}
    skipped: set[str] = set()
    for name, check in checks.items():
        prerequisite = (needs or {}).get(name)
        if prerequisite and results.get(prerequisite) != "ok":
            results[name] = f"not checked ({prerequisite} unavailable)"
            skipped.add(name)
            continue
        try:
            results[name] = check(deadline)
        except NoAnswer:
            results[name] = f"unavailable (no answer within {deadline:g} s)"
        except Exception as error:
            logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
            results[name] = f"unavailable ({type(error).__name__})"
    failed = [
        name
        for name in checks
        if name in required and name not in skipped and results[name] != "ok"
    ]
    return not failed, results, failed
