"""What `/readyz` checks: the database, the task queue, the rate limiter's storage.

Each check runs in a thread of its own and has a deadline, so a database that does not
answer (a stopped server behind a firewall, a SQLite file locked by another process)
costs the load balancer at most a couple of seconds, never a hung worker. A check that
is still running from an earlier probe is not started again: probes of a hung database
leave one waiting thread, not one per probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Engine

from mentorapp.database import read_only

logger = logging.getLogger("mentorapp.health")


@dataclass(frozen=True)
class Check:
    """What to ask (`run` returns "ok" or what is wrong), and of whom (`key`: the same
    engine or storage is never asked twice at once)."""

    key: Hashable
    run: Callable[[], str]


_running: dict[Hashable, Future] = {}
_running_lock = threading.Lock()


def run_with_deadline(name: str, check: Check) -> Future:
    """Start the check in a daemon thread, unless one on the same target still runs.
    (The running thread holds the target, so its id in the key cannot be reused.)"""
    with _running_lock:
        earlier = _running.get(check.key)
        if earlier is not None and not earlier.done():
            return earlier
        future: Future = Future()
        _running[check.key] = future

    def run() -> None:
        try:
            future.set_result(check.run())
        except Exception as error:
            logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
            future.set_result(f"unavailable ({type(error).__name__})")
        finally:
            with _running_lock:
                if _running.get(check.key) is future:
                    del _running[check.key]

    threading.Thread(target=run, name=f"readyz-{name}", daemon=True).start()
    return future


def database_check(engine: Engine) -> Check:
    def check() -> str:
        # A probe only reads: on SQLite a plain BEGIN, never the writers' lock.
        with read_only(), engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # Reads the file's header: needs the file and a shared lock, as a page does.
                connection.exec_driver_sql("PRAGMA schema_version").scalar()
            else:
                connection.exec_driver_sql("SELECT 1").scalar()
            connection.rollback()
        return "ok"

    return Check(("database", id(engine)), check)


def queue_check() -> Check:
    from mentorapp import tasks

    def check() -> str:
        return "ok" if tasks.queue_reachable() else "unavailable"

    return Check(("queue", id(tasks.huey.storage)), check)


def rate_limit_state(limiter, enabled: bool, storage_uri: str) -> Check:
    """Where the login, sign-up and reset limits are being counted now."""

    def check() -> str:
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

    storage = limiter.storage if enabled and limiter.initialized else None
    return Check(("rate_limit", id(storage)), check)


def readiness(
    checks: dict[str, Check], required: set[str], deadline: float
) -> tuple[bool, dict[str, str], list[str]]:
    """Run the checks side by side, each for at most `deadline` seconds. Returns (ready,
    state of each, the required ones that failed)."""
    started = time.monotonic()
    futures = {name: run_with_deadline(name, check) for name, check in checks.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        remaining = max(0.0, deadline - (time.monotonic() - started))
        try:
            results[name] = future.result(timeout=remaining)
        except TimeoutError:
            results[name] = f"unavailable (no answer within {deadline:g} s)"
    failed = [name for name in checks if name in required and results[name] != "ok"]
    return not failed, results, failed
