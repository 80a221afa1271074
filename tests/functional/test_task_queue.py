"""The queue itself: work is enqueued only after the request's commit, an enqueue that
fails never reaches the person and is swept later, the request id rides along, and the
same tasks run on Redis."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from flask import g
from sqlalchemy import func, select

from mentorapp import mail, tasks
from mentorapp.extensions import db
from mentorapp.models import OutboundEmail
from mentorapp.models.types import utcnow
from tests.mailservers import Inbox, SmtpServer, free_port, mail_settings

REDIS_TEST_DB = 9

seen_request_ids: list[str | None] = []


@tasks.task(record=False)
def note_request_id() -> None:
    """A test task: remembers the request id it ran under."""
    seen_request_ids.append(tasks.current_request_id.get())


def _context() -> dict:
    person = type("P", (), {"display_name": "Priya"})()
    return {"person": person, "text": "A test", "link": "http://x", "settings": "http://y"}


def add_email_view(app) -> None:
    """A view that queues an email and answers with the status asked for."""

    def view():
        from flask import request

        mail.queue_email("priya@example.com", "Hello", "notification", **_context())
        return "queued", int(request.args.get("status", "200"))

    app.add_url_rule("/test/queue-email", "queue_email_for_test", view)


def email_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboundEmail.id)))


def test_a_request_enqueues_after_its_commit_and_a_rollback_enqueues_nothing(queue_app):
    app = queue_app()
    add_email_view(app)
    client = app.test_client()

    assert client.get("/test/queue-email?status=422").status_code == 422
    assert email_count(app) == 0 and tasks.queue_depth() == 0

    assert client.get("/test/queue-email").status_code == 200
    assert email_count(app) == 1 and tasks.queue_depth() == 1
    [message] = tasks.huey.pending()
    assert message.name == "mentorapp.mail.deliver_email"


def test_the_queue_reports_itself_reachable_with_its_depth(queue_app):
    app = queue_app()
    with app.app_context():
        assert tasks.queue_reachable() is True
        assert tasks.queue_depth() == 0
        tasks.enqueue(note_request_id)
        assert tasks.queue_depth() == 1


def test_with_redis_down_the_page_answers_at_once_and_the_sweep_delivers_later(
    queue_app, task_worker, caplog
):
    server = SmtpServer(Inbox()).start()
    try:
        nobody = free_port()  # no Redis listens here
        down = queue_app(TASK_QUEUE_URL=f"redis://127.0.0.1:{nobody}/0", **mail_settings(1))
        add_email_view(down)
        assert tasks.queue_reachable() is False and tasks.queue_depth() == -1
        client = down.test_client()
        with caplog.at_level(logging.ERROR, logger="mentorapp.tasks"):
            start = time.perf_counter()
            response = client.get("/test/queue-email")
            took = time.perf_counter() - start
        assert response.status_code == 200 and took < 1.5
        assert "Could not enqueue mentorapp.mail.deliver_email" in caplog.text
        assert email_count(down) == 1  # the row is the record

        # The queue is back (here: SQLite), and a worker's sweep finds the email overdue.
        app = queue_app(**mail_settings(server.port))
        worker = task_worker(app)
        with app.app_context():
            assert mail.sweep_outbox() == 0  # not overdue yet: its task may still come
            db.session.execute(
                OutboundEmail.__table__.update().values(
                    next_attempt_at=utcnow() - 2 * mail.SWEEP_GRACE
                )
            )
            db.session.commit()
        tasks.enqueue(tasks.sweep_committed_work)
        worker.wait_for(lambda: server.inbox.recipients() == ["priya@example.com"])
    finally:
        server.stop()


def test_the_request_id_rides_into_the_task(queue_app, task_worker):
    app = queue_app()

    def view():
        g.request_id = "req-4242"
        tasks.enqueue_after_commit(note_request_id)
        return "ok"

    app.add_url_rule("/test/request-id", "request_id_for_test", view)
    seen_request_ids.clear()
    worker = task_worker(app)
    app.test_client().get("/test/request-id")
    with app.app_context():
        tasks.enqueue_after_commit(note_request_id)  # no request: no id
    worker.wait_for(lambda: len(seen_request_ids) == 2)
    assert sorted(seen_request_ids, key=str) == [None, "req-4242"]


def test_outside_a_request_work_waits_for_the_session_to_commit(queue_app):
    app = queue_app()
    with app.app_context():
        mail.queue_email("priya@example.com", "Hello", "notification", **_context())
        assert tasks.queue_depth() == 0  # not committed yet
        db.session.commit()
        assert tasks.queue_depth() == 1
        mail.queue_email("ana@example.com", "Hello", "notification", **_context())
        db.session.rollback()
        db.session.commit()
        assert tasks.queue_depth() == 1


def _redis(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


def test_email_on_redis_with_two_workers(queue_app, task_worker):
    url = f"redis://127.0.0.1:6379/{REDIS_TEST_DB}"
    redis_client = _redis(url)
    redis_client.flushdb()
    server = SmtpServer(Inbox(refuse=1)).start()
    try:
        app = queue_app(
            TASK_QUEUE_URL=url,
            MAIL_RETRY_DELAYS=(0.05,) * 5,
            **mail_settings(server.port),
        )
        assert isinstance(tasks.huey.storage, tasks.RedisStorage)
        assert tasks.queue_reachable()
        first = task_worker(app, workers=1)
        second = task_worker(app, workers=1)
        with app.app_context():
            for n in range(10):
                mail.queue_email(f"p{n}@example.com", "Hello", "notification", **_context())
            db.session.commit()
        assert tasks.queue_depth() + tasks.scheduled_count() >= 1
        first.wait_for(lambda: len(server.inbox.recipients()) == 10, timeout=20)
        second.drain()
        assert sorted(server.inbox.recipients()) == sorted(f"p{n}@example.com" for n in range(10))
        assert server.inbox.refused == 1
    finally:
        server.stop()
        redis_client.flushdb()


def test_an_enqueue_never_raises_into_the_caller(queue_app):
    queue_app(TASK_QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0")
    results = []
    thread = threading.Thread(target=lambda: results.append(tasks.enqueue(note_request_id)))
    thread.start()
    thread.join(5)
    assert results == [False]
