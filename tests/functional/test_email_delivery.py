"""Email goes out through a real SMTP conversation with a local server (aiosmtpd)."""

import socket
import time

import pytest

from tests.conftest import post_form
from tests.helpers import emails_to


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_sign_up_email_is_sent_by_smtp_after_the_response(make_app, smtp_server):
    inbox, port = smtp_server
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_FROM="mentorapp <hello@mentorapp.test>",
    )
    response = post_form(
        app.test_client(),
        "/signup",
        {
            "display_name": "Priya",
            "email": "priya@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
        },
    )
    response.close()
    deadline = time.monotonic() + 5
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["priya@example.com"]
    body = envelope.content.decode()
    assert "Subject: Confirm your email for mentorapp" in body
    assert "http://mentorapp.test/verify/" in body
    [message] = emails_to(app, "priya@example.com")
    assert message.sent_at is not None


def test_an_unreachable_smtp_server_keeps_the_email_for_a_retry(make_app, smtp_server):
    inbox, port = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False, MAIL_TIMEOUT=1)
    response = post_form(
        app.test_client(),
        "/signup",
        {
            "display_name": "Priya",
            "email": "priya@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
        },
    )
    assert response.status_code == 302  # the person is not bothered by the mail server
    response.close()
    [message] = emails_to(app, "priya@example.com")
    assert message.sent_at is None and message.last_error
    app.config["MAIL_PORT"] = port
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert "1 sent, 0 failed" in result.output
    assert len(inbox.messages) == 1
