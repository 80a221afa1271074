"""A place offered from the waiting list is held for that person, and every way a place
frees up (or goes) reaches the list through one function."""

from datetime import timedelta

from mentorapp.apprenticeships import services as apprenticeships
from mentorapp.availability.waiting import pass_lapsed_offers
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MentorProfile, Notification, OutboundEmail, User
from mentorapp.models.types import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    apprentices_of,
    flashed,
    make_apprenticeship,
    make_mentee,
    post,
    signed_in,
    state_of,
)
from tests.functional.test_waiting_list import FULL, end_running, full_mentor, waiting
from tests.helpers import text

HELD = "free place is being offered to someone on the waiting list until"


def on_list(app, mentor: int, *names: str) -> None:
    for name in names:
        make_mentee(app, f"{name}@example.com", name.title())
        post(signed_in(app, f"{name}@example.com"), f"/availability/waiting-list/{mentor}/join")


def notes(app, email: str, kind: str | None = None) -> list[str]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        query = db.select(Notification).where(Notification.user_id == user.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [n.text for n in db.session.scalars(query.order_by(Notification.id))]


def offers_to(app, email: str) -> int:
    return sum("A place is free with" in n for n in notes(app, email))


def emails_to(app, email: str) -> int:
    with app.app_context():
        return db.session.query(OutboundEmail).filter_by(recipient=email).count()


def offered_one(app) -> tuple[int, int]:
    """Marcus, full with one place; Priya then Tom on his list; the place frees, Priya is
    offered it. Returns (mentor, the running apprenticeship that ended)."""
    mentor, [running] = full_mentor(app)
    on_list(app, mentor, "priya", "tom")
    end_running(app, running)
    assert waiting(app, mentor) == [("priya@example.com", True), ("tom@example.com", False)]
    return mentor, running


def test_the_offered_place_is_held_for_that_person_only(app):
    mentor, _ = offered_one(app)
    make_mentee(app, "ana@example.com", "Ana")
    ana, tom = signed_in(app, "ana@example.com"), signed_in(app, "tom@example.com")
    # Anyone else sees a full mentor with a waiting list, never "1 free place".
    for other in (ana, tom):
        page = text(other.get(f"/people/{mentor}"))
        assert "free place for apprentices" not in page and "Ask for an apprenticeship" not in page
        assert "held for someone on the waiting list" in page
    assert FULL in text(ana.get(f"/people/{mentor}"))
    assert "You are number 2 on the waiting list" in text(tom.get(f"/people/{mentor}"))
    cards = text(ana.get("/mentors"))
    assert "Full — join the waiting list" in cards and "1 free place" not in cards
    # The ask page says why before anything is typed; a form sent anyway keeps the words.
    assert HELD in flashed(ana.get(f"/people/{mentor}/ask", follow_redirects=True))
    sent = post(ana, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE})
    assert sent.status_code == 422 and HELD in text(sent) and REQUEST_MESSAGE in text(sent)
    # The mentor cannot give the held place to an invitee either.
    marcus = signed_in(app, "marcus@example.com")
    ana_id = db_id(app, "ana@example.com")
    invited = post(marcus, f"/people/{ana_id}/invite", {"message": REQUEST_MESSAGE})
    assert invited.status_code == 422 and "held for someone on your waiting list" in text(invited)
    # The offered person sees it as theirs, and the cards say so too.
    priya = signed_in(app, "priya@example.com")
    mine = text(priya.get(f"/people/{mentor}"))
    assert "A place is held for you" in mine and "Ask for an apprenticeship" in mine
    assert "1 free place" in text(priya.get("/mentors"))
    with app.app_context():
        assert not db.session.scalar(
            db.select(Apprenticeship.id).where(Apprenticeship.mentee_id == ana_id)
        )


def db_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def test_the_mentor_accepting_the_offered_request_uses_the_held_place_and_no_other(app):
    mentor, _ = offered_one(app)
    ana = make_mentee(app, "ana@example.com", "Ana")
    # A request the rules would now refuse (written straight in, as if sent just before).
    sooner = make_apprenticeship(app, mentor, ana)
    marcus = signed_in(app, "marcus@example.com")
    refused = flashed(post(marcus, f"/apprenticeships/{sooner}/accept", follow_redirects=True))
    assert "Your free place is held for someone on your waiting list until" in refused
    assert state_of(app, sooner) == "requested" and apprentices_of(app, mentor) == 0
    priya = signed_in(app, "priya@example.com")
    assert post(priya, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE}).status_code == 302
    # Asked: still held while the request waits, for nobody else.
    ana_client = signed_in(app, "ana@example.com")
    assert "held for someone on the waiting list" in text(ana_client.get(f"/people/{mentor}"))
    with app.app_context():
        asked = db.session.scalar(
            db.select(Apprenticeship.id).where(
                Apprenticeship.mentor_id == mentor,
                Apprenticeship.mentee_id == db_id(app, "priya@example.com"),
            )
        )
    assert post(marcus, f"/apprenticeships/{sooner}/accept").status_code == 302
    assert state_of(app, sooner) == "requested"
    post(marcus, f"/apprenticeships/{asked}/accept")
    assert state_of(app, asked) == "accepted" and apprentices_of(app, mentor) == 1
    assert state_of(app, sooner) == "declined"  # full now: answered kindly
    assert waiting(app, mentor) == [("tom@example.com", False)]
    assert offers_to(app, "tom@example.com") == 0


def test_a_lapsed_offer_passes_the_hold_to_the_next_and_an_empty_list_frees_the_place(app):
    mentor, _ = offered_one(app)
    make_mentee(app, "ana@example.com", "Ana")
    with app.app_context():
        assert pass_lapsed_offers(utcnow() + timedelta(days=3, minutes=1)) == 1
        db.session.commit()
    assert waiting(app, mentor) == [("tom@example.com", True)]
    assert any("went to the next person" in n for n in notes(app, "priya@example.com"))
    ana = signed_in(app, "ana@example.com")
    assert FULL in text(ana.get(f"/people/{mentor}"))
    post(signed_in(app, "tom@example.com"), f"/availability/waiting-list/{mentor}/leave")
    assert waiting(app, mentor) == []
    page = text(ana.get(f"/people/{mentor}"))
    assert "Marcus has 1 free place for apprentices." in page
    assert post(ana, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE}).status_code == 302


def test_a_declined_request_from_the_offer_passes_the_hold_on(app):
    mentor, _ = offered_one(app)
    priya = signed_in(app, "priya@example.com")
    post(priya, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE})
    marcus = signed_in(app, "marcus@example.com")
    with app.app_context():
        asked = db.session.scalar(
            db.select(Apprenticeship.id).where(Apprenticeship.state == "requested")
        )
    post(marcus, f"/apprenticeships/{asked}/decline", {"reason": "no_time"})
    assert state_of(app, asked) == "declined"
    assert waiting(app, mentor) == [("tom@example.com", True)]


def test_a_lower_capacity_or_a_pause_takes_an_open_offer_back_kindly(app):
    mentor, _ = offered_one(app)
    marcus = signed_in(app, "marcus@example.com")
    week = f"/people/{mentor}/edit/mentor/week"
    post(marcus, week, {"availability": ["weekday_evening"], "capacity": 0, "accepting": "y"})
    with app.app_context():
        lowered = db.session.get(MentorProfile, mentor).capacity == 0
    if lowered:  # a capacity of 0 may be refused by the form; pause instead below
        assert waiting(app, mentor)[0] == ("priya@example.com", False)
    post(marcus, week, {"availability": ["weekday_evening"], "capacity": 1, "accepting": "y"})
    assert waiting(app, mentor)[0] == ("priya@example.com", True)
    day = (utcnow() + timedelta(days=10)).date()
    post(marcus, "/availability/pause", {"until": day.isoformat()})
    assert waiting(app, mentor) == [("priya@example.com", False), ("tom@example.com", False)]
    assert any("is no longer free" in n for n in notes(app, "priya@example.com"))
    post(marcus, "/availability/pause/end")
    assert waiting(app, mentor)[0] == ("priya@example.com", True)


def test_not_accepting_then_accepting_again_tells_the_list(app):
    mentor, _ = offered_one(app)
    marcus = signed_in(app, "marcus@example.com")
    week = f"/people/{mentor}/edit/mentor/week"
    post(marcus, week, {"availability": ["weekday_evening"], "capacity": 1})
    assert waiting(app, mentor)[0] == ("priya@example.com", False)
    post(marcus, week, {"availability": ["weekday_evening"], "capacity": 1, "accepting": "y"})
    assert waiting(app, mentor)[0] == ("priya@example.com", True)


def test_an_apprentice_closing_their_account_frees_the_place_for_the_list(app):
    mentor, _ = full_mentor(app)
    on_list(app, mentor, "priya")
    busy = signed_in(app, "busy0@example.com")
    post(
        busy,
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understood": "y"},
    )
    assert apprentices_of(app, mentor) == 0
    assert waiting(app, mentor) == [("priya@example.com", True)]
    assert offers_to(app, "priya@example.com") == 1


def test_the_offered_person_closing_their_account_passes_the_hold_on(app):
    mentor, _ = offered_one(app)
    post(
        signed_in(app, "priya@example.com"),
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understood": "y"},
    )
    assert waiting(app, mentor) == [("tom@example.com", True)]


def test_a_block_that_ends_the_apprenticeship_tells_the_list(app):
    mentor, [running] = full_mentor(app)
    on_list(app, mentor, "priya")
    busy = signed_in(app, "busy0@example.com")
    post(busy, f"/people/{mentor}/block", {"end_running": "y"})
    assert state_of(app, running) == "ended"
    assert waiting(app, mentor) == [("priya@example.com", True)]


def test_blocking_someone_on_the_list_takes_them_off_it(app):
    mentor, _ = offered_one(app)
    priya = db_id(app, "priya@example.com")
    post(signed_in(app, "marcus@example.com"), f"/people/{priya}/block")
    assert waiting(app, mentor) == [("tom@example.com", True)]


def suspend(app, email: str) -> None:
    with app.app_context():
        make_user(email="ada@example.com", display_name="Ada", is_admin=True)
        db.session.commit()
    person = db_id(app, email)
    admin = signed_in(app, "ada@example.com")
    response = post(admin, f"/admin/people/{person}/suspend", {"reason": "Threats, checked."})
    assert response.status_code == 302


def test_a_suspended_apprentice_is_skipped_and_their_ended_apprenticeship_tells_the_list(app):
    mentor, [running] = full_mentor(app)
    on_list(app, mentor, "priya", "tom")
    suspend(app, "priya@example.com")
    assert waiting(app, mentor) == [("tom@example.com", False)]
    with app.app_context():
        a = db.session.get(Apprenticeship, running)
        apprenticeships.end(db.session.get(User, mentor), a.id, "moved")
        db.session.commit()
    assert waiting(app, mentor) == [("tom@example.com", True)]
    assert offers_to(app, "priya@example.com") == 0


def test_a_suspended_mentor_s_list_closes_with_a_kind_word(app):
    mentor, _ = offered_one(app)
    suspend(app, "marcus@example.com")
    assert waiting(app, mentor) == []
    for email in ("priya@example.com", "tom@example.com"):
        [note] = [n for n in notes(app, email) if "waiting list is closed" in n]
        assert "Marcus is not available on mentorapp for now" in note
        assert "This says nothing about you" in note


def test_a_mentor_closing_their_account_closes_the_list(app):
    mentor, _ = offered_one(app)
    post(
        signed_in(app, "marcus@example.com"),
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understood": "y"},
    )
    assert waiting(app, mentor) == []
    assert any("Marcus closed their account" in n for n in notes(app, "tom@example.com"))


def test_offers_have_their_own_email_kind_shown_in_the_settings(app):
    mentor, [running] = full_mentor(app)
    on_list(app, mentor, "priya", "tom")
    priya, tom = signed_in(app, "priya@example.com"), signed_in(app, "tom@example.com")
    settings = text(priya.get("/account/emails"))
    assert "A place frees up with a mentor whose waiting list you are on" in settings
    # Priya mutes answers but keeps waiting-list emails; Tom mutes waiting-list emails.
    from mentorapp.notifications.services import EMAIL_KINDS

    post(priya, "/account/emails", {"kinds": [k for k in EMAIL_KINDS if k != "answer"]})
    post(tom, "/account/emails", {"kinds": [k for k in EMAIL_KINDS if k != "waiting_list"]})
    end_running(app, running)
    assert notes(app, "priya@example.com", "waiting_list") and emails_to(app, "priya@example.com")
    with app.app_context():
        assert pass_lapsed_offers(utcnow() + timedelta(days=3, minutes=1)) == 1
        db.session.commit()
    assert offers_to(app, "tom@example.com") == 1
    assert emails_to(app, "tom@example.com") == 0  # in the inbox only, as Tom chose


def test_nobody_sees_who_else_is_on_a_list(app):
    mentor, _ = offered_one(app)
    for email in ("tom@example.com", "marcus@example.com"):
        client = signed_in(app, email)
        for page in (f"/people/{mentor}", "/mentors", "/dashboard"):
            assert "Priya" not in text(client.get(page)), (email, page)


def test_a_held_place_is_not_free_in_suggestions_until_the_list_is_done(app):
    from mentorapp.suggestions.records import load_mentor_records

    mentor, _ = offered_one(app)
    with app.app_context():
        [record] = load_mentor_records([mentor])
        assert record.free_places == 0
    post(signed_in(app, "priya@example.com"), f"/availability/waiting-list/{mentor}/leave")
    post(signed_in(app, "tom@example.com"), f"/availability/waiting-list/{mentor}/leave")
    with app.app_context():
        [record] = load_mentor_records([mentor])
        assert record.free_places == 1


def test_a_request_from_the_offer_that_expires_passes_the_hold_on(app):
    mentor, _ = offered_one(app)
    post(signed_in(app, "priya@example.com"), f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE})
    with app.app_context():
        assert apprenticeships.remind_and_expire(utcnow() + timedelta(days=15)) == (0, 1)
        db.session.commit()
    assert waiting(app, mentor) == [("tom@example.com", True)]
