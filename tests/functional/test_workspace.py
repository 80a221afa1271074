"""What a pair shares while they work: the thread, goals, sessions, and the reference
at the end. Bad input is shown next to its field and saves nothing; a resent form adds
once; one apprenticeship's things are out of reach from another."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import Goal, Reference, State, ThreadMessage, WorkSession
from mentorapp.models.types import utcnow
from tests.factories import DEFAULT_PASSWORD
from tests.functional.apprenticeship_builders import (
    count,
    flashed,
    load,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    notes_for,
    post,
    set_state,
    signed_in,
    state_of,
)
from tests.helpers import text

TODAY = utcnow().date()
STARTED_DAYS_AGO = 10
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
LEARNED = "Priya learned to comp vocals, to EQ with intent and to finish a mix on time."


@pytest.fixture
def work(app):
    """Mira and Priya, ten days into an apprenticeship; each signed in on a client."""
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(
        app,
        mira,
        priya,
        state=State.ACCEPTED,
        created_at=utcnow() - timedelta(days=STARTED_DAYS_AGO),
    )
    return {
        "a": a,
        "mira": mira,
        "priya": priya,
        "mentor": signed_in(app, "mira@example.com"),
        "mentee": signed_in(app, "priya@example.com"),
    }


def rows(app, model, apprenticeship_id: int) -> list:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(model).where(model.apprenticeship_id == apprenticeship_id).order_by(model.id)
            )
        )
        db.session.expunge_all()
        return found


def error_of(page: str, field: str) -> str:
    found = re.search(
        rf'id="{field}-error">\s*<span class="visually-hidden">Error:</span>([^<]*)</p>', page
    )
    assert found, f"no error next to {field}"
    return found.group(1).strip()


def session_form(**changes) -> dict:
    return {
        "held_on": (TODAY - timedelta(days=2)).isoformat(),
        "hours": "1.5",
        "covered": "Gain staging and bus compression",
        "nonce": "s-1",
        **changes,
    }


# Bad input


BAD_INPUT = [
    ("messages", ThreadMessage, {"body": "", "nonce": "m"}, "body", "Write a message first."),
    ("messages", ThreadMessage, {"body": " \n ", "nonce": "m"}, "body", "Write a message first."),
    (
        "messages",
        ThreadMessage,
        {"body": "Typed " + "y" * 3995, "nonce": "m"},
        "body",
        "At most 4,000 characters.",
    ),
    ("goals", Goal, {"title": "", "nonce": "g"}, "title", "Name the goal or milestone."),
    ("goals", Goal, {"title": "Typed " + "g" * 195, "nonce": "g"}, "title", "At most 200"),
    (
        "sessions",
        WorkSession,
        session_form(held_on=(TODAY + timedelta(days=1)).isoformat()),
        "held_on",
        "A session is logged once it has happened.",
    ),
    (
        "sessions",
        WorkSession,
        session_form(held_on=(TODAY - timedelta(days=STARTED_DAYS_AGO + 2)).isoformat()),
        "held_on",
        "This date is before your apprenticeship started.",
    ),
    ("sessions", WorkSession, session_form(held_on=""), "held_on", "Enter the date"),
    ("sessions", WorkSession, session_form(held_on="31/02/2025"), "held_on", "Not a valid date"),
    ("sessions", WorkSession, session_form(hours="0"), "hours", "Between a quarter of an hour"),
    ("sessions", WorkSession, session_form(hours="13"), "hours", "Between a quarter of an hour"),
    ("sessions", WorkSession, session_form(hours="0.1"), "hours", "Between a quarter of an hour"),
    ("sessions", WorkSession, session_form(hours="abc"), "hours", "Enter the hours as a number"),
    ("sessions", WorkSession, session_form(hours="NaN"), "hours", "Enter the hours as a number"),
    ("sessions", WorkSession, session_form(hours="sNaN"), "hours", "Enter the hours as a number"),
    ("sessions", WorkSession, session_form(hours="-inf"), "hours", "Enter the hours as a number"),
    ("sessions", WorkSession, session_form(hours=""), "hours", "Enter how long the session"),
    ("sessions", WorkSession, session_form(covered="  "), "covered", "Say what the session"),
]


@pytest.mark.parametrize(("where", "model", "data", "field", "error"), BAD_INPUT)
@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(
    app, work, who, where, model, data, field, error
):
    response = post(work[who], f"/apprenticeships/{work['a']}/{where}", data)
    page = text(response)
    assert response.status_code == 422
    assert error in error_of(page, field)
    assert 'aria-invalid="true"' in page
    for name, value in data.items():
        if name != "nonce" and value.strip():
            assert value in page, f"{name} was not kept"
    assert rows(app, model, work["a"]) == []
    assert notes_for(app, work["mira"]) == notes_for(app, work["priya"]) == []


def test_the_first_day_before_the_start_is_still_allowed(app, work):
    started = load(app, work["a"]).created_at.date()
    day_before = (started - timedelta(days=1)).isoformat()
    response = post(
        work["mentor"], f"/apprenticeships/{work['a']}/sessions", session_form(held_on=day_before)
    )
    assert response.status_code == 302
    [logged] = rows(app, WorkSession, work["a"])
    assert logged.held_on.isoformat() == day_before and logged.minutes == 90


# Resending a form


def test_a_resent_form_adds_once(app, work):
    a, mentee = work["a"], work["mentee"]
    for _ in range(2):
        post(mentee, f"/apprenticeships/{a}/messages", {"body": "See you Tuesday", "nonce": "m-1"})
        post(mentee, f"/apprenticeships/{a}/goals", {"title": "Finish one mix", "nonce": "g-1"})
        post(mentee, f"/apprenticeships/{a}/sessions", session_form(nonce="s-1"))
    assert [m.body for m in rows(app, ThreadMessage, a)] == ["See you Tuesday"]
    assert [g.title for g in rows(app, Goal, a)] == ["Finish one mix"]
    assert len(rows(app, WorkSession, a)) == 1
    # Mira was told once about the message and once about the session.
    assert [n.kind for n in notes_for(app, work["mira"])] == ["message", "session"]

    # A new form (a new token) with the same words is a new message.
    post(mentee, f"/apprenticeships/{a}/messages", {"body": "See you Tuesday", "nonce": "m-2"})
    assert len(rows(app, ThreadMessage, a)) == 2
    page = text(work["mentor"].get(f"/apprenticeships/{a}"))
    assert page.count("See you Tuesday") == 2 and page.count("Finish one mix") == 2  # + label
    assert page.count("Gain staging and bus compression") == 1


def test_a_nonce_of_another_apprenticeship_adds_nothing_there(app, work):
    tom = make_mentee(app, "tom@example.com", "Tom")
    other = make_apprenticeship(app, work["mira"], tom, state=State.ACCEPTED)
    post(work["mentor"], f"/apprenticeships/{work['a']}/goals", {"title": "Mine", "nonce": "g-x"})
    post(work["mentor"], f"/apprenticeships/{other}/goals", {"title": "Tom's", "nonce": "g-x"})
    assert [g.title for g in rows(app, Goal, work["a"])] == ["Mine"]
    assert [g.title for g in rows(app, Goal, other)] == []


# Sessions and goals


def test_a_session_the_mentee_logs_counts_once_the_mentor_confirms_it(app, work):
    a, mentee, mentor = work["a"], work["mentee"], work["mentor"]
    post(mentee, f"/apprenticeships/{a}/sessions", session_form(hours="2.5"))
    [logged] = rows(app, WorkSession, a)
    assert logged.confirmed_at is None and logged.minutes == 150
    page = text(mentee.get(f"/apprenticeships/{a}"))
    assert "to confirm" in page and "0.0</strong> hours confirmed" in page
    assert f"/sessions/{logged.id}/confirm" not in page  # no button for the mentee

    refused = post(mentee, f"/apprenticeships/{a}/sessions/{logged.id}/confirm")
    assert "Only the mentor confirms sessions." in flashed(mentee.get(refused.headers["Location"]))
    assert rows(app, WorkSession, a)[0].confirmed_at is None

    assert f"/sessions/{logged.id}/confirm" in text(mentor.get(f"/apprenticeships/{a}"))
    confirmed = post(mentor, f"/apprenticeships/{a}/sessions/{logged.id}/confirm")
    assert "Session confirmed." in flashed(mentor.get(confirmed.headers["Location"]))
    assert rows(app, WorkSession, a)[0].confirmed_at is not None
    assert "2.5</strong> hours confirmed" in text(mentee.get(f"/apprenticeships/{a}"))

    # What the mentor logs counts at once, and nobody is asked to confirm it.
    post(mentor, f"/apprenticeships/{a}/sessions", session_form(hours="1", nonce="s-2"))
    assert all(s.confirmed_at is not None for s in rows(app, WorkSession, a))
    assert sum(s.minutes for s in rows(app, WorkSession, a)) == 210
    assert "3.5</strong> hours confirmed" in text(mentee.get(f"/apprenticeships/{a}"))
    assert [n.kind for n in notes_for(app, work["mira"])] == ["session"]
    assert notes_for(app, work["priya"]) == []


def test_goals_are_ticked_and_unticked(app, work):
    a, mentee, mentor = work["a"], work["mentee"], work["mentor"]
    post(mentor, f"/apprenticeships/{a}/goals", {"title": "Mix one song", "nonce": "g-1"})
    [goal] = rows(app, Goal, a)
    assert goal.done_at is None and goal.added_by_id == work["mira"]
    post(mentee, f"/apprenticeships/{a}/goals/{goal.id}/done")
    assert rows(app, Goal, a)[0].done_at is not None
    assert "1 of 1 reached" in text(mentor.get(f"/apprenticeships/{a}"))
    post(mentee, f"/apprenticeships/{a}/goals/{goal.id}/done")  # twice: still done
    assert rows(app, Goal, a)[0].done_at is not None
    post(mentor, f"/apprenticeships/{a}/goals/{goal.id}/open")
    assert rows(app, Goal, a)[0].done_at is None
    assert "0 of 1 reached" in text(mentee.get(f"/apprenticeships/{a}"))
    assert post(mentor, f"/apprenticeships/{a}/goals/{goal.id}/finished").status_code == 404
    assert mentor.get(f"/apprenticeships/{a}/goals/{goal.id}/done").status_code == 405


def test_goals_and_sessions_of_another_apprenticeship_are_out_of_reach(app, work):
    tom = make_mentee(app, "tom@example.com", "Tom")
    make_mentee(app, "eve@example.com", "Eve")
    other = make_apprenticeship(app, work["mira"], tom, state=State.ACCEPTED)
    tom_client = signed_in(app, "tom@example.com")
    post(tom_client, f"/apprenticeships/{other}/goals", {"title": "Tom's goal", "nonce": "t"})
    post(
        tom_client,
        f"/apprenticeships/{other}/sessions",
        session_form(held_on=TODAY.isoformat(), nonce="t"),
    )
    [goal], [session] = rows(app, Goal, other), rows(app, WorkSession, other)
    a = work["a"]

    # Mira is in both, but a goal or session belongs to one apprenticeship only.
    assert post(work["mentor"], f"/apprenticeships/{a}/goals/{goal.id}/done").status_code == 404
    wrong = post(work["mentor"], f"/apprenticeships/{a}/sessions/{session.id}/confirm")
    assert "There is no such session in this apprenticeship." in flashed(
        work["mentor"].get(wrong.headers["Location"])
    )
    # Priya is in neither of Tom's.
    for url in (
        f"/apprenticeships/{other}",
        f"/apprenticeships/{other}/goals/{goal.id}/done",
        f"/apprenticeships/{other}/sessions/{session.id}/confirm",
        f"/apprenticeships/{other}/messages",
        f"/apprenticeships/{other}/goals",
        f"/apprenticeships/{other}/sessions",
        f"/apprenticeships/{other}/reference",
    ):
        response = (
            work["mentee"].get(url)
            if url.endswith(str(other))
            else post(work["mentee"], url, {"body": "hi", "title": "x", **session_form()})
        )
        assert response.status_code == 404, url
    eve = signed_in(app, "eve@example.com")
    assert post(eve, f"/apprenticeships/{a}/messages", {"body": "hi"}).status_code == 404
    assert rows(app, Goal, other)[0].done_at is None
    assert rows(app, WorkSession, other)[0].confirmed_at is None
    assert rows(app, ThreadMessage, a) == rows(app, ThreadMessage, other) == []
    assert len(rows(app, Goal, other)) == len(rows(app, WorkSession, other)) == 1
    assert rows(app, Goal, a) == rows(app, WorkSession, a) == []


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63)])
def test_goal_session_and_reference_ids_out_of_range_are_not_found(app, work, bad_id):
    a, mentor = work["a"], work["mentor"]
    assert post(mentor, f"/apprenticeships/{a}/goals/{bad_id}/done").status_code == 404
    assert post(mentor, f"/apprenticeships/{a}/sessions/{bad_id}/confirm").status_code == 404
    assert mentor.get(f"/references/{bad_id}").status_code == 404
    assert post(work["mentee"], f"/references/{bad_id}/show").status_code == 404
    assert mentor.get(f"/apprenticeships/{bad_id}/reference").status_code == 404


def test_workspace_forms_need_our_csrf_token(app, work):
    a, mentor = work["a"], work["mentor"]
    post(mentor, f"/apprenticeships/{a}/goals", {"title": "A goal", "nonce": "g"})
    post(work["mentee"], f"/apprenticeships/{a}/sessions", session_form())
    [goal], [session] = rows(app, Goal, a), rows(app, WorkSession, a)
    for url, data in [
        (f"/apprenticeships/{a}/messages", {"body": "Hello", "nonce": "x1"}),
        (f"/apprenticeships/{a}/goals", {"title": "Another", "nonce": "x2"}),
        (f"/apprenticeships/{a}/sessions", session_form(nonce="x3")),
        (f"/apprenticeships/{a}/goals/{goal.id}/done", {}),
        (f"/apprenticeships/{a}/sessions/{session.id}/confirm", {}),
    ]:
        assert mentor.post(url, data=data).status_code == 400, url
    assert len(rows(app, ThreadMessage, a)) == 0 and len(rows(app, Goal, a)) == 1
    assert rows(app, Goal, a)[0].done_at is None
    assert rows(app, WorkSession, a)[0].confirmed_at is None


# After the end


@pytest.mark.parametrize("end", [State.COMPLETED, State.ENDED])
def test_after_the_end_the_thread_and_goals_are_closed(app, work, end):
    a, mentor, mentee = work["a"], work["mentor"], work["mentee"]
    post(mentor, f"/apprenticeships/{a}/goals", {"title": "Mix one song", "nonce": "g-1"})
    post(mentee, f"/apprenticeships/{a}/sessions", session_form())
    [goal], [session] = rows(app, Goal, a), rows(app, WorkSession, a)
    set_state(app, a, end)

    page = text(mentee.get(f"/apprenticeships/{a}"))
    assert "The conversation is closed." in page
    assert f'action="/apprenticeships/{a}/messages"' not in page
    assert f'action="/apprenticeships/{a}/goals"' not in page
    assert f'action="/apprenticeships/{a}/sessions"' not in page
    assert "Mix one song" in page  # what they did stays readable

    for client, url, data, message in [
        (
            mentee,
            f"/apprenticeships/{a}/messages",
            {"body": "One more thing", "nonce": "m-9"},
            "This conversation is closed: the apprenticeship is over.",
        ),
        (
            mentor,
            f"/apprenticeships/{a}/goals",
            {"title": "Another goal", "nonce": "g-9"},
            "Adding goals is only possible while the apprenticeship is running.",
        ),
        (
            mentee,
            f"/apprenticeships/{a}/goals/{goal.id}/done",
            {},
            "Ticking off goals is only possible while the apprenticeship is running.",
        ),
        (
            mentor,
            f"/apprenticeships/{a}/sessions",
            session_form(nonce="s-9"),
            "Logging sessions is only possible while the apprenticeship is running.",
        ),
    ]:
        response = post(client, url, data)
        assert response.status_code == 302, url
        assert message in flashed(client.get(response.headers["Location"])), url
    assert rows(app, ThreadMessage, a) == []
    assert [g.done_at for g in rows(app, Goal, a)] == [None]
    assert len(rows(app, WorkSession, a)) == 1
    assert state_of(app, a) == end

    # A session logged while it ran: confirmable after completion, not after an end.
    confirm = post(mentor, f"/apprenticeships/{a}/sessions/{session.id}/confirm")
    confirmed = rows(app, WorkSession, a)[0].confirmed_at is not None
    assert confirmed == (end == State.COMPLETED)
    if end == State.ENDED:
        assert "Sessions are confirmed while the apprenticeship runs." in flashed(
            mentor.get(confirm.headers["Location"])
        )


def test_a_request_has_a_thread_but_no_goals_or_sessions_yet(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya)
    mentee = signed_in(app, "priya@example.com")
    post(mentee, f"/apprenticeships/{a}/messages", {"body": "Any questions?", "nonce": "m"})
    assert [m.body for m in rows(app, ThreadMessage, a)] == ["Any questions?"]
    response = post(mentee, f"/apprenticeships/{a}/goals", {"title": "Goal", "nonce": "g"})
    assert "Adding goals is only possible while the apprenticeship is running." in flashed(
        mentee.get(response.headers["Location"])
    )
    assert rows(app, Goal, a) == []


# Messages


def test_html_in_a_message_is_shown_as_text(app, work):
    a = work["a"]
    post(work["mentee"], f"/apprenticeships/{a}/messages", {"body": SCRIPT, "nonce": "m"})
    post(work["mentee"], f"/apprenticeships/{a}/goals", {"title": SCRIPT, "nonce": "g"})
    post(work["mentee"], f"/apprenticeships/{a}/sessions", session_form(covered=SCRIPT))
    for page in (
        text(work["mentor"].get(f"/apprenticeships/{a}")),
        text(work["mentor"].get("/notifications")),
    ):
        assert "<script>alert" not in page
        assert ESCAPED in page


# References


@pytest.fixture
def completed(app, work):
    """The apprenticeship is completed; no reference yet."""
    post(work["mentor"], f"/apprenticeships/{work['a']}/complete")
    assert state_of(app, work["a"]) == State.COMPLETED
    return work


def write(client, a: int, learned: str = LEARNED, **extra):
    return post(
        client,
        f"/apprenticeships/{a}/reference",
        {"learned": learned, "work": "Two EP mixes.", "recommendation": "strong", **extra},
    )


def the_reference(app, a: int) -> Reference | None:
    with app.app_context():
        found = db.session.scalar(select(Reference).where(Reference.apprenticeship_id == a))
        if found is not None:
            db.session.expunge(found)
        return found


@pytest.mark.parametrize("state", [State.ACCEPTED, State.ENDED])
def test_a_reference_waits_for_a_completed_apprenticeship(app, work, state):
    a, mentor = work["a"], work["mentor"]
    set_state(app, a, state)
    for attempt in (
        lambda: mentor.get(f"/apprenticeships/{a}/reference"),
        lambda: write(mentor, a),
    ):
        response = attempt()
        assert response.status_code == 302
        assert "A reference is written once the apprenticeship is completed." in flashed(
            mentor.get(response.headers["Location"])
        )
    assert the_reference(app, a) is None


def test_only_the_mentor_writes_and_corrects_the_reference(app, completed):
    a, mentor, mentee = completed["a"], completed["mentor"], completed["mentee"]
    make_mentee(app, "eve@example.com", "Eve", also_mentor=True)
    eve = signed_in(app, "eve@example.com")
    for client in (mentee, eve):
        assert client.get(f"/apprenticeships/{a}/reference").status_code == 404
        assert (
            write(client, a, "I rewrite my own reference to say I am brilliant.").status_code == 404
        )
    assert the_reference(app, a) is None

    bad = write(mentor, a, "Kept words, too short", recommendation="glowing")
    assert bad.status_code == 422
    assert "Between 40 and 5,000 characters" in error_of(text(bad), "learned")
    assert "Choose a recommendation from the list." in error_of(text(bad), "recommendation")
    assert "Kept words, too short" in text(bad)
    assert the_reference(app, a) is None

    assert write(mentor, a).status_code == 302
    written = the_reference(app, a)
    assert (written.learned, written.recommendation, written.author_id) == (
        LEARNED,
        "strong",
        completed["mira"],
    )
    assert not written.shown_on_profile
    assert [n.kind for n in notes_for(app, completed["priya"])][-1] == "reference"

    corrected = LEARNED + " She also learned to say no to a bad take."
    write(mentor, a, corrected, recommendation="highest")
    again = the_reference(app, a)
    assert (again.id, again.learned, again.recommendation) == (written.id, corrected, "highest")
    assert [n.kind for n in notes_for(app, completed["priya"])].count("reference") == 1
    # The mentee's edit is refused, whatever she sends.
    assert write(mentee, a, "Rewritten by the apprentice herself, all praise.").status_code == 404
    assert the_reference(app, a).learned == corrected


def test_only_the_mentee_shows_or_hides_the_reference(app, client, completed):
    a, mentor, mentee = completed["a"], completed["mentor"], completed["mentee"]
    write(mentor, a)
    ref = the_reference(app, a)
    make_mentee(app, "eve@example.com", "Eve")
    eve = signed_in(app, "eve@example.com")
    profile = f"/people/{completed['priya']}"

    # Hidden: the pair may read it, nobody else.
    assert mentee.get(f"/references/{ref.id}").status_code == 200
    assert mentor.get(f"/references/{ref.id}").status_code == 200
    assert eve.get(f"/references/{ref.id}").status_code == 404
    assert client.get(f"/references/{ref.id}").status_code == 404
    assert LEARNED not in text(client.get(profile))

    for someone in (mentor, eve):
        assert post(someone, f"/references/{ref.id}/show").status_code == 404
    assert not the_reference(app, a).shown_on_profile

    shown = post(mentee, f"/references/{ref.id}/show")
    assert "Your profile shows this reference now." in flashed(
        mentee.get(shown.headers["Location"])
    )
    assert the_reference(app, a).shown_on_profile
    assert LEARNED in text(client.get(profile))
    assert client.get(f"/references/{ref.id}").status_code == 200
    assert LEARNED in text(eve.get(f"/references/{ref.id}"))

    for someone in (mentor, eve):
        assert post(someone, f"/references/{ref.id}/hide").status_code == 404
    assert the_reference(app, a).shown_on_profile

    post(mentee, f"/references/{ref.id}/hide")
    assert not the_reference(app, a).shown_on_profile
    assert LEARNED not in text(client.get(profile))
    assert client.get(f"/references/{ref.id}").status_code == 404
    assert post(mentee, f"/references/{ref.id}/publish").status_code == 404
    assert mentee.post(f"/references/{ref.id}/show").status_code == 400  # no token
    assert not the_reference(app, a).shown_on_profile


def test_html_in_a_reference_is_shown_as_text(app, client, completed):
    a = completed["a"]
    write(completed["mentor"], a, f"{LEARNED} {SCRIPT}", work=f"<b>bold</b> {SCRIPT}")
    ref = the_reference(app, a)
    post(completed["mentee"], f"/references/{ref.id}/show")
    for page in (
        text(client.get(f"/references/{ref.id}")),
        text(client.get(f"/people/{completed['priya']}")),
        text(completed["mentee"].get(f"/apprenticeships/{a}")),
    ):
        assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert ESCAPED in text(client.get(f"/references/{ref.id}"))
    assert ESCAPED in text(client.get(f"/people/{completed['priya']}"))


def test_nothing_of_the_workspace_changes_on_a_get(app, work):
    a = work["a"]
    post(work["mentee"], f"/apprenticeships/{a}/sessions", session_form())
    before = count(app, WorkSession, WorkSession.confirmed_at.is_(None))
    for url in (
        f"/apprenticeships/{a}",
        f"/apprenticeships/{a}/messages",
        f"/apprenticeships/{a}/goals",
        f"/apprenticeships/{a}/sessions",
        "/apprenticeships",
        "/notifications",
    ):
        work["mentor"].get(url)
    assert count(app, WorkSession, WorkSession.confirmed_at.is_(None)) == before == 1
    assert all(n.read_at is None for n in notes_for(app, work["mira"]))


def test_the_delete_page_says_what_goes_with_the_account(app, completed):
    mentor, mentee = completed["mentor"], completed["mentee"]
    assert write(mentor, completed["a"]).status_code == 302
    other = make_mentee(app, "ola@example.com", "Ola")
    make_apprenticeship(app, completed["mira"], other)  # a request waiting on Mira
    page = text(mentor.get("/account/delete"))
    assert "1 request waiting for an answer, which closes" in page
    assert "your name on the 1 reference you wrote: it stays with your former apprentices" in page
    assert "running apprenticeship" not in page
    assert "the 1 reference you received" in text(mentee.get("/account/delete"))


def test_a_reference_stays_with_the_apprentice_when_the_mentor_deletes_their_account(
    app, client, completed
):
    a, mentor, mentee = completed["a"], completed["mentor"], completed["mentee"]
    assert write(mentor, a).status_code == 302
    reference = the_reference(app, a).id
    assert post(mentee, f"/references/{reference}/show").status_code == 302
    ola = make_mentee(app, "ola@example.com", "Ola")
    declined = make_apprenticeship(app, completed["mira"], ola, state=State.DECLINED)
    gone = post(mentor, "/account/delete", {"password": DEFAULT_PASSWORD, "understood": "y"})
    assert gone.status_code == 302
    with app.app_context():  # nothing worth keeping went with Mira
        from mentorapp.models import Apprenticeship

        assert db.session.get(Apprenticeship, declined) is None
        assert db.session.get(Apprenticeship, a).mentor_id is None
    profile = text(client.get(f"/people/{completed['priya']}"))
    assert "References" in profile and "a former mentor" in profile
    sheet = client.get(f"/references/{reference}")
    assert sheet.status_code == 200 and LEARNED in text(sheet)
    assert "Written by a former mentor" in text(sheet)
    assert "Mira" not in text(sheet)
    workspace = mentee.get(f"/apprenticeships/{a}")
    assert workspace.status_code == 200 and "a former mentor" in text(workspace)
    listed = mentee.get("/apprenticeships")
    assert listed.status_code == 200 and "A former mentor" in text(listed)
    said = post(mentee, f"/apprenticeships/{a}/messages", {"body": "Thank you!", "nonce": "n1"})
    assert said.status_code < 500
    assert mentee.get("/dashboard").status_code == 200
