"""One log line and one metric per task run, from huey's signals.

A run starts with `executing` and ends with one of the others; `error` followed by
`retrying` is one run (logged once, as "retrying", or "failed" when no try is left).
"""

from __future__ import annotations

import logging
import threading
import time

from huey import signals as S

from mentorapp.observability import metrics

logger = logging.getLogger("mentorapp.tasks.runs")

# Signals that end a run, and the outcome each records.
ENDINGS = {
    S.SIGNAL_COMPLETE: "succeeded",
    S.SIGNAL_RETRYING: "retrying",
    S.SIGNAL_TIMEOUT: "timed out",
    S.SIGNAL_LOCKED: "locked",
    S.SIGNAL_CANCELED: "canceled",
    S.SIGNAL_RATE_LIMITED: "rate limited",
    S.SIGNAL_INTERRUPTED: "interrupted",
    # These two come instead of a run: the task was never executed.
    S.SIGNAL_EXPIRED: "expired",
    S.SIGNAL_REVOKED: "revoked",
}

_started: dict[str, float] = {}
_lock = threading.Lock()
_connected = {"done": False}


def connect() -> None:
    """Listen to the one huey instance (once per process, however many apps are built)."""
    from mentorapp.tasks import huey

    with _lock:
        if _connected["done"]:
            return
        huey.signal(S.SIGNAL_EXECUTING)(_on_executing)
        huey.signal(S.SIGNAL_ERROR)(_on_error)
        huey.signal(*ENDINGS)(_on_ending)
        _connected["done"] = True


def attempt_of(task) -> int:
    """Which try this is: huey counts the retries left down from the task's own."""
    configured = int(getattr(task, "default_retries", 0) or 0)
    left = int(getattr(task, "retries", 0) or 0)
    return max(1, configured - left + 1)


def _on_executing(signal, task, *args, **kwargs) -> None:
    with _lock:
        _started[task.id] = time.monotonic()


def _on_error(signal, task, exc=None, *args, **kwargs) -> None:
    # huey retries only while retries are left; the same test decides here.
    _finish(task, "retrying" if task.retries else "failed", exc)


def _on_ending(signal, task, *args, **kwargs) -> None:
    outcome = ENDINGS[signal]
    if signal == S.SIGNAL_RETRYING:
        with _lock:
            if task.id not in _started:
                return  # the `error` just before it logged this run
    _finish(task, outcome, None)


def _finish(task, outcome: str, error: BaseException | None) -> None:
    from mentorapp.tasks import request_id_of

    with _lock:
        started = _started.pop(task.id, None)
    seconds = time.monotonic() - started if started is not None else None
    name = getattr(task, "name", type(task).__name__)
    metrics.observe_task(name, outcome, seconds)
    fields = {
        "task": name,
        "task_id": task.id,
        "attempt": attempt_of(task),
        "duration_ms": round(seconds * 1000, 1) if seconds is not None else None,
        "outcome": outcome,
    }
    if error is not None:
        fields["error"] = type(error).__name__
    level = logging.WARNING if outcome in {"failed", "timed out", "interrupted"} else logging.INFO
    logger.log(
        level,
        "task %s %s (attempt %s%s)",
        name,
        outcome,
        fields["attempt"],
        f", {fields['duration_ms']} ms" if seconds is not None else "",
        extra={"request_id": request_id_of(task), "fields": fields},
    )
