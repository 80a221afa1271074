"""The task queue: the one huey instance, and how the app hands work to it.

Storage comes from `TASK_QUEUE_URL`: empty means huey's SQLite storage in
`instance/tasks.sqlite3` (nothing to install for `make run`), `redis://host:port/db`
means Redis, where any number of workers on any number of machines share the work.
`init_app(app)` (called by `create_app`) points the instance at the app's queue and
binds the app, so every task runs inside an app context from the factory.

The database row (an outbox email, an import job) is always the durable record and the
queue message only a nudge: a request enqueues after its transaction committed
(`enqueue_after_commit`), an enqueue that fails is logged and never reaches the person,
and the periodic sweep (`sweep`, with the sweepers features register) re-enqueues
whatever was committed but never picked up.

For logs and metrics: `huey` carries huey's signals (`@huey.signal()`), and while a task
runs `current_request_id` holds the id of the request that enqueued it (also
`request_id_of(task)`, for the signal sent before the task starts).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import logging
import os
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context
from huey import Huey, crontab
from huey.exceptions import RetryTask
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = [
    "REQUEST_ID_KWARG",
    "RedisStorage",
    "RetryTask",
    "crontab",
    "current_request_id",
    "enqueue",
    "enqueue_after_commit",
    "huey",
    "init_app",
    "periodic_task",
    "queue_depth",
    "queue_reachable",
    "register_sweeper",
    "request_id_of",
    "task",
]

logger = logging.getLogger("mentorapp.tasks")

# The id of the request that enqueued the task now running in this thread (None when a
# periodic task, a command or a test enqueued it).
current_request_id: ContextVar[str | None] = ContextVar("mentorapp_task_request_id", default=None)

# The keyword a task's request id travels under; tasks never see it.
REQUEST_ID_KWARG = "_request_id"

# Redis that does not answer must not hold a request: connect and read give up quickly
# (a blocking read waits `read_timeout`, 1 s, so the socket's own timeout is above it).
REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 3.0}


def storage_for(url: str, instance_path: str) -> tuple[type, dict]:
    """The huey storage class and its arguments for a TASK_QUEUE_URL."""
    if not url:
        return SqliteStorage, {"filename": str(Path(instance_path) / "tasks.sqlite3")}
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        pool = redis.ConnectionPool.from_url(url, **REDIS_SOCKET_OPTIONS)
        return RedisStorage, {"connection_pool": pool}
    if url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": url[len("sqlite:///") :]}
    raise ValueError("TASK_QUEUE_URL must be empty, redis://host:port/db or sqlite:///path.")


def _from_environment() -> Huey:
    instance = os.environ.get("MENTORAPP_INSTANCE_PATH") or str(
        Path(__file__).resolve().parent.parent / "instance"
    )
    storage_class, kwargs = storage_for(os.environ.get("TASK_QUEUE_URL", ""), instance)
    Path(instance).mkdir(parents=True, exist_ok=True)
    # utc=True: huey keeps its schedule in UTC, like every timestamp of ours.
    queue = Huey("mentorapp", results=False, utc=True, storage_class=storage_class, **kwargs)
    queue._storage_key = (False, os.environ.get("TASK_QUEUE_URL", ""), instance)  # type: ignore[attr-defined]
    return queue


# The one huey instance. `huey_consumer mentorapp.tasks.huey` would work on the
# environment's queue, but use `flask worker`: it binds the app first.
huey: Huey = _from_environment()

# Every module that declares tasks: imported by init_app so a worker knows them all.
TASK_MODULES = (
    "mentorapp.mail",
    "mentorapp.apprenticeships.tasks",
    "mentorapp.availability.tasks",
    "mentorapp.directory.tasks",
    "mentorapp.insights.tasks",
    "mentorapp.notifications.tasks",
    "mentorapp.photos.tasks",
    "mentorapp.profiles.tasks",
    "mentorapp.programme.tasks",
    "mentorapp.suggestions.tasks",
)

_bound: dict[str, Flask | None] = {"app": None}
_configure_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Point the queue at this app's storage and run tasks in this app's context.

    Config: TASK_QUEUE_URL (as above) and TASK_QUEUE_IMMEDIATE (tests: a task runs at
    once, in the enqueuing thread, on huey's in-memory storage)."""
    immediate = bool(app.config.get("TASK_QUEUE_IMMEDIATE"))
    url = app.config.get("TASK_QUEUE_URL", "")
    key = (immediate, url, app.instance_path)
    with _configure_lock:
        if getattr(huey, "_storage_key", None) != key:
            storage_class, kwargs = storage_for(url, app.instance_path)
            huey.storage_class = storage_class
            huey.storage_kwargs = kwargs
            # Not the `immediate` setter: it would build a storage of its own first.
            huey._immediate = immediate
            old, huey.storage = huey.storage, huey.create_storage()
            huey._storage_key = key  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                old.close()
        _bound["app"] = app
    app.extensions["huey"] = huey
    for module in TASK_MODULES:
        importlib.import_module(module)


def bound_app() -> Flask:
    app = _bound["app"]
    if app is None:
        raise RuntimeError("mentorapp.tasks.init_app(app) was never called.")
    return app


def _app_for_task() -> Flask:
    # In immediate mode a task runs inside whoever enqueued it: use that app (a test may
    # have built several); a consumer thread has no app context and uses the bound one.
    if huey.immediate and has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    return bound_app()


def request_id_of(huey_task) -> str | None:
    """The request id a task carries (for signal handlers)."""
    return (getattr(huey_task, "kwargs", None) or {}).get(REQUEST_ID_KWARG)


@huey.pre_execute()
def _expose_request_id(huey_task) -> None:
    # Set before the task and left set through the signals after it; the next task in
    # this worker thread replaces it.
    current_request_id.set(request_id_of(huey_task))


def _run_in_app(func: Callable, huey_task, args: tuple, kwargs: dict, record: bool) -> Any:
    from mentorapp.extensions import db

    request_id = kwargs.pop(REQUEST_ID_KWARG, None)
    token = current_request_id.set(request_id)
    app = _app_for_task()
    try:
        with app.app_context():
            run = None
            if record:
                run = _run_started(huey_task, args, kwargs, request_id)
            try:
                result = func(*args, **kwargs)
            except RetryTask as error:
                db.session.rollback()
                if run is not None:
                    _run_finished(run, "retrying", error)
                raise
            except Exception as error:
                db.session.rollback()
                if run is not None:
                    _run_finished(run, "failed", error)
                raise
            else:
                if run is not None:
                    _run_finished(run, "succeeded", None)
                return result
            finally:
                db.session.remove()
    finally:
        current_request_id.reset(token)


# Every task declared through the decorators below, by name.
_declared: dict[str, Any] = {}


def task(*, record: bool = True, **options) -> Callable:
    """Declare a task: `@task(retries=2, retry_delay=60)`; huey's options pass through.

    The function runs inside an app context; the session is removed afterwards. Each run
    is kept in the task_runs table (the admin's "Background work" page) unless
    `record=False`. Write tasks that are safe to run twice."""

    def decorator(func: Callable) -> Any:
        @functools.wraps(func)
        def run(*args, task=None, **kwargs):
            return _run_in_app(func, task, args, kwargs, record)

        options.setdefault("name", f"{func.__module__}.{func.__qualname__}")
        wrapper = huey.task(context=True, **options)(run)
        _declared[options["name"]] = wrapper
        return wrapper

    return decorator


def periodic_task(schedule: Callable, *, record: bool = True, **options) -> Callable:
    """Declare periodic work: `@periodic_task(crontab(minute="*/5"))`. The consumer's
    scheduler enqueues it; no crontab on the machine. Make it idempotent: two workers
    may run it at once, and a run may repeat after a crash."""

    def decorator(func: Callable) -> Any:
        @functools.wraps(func)
        def run(*args, task=None, **kwargs):
            return _run_in_app(func, task, args, kwargs, record)

        options.setdefault("name", f"{func.__module__}.{func.__qualname__}")
        wrapper = huey.periodic_task(schedule, context=True, **options)(run)
        _declared[options["name"]] = wrapper
        return wrapper

    return decorator


def enqueue(task_wrapper, *args, delay: float | timedelta | None = None, **kwargs) -> bool:
    """Put a task on the queue now. Returns False (and logs) when the queue is away:
    the caller's database row stays the record, and the sweep enqueues it later."""
    if has_request_context() and g.get("request_id") and REQUEST_ID_KWARG not in kwargs:
        kwargs[REQUEST_ID_KWARG] = g.request_id
    try:
        if delay:
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
            task_wrapper.schedule(args=args, kwargs=kwargs, delay=seconds)
        else:
            task_wrapper(*args, **kwargs)
    except Exception:
        if huey.immediate:
            # Immediate mode runs the task here: its failure is the task's, not the
            # queue's, and stays quiet as in a worker (the task recorded it).
            logger.exception("Task %s failed (immediate mode).", task_wrapper.name)
            return True
        logger.exception(
            "Could not enqueue %s; the periodic sweep will pick the work up.",
            getattr(task_wrapper, "name", task_wrapper),
        )
        return False
    return True


def enqueue_after_commit(task_wrapper, *args, **kwargs) -> None:
    """Enqueue once the transaction that wrote the work's row has committed, never if it
    rolls back. In a request: after the request's one commit (`transactions.py`).
    Elsewhere (a task, a command): after the session's next commit, or at once when no
    transaction is open."""
    if has_request_context():
        g.setdefault("tasks_after_commit", []).append((task_wrapper, args, kwargs))
        return
    if has_app_context():
        from mentorapp.extensions import db

        session = db.session()
        if session.in_transaction():
            session.info.setdefault(_SESSION_KEY, []).append((task_wrapper, args, kwargs))
            return
    enqueue(task_wrapper, *args, **kwargs)


_SESSION_KEY = "mentorapp_tasks_after_commit"


@event.listens_for(Session, "after_commit")
def _enqueue_after_session_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released; the transaction itself has not committed yet
    for task_wrapper, args, kwargs in session.info.pop(_SESSION_KEY, None) or ():
        enqueue(task_wrapper, *args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_session_rollback(session: Session, _previous) -> None:
    if not session.in_transaction():  # the outer transaction, not a savepoint
        session.info.pop(_SESSION_KEY, None)


def discard_pending() -> None:
    """Forget the calls a request remembered (its transaction rolled back)."""
    if has_request_context():
        g.pop("tasks_after_commit", None)


def enqueue_pending() -> None:
    """Enqueue what the request remembered; called by the unit of work after commit."""
    if not has_request_context():
        return
    for task_wrapper, args, kwargs in g.pop("tasks_after_commit", None) or ():
        enqueue(task_wrapper, *args, **kwargs)


# The sweep: each feature registers a function that enqueues its committed work the
# queue never took (returns how many it enqueued).
_sweepers: dict[str, Callable[[], int]] = {}


def register_sweeper(name: str) -> Callable:
    """`@register_sweeper("email")` on a function that re-enqueues overdue work."""

    def decorator(func: Callable[[], int]) -> Callable[[], int]:
        _sweepers[name] = func
        return func

    return decorator


def sweep() -> dict[str, int]:
    """Run every sweeper once (inside an app context). Returns how many each enqueued."""
    from mentorapp.extensions import db

    counts = {}
    for name, func in _sweepers.items():
        try:
            counts[name] = func()
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("The %s sweep failed; the next one tries again.", name)
    return counts


@periodic_task(crontab(), record=False)
def sweep_committed_work() -> dict[str, int]:
    """Every minute: enqueue what was committed and never reached the queue. Not kept
    in task_runs (it would be most of them); its failures are logged."""
    return sweep()


# How long the task_runs table remembers; a run "running" longer than LOST_AFTER had
# its worker die under it.
KEEP_SUCCEEDED_RUNS = timedelta(days=2)
KEEP_RUNS = timedelta(days=30)
LOST_AFTER = timedelta(hours=6)


def prune_task_runs(now=None) -> tuple[int, int]:
    """Forget old task runs; mark those whose worker died as lost. Returns (pruned, lost)."""
    from sqlalchemy import delete, update

    from mentorapp.extensions import db
    from mentorapp.models import TaskRun
    from mentorapp.models.types import utcnow

    now = now or utcnow()
    lost = db.session.execute(
        update(TaskRun)
        .where(TaskRun.state == "running", TaskRun.started_at < now - LOST_AFTER)
        .values(state="lost", finished_at=now, error="The worker stopped while running it.")
        .execution_options(synchronize_session=False)
    ).rowcount
    pruned = db.session.execute(
        delete(TaskRun)
        .where(
            ((TaskRun.state == "succeeded") & (TaskRun.started_at < now - KEEP_SUCCEEDED_RUNS))
            | (TaskRun.started_at < now - KEEP_RUNS)
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return pruned, lost


@periodic_task(crontab(minute="53"))
def prune_task_history() -> tuple[int, int]:
    """Hourly; idempotent."""
    from mentorapp.extensions import db

    result = prune_task_runs()
    db.session.commit()
    return result


def queue_reachable() -> bool:
    """Whether the queue's storage answers (for /readyz)."""
    try:
        huey.pending_count()
    except Exception:
        logger.warning("The task queue is not reachable.", exc_info=True)
        return False
    return True


def queue_depth() -> int:
    """Tasks waiting to be picked up (scheduled retries not counted); -1 when the
    queue is not reachable."""
    try:
        return int(huey.pending_count())
    except Exception:
        return -1


def scheduled_count() -> int:
    """Tasks waiting for their time (retries with backoff); -1 when unreachable."""
    try:
        return int(huey.scheduled_count())
    except Exception:
        return -1


def task_by_name(name: str):
    """The task declared under `name` (its wrapper, to enqueue it), or None."""
    return _declared.get(name)


def payload(args: tuple, kwargs: dict) -> str | None:
    """A task's arguments as JSON (so the admin can retry it), or None."""
    try:
        return json.dumps({"args": list(args), "kwargs": kwargs})
    except (TypeError, ValueError):
        return None


def _run_started(huey_task, args: tuple, kwargs: dict, request_id: str | None):
    """Keep a row for this run (huey keeps no history); committed at once so the admin
    page sees it running."""
    from mentorapp.extensions import db
    from mentorapp.models import TaskRun

    try:
        run = TaskRun(
            task_id=str(getattr(huey_task, "id", "") or "")[:64],
            name=getattr(huey_task, "name", "")[:200],
            payload=payload(args, kwargs),
            request_id=(request_id or None) and request_id[:64],
            state="running",
        )
        db.session.add(run)
        db.session.commit()
        return run.id
    except Exception:
        db.session.rollback()
        logger.exception("Could not record the start of a task run.")
        return None


def _run_finished(run_id: int, state: str, error: BaseException | None) -> None:
    from mentorapp.extensions import db
    from mentorapp.models import TaskRun
    from mentorapp.models.types import utcnow

    try:
        run = db.session.get(TaskRun, run_id)
        if run is None:
            return
        run.state = state
        run.finished_at = utcnow()
        run.error = None if error is None else f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
    except Exception:
        db.session.rollback()
        logger.exception("Could not record the end of a task run.")
