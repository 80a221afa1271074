"""Email on a real worker: an SMTP server that refuses, then accepts; one that refuses
for good; one that hangs. Each email goes once, whatever the duplicates and workers."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from mentorapp import mail, tasks
from mentorapp.extensions import db
from mentorapp.models import OutboundEmail, TaskRun
from mentorapp.models.types import utcnow
from tests.conftest import post_form
from tests.factories import make_user
from tests.mailservers import Inbox, SilentServer, SmtpServer, mail_settings

FAST = (0.05, 0.05, 0.05, 0.05, 0.05)  # the backoff, shrunk for tests


@pytest.fixture
def smtp():
    servers = []

    def start(refuse: int = 0) -> SmtpServer:
        server = SmtpServer(Inbox(refuse=refuse)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def queue_one(app, recipient: str = "priya@example.com", subject: str = "Hello") -> int:
    """An email written and committed outside a request: enqueued after the commit."""
    with app.app_context():
        message = mail.queue_email(recipient, subject, "notification", **_context())
        db.session.commit()
        return message.id


def _context() -> dict:
    person = type("P", (), {"display_name": "Priya"})()
    return {"person": person, "text": "A test", "link": "http://x", "settings": "http://y"}


def load(app, message_id: int) -> OutboundEmail:
    with app.app_context():
        message = db.session.get(OutboundEmail, message_id)
        db.session.expunge(message)
        return message


def runs(app, name: str = "mentorapp.mail.deliver_email") -> list[TaskRun]:
    with app.app_context():
        rows = db.session.scalars(
            select(TaskRun).where(TaskRun.name == name).order_by(TaskRun.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_refused_twice_then_accepted_is_delivered_once_on_the_third_try(
    queue_app, task_worker, smtp
):
    server = smtp(refuse=2)
    app = queue_app(**mail_settings(server.port), MAIL_RETRY_DELAYS=FAST)
    worker = task_worker(app)
    message_id = queue_one(app)

    worker.wait_for(lambda: db.session.get(OutboundEmail, message_id).sent_at is not None)
    message = load(app, message_id)
    assert message.attempts == 3 and message.failed_at is None and message.last_error is None
    assert server.inbox.refused == 2
    assert server.inbox.recipients() == ["priya@example.com"]
    worker.drain()
    assert [run.state for run in runs(app)] == ["retrying", "retrying", "succeeded"]
    assert "451" in runs(app)[0].error


def test_after_the_last_try_the_email_is_failed_for_good(queue_app, task_worker, smtp):
    server = smtp(refuse=1000)
    app = queue_app(**mail_settings(server.port), MAIL_RETRY_DELAYS=FAST)
    worker = task_worker(app)
    message_id = queue_one(app)

    worker.wait_for(lambda: db.session.get(OutboundEmail, message_id).failed_at is not None)
    worker.drain()
    message = load(app, message_id)
    assert message.attempts == 6  # the first try and five retries
    assert message.sent_at is None and message.next_attempt_at is None
    assert "451" in message.last_error
    states = [run.state for run in runs(app)]
    assert states == ["retrying"] * 5 + ["failed"]
    assert runs(app)[-1].error.startswith("DeliveryFailed")
    # Neither the sweep nor another nudge of the queue tries it again.
    with app.app_context():
        assert mail.sweep_outbox(now=utcnow()) == 0
    tasks.enqueue(mail.deliver_email, message_id)
    worker.drain()
    assert load(app, message_id).attempts == 6 and server.inbox.refused == 6


def test_the_first_retry_waits_a_minute_by_default(queue_app, task_worker, smtp):
    server = smtp(refuse=1)
    app = queue_app(**mail_settings(server.port))
    assert app.config["MAIL_RETRY_DELAYS"] == (60, 300, 1800, 7200, 43200)
    worker = task_worker(app)
    before = utcnow()
    message_id = queue_one(app)

    worker.wait_for(lambda: db.session.get(OutboundEmail, message_id).attempts == 1)
    worker.drain()
    message = load(app, message_id)
    assert message.sent_at is None and message.sending_since is None
    wait = (message.next_attempt_at - before).total_seconds()
    assert 59 <= wait <= 62
    assert tasks.scheduled_count() == 1  # the retry waits in huey's schedule
    # `flask send-outbox` is the manual nudge: it sends it now.
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert "1 sent, 0 failed" in result.output
    assert server.inbox.recipients() == ["priya@example.com"]
    # The retry that was waiting finds it sent and does nothing.
    tasks.enqueue(mail.deliver_email, message_id)
    worker.drain()
    assert server.inbox.recipients() == ["priya@example.com"]


def test_a_hanging_smtp_server_holds_the_worker_not_the_request(queue_app, task_worker, users):
    silent = SilentServer()
    try:
        # A request that talked to this server would take the whole mail timeout; the bound
        # below is that timeout, not a speed target, so a busy machine cannot fail it.
        app = queue_app(**mail_settings(silent.port), MAIL_TIMEOUT=2.5, MAIL_RETRY_DELAYS=FAST)
        with app.app_context():
            make_user(email="priya@example.com")
            db.session.commit()
        worker = task_worker(app)
        client = app.test_client()
        took = []
        for _ in range(3):
            start = time.perf_counter()
            response = post_form(client, "/forgot-password", {"email": "priya@example.com"})
            took.append(time.perf_counter() - start)
            assert response.status_code == 200
        # Each request only wrote its email and put a message on the queue.
        assert max(took) < 2.5, took
        worker.wait_for(
            lambda: all(
                m.attempts >= 1 and m.last_error
                for m in db.session.scalars(select(OutboundEmail)).all()
            ),
            timeout=40,
        )
        with app.app_context():
            errors = db.session.scalars(select(OutboundEmail.last_error)).all()
        assert len(errors) == 3 and all("timed out" in e for e in errors), errors
    finally:
        silent.stop()


def test_duplicate_nudges_and_four_workers_send_each_email_once(queue_app, task_worker, smtp):
    server = smtp()
    app = queue_app(**mail_settings(server.port))
    ids = [queue_one(app, f"person{n}@example.com") for n in range(20)]
    # Every email nudged three more times, and overdue for the sweep as well.
    for message_id in ids:
        for _ in range(3):
            tasks.enqueue(mail.deliver_email, message_id)
    with app.app_context():
        db.session.execute(
            OutboundEmail.__table__.update().values(next_attempt_at=utcnow() - mail.SWEEP_GRACE * 2)
        )
        db.session.commit()
        tasks.sweep()
    worker = task_worker(app, workers=4)
    worker.wait_for(lambda: all(db.session.get(OutboundEmail, i).sent_at for i in ids), timeout=20)
    worker.drain()
    recipients = server.inbox.recipients()
    assert sorted(recipients) == sorted(f"person{n}@example.com" for n in range(20))
    assert {load(app, i).attempts for i in ids} == {1}
