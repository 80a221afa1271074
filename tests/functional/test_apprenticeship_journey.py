"""The whole life of an apprenticeship over HTTP: request, answer, work, complete, reference."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MentorProfile, Notification, OutboundEmail, State
from tests.conftest import post_form
from tests.factories import DEFAULT_PASSWORD
from tests.functional.test_profiles import MENTEE_SECTIONS, edit_url
from tests.functional.test_suggestions import build_mentor
from tests.helpers import text

MESSAGE = "I want to learn mixing vocals; free on weekday evenings and most weekends."


@pytest.fixture
def pair(client, auth, users):
    """A mentor with three places, and a mentee with a complete profile, nobody logged in."""
    mentor = build_mentor(client, auth, users, "mira@example.com")
    mentee = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(mentee, "mentee", section), data)
    auth.logout()
    return mentor, mentee


def ask(client, mentor: int, message: str = MESSAGE):
    return post_form(client, f"/people/{mentor}/ask", {"message": message})


def only_apprenticeship(app) -> Apprenticeship:
    with app.app_context():
        return db.session.scalars(select(Apprenticeship)).one()


def test_request_accept_work_complete_and_reference(app, client, auth, pair):
    mentor, mentee = pair
    auth.login("priya@example.com")
    profile = text(client.get(f"/people/{mentor}"))
    assert f'href="/people/{mentor}/ask"' in profile and "3 of 3 places free" in profile
    response = ask(client, mentor)
    assert response.status_code == 302
    a = only_apprenticeship(app)
    assert (a.state, a.requested_by, a.mentee_id, a.mentor_id) == (
        "requested",
        "mentee",
        mentee,
        mentor,
    )
    page = text(client.get(f"/apprenticeships/{a.id}"))
    assert "Withdraw my request" in page and "Accept" not in page
    auth.logout()

    auth.login("mira@example.com")
    assert re.search(r'Inbox <span class="count-badge">1<', text(client.get("/dashboard")))
    page = text(client.get(f"/apprenticeships/{a.id}"))
    assert MESSAGE in page and "Accept Priya as your apprentice" in page
    accepted = post_form(client, f"/apprenticeships/{a.id}/accept", {})
    assert accepted.status_code == 302
    again = post_form(client, f"/apprenticeships/{a.id}/accept", {}, follow_redirects=True)
    assert "This request was already accepted." in text(again)
    with app.app_context():
        assert db.session.get(MentorProfile, mentor).apprentice_count == 1

    post_form(
        client,
        f"/apprenticeships/{a.id}/messages",
        {"body": "Welcome! Bring a session.", "nonce": "m1"},
    )
    post_form(
        client,
        f"/apprenticeships/{a.id}/messages",
        {"body": "Welcome! Bring a session.", "nonce": "m1"},
    )
    post_form(
        client,
        f"/apprenticeships/{a.id}/goals",
        {"title": "Mix one song start to finish", "nonce": "g1"},
    )
    auth.logout()

    auth.login("priya@example.com")
    page = text(client.get(f"/apprenticeships/{a.id}"))
    assert page.count("Welcome! Bring a session.") == 1  # the resent form added it once
    post_form(
        client,
        f"/apprenticeships/{a.id}/messages",
        {"body": "Thank you, see you Tuesday", "nonce": "m2"},
    )
    logged = post_form(
        client,
        f"/apprenticeships/{a.id}/sessions",
        {
            "held_on": date.today().isoformat(),
            "hours": "2.5",
            "covered": "Vocal comping and EQ",
            "nonce": "s1",
        },
    )
    assert logged.status_code == 302
    with app.app_context():
        [goal] = db.session.get(Apprenticeship, a.id).goals
        [session] = db.session.get(Apprenticeship, a.id).sessions
        assert session.confirmed_at is None and session.minutes == 150
    post_form(client, f"/apprenticeships/{a.id}/goals/{goal.id}/done", {})
    assert "0.0</strong> hours confirmed" in text(client.get(f"/apprenticeships/{a.id}"))
    refused = post_form(client, f"/apprenticeships/{a.id}/complete", {}, follow_redirects=True)
    assert "Only the mentor marks an apprenticeship completed." in text(refused)
    auth.logout()

    auth.login("mira@example.com")
    post_form(client, f"/apprenticeships/{a.id}/sessions/{session.id}/confirm", {})
    page = text(client.get(f"/apprenticeships/{a.id}"))
    assert "2.5</strong> hours confirmed" in page and "1 of 1 reached" in page
    assert "Thank you, see you Tuesday" in page
    post_form(client, f"/apprenticeships/{a.id}/complete", {})
    with app.app_context():
        assert db.session.get(MentorProfile, mentor).apprentice_count == 0
    bad = post_form(
        client,
        f"/apprenticeships/{a.id}/reference",
        {"learned": "Too short", "recommendation": "strong"},
    )
    assert bad.status_code == 422 and "Between 40 and 5,000 characters" in text(bad)
    assert "Too short" in text(bad)
    learned = "Priya learned to comp vocals, to EQ with intent and to finish a mix on time."
    post_form(
        client,
        f"/apprenticeships/{a.id}/reference",
        {"learned": learned, "work": "Two EP mixes.", "recommendation": "highest"},
    )
    auth.logout()

    with app.app_context():
        reference = db.session.get(Apprenticeship, a.id).reference
        assert reference.confirmed_minutes == 150 and not reference.shown_on_profile
    assert client.get(f"/references/{reference.id}").status_code == 404  # not shown yet
    assert learned not in text(client.get(f"/people/{mentee}"))

    auth.login("priya@example.com")
    sheet = text(client.get(f"/references/{reference.id}"))
    assert learned in sheet and "Written by Mira" in sheet and "2.5 hours" in sheet
    post_form(client, f"/references/{reference.id}/show", {})
    auth.logout()
    assert learned in text(client.get(f"/people/{mentee}"))
    assert client.get(f"/references/{reference.id}").status_code == 200


def test_a_stranger_cannot_see_or_touch_a_workspace(app, client, auth, users, pair):
    mentor, _ = pair
    auth.login("priya@example.com")
    ask(client, mentor)
    a = only_apprenticeship(app)
    auth.logout()
    users(email="eve@example.com", display_name="Eve", is_mentee=True, is_mentor=True)
    auth.login("eve@example.com")
    assert client.get(f"/apprenticeships/{a.id}").status_code == 404
    for action in ("accept", "withdraw", "complete"):
        assert (
            post_form(
                client, f"/apprenticeships/{a.id}/{action}", {}, page="/dashboard"
            ).status_code
            == 404
        )
    assert (
        post_form(
            client, f"/apprenticeships/{a.id}/messages", {"body": "hi"}, page="/dashboard"
        ).status_code
        == 404
    )
    assert MESSAGE not in text(client.get("/apprenticeships"))
    assert only_apprenticeship(app).state == State.REQUESTED
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Notification.id)).where(Notification.user_id != mentor)
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count(OutboundEmail.id)).where(OutboundEmail.subject.contains("eve"))
            )
            == 0
        )


def test_dashboards_show_requests_apprentices_free_places_and_hours(app, client, auth, pair):
    mentor, _ = pair
    auth.login("priya@example.com")
    ask(client, mentor)
    mine = text(client.get("/dashboard"))
    assert "1<small>/5</small>" in mine and "Waiting for an answer" in mine and "Mira" in mine
    auth.logout()

    auth.login("mira@example.com")
    board = text(client.get("/dashboard"))
    assert re.search(r'stat__value">1</span> <span class="stat__label">request waiting', board)
    assert re.search(r'stat__value">3</span> <span class="stat__label">free places', board)
    a = only_apprenticeship(app)
    post_form(client, f"/apprenticeships/{a.id}/accept", {})
    post_form(
        client,
        f"/apprenticeships/{a.id}/sessions",
        {"held_on": date.today().isoformat(), "hours": "1.5", "covered": "Gain staging"},
    )
    board = text(client.get("/dashboard"))
    assert re.search(r'stat__value">1</span> <span class="stat__label">apprentice now', board)
    assert re.search(r'stat__value">2</span> <span class="stat__label">free places', board)
    assert re.search(r'stat__value">1.5</span> <span class="stat__label">confirmed hours', board)
    assert "Running" in board and "Priya" in board


def test_a_deleted_apprentice_frees_the_mentors_place(app, client, auth, pair):
    mentor, _ = pair
    auth.login("priya@example.com")
    ask(client, mentor)
    auth.logout()
    auth.login("mira@example.com")
    post_form(client, f"/apprenticeships/{only_apprenticeship(app).id}/accept", {})
    auth.logout()
    with app.app_context():
        assert db.session.get(MentorProfile, mentor).apprentice_count == 1

    auth.login("priya@example.com")
    deleted = post_form(
        client, "/account/delete", {"password": DEFAULT_PASSWORD, "understood": "y"}
    )
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.get(MentorProfile, mentor).apprentice_count == 0
        assert db.session.scalar(select(func.count(Apprenticeship.id))) == 0
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == mentor))
        assert "closed their account" in note.text
