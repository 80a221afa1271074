"""One transaction per request: services add and flush, the request commits once.

A response under 400 commits; anything else rolls back, so a form re-rendered with its
errors (422) leaves nothing half-saved. Tasks the request asked for (email delivery, an
import) are put on the queue only after the commit (`tasks.enqueue_after_commit`), and a
rollback forgets them.
"""

from __future__ import annotations

from flask import Flask, g, request
from sqlalchemy.exc import IntegrityError, OperationalError

from mentorapp import tasks
from mentorapp.database import write_intent
from mentorapp.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_unit_of_work(app: Flask) -> None:
    from mentorapp.errorpages import error_response

    @app.before_request
    def _mark_write_intent():
        write_intent.set(request.method not in SAFE_METHODS)

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
