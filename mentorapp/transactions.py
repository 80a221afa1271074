"""One transaction per request: services add and flush, the request commits once.

A response under 400 commits; anything else rolls back, so a form re-rendered with its
errors (422) leaves nothing half-saved. Email queued during the request goes out after
the commit, once the response is on its way.
"""

from __future__ import annotations

from flask import Flask, g, request
from sqlalchemy.exc import IntegrityError, OperationalError

from mentorapp.database import write_intent
from mentorapp.extensions import db
from mentorapp.mail import deliver

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
            return response
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            # An after_request hook must return a Response: a (body, status) tuple here
            # fails later in Flask, and the person got a 500.
            return app.make_response(error_response(409))
        except OperationalError:
            db.session.rollback()
            return app.make_response(error_response(503))
        outbox_ids = g.pop("outbox_ids", None)
        if outbox_ids:
            response.call_on_close(lambda: _deliver_later(app, outbox_ids))
        return response


def _deliver_later(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        try:
            deliver(ids)
        except Exception:  # delivery must never break a response already sent
            app.logger.exception("Delivering the outbox failed; `flask send-outbox` retries.")
