"""A request nobody answers: a reminder after a week, expiry after two, with the time
passed in (never slept), and the cron command that runs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.apprenticeships.services import ask_for_information, remind_and_expire
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, OutboundEmail, State, User
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    apprenticeship_count,
    email_subjects,
    load,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    notes_for,
    post,
    shift_back,
    signed_in,
)
from tests.helpers import text

DAY = timedelta(days=1)


@pytest.fixture
def request_from_priya(app):
    """Priya asked Mira just now, through the site. Returns (mentor, mentee, request, sent)."""
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    client = signed_in(app, "priya@example.com")
    assert post(client, f"/people/{mira}/ask", {"message": REQUEST_MESSAGE}).status_code == 302
    with app.app_context():
        a = db.session.scalars(select(Apprenticeship)).one()
        return mira, priya, a.id, a.created_at


def run(app, now) -> tuple[int, int]:
    """What cron does, at the time given."""
    with app.app_context():
        result = remind_and_expire(now=now)
        db.session.commit()
        return result


def kinds(app, user_id: int) -> list[str]:
    return [note.kind for note in notes_for(app, user_id)]


def test_a_week_brings_one_reminder_and_two_weeks_expire_the_request(app, request_from_priya):
    mira, priya, a, sent = request_from_priya
    assert kinds(app, mira) == ["request"]

    assert run(app, sent + 6 * DAY) == (0, 0)
    assert run(app, sent + 7 * DAY - timedelta(seconds=1)) == (0, 0)
    assert kinds(app, mira) == ["request"] and load(app, a).reminded_at is None

    assert run(app, sent + 7 * DAY) == (1, 0)
    reminder = notes_for(app, mira)[-1]
    assert reminder.kind == "reminder" and reminder.apprenticeship_id == a
    expires = (sent + 14 * DAY).strftime("%d %B")
    assert reminder.text == (
        f"Priya has waited a week for your answer. The request expires on {expires}."
    )
    assert load(app, a).reminded_at == sent + 7 * DAY
    assert reminder.text[:120] in email_subjects(app, "mira@example.com")

    # Cron runs every hour: the reminder is sent once.
    assert run(app, sent + 7 * DAY) == (0, 0)
    assert run(app, sent + 10 * DAY) == (0, 0)
    assert run(app, sent + 14 * DAY - timedelta(seconds=1)) == (0, 0)
    assert kinds(app, mira) == ["request", "reminder"]
    assert load(app, a).state == State.REQUESTED
    assert kinds(app, priya) == []

    assert run(app, sent + 14 * DAY) == (0, 1)
    expired = load(app, a)
    assert (expired.state, expired.reason, expired.status) == (State.DECLINED, "expired", "expired")
    assert expired.decided_at == sent + 14 * DAY
    [to_priya] = notes_for(app, priya)
    assert to_priya.kind == "expiry"
    assert "Your request to Mira expired without an answer." in to_priya.text
    assert "no longer counts towards your open requests" in to_priya.text
    assert kinds(app, mira) == ["request", "reminder", "expiry"]
    assert "The request from Priya expired" in notes_for(app, mira)[-1].text
    assert to_priya.text[:120] in email_subjects(app, "priya@example.com")

    assert run(app, sent + 15 * DAY) == (0, 0)  # nothing twice
    assert len(notes_for(app, priya)) == 1

    # Both see it closed; Priya's slot is free, and she may ask Mira again.
    client = signed_in(app, "priya@example.com")
    page = text(client.get(f"/apprenticeships/{a}"))
    assert "Two weeks passed without an answer, so the request expired" in page
    assert "0 of 5 open requests used" in text(client.get("/apprenticeships"))
    again = post(client, f"/people/{mira}/ask", {"message": REQUEST_MESSAGE + " Again."})
    assert again.status_code == 302
    assert apprenticeship_count(app) == 2
    mira_client = signed_in(app, "mira@example.com")
    late = post(mira_client, f"/apprenticeships/{a}/accept", follow_redirects=True)
    assert "This request expired without an answer." in text(late)
    assert (load(app, a).state, load(app, a).reason) == (State.DECLINED, "expired")


def test_a_question_from_the_mentor_starts_the_clock_again(app, request_from_priya):
    mira, _, a, sent = request_from_priya
    assert run(app, sent + 7 * DAY) == (1, 0)  # a first reminder

    asked = sent + 8 * DAY
    with app.app_context():
        ask_for_information(db.session.get(User, mira), a, "Which DAW do you use?", now=asked)
        db.session.commit()
    after = load(app, a)
    assert (after.info_requested_at, after.reminded_at) == (asked, None)
    assert after.expires_at == asked + 14 * DAY

    assert run(app, sent + 14 * DAY) == (0, 0)  # the old expiry no longer applies
    assert run(app, asked + 7 * DAY - timedelta(seconds=1)) == (0, 0)
    assert run(app, asked + 7 * DAY) == (1, 0)  # a fresh reminder a week after the question
    assert kinds(app, mira) == ["request", "reminder", "reminder"]
    assert run(app, asked + 14 * DAY - timedelta(seconds=1)) == (0, 0)
    assert load(app, a).state == State.REQUESTED
    assert run(app, asked + 14 * DAY) == (0, 1)
    assert (load(app, a).state, load(app, a).reason) == (State.DECLINED, "expired")


def test_the_question_asked_on_the_site_also_starts_the_clock_again(app, request_from_priya):
    _, _, a, sent = request_from_priya
    shift_back(app, a, 6)  # the request is six days old
    client = signed_in(app, "mira@example.com")
    post(client, f"/apprenticeships/{a}/question", {"question": "Which DAW do you use?"})
    asked = load(app, a).info_requested_at
    assert asked is not None
    assert run(app, sent + DAY) == (0, 0)  # a week after the request: no reminder
    assert run(app, asked + 7 * DAY) == (1, 0)


def test_an_invitation_reminds_and_expires_the_same_way(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, requested_by="mentor")
    sent = load(app, a).created_at
    assert run(app, sent + 7 * DAY) == (1, 0)
    assert kinds(app, priya) == ["reminder"]  # the person invited is reminded
    assert "Mira has waited a week for your answer" in notes_for(app, priya)[0].text
    assert run(app, sent + 14 * DAY) == (0, 1)
    assert kinds(app, priya) == ["reminder", "expiry"] and kinds(app, mira) == ["expiry"]


def test_only_requests_still_waiting_are_reminded_or_expired(app):
    mira = make_mentor(app, "mira@example.com", "Mira", capacity=5)
    states = [State.ACCEPTED, State.DECLINED, State.WITHDRAWN, State.COMPLETED, State.ENDED]
    ids = []
    for n, state in enumerate(states):
        mentee = make_mentee(app, f"p{n}@example.com", f"P{n}")
        ids.append(make_apprenticeship(app, mira, mentee, state=state))
    sent = load(app, ids[0]).created_at
    assert run(app, sent + 30 * DAY) == (0, 0)
    assert [load(app, a).state for a in ids] == states
    assert notes_for(app, mira) == []


def test_the_cron_command_reminds_expires_sends_and_says_how_many(app, runner):
    mira = make_mentor(app, "mira@example.com", "Mira", capacity=5)
    week_old = make_apprenticeship(app, mira, make_mentee(app, "ana@example.com", "Ana"))
    fortnight_old = make_apprenticeship(app, mira, make_mentee(app, "ben@example.com", "Ben"))
    fresh = make_apprenticeship(app, mira, make_mentee(app, "cy@example.com", "Cy"))
    shift_back(app, week_old, 8)
    shift_back(app, fortnight_old, 15)

    result = runner.invoke(args=["remind-requests"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 reminded, 1 expired."
    assert [load(app, a).status for a in (week_old, fortnight_old, fresh)] == [
        State.REQUESTED,
        "expired",
        State.REQUESTED,
    ]
    assert load(app, week_old).reminded_at is not None
    with app.app_context():
        emails = db.session.scalars(select(OutboundEmail)).all()
        # Mira: one reminder and one expiry; Ben: his expiry. All sent at once.
        assert sorted(e.recipient for e in emails) == [
            "ben@example.com",
            "mira@example.com",
            "mira@example.com",
        ]
        assert all(e.sent_at is not None for e in emails)

    again = runner.invoke(args=["remind-requests"])
    assert again.stdout.strip() == "0 reminded, 0 expired."
