"""The admins' "Background work" page: the queue, failed tasks with a retry button,
emails failed for good with a resend button, imports in progress; every action there
lands in the audit log, once."""

from __future__ import annotations

import json

from sqlalchemy import select

from mentorapp import mail, tasks
from mentorapp.extensions import db
from mentorapp.models import AuditEntry, ImportJob, OutboundEmail, TaskRun
from mentorapp.models.types import utcnow
from mentorapp.notifications.tasks import prune_notifications
from tests.conftest import AuthActions, csrf_token, post_form
from tests.factories import make_user
from tests.helpers import text
from tests.mailservers import Inbox, SmtpServer, mail_settings

PAGE = "/admin/background"


def sign_in_admin(app):
    with app.app_context():
        make_user(email="ada@example.com", display_name="Ada Okafor", is_admin=True)
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login("ada@example.com")
    return client


def audit_actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.action, e.subject)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def failed_run(app, task_wrapper, args=(), error="OSError: the disk was full") -> int:
    with app.app_context():
        run = TaskRun(
            task_id="abc",
            name=task_wrapper.name,
            payload=json.dumps({"args": list(args), "kwargs": {}}),
            state="failed",
            error=error,
            finished_at=utcnow(),
        )
        db.session.add(run)
        db.session.commit()
        return run.id


def test_strangers_log_in_first_and_people_who_are_not_admins_are_refused(client, auth, users):
    assert client.get(PAGE).status_code == 302
    users(email="priya@example.com", is_mentor=True)
    auth.login("priya@example.com")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/dashboard")
    assert client.post(f"{PAGE}/runs/1/retry", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{PAGE}/emails/1/resend", data={"csrf_token": token}).status_code == 403


def test_the_page_shows_the_queue_failures_and_imports(queue_app):
    app = queue_app()
    client = sign_in_admin(app)
    with app.app_context():
        tasks.enqueue(prune_notifications)
        db.session.add(
            OutboundEmail(
                recipient="lost@example.com",
                subject="<b>Your request</b>",
                body_text="x",
                attempts=6,
                failed_at=utcnow(),
                last_error="SMTPDataError: (451, b'Try again later')",
            )
        )
        db.session.add(ImportJob(filename="studios.csv", state="running", total=5000, done=1200))
        db.session.commit()
    failed_run(app, prune_notifications, error="OperationalError: <locked>")
    body = text(client.get(PAGE))
    assert "Background work" in body and 'aria-current="page">Background work' in body
    assert '<span class="stat__value">1</span><span class="stat__label">tasks waiting' in body
    assert "OperationalError: &lt;locked&gt;" in body  # escaped
    assert "lost@example.com" in body and "&lt;b&gt;Your request&lt;/b&gt;" in body
    assert "studios.csv" in body and "1,200 of 5,000" in body
    assert "Run again" in body and "Resend" in body


def test_a_queue_that_does_not_answer_is_said_plainly(queue_app):
    from tests.mailservers import free_port

    app = queue_app(TASK_QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0")
    client = sign_in_admin(app)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "The queue does not answer" in text(response)


def test_run_again_queues_the_task_once_and_is_audited(app):
    client = sign_in_admin(app)
    run_id = failed_run(app, prune_notifications)
    response = post_form(client, f"{PAGE}/runs/{run_id}/retry", {}, page=PAGE)
    assert response.status_code == 302
    # (immediate mode: it ran at once)
    with app.app_context():
        states = db.session.scalars(
            select(TaskRun.state).where(TaskRun.name == prune_notifications.name)
        ).all()
        assert sorted(states) == ["failed", "succeeded"]
        assert db.session.get(TaskRun, run_id).retried_at is not None
    assert audit_actions(app) == [("task_retried", "task_run")]
    # A second press (another tab, another admin) does nothing more.
    again = post_form(client, f"{PAGE}/runs/{run_id}/retry", {}, page=PAGE, follow_redirects=True)
    assert "Another admin already ran this task again." in text(again)
    assert audit_actions(app) == [("task_retried", "task_run")]
    # Without the CSRF token: refused.
    assert client.post(f"{PAGE}/runs/{run_id}/retry").status_code == 400


def test_resend_gives_a_given_up_email_new_tries_on_a_real_worker(queue_app, task_worker):
    server = SmtpServer(Inbox(refuse=6)).start()
    try:
        app = queue_app(**mail_settings(server.port), MAIL_RETRY_DELAYS=(0.05,) * 5)
        client = sign_in_admin(app)
        worker = task_worker(app)
        with app.app_context():
            message = mail.queue_email(
                "lost@example.com",
                "Hello",
                "notification",
                person=type("P", (), {"display_name": "Lee"})(),
                text="Hi",
                link="http://x",
                settings="http://y",
            )
            db.session.commit()
            message_id = message.id
        worker.wait_for(lambda: db.session.get(OutboundEmail, message_id).failed_at is not None)
        worker.drain()
        assert "lost@example.com" in text(client.get(PAGE))

        # The server accepts again; the admin resends.
        response = post_form(client, f"{PAGE}/emails/{message_id}/resend", {}, page=PAGE)
        assert response.status_code == 302
        worker.wait_for(lambda: db.session.get(OutboundEmail, message_id).sent_at is not None)
        assert server.inbox.recipients() == ["lost@example.com"]
        assert audit_actions(app) == [("email_resent", "email")]
        body = text(client.get(PAGE))
        assert "No email has failed for good." in body
        # Resending it again changes nothing.
        again = post_form(
            client, f"{PAGE}/emails/{message_id}/resend", {}, page=PAGE, follow_redirects=True
        )
        assert "nothing to resend" in text(again)
        assert audit_actions(app) == [("email_resent", "email")]
    finally:
        server.stop()


def test_run_again_on_a_given_up_email_resends_it(app):
    client = sign_in_admin(app)
    with app.app_context():
        message = OutboundEmail(
            recipient="lost@example.com",
            subject="Hello",
            body_text="x",
            attempts=6,
            failed_at=utcnow(),
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    run_id = failed_run(app, mail.deliver_email, args=[message_id])
    post_form(client, f"{PAGE}/runs/{run_id}/retry", {}, page=PAGE)
    with app.app_context():
        message = db.session.get(OutboundEmail, message_id)
        # No MAIL_SERVER here: delivered to the log, at once (immediate mode).
        assert message.sent_at is not None and message.failed_at is None
        assert message.attempts == 1


def test_unknown_ids_are_refused_without_an_error_page(app):
    client = sign_in_admin(app)
    for url in (f"{PAGE}/runs/999/retry", f"{PAGE}/emails/999/resend"):
        response = post_form(client, url, {}, page=PAGE, follow_redirects=True)
        assert response.status_code == 200
        assert "There is no such" in text(response)
    token = csrf_token(client, PAGE)
    for big in (2**31, 2**63):
        response = client.post(f"{PAGE}/runs/{big}/retry", data={"csrf_token": token})
        assert response.status_code == 404
    assert audit_actions(app) == []
