"""One transaction per request: services add and flush, the request commits once.

A response under 400 commits; anything else rolls back, so a form re-rendered with its
errors (422) leaves nothing half-saved. Tasks the request asked for (email delivery, an
import) are put on the queue only after the commit (`tasks.enqueue_after_commit`), and a
rollback forgets them.

A transaction that loses to another (PostgreSQL's deadlock or serialisation failure,
SQLite's busy file) is rolled back and the whole view runs again, a few times, before
anyone sees a 503 (the before_request hooks too, when the loss is theirs). That is safe
because everything the request does (its rows, its outbox, its notifications, the tasks
it asks for) is in that one transaction.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time

from flask import Flask, g, request
from sqlalchemy.exc import IntegrityError, OperationalError

from mentorapp import tasks
from mentorapp.database import write_intent
from mentorapp.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ATTEMPTS = 4  # the first try and three more
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock, serialization failure

log = logging.getLogger(__name__)


def is_transient(error: OperationalError) -> bool:
    """Whether running the transaction again may well succeed."""
    cause = error.orig
    if getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return isinstance(cause, sqlite3.OperationalError) and (
        "locked" in str(cause) or "busy" in str(cause)
    )


def _start_again(attempt: int, error: OperationalError) -> None:
    db.session.rollback()
    tasks.discard_pending()
    for upload in request.files.values():
        upload.stream.seek(0)
    log.warning(
        "%s %s lost a race (%s), running it again (attempt %d of %d)",
        *(request.method, request.path, type(error.orig).__name__, attempt + 1, ATTEMPTS),
    )
    time.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311 (jitter, not security)


def register_unit_of_work(app: Flask) -> None:
    from mentorapp.errorpages import error_response

    @app.before_request
    def _mark_write_intent():
        write_intent.set(request.method not in SAFE_METHODS)

    view = app.dispatch_request
    preprocess = app.preprocess_request

    def preprocess_with_retries():
        # A before_request hook may make the request's first query (the admin pages ask
        # who is signing in): on SQLite that is the query that waits for the write lock.
        # Only the hooks run again here (the view has not started), so a hook that
        # counts, like the rate limiter's, counts again only when a hook itself lost.
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return preprocess()
            except OperationalError as error:
                if attempt == ATTEMPTS or not is_transient(error):
                    raise
                _start_again(attempt, error)
        raise AssertionError("unreachable")

    def dispatch_and_commit():
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = app.make_response(view())
                if response.status_code < 400:
                    db.session.commit()
                return response
            except OperationalError as error:
                if attempt == ATTEMPTS or not is_transient(error):
                    raise
                _start_again(attempt, error)
        raise AssertionError("unreachable")

    # The commit happens here, inside the retry; the after_request hook below commits
    # what the other hooks wrote and answers for a commit that fails for good.
    app.dispatch_request = dispatch_and_commit  # type: ignore[method-assign]
    app.preprocess_request = preprocess_with_retries  # type: ignore[method-assign]

    @app.after_request
    def _commit(response):
        if response.status_code >= 400:
            db.session.rollback()
            tasks.discard_pending()
            return response
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            tasks.discard_pending()
            # An after_request hook must return a Response: a (body, status) tuple here
            # fails later in Flask, and the person got a 500.
            return app.make_response(error_response(409))
        except OperationalError:
            db.session.rollback()
            tasks.discard_pending()
            return app.make_response(error_response(503))
        # Never raises: a queue that is away is logged, and the sweep takes the work later.
        tasks.enqueue_pending()
        return response

    @app.teardown_request
    def _forget_tasks(_error):
        # A request that ended in an exception never reached the commit above.
        g.pop("tasks_after_commit", None)
