"""`flask worker` as an operator runs it: its own process, the app's queue, periodic work
on, Ctrl-C (SIGINT) to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from mentorapp import mail
from mentorapp.extensions import db
from mentorapp.models import OutboundEmail
from mentorapp.models.types import utcnow
from tests.mailservers import Inbox, SmtpServer, mail_settings

ROOT = Path(__file__).resolve().parents[2]


def test_flask_worker_delivers_sweeps_and_stops_on_ctrl_c(queue_app, database_uri, tmp_path):
    server = SmtpServer(Inbox()).start()
    queue_url = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
    app = queue_app(TASK_QUEUE_URL=queue_url, **mail_settings(server.port))
    with app.app_context():
        mail.queue_email(
            "priya@example.com",
            "Hello",
            "notification",
            person=type("P", (), {"display_name": "Priya"})(),
            text="Hi",
            link="http://x",
            settings="http://y",
        )
        # And one whose message never reached the queue: the worker's sweep finds it.
        db.session.add(
            OutboundEmail(
                recipient="lost@example.com",
                subject="Hello",
                body_text="Hello",
                next_attempt_at=utcnow() - 2 * mail.SWEEP_GRACE,
            )
        )
        db.session.commit()
    env = {
        **os.environ,
        "MENTORAPP_ENV": "development",
        "MENTORAPP_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": database_uri,
        "TASK_QUEUE_URL": queue_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(server.port),
        "MAIL_USE_TLS": "false",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    flask = str(Path(sys.executable).parent / "flask")
    worker = subprocess.Popen(
        [flask, "--app", "wsgi", "worker", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(server.inbox.recipients()) < 2:
            time.sleep(0.1)
        assert sorted(server.inbox.recipients()) == ["lost@example.com", "priya@example.com"]

        def all_marked_sent() -> bool:
            with app.app_context():
                return all(db.session.scalars(select(OutboundEmail.sent_at)).all())

        # The SMTP server has both; the worker marks each sent in the commit after.
        while time.monotonic() < deadline and not all_marked_sent():
            time.sleep(0.1)
        assert all_marked_sent()
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=20)
        assert worker.returncode == 0, output
        assert "2 thread(s)" in output and "Shutting down gracefully" in output
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
        server.stop()
