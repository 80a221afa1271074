"""A full mentor's waiting list: joining, leaving, being told in turn when a place frees."""

import re
from datetime import timedelta

from mentorapp.apprenticeships import services as apprenticeships
from mentorapp.availability.waiting import pass_lapsed_offers, update_offers
from mentorapp.extensions import db
from mentorapp.models import Block, MentorProfile, Notification, OutboundEmail, User
from mentorapp.models import WaitingListEntry as Entry
from mentorapp.models.types import utcnow
from tests.factories import make_user
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

FULL = "Full — join the waiting list"


def full_mentor(app, capacity: int = 1) -> tuple[int, list[int]]:
    """A mentor with every place taken by running apprenticeships."""
    mentor = make_mentor(app, "marcus@example.com", "Marcus", capacity=capacity)
    running = []
    for k in range(capacity):
        apprentice = make_mentee(app, f"busy{k}@example.com", f"Busy {k}")
        running.append(make_apprenticeship(app, mentor, apprentice, state="accepted"))
    return mentor, running


def waiting(app, mentor: int) -> list[tuple[str, bool]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(User.email, Entry.offered_at)
            .join(User, User.id == Entry.mentee_id)
            .where(Entry.mentor_id == mentor)
            .order_by(Entry.joined_at, Entry.id)
        ).all()
        return [(email, offered is not None) for email, offered in rows]


def told(app, email: str) -> list[str]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return [
            n.text
            for n in db.session.scalars(
                db.select(Notification).where(Notification.user_id == user.id)
            )
            if "A place is free" in n.text
        ]


def end_running(app, apprenticeship_id: int, now=None) -> None:
    with app.app_context():
        a = db.session.get(apprenticeships.Apprenticeship, apprenticeship_id)
        apprenticeships.end(db.session.get(User, a.mentor_id), a.id, "moved", now=now)
        db.session.commit()


def test_a_mentee_joins_a_full_mentors_list_sees_their_number_and_leaves(app):
    mentor, _ = full_mentor(app)
    make_mentee(app, "priya@example.com", "Priya")
    make_mentee(app, "tom@example.com", "Tom")
    priya, tom = signed_in(app, "priya@example.com"), signed_in(app, "tom@example.com")
    assert FULL in text(priya.get(f"/people/{mentor}"))
    page = flashed(post(priya, f"/availability/waiting-list/{mentor}/join", follow_redirects=True))
    assert "You are number 1 on the waiting list" in page
    post(priya, f"/availability/waiting-list/{mentor}/join")  # twice is once
    post(tom, f"/availability/waiting-list/{mentor}/join")
    assert "You are number 2 on the waiting list" in text(tom.get(f"/people/{mentor}"))
    assert waiting(app, mentor) == [("priya@example.com", False), ("tom@example.com", False)]
    post(priya, f"/availability/waiting-list/{mentor}/leave")
    assert "You are number 1 on the waiting list" in text(tom.get(f"/people/{mentor}"))
    assert FULL in text(priya.get(f"/people/{mentor}"))


def test_no_waiting_list_for_a_mentor_with_a_free_place_and_every_post_needs_the_token(app):
    mentor = make_mentor(app, "marcus@example.com", "Marcus", capacity=2)
    make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    assert FULL not in text(priya.get(f"/people/{mentor}"))
    page = flashed(post(priya, f"/availability/waiting-list/{mentor}/join", follow_redirects=True))
    assert "Marcus has a free place: ask them now." in page
    assert priya.post(f"/availability/waiting-list/{mentor}/join").status_code == 400
    assert waiting(app, mentor) == []


def test_a_blocked_or_ineligible_mentee_cannot_join(app):
    mentor, _ = full_mentor(app)
    blocked = make_mentee(app, "priya@example.com", "Priya")
    with app.app_context():
        db.session.add(Block(blocker_id=mentor, blocked_id=blocked))
        teen = make_user(email="teen@example.com", display_name="Teen", is_mentee=True, age=16)
        from mentorapp.models import MenteeProfile

        db.session.add(MenteeProfile(user_id=teen.id, about="Learning."))
        db.session.commit()
    for email in ("priya@example.com", "teen@example.com"):
        client = signed_in(app, email)
        page = flashed(
            post(client, f"/availability/waiting-list/{mentor}/join", follow_redirects=True)
        )
        assert "You are number" not in page, email
    assert waiting(app, mentor) == []


def test_a_freed_place_tells_the_first_who_has_three_days_then_the_next(app):
    mentor, [running] = full_mentor(app)
    for name in ("priya", "tom"):
        make_mentee(app, f"{name}@example.com", name.title())
        post(signed_in(app, f"{name}@example.com"), f"/availability/waiting-list/{mentor}/join")
    end_running(app, running)
    assert waiting(app, mentor) == [("priya@example.com", True), ("tom@example.com", False)]
    assert len(told(app, "priya@example.com")) == 1 and told(app, "tom@example.com") == []
    with app.app_context():
        assert db.session.query(OutboundEmail).filter_by(recipient="priya@example.com").count() == 1
    offered = text(signed_in(app, "priya@example.com").get(f"/people/{mentor}"))
    assert "Ask for an apprenticeship" in offered and FULL not in offered
    with app.app_context():
        assert pass_lapsed_offers(utcnow() + timedelta(days=2)) == 0
        assert pass_lapsed_offers(utcnow() + timedelta(days=3, minutes=1)) == 1
        db.session.commit()
    assert waiting(app, mentor) == [("tom@example.com", True)]
    assert len(told(app, "tom@example.com")) == 1


def test_asking_keeps_the_place_held_until_the_answer_and_a_decline_tells_the_next(app):
    mentor, [running] = full_mentor(app)
    for name in ("priya", "tom"):
        make_mentee(app, f"{name}@example.com", name.title())
        post(signed_in(app, f"{name}@example.com"), f"/availability/waiting-list/{mentor}/join")
    end_running(app, running)
    priya = signed_in(app, "priya@example.com")
    assert post(priya, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE}).status_code == 302
    # Priya's place stays held while her request waits; Tom is first in line now.
    assert waiting(app, mentor) == [("priya@example.com", True), ("tom@example.com", False)]
    assert "You are number 1 on the waiting list" in text(
        signed_in(app, "tom@example.com").get(f"/people/{mentor}")
    )
    with app.app_context():
        request_id = db.session.scalar(
            db.select(apprenticeships.Apprenticeship.id).where(
                apprenticeships.Apprenticeship.state == "requested"
            )
        )
        apprenticeships.decline(db.session.get(User, mentor), request_id, "no_time")
        db.session.commit()
    assert state_of(app, request_id) == "declined"
    assert waiting(app, mentor) == [("tom@example.com", True)]


def test_two_places_freeing_at_once_tell_two_people_never_one_twice(app):
    mentor, running = full_mentor(app, capacity=2)
    for name in ("priya", "tom", "ana"):
        make_mentee(app, f"{name}@example.com", name.title())
        post(signed_in(app, f"{name}@example.com"), f"/availability/waiting-list/{mentor}/join")
    for apprenticeship_id in running:
        end_running(app, apprenticeship_id)
    with app.app_context():
        assert update_offers(mentor) == 0  # a late second run tells nobody more
        db.session.commit()
    assert waiting(app, mentor) == [
        ("priya@example.com", True),
        ("tom@example.com", True),
        ("ana@example.com", False),
    ]
    assert len(told(app, "priya@example.com")) == 1 and len(told(app, "tom@example.com")) == 1


def test_raising_capacity_and_the_end_of_a_pause_tell_the_list(app):
    mentor, _ = full_mentor(app)
    make_mentee(app, "priya@example.com", "Priya")
    post(signed_in(app, "priya@example.com"), f"/availability/waiting-list/{mentor}/join")
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        profile.capacity = 2
        apprenticeships.after_mentor_settings_change(db.session.get(User, mentor))
        db.session.commit()
    assert waiting(app, mentor) == [("priya@example.com", True)]


def test_the_dashboard_lists_ones_own_waiting_lists_with_the_number_and_an_offer(app):
    mentor, running = full_mentor(app)
    other = make_mentor(app, "lena@example.com", "Lena", capacity=1)
    busy = make_mentee(app, "busy-lena@example.com", "Busy Too")
    make_apprenticeship(app, other, busy, state="accepted")
    make_mentee(app, "priya@example.com", "Priya")
    make_mentee(app, "tom@example.com", "Tom")
    priya, tom = signed_in(app, "priya@example.com"), signed_in(app, "tom@example.com")
    post(tom, f"/availability/waiting-list/{mentor}/join")
    post(priya, f"/availability/waiting-list/{mentor}/join")
    post(priya, f"/availability/waiting-list/{other}/join")
    page = text(priya.get("/dashboard"))
    assert "Waiting lists you are on" in page
    assert "Marcus" in page and "You are number 2." in page
    assert "Lena" in page and "You are number 1." in page
    # Tom's dashboard shows his one list, never who else waits.
    page = text(tom.get("/dashboard"))
    assert "You are number 1." in page and "Lena" not in page and "Priya" not in page

    end_running(app, running[0])  # a place frees: Tom is offered it
    page = text(tom.get("/dashboard"))
    assert "A place is free for you" in page and "Ask Marcus" in page
    # Tom, offered the place, is still first in line until he asks.
    page = text(priya.get("/dashboard"))
    assert re.search(r"Marcus</a>\s*<span[^>]*>You are number 2\.", page)
    assert re.search(r"Lena</a>\s*<span[^>]*>You are number 1\.", page)

    # Leaving from the dashboard comes back to it.
    response = post(priya, f"/availability/waiting-list/{other}/leave", data={"next": "/dashboard"})
    assert response.headers["Location"].endswith("/dashboard")
    assert waiting(app, other) == []
    page = text(priya.get("/dashboard"))
    assert "Lena" not in page and "Marcus" in page
    # A "next" off the site goes to the mentor's page instead.
    post(priya, f"/availability/waiting-list/{other}/join")
    response = post(
        priya, f"/availability/waiting-list/{other}/leave", data={"next": "//evil.example"}
    )
    assert response.headers["Location"].endswith(f"/people/{other}")


def test_a_mentee_on_no_list_and_a_mentor_see_no_waiting_section(app):
    full_mentor(app)
    make_mentee(app, "priya@example.com", "Priya")
    assert "Waiting lists you are on" not in text(
        signed_in(app, "priya@example.com").get("/dashboard")
    )
    assert "Waiting lists you are on" not in text(
        signed_in(app, "marcus@example.com").get("/dashboard")
    )
