"""Asking for an apprenticeship: the open-request limit, who can be asked, what a message
must be, the kind answers sent for a mentor who fills up or stops taking apprentices, and
what suggestions leave out once a pair has met."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorapp.apprenticeships.services import OPEN_REQUEST_LIMIT, remind_and_expire
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MentorProfile, State, User
from mentorapp.models.types import utcnow
from tests.conftest import csrf_token
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    apprentices_of,
    apprenticeship_count,
    email_subjects,
    flashed,
    load,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    notes_for,
    post,
    signed_in,
    state_of,
)
from tests.functional.test_apprenticeship_journey import pair  # noqa: F401  (a fixture)
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url
from tests.functional.test_suggestions import build_mentor, names_in_order
from tests.helpers import text

LIMIT_MESSAGE = "You have 5 requests waiting for an answer, the most at once."
KIND_WORDS = "This says nothing about you; other mentors in your suggestions may be free."


def ask(client, mentor: int, message: str = REQUEST_MESSAGE):
    return post(client, f"/people/{mentor}/ask", {"message": message})


def open_requests(app, mentee: int) -> int:
    return apprenticeship_count(
        app, Apprenticeship.mentee_id == mentee, Apprenticeship.state == State.REQUESTED
    )


def the_request(app, mentor: int, mentee: int) -> Apprenticeship:
    with app.app_context():
        from sqlalchemy import select

        found = db.session.scalars(
            select(Apprenticeship)
            .where(Apprenticeship.mentor_id == mentor, Apprenticeship.mentee_id == mentee)
            .order_by(Apprenticeship.id.desc())
        ).first()
        db.session.expunge(found)
        return found


# The open-request limit


@pytest.fixture
def mentors(app):
    return [make_mentor(app, f"m{n}@example.com", f"Mentor {n}") for n in range(7)]


def _free_a_slot(app, how: str, mentor: int, mentee: int) -> None:
    a = the_request(app, mentor, mentee).id
    if how == "withdrawn":
        post(signed_in(app, "priya@example.com"), f"/apprenticeships/{a}/withdraw")
    elif how in ("declined", "accepted"):
        mentor_client = signed_in(app, "m0@example.com")
        if how == "declined":
            post(mentor_client, f"/apprenticeships/{a}/decline", {"reason": "level"})
        else:
            post(mentor_client, f"/apprenticeships/{a}/accept")
    else:  # expired: two weeks without an answer, for this request only
        with app.app_context():
            request = db.session.get(Apprenticeship, a)
            request.expires_at = utcnow() - timedelta(minutes=1)
            assert remind_and_expire(now=utcnow()) == (0, 1)
            db.session.commit()
    assert state_of(app, a) == how


@pytest.mark.parametrize("how", ["withdrawn", "declined", "expired", "accepted"])
def test_a_sixth_open_request_waits_until_one_is_answered(app, mentors, how):
    mentee = make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    for n, mentor in enumerate(mentors[:OPEN_REQUEST_LIMIT]):
        assert f"You have {n} of 5 open requests." in text(priya.get(f"/people/{mentor}/ask"))
        assert ask(priya, mentor).status_code == 302
    assert open_requests(app, mentee) == 5
    assert "5 of 5 open requests used" in text(priya.get("/apprenticeships"))

    typed = "Sixth try: I would love to learn sound design for games from you."
    refused = ask(priya, mentors[5], typed)
    assert refused.status_code == 422
    assert LIMIT_MESSAGE in text(refused) and "Withdraw one, or wait for an answer" in text(refused)
    assert typed in text(refused)
    assert apprenticeship_count(app) == 5
    assert notes_for(app, mentors[5]) == []

    _free_a_slot(app, how, mentors[0], mentee)
    assert open_requests(app, mentee) == 4
    assert ask(priya, mentors[5], typed).status_code == 302
    assert load(app, the_request(app, mentors[5], mentee).id).message == typed
    assert LIMIT_MESSAGE in text(ask(priya, mentors[6]))
    assert open_requests(app, mentee) == 5


def test_invitations_do_not_count_towards_the_limit(app, mentors):
    mentee = make_mentee(app, "priya@example.com", "Priya")
    for mentor in mentors[:5]:
        make_apprenticeship(app, mentor, mentee, requested_by="mentor")
    priya = signed_in(app, "priya@example.com")
    assert ask(priya, mentors[5]).status_code == 302
    assert open_requests(app, mentee) == 6


# Asking twice, asking the wrong person


def test_a_pair_with_an_open_request_is_sent_to_it(app, mentors):
    mentee = make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    ask(priya, mentors[0])
    a = the_request(app, mentors[0], mentee).id
    for again in (
        lambda: priya.get(f"/people/{mentors[0]}/ask"),
        lambda: ask(priya, mentors[0], "Asking again, in case you missed the first one."),
    ):
        response = again()
        assert response.status_code == 302
        assert response.headers["Location"] == f"/apprenticeships/{a}"
        page = flashed(priya.get(response.headers["Location"]))
        assert "You already asked; your request is waiting for an answer." in page
    assert apprenticeship_count(app) == 1
    assert load(app, a).message == REQUEST_MESSAGE

    post(signed_in(app, "m0@example.com"), f"/apprenticeships/{a}/accept")
    again = priya.get(f"/people/{mentors[0]}/ask")
    assert again.headers["Location"] == f"/apprenticeships/{a}"
    assert "You are already working together." in flashed(priya.get(f"/apprenticeships/{a}"))
    assert apprenticeship_count(app) == 1


def _suspend(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).suspended_at = utcnow()
        db.session.commit()


def _fill(app, user_id: int, **values) -> None:
    with app.app_context():
        profile = db.session.get(MentorProfile, user_id)
        for name, value in values.items():
            setattr(profile, name, value)
        db.session.commit()


def test_a_mentor_who_is_not_accepting_or_is_full_is_not_asked(app):
    resting = make_mentor(app, "rest@example.com", "Rosa", accepting=False)
    full = make_mentor(app, "full@example.com", "Fela", capacity=1)
    make_mentee(app, "priya@example.com", "Priya")
    taken = make_mentee(app, "tom@example.com", "Tom")
    make_apprenticeship(app, full, taken, state=State.ACCEPTED)
    priya = signed_in(app, "priya@example.com")
    assert "Rosa is not taking new apprentices right now." in text(priya.get(f"/people/{resting}"))
    assert "every place is taken" in text(priya.get(f"/people/{full}"))
    for mentor, message in [
        (resting, "Rosa is not taking new apprentices for now."),
        (full, "Every place with Fela is taken for now."),
    ]:
        form_page = priya.get(f"/people/{mentor}/ask", follow_redirects=True)
        assert form_page.request.path == f"/people/{mentor}"  # told before writing
        assert message in text(form_page)
        response = ask(priya, mentor)  # a form opened earlier, sent now
        assert response.status_code == 422
        assert message in text(response)
        assert REQUEST_MESSAGE in text(response)
    assert apprenticeship_count(app) == 1
    assert notes_for(app, resting) == notes_for(app, full) == []


def test_a_suspended_mentor_a_non_mentor_and_oneself_cannot_be_asked(app):
    gone = make_mentor(app, "gone@example.com", "Gus")
    _suspend(app, gone)
    not_a_mentor = make_mentee(app, "nina@example.com", "Nina")
    both = make_mentee(app, "eve@example.com", "Eve", also_mentor=True)
    with app.app_context():
        db.session.add(MentorProfile(user_id=both, capacity=2))
        db.session.commit()
    eve = signed_in(app, "eve@example.com")
    for target in (gone, not_a_mentor, both):
        assert eve.get(f"/people/{target}/ask").status_code == 404, target
        assert ask(eve, target).status_code == 404, target
    assert eve.get(f"/people/{both}/invite").status_code == 404  # nor invite oneself
    assert apprenticeship_count(app) == 0


def test_a_mentor_only_account_or_an_unfinished_profile_cannot_ask(app):
    mentor = make_mentor(app, "mira@example.com", "Mira")
    make_mentor(app, "otto@example.com", "Otto")
    otto = signed_in(app, "otto@example.com")
    assert otto.get(f"/people/{mentor}/ask").status_code == 404
    with app.app_context():
        from tests.factories import make_user

        make_user(email="new@example.com", display_name="Newt", is_mentee=True)
        db.session.commit()
    newt = signed_in(app, "new@example.com")
    response = ask(newt, mentor)
    assert response.status_code == 422
    assert "Fill in your apprentice profile before asking a mentor." in text(response)
    assert apprenticeship_count(app) == 0


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("", "Write a short message."),
        ("   ", "Write a short message."),
        ("Teach me please", "Between 20 and 2,000 characters, please."),
        ("x" * 2001, "Between 20 and 2,000 characters, please."),
    ],
    ids=["empty", "blank", "too-short", "too-long"],
)
def test_a_message_too_short_or_too_long_is_shown_next_to_it(app, message, error):
    mentor = make_mentor(app, "mira@example.com", "Mira")
    make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    response = ask(priya, mentor, message)
    page = text(response)
    assert response.status_code == 422
    assert 'id="message-error"' in page
    assert error in page.split('id="message-error">')[1].split("</p>")[0]
    if message.strip():
        assert f"{message}</textarea>" in page  # what they typed is kept
    assert apprenticeship_count(app) == 0
    assert notes_for(app, mentor) == [] and email_subjects(app, "mira@example.com") == []


def test_html_in_a_request_is_shown_as_text(app):
    mentor = make_mentor(app, "mira@example.com", "Mira")
    make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    ask(priya, mentor, "<script>alert(1)</script><b>I want to learn mixing</b>")
    [a] = [n.apprenticeship_id for n in notes_for(app, mentor)]
    page = text(signed_in(app, "mira@example.com").get(f"/apprenticeships/{a}"))
    assert "<script>alert(1)" not in page and "<b>I want" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;I want to learn mixing" in page


# Answers nobody typed: the mentor is full, or not taking apprentices


@pytest.fixture
def waiting(app):
    """Mira (two places), with requests from Ana, Ben and Cy, and her invitation to Dee."""
    mira = make_mentor(app, "mira@example.com", "Mira", capacity=2)
    mentees = [
        make_mentee(app, f"{name.lower()}@example.com", name) for name in ("Ana", "Ben", "Cy")
    ]
    requests = [make_apprenticeship(app, mira, mentee) for mentee in mentees]
    dee = make_mentee(app, "dee@example.com", "Dee")
    invitation = make_apprenticeship(app, mira, dee, requested_by="mentor")
    return mira, mentees, requests, invitation


def _answered_kindly(app, mentee: int, a: int, reason: str, words: str) -> None:
    after = load(app, a)
    assert (after.state, after.reason) == (State.DECLINED, reason)
    [note] = notes_for(app, mentee)
    assert note.kind == "answer" and note.apprenticeship_id == a
    assert note.text.startswith(f"Mira cannot take you on for now: {words}.")
    assert note.text.endswith(KIND_WORDS)
    with app.app_context():  # the mentee also gets it by email (the "answer" kind)
        address = db.session.get(User, mentee).email
    assert email_subjects(app, address) == [note.text[:120]]


def test_accepting_the_last_free_place_answers_the_other_requests(app, waiting):
    mira, (_, _, cy), (to_ana, to_ben, to_cy), invitation = waiting
    client = signed_in(app, "mira@example.com")
    post(client, f"/apprenticeships/{to_ana}/accept")
    assert state_of(app, to_cy) == State.REQUESTED  # one place still free
    post(client, f"/apprenticeships/{to_ben}/accept")
    assert apprentices_of(app, mira) == 2
    _answered_kindly(app, cy, to_cy, "full", "every place with this mentor is taken for now")
    assert state_of(app, invitation) == State.REQUESTED  # her own invitation stays open
    page = text(signed_in(app, "cy@example.com").get(f"/apprenticeships/{to_cy}"))
    assert "Answered for Mira: every place with this mentor is taken for now." in page
    assert open_requests(app, cy) == 0  # Cy's slot is free again


def _save_week(client, mentor: int, **changes):
    data = {**MENTOR_SECTIONS["week"], **changes}
    return post(client, edit_url(mentor, "mentor", "week"), {k: v for k, v in data.items() if v})


def test_lowering_capacity_to_the_apprentices_running_answers_the_rest(app, waiting):
    mira, (_, ben, cy), (to_ana, to_ben, to_cy), invitation = waiting
    client = signed_in(app, "mira@example.com")
    post(client, f"/apprenticeships/{to_ana}/accept")
    assert _save_week(client, mira, capacity="1").status_code == 302
    for mentee, a in ((ben, to_ben), (cy, to_cy)):
        _answered_kindly(app, mentee, a, "full", "every place with this mentor is taken for now")
    assert state_of(app, to_ana) == State.ACCEPTED
    assert state_of(app, invitation) == State.REQUESTED


def test_no_longer_accepting_answers_every_waiting_request(app, waiting):
    mira, mentees, requests, invitation = waiting
    client = signed_in(app, "mira@example.com")
    assert _save_week(client, mira, accepting="").status_code == 302
    with app.app_context():
        assert db.session.get(MentorProfile, mira).accepting is False
    for mentee, a in zip(mentees, requests, strict=True):
        _answered_kindly(
            app, mentee, a, "not_accepting", "this mentor is not taking new apprentices for now"
        )
    assert state_of(app, invitation) == State.REQUESTED
    page = text(signed_in(app, "ana@example.com").get(f"/apprenticeships/{requests[0]}"))
    assert "Answered for Mira: this mentor is not taking new apprentices for now." in page


def test_saving_the_week_unchanged_answers_nothing(app, waiting):
    mira, mentees, requests, _ = waiting
    client = signed_in(app, "mira@example.com")
    assert _save_week(client, mira, capacity="2").status_code == 302
    assert [state_of(app, a) for a in requests] == [State.REQUESTED] * 3
    assert all(notes_for(app, mentee) == [] for mentee in mentees)


def test_capacity_below_the_apprentices_running_is_refused_next_to_the_field(app, waiting):
    mira, _, (to_ana, to_ben, _), _ = waiting
    client = signed_in(app, "mira@example.com")
    post(client, f"/apprenticeships/{to_ana}/accept")
    post(client, f"/apprenticeships/{to_ben}/accept")
    _fill(app, mira, capacity=3)  # room again; Cy's request was answered when she was full
    response = _save_week(client, mira, capacity="1", availability=["weekend_morning"])
    page = text(response)
    assert response.status_code == 422
    error = page.split('id="capacity-error">')[1].split("</p>")[0]
    assert "You have 2 apprentices now: choose at least 2" in error
    assert 'value="1"' in page  # what was typed is still there
    with app.app_context():
        profile = db.session.get(MentorProfile, mira)
        # Nothing half-saved: neither the capacity nor the availability changed.
        assert (profile.capacity, profile.accepting, profile.apprentice_count) == (3, True, 2)
        assert profile.availability == 0


# Suggestions leave out a mentor the mentee is already in touch with


def test_suggestions_leave_out_an_open_request_and_a_recent_decline(
    app,
    client,
    auth,
    users,
    pair,  # noqa: F811
):
    mira, priya = pair
    build_mentor(client, auth, users, "close@example.com")
    mentee = signed_in(app, "priya@example.com")
    assert set(names_in_order(text(mentee.get("/suggestions")))) == {"Close", "Mira"}
    assert ask(mentee, mira).status_code == 302
    assert names_in_order(text(mentee.get("/suggestions"))) == ["Close"]

    a = the_request(app, mira, priya).id
    post(signed_in(app, "mira@example.com"), f"/apprenticeships/{a}/decline", {"reason": "level"})
    assert state_of(app, a) == State.DECLINED
    assert names_in_order(text(mentee.get("/suggestions"))) == ["Close"]  # declined lately
    with app.app_context():
        db.session.get(Apprenticeship, a).decided_at = utcnow() - timedelta(days=91)
        db.session.commit()
    assert "Mira" in names_in_order(text(mentee.get("/suggestions")))  # long ago: back again


def test_a_withdrawn_request_puts_the_mentor_back_in_suggestions(
    app,
    pair,  # noqa: F811
):
    mira, priya = pair
    mentee = signed_in(app, "priya@example.com")
    mentor = signed_in(app, "mira@example.com")
    assert names_in_order(text(mentor.get("/suggestions/mentees"))) == ["Priya"]
    ask(mentee, mira)
    assert names_in_order(text(mentee.get("/suggestions"))) == []
    assert names_in_order(text(mentor.get("/suggestions/mentees"))) == []
    post(mentee, f"/apprenticeships/{the_request(app, mira, priya).id}/withdraw")
    assert names_in_order(text(mentee.get("/suggestions"))) == ["Mira"]
    assert names_in_order(text(mentor.get("/suggestions/mentees"))) == ["Priya"]


def test_asking_or_inviting_needs_our_csrf_token(app):
    mentor = make_mentor(app, "mira@example.com", "Mira")
    mentee = make_mentee(app, "priya@example.com", "Priya")
    priya = signed_in(app, "priya@example.com")
    mira = signed_in(app, "mira@example.com")
    foreign = csrf_token(app.test_client(), "/login")
    for client, url in ((priya, f"/people/{mentor}/ask"), (mira, f"/people/{mentee}/invite")):
        assert client.get(url).status_code == 200  # the form; nothing sent yet
        assert client.post(url, data={"message": REQUEST_MESSAGE}).status_code == 400
        forged = client.post(url, data={"message": REQUEST_MESSAGE, "csrf_token": foreign})
        assert forged.status_code == 400
    assert apprenticeship_count(app) == 0
    assert notes_for(app, mentor) == notes_for(app, mentee) == []
