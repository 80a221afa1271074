"""Every transition, by every kind of person, from every state.

Requests (the mentee asks, the mentor answers) and invitations (the mentor asks, the
mentee answers). Allowed steps change the state and tell the other person; refused ones
change nothing and say why (a flash message), or hide the apprenticeship (404)."""

from __future__ import annotations

import pytest

from mentorapp.models import State
from tests.conftest import csrf_token
from tests.functional.apprenticeship_builders import (
    EXPIRED,
    REQUEST_MESSAGE,
    apprentices_of,
    apprenticeship_count,
    flashed,
    load,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    message_count,
    notes_for,
    notification_count,
    post,
    set_state,
    signed_in,
    state_of,
)
from tests.helpers import text

ALL_STATES = [
    State.REQUESTED,
    State.ACCEPTED,
    State.COMPLETED,
    State.DECLINED,
    State.WITHDRAWN,
    State.ENDED,
    EXPIRED,  # declined for lack of an answer
]

# What each transition sends when the person means it.
FORM = {
    "accept": {},
    "decline": {"reason": "no_time", "note": "Ask Sam, who teaches this."},
    "question": {"question": "Which DAW do you work in?"},
    "withdraw": {},
    "end": {"reason": "moved", "note": "I am moving to Lisbon."},
    "complete": {},
}

# transition: (the state it starts from, who may, the state it leads to, what they read)
RULES = {
    "accept": (State.REQUESTED, "answerer", State.ACCEPTED, "Accepted."),
    "decline": (State.REQUESTED, "answerer", State.DECLINED, "Declined. We let them know."),
    "question": (
        State.REQUESTED,
        "answerer",
        State.REQUESTED,
        "Your question is sent. The request stays open while they answer.",
    ),
    "withdraw": (State.REQUESTED, "requester", State.WITHDRAWN, "Your request is withdrawn."),
    "end": (State.ACCEPTED, "either", State.ENDED, "The apprenticeship has ended."),
    "complete": (State.ACCEPTED, "mentor", State.COMPLETED, "Completed. Well done, both of you."),
}

# The kind of notification the other person gets (answers may also come by email).
NOTICE = {
    "accept": "answer",
    "decline": "answer",
    "question": "answer",
    "withdraw": "update",
    "end": "update",
    "complete": "update",
}

WRONG_PERSON = {
    "answerer": "Only the person who was asked can answer this request.",
    "requester": "Only the person who asked can withdraw a request.",
    "mentor": "Only the mentor marks an apprenticeship completed.",
}

NO_LONGER = {
    State.REQUESTED: "This request is still waiting for an answer.",
    State.ACCEPTED: "This request was already accepted.",
    State.COMPLETED: "This apprenticeship is already completed.",
    State.DECLINED: "This request was already declined.",
    State.WITHDRAWN: "This request was withdrawn.",
    State.ENDED: "This apprenticeship has already ended.",
    EXPIRED: "This request expired without an answer.",
}


@pytest.fixture
def people(app):
    """Mira the mentor, Priya the mentee, Eve who has nothing to do with them."""
    return {
        "mentor": make_mentor(app, "mira@example.com", "Mira", capacity=3),
        "mentee": make_mentee(app, "priya@example.com", "Priya"),
        "stranger": make_mentee(app, "eve@example.com", "Eve", also_mentor=True),
    }


EMAILS = {
    "mentor": "mira@example.com",
    "mentee": "priya@example.com",
    "stranger": "eve@example.com",
}


def _positions(actor: str, requested_by: str) -> set[str]:
    """What the actor is to this apprenticeship: mentor or mentee, requester or answerer."""
    if actor not in ("mentor", "mentee"):
        return set()
    return {actor, "either", "requester" if actor == requested_by else "answerer"}


@pytest.mark.parametrize("requested_by", ["mentee", "mentor"], ids=["request", "invitation"])
@pytest.mark.parametrize("start", ALL_STATES)
@pytest.mark.parametrize("transition", list(RULES))
def test_transition_matrix(app, people, requested_by, start, transition):
    a = make_apprenticeship(
        app, people["mentor"], people["mentee"], state=start, requested_by=requested_by
    )
    clients = {actor: signed_in(app, email) for actor, email in EMAILS.items()}
    client_of = {people[actor]: clients[actor] for actor in ("mentor", "mentee")}
    clients["logged out"] = app.test_client()
    from_state, who, to_state, done = RULES[transition]
    url = f"/apprenticeships/{a}/{transition}"

    for actor, client in clients.items():
        set_state(app, a, start)
        count_before = apprentices_of(app, people["mentor"])
        notes_before = notification_count(app)
        messages_before = message_count(app, a)
        positions = _positions(actor, requested_by)

        response = post(client, url, FORM[transition])
        case = f"{transition} by the {actor} of a {requested_by}'s {start} apprenticeship"

        if actor == "logged out":
            assert response.status_code == 302, case
            assert response.headers["Location"].startswith("/login"), case
        elif actor == "stranger":
            assert response.status_code == 404, case
        else:
            assert response.status_code == 302, case
            assert response.headers["Location"] == f"/apprenticeships/{a}", case
            page = flashed(client.get(response.headers["Location"]))
            if who not in positions:
                assert WRONG_PERSON[who] in page, case
            elif start != from_state:
                assert NO_LONGER[start] in page, case
            else:
                assert done in page, case
                after = load(app, a)
                assert after.state == to_state, case
                other = people["mentee" if actor == "mentor" else "mentor"]
                # Completing or ending also asks both sides for feedback (test_feedback_*).
                asked = 2 if transition in ("end", "complete") else 0
                note = [n for n in notes_for(app, other) if n.kind != "feedback"][-1]
                assert (note.apprenticeship_id, note.kind) == (a, NOTICE[transition]), case
                assert notification_count(app) == notes_before + 1 + asked, case
                _check_effects(app, transition, after, count_before, messages_before, actor)
                _check_other_sees_it(client_of[other], after, transition)
                continue

        # Refused: nothing changed, nobody was told anything.
        assert state_of(app, a) == start, case
        assert apprentices_of(app, people["mentor"]) == count_before, case
        assert notification_count(app) == notes_before, case
        assert message_count(app, a) == messages_before, case


def _check_effects(app, transition, after, count_before, messages_before, actor) -> None:
    count_after = apprentices_of(app, after.mentor_id)
    if transition == "accept":
        assert count_after == count_before + 1
        assert after.decided_at is not None
    elif transition in ("end", "complete"):
        assert count_after == count_before - 1
        assert after.ended_at is not None
        assert after.ended_by_id == (after.mentor_id if actor == "mentor" else after.mentee_id)
        if transition == "end":
            assert (after.reason, after.reason_note) == ("moved", "I am moving to Lisbon.")
    else:
        assert count_after == count_before
    if transition == "decline":
        assert (after.reason, after.reason_note) == ("no_time", "Ask Sam, who teaches this.")
    if transition == "question":
        assert after.info_requested_at is not None
        assert message_count(app, after.id) == messages_before + 1
    else:
        assert message_count(app, after.id) == messages_before


def _check_other_sees_it(client, after, transition: str) -> None:
    """The other person's page shows the new state and what came with the step."""
    page = text(client.get(f"/apprenticeships/{after.id}"))
    assert f'<span class="state state--{after.state}">' in page
    said = {
        "decline": "Ask Sam, who teaches this.",
        "question": "Which DAW do you work in?",
        "end": "I am moving to Lisbon.",
    }.get(transition)
    if said:
        assert said in page


@pytest.mark.parametrize(
    ("transition", "start", "data", "field", "error"),
    [
        ("decline", State.REQUESTED, {"reason": "", "note": "Kind words kept"}, "reason", None),
        ("decline", State.REQUESTED, {"reason": "full", "note": "Kind words kept"}, "reason", None),
        (
            "decline",
            State.REQUESTED,
            {"reason": "x" * 40, "note": "Kind words kept"},
            "reason",
            None,
        ),
        ("end", State.ACCEPTED, {"reason": "", "note": "Kind words kept"}, "reason", None),
        ("end", State.ACCEPTED, {"reason": "goals", "note": "Kind words kept"}, "reason", None),
        (
            "decline",
            State.REQUESTED,
            {"reason": "no_time", "note": "Kind words kept" + "!" * 1000},
            "note",
            "At most 1,000 characters.",
        ),
        ("question", State.REQUESTED, {"question": "   "}, "question", "Write the question"),
    ],
    ids=[
        "decline-empty",
        "decline-auto-reason",
        "decline-unknown",
        "end-empty",
        "end-unknown",
        "decline-note-too-long",
        "question-blank",
    ],
)
def test_a_bad_reason_or_question_is_shown_next_to_the_field(
    app, people, transition, start, data, field, error
):
    a = make_apprenticeship(app, people["mentor"], people["mentee"], state=start)
    mira = signed_in(app, "mira@example.com")
    notes_before = notification_count(app)
    response = post(mira, f"/apprenticeships/{a}/{transition}", data)
    page = text(response)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    message = page.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert error or "Choose a reason" in message, message
    if error:
        assert error in message
    if "note" in data:
        assert data["note"] in page  # what they typed is still there
    assert state_of(app, a) == start
    assert notification_count(app) == notes_before
    assert message_count(app, a) == 0
    assert apprentices_of(app, people["mentor"]) == (1 if start == State.ACCEPTED else 0)


@pytest.mark.parametrize("transition", list(RULES))
def test_a_transition_without_our_csrf_token_is_refused(app, people, transition):
    start = RULES[transition][0]
    a = make_apprenticeship(app, people["mentor"], people["mentee"], state=start)
    for email in ("mira@example.com", "priya@example.com"):
        client = signed_in(app, email)
        missing = client.post(f"/apprenticeships/{a}/{transition}", data=FORM[transition])
        assert missing.status_code == 400
        assert "did not come from our site" in text(missing)
        foreign = csrf_token(app.test_client(), "/login")
        forged = client.post(
            f"/apprenticeships/{a}/{transition}",
            data={**FORM[transition], "csrf_token": foreign},
        )
        assert forged.status_code == 400
    assert state_of(app, a) == start
    assert notification_count(app) == 0 and message_count(app, a) == 0


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63), "abc"])
def test_ids_out_of_range_are_not_found(app, people, bad_id):
    a = make_apprenticeship(app, people["mentor"], people["mentee"])
    mira = signed_in(app, "mira@example.com")
    assert mira.get(f"/apprenticeships/{bad_id}").status_code == 404
    for transition in RULES:
        response = post(mira, f"/apprenticeships/{bad_id}/{transition}", FORM[transition])
        assert response.status_code == 404, transition
    assert mira.get(f"/people/{bad_id}/ask").status_code == 404
    assert mira.get(f"/people/{bad_id}/invite").status_code == 404
    assert state_of(app, a) == State.REQUESTED


def test_an_unknown_transition_or_a_get_changes_nothing(app, people):
    a = make_apprenticeship(app, people["mentor"], people["mentee"])
    mira = signed_in(app, "mira@example.com")
    assert post(mira, f"/apprenticeships/{a}/approve").status_code == 404
    for transition in RULES:
        # Withdraw and end have a page that asks once more; the rest answer only a POST.
        expected = (200, 302) if transition in ("withdraw", "end") else (405,)
        assert mira.get(f"/apprenticeships/{a}/{transition}").status_code in expected
    assert mira.get(f"/apprenticeships/{a}").status_code == 200
    assert state_of(app, a) == State.REQUESTED
    assert apprentices_of(app, people["mentor"]) == 0


def test_extra_fields_in_the_form_change_nothing_else(app, people):
    a = make_apprenticeship(app, people["mentor"], people["mentee"])
    mira = signed_in(app, "mira@example.com")
    post(
        mira,
        f"/apprenticeships/{a}/accept",
        {
            "state": "completed",
            "mentor_id": str(people["stranger"]),
            "mentee_id": str(people["stranger"]),
            "requested_by": "mentor",
            "reason": "goals_met",
        },
    )
    after = load(app, a)
    assert after.state == State.ACCEPTED
    assert (after.mentor_id, after.mentee_id, after.requested_by, after.reason) == (
        people["mentor"],
        people["mentee"],
        "mentee",
        None,
    )


def test_a_double_click_on_accept_counts_once(app, people):
    a = make_apprenticeship(app, people["mentor"], people["mentee"])
    mira = signed_in(app, "mira@example.com")
    first = post(mira, f"/apprenticeships/{a}/accept", follow_redirects=True)
    second = post(mira, f"/apprenticeships/{a}/accept", follow_redirects=True)
    assert "Accepted." in flashed(first)
    assert "This request was already accepted." in flashed(second)
    assert apprentices_of(app, people["mentor"]) == 1
    assert len(notes_for(app, people["mentee"])) == 1


def test_a_mentor_with_no_free_place_cannot_accept(app, people):
    taken = make_mentee(app, "tom@example.com", "Tom")
    make_apprenticeship(app, people["mentor"], taken, state=State.ACCEPTED)
    # Full: capacity down to the one running apprenticeship, requests still waiting.
    from mentorapp.extensions import db
    from mentorapp.models import MentorProfile

    with app.app_context():
        db.session.get(MentorProfile, people["mentor"]).capacity = 1
        db.session.commit()
    request = make_apprenticeship(app, people["mentor"], people["mentee"])
    invitation = make_apprenticeship(
        app, people["mentor"], people["stranger"], requested_by="mentor"
    )

    mira = signed_in(app, "mira@example.com")
    page = flashed(post(mira, f"/apprenticeships/{request}/accept", follow_redirects=True))
    assert "Every place you offer is taken: finish an apprenticeship or raise your capacity" in page
    eve = signed_in(app, "eve@example.com")
    page = flashed(post(eve, f"/apprenticeships/{invitation}/accept", follow_redirects=True))
    assert "Every place with Mira is taken now." in page
    assert state_of(app, request) == state_of(app, invitation) == State.REQUESTED
    assert apprentices_of(app, people["mentor"]) == 1


def test_html_typed_in_a_note_or_question_is_shown_as_text(app, people):
    a = make_apprenticeship(app, people["mentor"], people["mentee"])
    mira = signed_in(app, "mira@example.com")
    script = "<script>alert('x')</script>"
    post(mira, f"/apprenticeships/{a}/question", {"question": f"Why {script}?"})
    post(mira, f"/apprenticeships/{a}/decline", {"reason": "other", "note": f"Sorry {script}"})
    assert state_of(app, a) == State.DECLINED
    priya = signed_in(app, "priya@example.com")
    for page in (text(priya.get(f"/apprenticeships/{a}")), text(priya.get("/notifications"))):
        assert "<script>alert" not in page
    page = text(priya.get(f"/apprenticeships/{a}"))
    assert "Sorry &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Why &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;?" in page


# Invitations: a mentor asks, the mentee answers.


def test_a_mentor_invites_and_the_mentee_accepts(app, people):
    mira = signed_in(app, "mira@example.com")
    page = text(mira.get(f"/people/{people['mentee']}/invite"))
    assert "Invite Priya to an apprenticeship" in page
    response = post(mira, f"/people/{people['mentee']}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 302
    [a] = _ids(app)
    invitation = load(app, a)
    assert (invitation.requested_by, invitation.state) == ("mentor", State.REQUESTED)
    assert response.headers["Location"] == f"/apprenticeships/{a}"
    assert "Invitation sent to Priya." in flashed(mira.get(f"/apprenticeships/{a}"))
    page = text(mira.get(f"/apprenticeships/{a}"))
    assert "Withdraw the invitation" in page and "Accept" not in page

    priya = signed_in(app, "priya@example.com")
    assert [n.kind for n in notes_for(app, people["mentee"])] == ["request"]
    page = text(priya.get(f"/apprenticeships/{a}"))
    assert "Invitation from Mira" in page and "Accept the invitation" in page
    assert REQUEST_MESSAGE in page
    # Asking the mentor who already invited you leads to the invitation.
    again = priya.get(f"/people/{people['mentor']}/ask")
    assert again.headers["Location"] == f"/apprenticeships/{a}"
    assert "They already asked you: answer their request instead." in flashed(
        priya.get(again.headers["Location"])
    )
    post(priya, f"/apprenticeships/{a}/accept")
    assert state_of(app, a) == State.ACCEPTED
    assert apprentices_of(app, people["mentor"]) == 1
    assert "Priya accepted" in notes_for(app, people["mentor"])[-1].text
    assert apprenticeship_count(app) == 1


def test_only_a_mentor_invites_and_only_a_mentee_is_invited(app, people):
    other_mentor = make_mentor(app, "otto@example.com", "Otto")
    priya = signed_in(app, "priya@example.com")  # a mentee only
    assert priya.get(f"/people/{people['stranger']}/invite").status_code == 404
    assert (
        post(
            priya, f"/people/{people['stranger']}/invite", {"message": REQUEST_MESSAGE}
        ).status_code
        == 404
    )
    mira = signed_in(app, "mira@example.com")
    assert mira.get(f"/people/{other_mentor}/invite").status_code == 404  # not a mentee
    eve = signed_in(app, "eve@example.com")  # mentee and mentor, without a mentor profile
    response = post(eve, f"/people/{people['mentee']}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 422
    assert "Fill in your mentor profile before inviting an apprentice." in text(response)
    assert REQUEST_MESSAGE in text(response)
    assert apprenticeship_count(app) == 0


def test_a_full_mentor_cannot_invite(app, people):
    taken = make_mentee(app, "tom@example.com", "Tom")
    make_apprenticeship(app, people["mentor"], taken, state=State.ACCEPTED)
    from mentorapp.extensions import db
    from mentorapp.models import MentorProfile

    with app.app_context():
        db.session.get(MentorProfile, people["mentor"]).capacity = 1
        db.session.commit()
    mira = signed_in(app, "mira@example.com")
    response = post(mira, f"/people/{people['mentee']}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 422
    assert "Every place you offer is taken." in text(response)
    assert apprenticeship_count(app) == 1


def _ids(app) -> list[int]:
    from sqlalchemy import select

    from mentorapp.extensions import db
    from mentorapp.models import Apprenticeship

    with app.app_context():
        return list(db.session.scalars(select(Apprenticeship.id).order_by(Apprenticeship.id)))


def test_a_question_sent_twice_by_a_double_click_is_asked_once(app, people):
    a = make_apprenticeship(app, people["mentor"], people["mentee"])
    mira = signed_in(app, "mira@example.com")
    page = text(mira.get(f"/apprenticeships/{a}"))
    nonce = page.split('name="act" value="question"')[1].split('name="nonce"')[1]
    nonce = nonce.split('value="')[1].split('"')[0]
    for _ in range(2):
        sent = post(
            mira, f"/apprenticeships/{a}/question", {"question": "Which DAW?", "nonce": nonce}
        )
        assert sent.status_code == 302
    assert message_count(app, a) == 1
    assert [n.kind for n in notes_for(app, people["mentee"])] == ["answer"]
    # A second question, from a fresh form, is a new one.
    post(mira, f"/apprenticeships/{a}/question", {"question": "Which DAW?", "nonce": "other"})
    assert message_count(app, a) == 2
