"""A request whose transaction loses to another one runs again instead of failing.

Each test forces a real loss on the real database: on PostgreSQL a deadlock between the
request and a second connection (PostgreSQL aborts the request's side), on SQLite a
write lock held by a second connection past the busy timeout. The request's view runs
again and succeeds; the other side's work is kept too.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select, text

from mentorapp.extensions import csrf, db
from mentorapp.models import User
from tests.conftest import AuthActions, csrf_token


def _names(app, *ids: int) -> list[str]:
    with app.app_context():
        return [db.session.scalar(select(User.display_name).where(User.id == i)) for i in ids]


def _rename(connection, user_id: int, name: str) -> None:
    connection.execute(
        text("UPDATE users SET display_name = :name WHERE id = :id"), {"name": name, "id": user_id}
    )


def _add_route(app, view) -> None:
    app.add_url_rule("/_transaction-test", "transaction_test", csrf.exempt(view), methods=["POST"])


def test_a_request_that_loses_a_deadlock_runs_again_and_both_sides_succeed(make_app, users, caplog):
    app = make_app()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no row locks to deadlock on (its busy file is tested below)")
    first, second = users(email="a@example.com"), users(email="b@example.com")
    view_holds_first = threading.Event()
    attempts: list[int] = []
    other_side: list[str] = []

    def other_connection():
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("SET LOCAL deadlock_timeout = '10s'"))
            _rename(connection, second, "other side")
            view_holds_first.wait(10)
            time.sleep(0.2)  # the view is now waiting for `second`
            _rename(connection, first, "other side")  # the cycle: PostgreSQL aborts the view
        other_side.append("committed")

    def view():
        attempts.append(1)
        connection = db.session.connection()
        connection.execute(text("SET LOCAL deadlock_timeout = '600ms'"))
        _rename(connection, first, "the request")
        if len(attempts) == 1:
            view_holds_first.set()
        _rename(connection, second, "the request")
        return "done"

    _add_route(app, view)
    helper = threading.Thread(target=other_connection)
    helper.start()
    with caplog.at_level(logging.WARNING, logger="mentorapp.transactions"):
        response = app.test_client().post("/_transaction-test")
    helper.join(20)

    assert response.status_code == 200
    assert len(attempts) == 2
    assert other_side == ["committed"]
    assert _names(app, first, second) == ["the request", "the request"]  # ran again, after
    assert any("DeadlockDetected" in r.getMessage() for r in caplog.records)


def test_a_request_kept_waiting_past_the_busy_timeout_runs_again(make_app, users, caplog):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=150)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL waits for row locks instead (the deadlock test above)")
    person = users(email="a@example.com")
    locked, release = threading.Event(), threading.Event()
    attempts: list[int] = []

    def other_writer():
        with app.app_context(), db.engine.begin() as connection:  # BEGIN IMMEDIATE
            _rename(connection, person, "other writer")
            locked.set()
            release.wait(10)

    def view():
        attempts.append(1)
        if len(attempts) == 2:
            release.set()  # the other writer commits while this attempt starts
            time.sleep(0.05)
        _rename(db.session.connection(), person, "the request")
        return "done"

    _add_route(app, view)
    helper = threading.Thread(target=other_writer)
    helper.start()
    locked.wait(10)
    with caplog.at_level(logging.WARNING, logger="mentorapp.transactions"):
        response = app.test_client().post("/_transaction-test")
    release.set()
    helper.join(10)

    assert response.status_code == 200
    assert len(attempts) == 2
    assert _names(app, person) == ["the request"]
    assert any("lost a race" in r.getMessage() for r in caplog.records)


def test_a_request_that_keeps_losing_gets_the_503_page_and_leaves_nothing(make_app, users):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=50)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the SQLite busy file is the one loss a test can make last")
    person = users(email="a@example.com")
    locked, release = threading.Event(), threading.Event()
    attempts: list[int] = []

    def other_writer():
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("SELECT 1"))
            locked.set()
            release.wait(10)

    def view():
        attempts.append(1)
        _rename(db.session.connection(), person, "the request")
        return "done"

    _add_route(app, view)
    helper = threading.Thread(target=other_writer)
    helper.start()
    locked.wait(10)
    response = app.test_client().post("/_transaction-test")
    release.set()
    helper.join(10)

    from mentorapp.transactions import ATTEMPTS

    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert len(attempts) == ATTEMPTS
    assert _names(app, person) != ["the request"]


class _OnRetry(logging.Handler):
    """Sets an event the moment a request says it lost a race and runs again."""

    def __init__(self, event: threading.Event):
        super().__init__(logging.WARNING)
        self.event = event

    def emit(self, record):
        if "lost a race" in record.getMessage():
            self.event.set()


def test_an_admin_page_whose_check_of_the_admin_waits_past_the_busy_timeout_runs_again(
    make_app, users
):
    """The admin pages ask who is signing in before the view (a before_request hook):
    on SQLite that first query of a POST is the one that waits for the write lock. Seen
    in bench/mixed_races.py: suspensions among accepts answered 503, never run again."""
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=150)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL's reads never wait for a lock; SQLite's first one does")
    users(email="admin@example.com", is_admin=True)
    person = users(email="b@example.com")
    client = app.test_client()
    AuthActions(client).login("admin@example.com")
    token_page = f"/admin/people/{person}"
    locked, release = threading.Event(), threading.Event()

    def other_writer():
        with app.app_context(), db.engine.begin() as connection:  # BEGIN IMMEDIATE
            _rename(connection, person, "other writer")
            locked.set()
            release.wait(10)  # until the suspension has lost once

    retried = _OnRetry(release)
    logging.getLogger("mentorapp.transactions").addHandler(retried)
    helper = threading.Thread(target=other_writer)
    try:
        token = csrf_token(client, token_page)
        helper.start()
        locked.wait(10)
        response = client.post(
            f"/admin/people/{person}/suspend",
            data={"csrf_token": token, "reason": "Threats to apprentices, checked with two."},
        )
    finally:
        release.set()
        helper.join(10)
        logging.getLogger("mentorapp.transactions").removeHandler(retried)

    assert response.status_code == 302
    with app.app_context():
        suspended = db.session.get(User, person)
        assert suspended.suspended_at is not None
        assert suspended.display_name == "other writer"  # both sides kept
