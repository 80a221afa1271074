"""A mentor's pause: until a return day, answered kindly, ending by itself or early."""

from datetime import date, timedelta

from mentorapp.availability.services import end_due_pauses
from mentorapp.extensions import db
from mentorapp.models import MentorProfile, Notification, OutboundEmail
from mentorapp.models.types import utcnow
from mentorapp.suggestions.records import load_mentor_records
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    flashed,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    post,
    signed_in,
    state_of,
)
from tests.helpers import text


def paused_until(app, mentor: int):
    with app.app_context():
        return db.session.get(MentorProfile, mentor).paused_until


def notes_of(app, user_id: int) -> list[str]:
    with app.app_context():
        return [n.text for n in db.session.query(Notification).filter_by(user_id=user_id)]


def back(days: int) -> date:
    return utcnow().date() + timedelta(days=days)


def test_pausing_answers_waiting_requests_kindly_with_the_return_date(app):
    mentor = make_mentor(app, "marcus@example.com", "Marcus")
    priya = make_mentee(app, "priya@example.com", "Priya")
    waiting = make_apprenticeship(app, mentor, priya)
    client = signed_in(app, "marcus@example.com")
    day = back(30)
    page = flashed(
        post(client, "/availability/pause", {"until": day.isoformat()}, follow_redirects=True)
    )
    assert f"You are paused until {day:%d %B %Y}. 1 waiting request answered." in page
    assert f"Back on {day:%d %B %Y}" in page and "End the pause now" in page
    assert paused_until(app, mentor) == day
    assert state_of(app, waiting) == "declined"
    [note] = notes_of(app, priya)
    assert f"Marcus is taking a break and back on {day:%d %B %Y}" in note
    assert "This says nothing about you" in note
    with app.app_context():
        assert db.session.query(OutboundEmail).filter_by(recipient="priya@example.com").count() == 1


def test_a_paused_mentor_is_not_suggested_and_cannot_be_asked(app):
    mentor = make_mentor(app, "marcus@example.com", "Marcus")
    make_mentee(app, "priya@example.com", "Priya")
    client = signed_in(app, "marcus@example.com")
    day = back(10)
    post(client, "/availability/pause", {"until": day.isoformat()})
    with app.app_context():
        [record] = load_mentor_records([mentor])
        assert record.accepting is False  # so no suggestion, no "taking apprentices now"
    priya = signed_in(app, "priya@example.com")
    assert f"Marcus is taking a break. Back on {day:%d %B %Y}." in text(
        priya.get(f"/people/{mentor}")
    )
    response = post(
        priya, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE}, follow_redirects=True
    )
    assert "Back on" in text(response)
    assert notes_of(app, mentor) == []  # nobody asked him


def test_bad_return_days_are_refused_next_to_the_field_and_nothing_changes(app):
    mentor = make_mentor(app, "marcus@example.com", "Marcus")
    client = signed_in(app, "marcus@example.com")
    for value, message in [
        ("", "Say the day you will be back."),
        ("next march", "Not a valid date value."),
        (utcnow().date().isoformat(), "Choose a day after today."),
        (back(400).isoformat(), "A pause lasts a year at most"),
    ]:
        response = post(client, "/availability/pause", {"until": value})
        assert response.status_code == 422, value
        body = text(response)
        assert 'id="until-error"' in body
        assert message in body[body.index('id="until-error"') :][:300], value
        if value:
            assert value in body  # what was typed is kept
        assert paused_until(app, mentor) is None


def test_the_pause_ends_by_itself_on_the_day_and_can_end_early(app):
    mentor = make_mentor(app, "marcus@example.com", "Marcus")
    client = signed_in(app, "marcus@example.com")
    day = back(5)
    post(client, "/availability/pause", {"until": day.isoformat()})
    from datetime import UTC, datetime, time

    with app.app_context():
        the_day_before = datetime.combine(day - timedelta(days=1), time(23, 0), UTC)
        assert end_due_pauses(the_day_before) == 0
        db.session.commit()
    assert paused_until(app, mentor) == day
    with app.app_context():
        assert end_due_pauses(datetime.combine(day, time(0, 7), UTC)) == 1
        assert end_due_pauses(datetime.combine(day, time(1, 7), UTC)) == 0  # once
        db.session.commit()
    assert paused_until(app, mentor) is None
    assert "Your pause has ended" in " ".join(notes_of(app, mentor))
    post(client, "/availability/pause", {"until": back(20).isoformat()})
    assert paused_until(app, mentor) is not None
    page = flashed(post(client, "/availability/pause/end", follow_redirects=True))
    assert "Welcome back" in page
    assert paused_until(app, mentor) is None


def test_only_a_mentor_pauses_and_every_post_needs_the_token(app):
    make_mentor(app, "marcus@example.com", "Marcus")
    make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    assert priya.get("/availability/pause").status_code == 404
    assert post(priya, "/availability/pause", {"until": back(5).isoformat()}).status_code == 404
    marcus = signed_in(app, "marcus@example.com")
    assert marcus.post("/availability/pause", data={"until": back(5).isoformat()}).status_code in (
        400,
        422,
    )
    assert marcus.post("/availability/pause/end").status_code == 400
