"""gunicorn settings for mentorapp: `gunicorn -c gunicorn.conf.py --workers 4 wsgi:app`.

Metrics across workers: prometheus_client's multi-process mode needs
PROMETHEUS_MULTIPROC_DIR in the environment before any worker imports the app. Set it to
a directory that the web and task workers share (their counts are then added up in
/metrics); without it, this file makes a private one for this gunicorn and removes it
at exit (task workers' counts are then not included). At start, files left by
processes that are no longer running are removed; those of running processes (a task
worker started first) are kept.

Each worker builds the suggestions' candidate arrays before it takes its first request
(post_worker_init), so a deploy or a restart after max_requests never makes a person
wait for them; /readyz says "loading" until they are in memory.

gunicorn's own access log stays off: the app writes one line per request itself
(JSON in production, with the request id, the person and the time taken).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

wsgi_app = "wsgi:app"
accesslog = None
# Give a request in flight time to finish on a restart.
graceful_timeout = 20

_made_here = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _made_here = tempfile.mkdtemp(prefix="mentorapp-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made_here

_PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server) -> None:
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        match = _PID_IN_NAME.search(path.name)
        if match and not _running(int(match.group(1))):
            path.unlink(missing_ok=True)


def post_worker_init(worker) -> None:
    from mentorapp.suggestions.index import warm_up

    warm_up(getattr(worker, "wsgi", None))


def child_exit(server, worker) -> None:
    # A dead worker's live gauges must stop counting; its counters stay in the sums.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _made_here:
        shutil.rmtree(_made_here, ignore_errors=True)
