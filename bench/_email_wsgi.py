"""The app as gunicorn serves it for bench/email_queue.py (a helper, not a bench).

    gunicorn bench._email_wsgi:app

Adds two bench-only routes: POST /bench/queue-email queues one email the way any
request does (mail.queue_email in the request's transaction, enqueued after its commit)
and GET /bench/times returns, per request since the last call, the milliseconds spent in
queue_email and in putting the task on the queue after the commit.
"""

from __future__ import annotations

import os
import time

from flask import g, jsonify, request

from mentorapp import create_app, mail, tasks
from mentorapp.extensions import csrf

app = create_app()
TIMES: list[tuple[float, float]] = []
_enqueue_pending = tasks.enqueue_pending


def _timed_enqueue_pending() -> None:
    started = time.perf_counter()
    _enqueue_pending()
    if "bench_queue_ms" in g:
        TIMES.append((g.bench_queue_ms, (time.perf_counter() - started) * 1000))


# transactions.py calls tasks.enqueue_pending() after every commit.
tasks.enqueue_pending = _timed_enqueue_pending


class _Person:
    display_name = "Bench"


@csrf.exempt
def queue_email():
    started = time.perf_counter()
    mail.queue_email(
        request.form["to"],
        "A bench email",
        "notification",
        person=_Person(),
        text="Measured by bench/email_queue.py.",
        link="http://bench.invalid/",
        settings="http://bench.invalid/account/emails",
    )
    g.bench_queue_ms = (time.perf_counter() - started) * 1000
    return "queued"


def times():
    taken = list(TIMES)
    TIMES.clear()
    return jsonify(pid=os.getpid(), times=taken)


app.add_url_rule("/bench/queue-email", "bench_queue_email", queue_email, methods=["POST"])
app.add_url_rule("/bench/times", "bench_times", times)
