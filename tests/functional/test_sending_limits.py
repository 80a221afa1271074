"""Sending limits: requests, invitations and messages per person per hour, counted in
the database (so two workers share them), numbers from the configuration. Hitting one
shows a clear message next to the form, keeps what was typed, and saves nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from mentorapp.config import ConfigError, from_environment
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, State, ThreadMessage
from mentorapp.models.types import utcnow
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    count,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    post,
    signed_in,
)
from tests.functional.safety_builders import field_error
from tests.helpers import text

LIMITS = {"SENDING_LIMIT_REQUESTS": 2, "SENDING_LIMIT_INVITATIONS": 2, "SENDING_LIMIT_MESSAGES": 3}


@pytest.fixture
def app(make_app):
    return make_app(**LIMITS)


def message_count(app) -> int:
    return count(app, ThreadMessage)


def three_messages_sent(app, nonce: str):
    """Priya, apprenticed to Mira, sends the hour's three messages; (her client, the
    apprenticeship's id)."""
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    client = signed_in(app, "priya@example.com")
    for n in range(3):
        response = post(
            client, f"/apprenticeships/{a}/messages", {"body": f"Note {n}", "nonce": f"{nonce}{n}"}
        )
        assert response.status_code == 302
    return client, a


def test_messages_stop_at_the_hour_s_limit_with_the_text_kept(app):
    client, a = three_messages_sent(app, "n")
    typed = "A fourth note, which must not be lost."
    response = post(client, f"/apprenticeships/{a}/messages", {"body": typed, "nonce": "n3"})
    assert response.status_code == 422
    body = text(response)
    assert "You have sent 3 messages in the last hour" in field_error(body, "body")
    assert typed in body  # still in the textarea
    assert message_count(app) == 3
    # A resent form of a message already stored is no new message: no error.
    assert (
        post(
            client, f"/apprenticeships/{a}/messages", {"body": "Note 0", "nonce": "n0"}
        ).status_code
        == 302
    )
    # An hour later, it goes.
    with app.app_context():
        db.session.execute(
            update(ThreadMessage).values(created_at=utcnow() - timedelta(hours=1, minutes=1))
        )
        db.session.commit()
    assert (
        post(client, f"/apprenticeships/{a}/messages", {"body": typed, "nonce": "n4"}).status_code
        == 302
    )
    assert message_count(app) == 4


def test_the_limit_is_per_person(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    priya_client = signed_in(app, "priya@example.com")
    for n in range(3):
        post(
            priya_client, f"/apprenticeships/{a}/messages", {"body": f"Note {n}", "nonce": f"p{n}"}
        )
    mira_client = signed_in(app, "mira@example.com")
    assert (
        post(
            mira_client, f"/apprenticeships/{a}/messages", {"body": "Reply", "nonce": "m0"}
        ).status_code
        == 302
    )
    assert message_count(app) == 4


def test_requests_stop_at_the_limit_next_to_the_message(app):
    mentors = [make_mentor(app, f"m{i}@example.com", f"Mentor {i}") for i in range(3)]
    make_mentee(app, "priya@example.com", "Priya")
    client = signed_in(app, "priya@example.com")
    for mentor in mentors[:2]:
        response = post(client, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE})
        assert response.status_code == 302
    # Withdrawing does not give the hour's requests back.
    with app.app_context():
        db.session.execute(update(Apprenticeship).values(state=State.WITHDRAWN))
        db.session.commit()
    typed = REQUEST_MESSAGE + " I can travel to you."
    response = post(client, f"/people/{mentors[2]}/ask", {"message": typed})
    assert response.status_code == 422
    body = text(response)
    assert "You have sent 2 requests in the last hour" in field_error(body, "message")
    assert typed in body
    assert count(app, Apprenticeship) == 2


def test_invitations_stop_at_the_limit(app):
    make_mentor(app, "mira@example.com", "Mira", capacity=5)
    mentees = [make_mentee(app, f"a{i}@example.com", f"Apprentice {i}") for i in range(3)]
    client = signed_in(app, "mira@example.com")
    for mentee in mentees[:2]:
        assert (
            post(client, f"/people/{mentee}/invite", {"message": REQUEST_MESSAGE}).status_code
            == 302
        )
    response = post(client, f"/people/{mentees[2]}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 422
    assert "You have sent 2 invitations in the last hour" in field_error(text(response), "message")
    assert count(app, Apprenticeship) == 2


def test_two_workers_share_one_count(make_app):
    """Two app instances, as two gunicorn workers: the count lives in the database."""
    first, second = make_app(**LIMITS), make_app(**LIMITS)
    mira = make_mentor(first, "mira@example.com", "Mira")
    priya = make_mentee(first, "priya@example.com", "Priya")
    a = make_apprenticeship(first, mira, priya, state=State.ACCEPTED)
    one, other = signed_in(first, "priya@example.com"), signed_in(second, "priya@example.com")
    post(one, f"/apprenticeships/{a}/messages", {"body": "1", "nonce": "w1"})
    post(other, f"/apprenticeships/{a}/messages", {"body": "2", "nonce": "w2"})
    post(one, f"/apprenticeships/{a}/messages", {"body": "3", "nonce": "w3"})
    assert (
        post(other, f"/apprenticeships/{a}/messages", {"body": "4", "nonce": "w4"}).status_code
        == 422
    )
    assert message_count(first) == 3


def test_the_limits_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORAPP_ENV", "development")
    monkeypatch.setenv("SENDING_LIMIT_MESSAGES", "25")
    config = from_environment(str(tmp_path))
    assert config["SENDING_LIMIT_MESSAGES"] == 25
    assert config["SENDING_LIMIT_REQUESTS"] == 10 and config["SENDING_LIMIT_INVITATIONS"] == 20
    for bad in ("0", "-3", "ten", "²"):
        monkeypatch.setenv("SENDING_LIMIT_REQUESTS", bad)
        with pytest.raises(ConfigError, match="SENDING_LIMIT_REQUESTS"):
            from_environment(str(tmp_path))


def test_the_message_says_when_the_next_one_goes(app):
    client, a = three_messages_sent(app, "t")
    with app.app_context():  # the oldest of the hour's three was sent 50 minutes ago
        first = db.session.scalar(select(ThreadMessage).order_by(ThreadMessage.id))
        first.created_at = utcnow() - timedelta(minutes=50)
        db.session.commit()
    response = post(client, f"/apprenticeships/{a}/messages", {"body": "Again", "nonce": "t3"})
    assert "Please try again in 10 minutes" in field_error(text(response), "body")
