"""What `/readyz` checks: the database, the task queue, the rate limiter's storage.

No check runs in a thread of its own or outlives the probe: each asks on a connection
of its own (never one from the pool, which a hung server may hold) with a client-side
deadline, so a database that does not answer (a
stopped server behind a firewall, a SQLite file locked by another process) costs the
load balancer at most a couple of seconds and leaves nothing waiting behind it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

import psycopg
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

    async def ask() -> None:
        async with await psycopg.AsyncConnection.connect(conninfo) as connection:
            await connection.execute("SELECT 1")

    def check(budget: float) -> str:
        # asyncio bounds the whole exchange (connect, authenticate, answer) on the
        # client's side; libpq's connect_timeout alone would not cover a server that
        # accepted the connection and then hung.
        try:
            asyncio.run(asyncio.wait_for(ask(), timeout=budget))
        except TimeoutError as error:
            raise NoAnswer from error
        return "ok"

    return check


def queue_check() -> Check:
    from mentorapp import tasks

    def check(_budget: float) -> str:
        # Bounded by the queue storage's own timeouts (Redis: 1 s to connect, 3 s to read).
        return "ok" if tasks.queue_reachable() else "unavailable"

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
    checks: dict[str, Check], required: set[str], deadline: float
) -> tuple[bool, dict[str, str], list[str]]:
    """Ask each check in turn, each for at most `deadline` seconds (the queue and the
    limiter's storage answer or fail within their own sub-second socket timeouts, so a
    probe takes about `deadline` even when the database hangs). Returns (ready, state
    of each, the required ones that failed)."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check(deadline)
        except NoAnswer:
            results[name] = f"unavailable (no answer within {deadline:g} s)"
        except Exception as error:
            logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
            results[name] = f"unavailable ({type(error).__name__})"
    failed = [name for name in checks if name in required and results[name] != "ok"]
    return not failed, results, failed
