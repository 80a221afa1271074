"""A real task worker for the tests that need one: huey's consumer, in threads of the
test process, on a SQLite queue file of the test's own (or on Redis).

    def test_x(queue_app, task_worker):
        app = queue_app(MAIL_SERVER=...)      # an app whose tasks go to a real queue
        worker = task_worker(app)             # a consumer running them
        ... enqueue ...
        worker.wait_for(lambda: ..., timeout=5)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest
from huey.consumer import Consumer

from mentorapp import tasks


class _TestConsumer(Consumer):
    # The consumer's own signal handlers would take Ctrl-C away from pytest.
    def _set_signal_handlers(self):
        pass


class TaskWorker:
    def __init__(self, app, workers: int = 2, periodic: bool = False):
        assert not tasks.huey.immediate, "build the app with queue_app(), not app"
        assert tasks.bound_app() is app, "the worker runs the app built last"
        self.app = app
        self.consumer = _TestConsumer(
            tasks.huey,
            workers=workers,
            periodic=periodic,
            initial_delay=0.02,
            backoff=1.2,
            max_delay=0.1,
            scheduler_interval=1,
            check_worker_health=False,
        )
        self.consumer.start()
        self.stopped = False

    def idle(self) -> bool:
        huey = tasks.huey
        return huey.pending_count() == 0 and not huey._tasks_in_flight

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until `condition()` holds (checked in an app context); fail after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.app.app_context():
                if condition():
                    return
            time.sleep(0.05)
        with self.app.app_context():
            assert condition(), f"not done within {timeout} s"

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until nothing is queued or running (scheduled retries may remain)."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            if self.idle():
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 0.2:
                    return
            else:
                quiet_since = None
            time.sleep(0.02)
        raise AssertionError(f"the queue did not drain within {timeout} s")

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.consumer.stop(graceful=True)


@pytest.fixture
def queue_app(make_app, tmp_path):
    """Build an app whose tasks go to a real queue: a SQLite file of this test's own,
    or `TASK_QUEUE_URL=...` given."""

    def build(**overrides):
        overrides.setdefault("TASK_QUEUE_URL", f"sqlite:///{tmp_path / 'tasks.sqlite3'}")
        return make_app(TASK_QUEUE_IMMEDIATE=False, **overrides)

    return build


@pytest.fixture
def task_worker():
    """Start a real consumer for an app from `queue_app`; stopped after the test."""
    started: list[TaskWorker] = []

    def start(app, workers: int = 2, periodic: bool = False) -> TaskWorker:
        worker = TaskWorker(app, workers=workers, periodic=periodic)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    # What a test left queued must not reach the next test's worker.
    with contextlib.suppress(Exception):
        tasks.huey.storage.flush_queue()
        tasks.huey.storage.flush_schedule()
