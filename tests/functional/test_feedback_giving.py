"""Feedback when an apprenticeship is over: both sides are asked, whoever ends it; each
side gives it once, a rating from 1 to 5 and optional words; bad input is shown next to
its field with the typing kept and saves nothing; only the two people can give it."""

from __future__ import annotations

import pytest

from mentorapp.models import Feedback, State
from tests.conftest import csrf_token
from tests.functional.apprenticeship_builders import (
    count,
    email_subjects,
    flashed,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    notes_for,
    post,
    set_state,
    signed_in,
)
from tests.functional.feedback_builders import feedback_rows, give, one_feedback
from tests.helpers import checked_value, text

MIRA, PRIYA = "mira@example.com", "priya@example.com"


@pytest.fixture
def pair(app):
    """Mira and Priya, in a running apprenticeship; each signed in on a client."""
    mira = make_mentor(app, MIRA, "Mira Okafor")
    priya = make_mentee(app, PRIYA, "Priya Raman")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    return {
        "a": a,
        "mira": mira,
        "priya": priya,
        "mentor": signed_in(app, MIRA),
        "mentee": signed_in(app, PRIYA),
    }


@pytest.fixture
def over(app, pair):
    """The same pair, their apprenticeship completed."""
    set_state(app, pair["a"], State.COMPLETED)
    return pair


def feedback_asks(app, user_id: int) -> list[str]:
    return [n.text for n in notes_for(app, user_id) if n.kind == "feedback"]


# Asking


@pytest.mark.parametrize(
    ("who", "transition", "data"),
    [
        ("mentor", "complete", {}),
        ("mentor", "end", {"reason": "no_time"}),
        ("mentee", "end", {"reason": "moved"}),
    ],
    ids=["completed-by-the-mentor", "ended-by-the-mentor", "ended-by-the-apprentice"],
)
def test_both_sides_are_asked_when_it_is_completed_or_ended(app, pair, who, transition, data):
    a = pair["a"]
    response = post(pair[who], f"/apprenticeships/{a}/{transition}", data)
    assert response.status_code == 302

    [to_priya] = feedback_asks(app, pair["priya"])
    [to_mira] = feedback_asks(app, pair["mira"])
    assert "Would you recommend them?" in to_priya and "Mira Okafor" in to_priya
    assert "only the admins read your answer" in to_mira and "Priya Raman" in to_mira
    assert "How was your apprenticeship with Mira Okafor?" in email_subjects(app, PRIYA)
    assert "How was your apprenticeship with Priya Raman?" in email_subjects(app, MIRA)
    for client in (pair["mentor"], pair["mentee"]):
        page = text(client.get(f"/apprenticeships/{a}"))
        assert "Give your feedback" in page
        assert f'href="/apprenticeships/{a}/feedback"' in page


def test_a_person_who_muted_feedback_emails_is_asked_in_the_inbox_only(app, pair):
    post(pair["mentor"], "/account/emails", {"kinds": ["request", "answer"]})
    post(pair["mentor"], f"/apprenticeships/{pair['a']}/complete")
    assert len(feedback_asks(app, pair["mira"])) == 1
    assert not [s for s in email_subjects(app, MIRA) if s.startswith("How was")]
    assert "How was your apprenticeship with Mira Okafor?" in email_subjects(app, PRIYA)


@pytest.mark.parametrize("state", [State.REQUESTED, State.ACCEPTED, State.DECLINED])
def test_feedback_waits_until_the_apprenticeship_is_over(app, pair, state):
    a = pair["a"]
    set_state(app, a, state)
    for client in (pair["mentor"], pair["mentee"]):
        response = client.get(f"/apprenticeships/{a}/feedback")
        assert response.status_code == 302
        assert "once the apprenticeship is completed or has ended" in flashed(
            client.get(response.headers["Location"])
        )
        assert give(client, a).status_code == 302
    assert feedback_rows(app, a) == []
    assert feedback_asks(app, pair["mira"]) == feedback_asks(app, pair["priya"]) == []


def test_feedback_can_be_given_later_from_the_apprenticeships_page(app, over):
    a = over["a"]
    page = text(over["mentee"].get(f"/apprenticeships/{a}"))
    assert "Give your feedback" in page
    form = text(over["mentee"].get(f"/apprenticeships/{a}/feedback"))
    assert "Would you recommend them?" in form and "A testimonial for their profile" in form
    assert "Sign it with my first name" in form
    mentor_form = text(over["mentor"].get(f"/apprenticeships/{a}/feedback"))
    assert "Would you recommend them?" in mentor_form
    assert "testimonial" not in mentor_form  # only the apprentice writes one


# Giving, once


def test_each_side_gives_its_feedback_once(app, over):
    a = over["a"]
    response = give(
        over["mentee"],
        a,
        rating="4",
        private_words="She was late twice.\nOtherwise great.",
        testimonial="Mira taught me to hear a mix.",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/apprenticeships/{a}#feedback"
    assert "your mentor can now choose to show your testimonial" in flashed(
        over["mentee"].get(response.headers["Location"])
    )
    assert give(over["mentor"], a, rating="5", private_words="A joy.").status_code == 302

    mine, theirs = one_feedback(app, a, "mentee"), one_feedback(app, a, "mentor")
    assert (mine.rating, mine.author_id, mine.testimonial_shown) == (4, over["priya"], False)
    assert mine.private_words == "She was late twice.\nOtherwise great."
    assert mine.testimonial == "Mira taught me to hear a mix." and mine.testimonial_signed
    assert (theirs.rating, theirs.private_words, theirs.testimonial) == (5, "A joy.", "")
    assert [n.kind for n in notes_for(app, over["mira"])][-1] == "testimonial"

    page = text(over["mentee"].get(f"/apprenticeships/{a}"))
    assert "You gave your feedback on" in page and "Give your feedback" not in page
    sent = text(over["mentee"].get(f"/apprenticeships/{a}/feedback"))
    assert "4 of 5" in sent and "It cannot be changed." in sent
    assert 'name="rating"' not in sent  # no form to send it again


def test_a_double_click_saves_once(app, over):
    a = over["a"]
    first = give(over["mentee"], a, rating="3", testimonial="Patient and precise.")
    again = give(over["mentee"], a, rating="3", testimonial="Patient and precise.")
    assert first.status_code == again.status_code == 302
    assert "Thank you" in flashed(over["mentee"].get(again.headers["Location"]))
    assert len(feedback_rows(app, a)) == 1
    assert [n.kind for n in notes_for(app, over["mira"])].count("testimonial") == 1


def test_a_second_submission_changes_nothing_and_says_so(app, over):
    a = over["a"]
    give(over["mentee"], a, rating="2", private_words="Rushed sessions.")
    later = give(over["mentee"], a, rating="5", private_words="", testimonial="Brilliant!")
    assert "it stays as you sent it then" in flashed(over["mentee"].get(later.headers["Location"]))
    [kept] = feedback_rows(app, a)
    assert (kept.rating, kept.private_words, kept.testimonial) == (2, "Rushed sessions.", "")


# Bad input


@pytest.mark.parametrize("rating", ["", "0", "6", "-1", "3.5", "²", "five", "1e0", " "])
def test_the_rating_is_required_and_only_1_to_5(app, over, rating):
    a = over["a"]
    response = give(
        over["mentee"], a, rating=rating, private_words="Typed words", testimonial="Kept too"
    )
    assert response.status_code == 422
    body = text(response)
    assert 'id="rating-error"' in body
    assert "Choose how much you would recommend them, from 1 to 5." in body
    assert "Typed words</textarea>" in body and "Kept too</textarea>" in body
    assert feedback_rows(app, a) == []


@pytest.mark.parametrize("rating", ["1", "5"])
def test_the_ends_of_the_scale_are_accepted(app, over, rating):
    assert give(over["mentor"], over["a"], rating=rating).status_code == 302
    assert one_feedback(app, over["a"], "mentor").rating == int(rating)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("private_words", "x" * 2001, "At most 2,000 characters."),
        ("testimonial", "x" * 1001, "At most 1,000 characters."),
        ("private_words", "Hidden\x00byte", "no control characters"),
        ("testimonial", "Red \x1b[31malert", "no control characters"),
        ("testimonial", "Reads \u202ebackwards", "no control characters"),
        ("private_words", "A bell\x07", "no control characters"),
    ],
    ids=["private-too-long", "testimonial-too-long", "nul", "escape", "bidi", "bell"],
)
def test_long_words_and_control_characters_are_refused_by_the_field(app, over, field, value, error):
    a = over["a"]
    response = give(over["mentee"], a, rating="4", **{field: value})
    assert response.status_code == 422
    body = text(response)
    assert f'id="{field}-error"' in body and error in body
    assert checked_value(body, "rating") == "4"  # the typing is kept
    assert feedback_rows(app, a) == []


def test_line_breaks_tabs_and_any_language_are_fine(app, over):
    words = "Très bien.\r\n\tSessions à Lagos 🎛️ — 東京でも。"
    assert give(over["mentee"], over["a"], testimonial=words).status_code == 302
    assert one_feedback(app, over["a"], "mentee").testimonial == words.replace("\r\n", "\n")


def test_html_in_the_words_is_shown_as_text(app, over):
    a = over["a"]
    give(over["mentee"], a, private_words="<b>bold</b>", testimonial="<script>x()</script>")
    body = text(over["mentee"].get(f"/apprenticeships/{a}/feedback"))
    assert "<script>x()</script>" not in body and "&lt;script&gt;x()&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    mentor_page = text(over["mentor"].get(f"/apprenticeships/{a}"))
    assert "&lt;script&gt;x()&lt;/script&gt;" in mentor_page and "<script>x()" not in mentor_page


# Who may give it, and what a form may carry


def test_strangers_cannot_see_or_give_feedback(app, over):
    a = over["a"]
    make_mentee(app, "eve@example.com", "Eve", also_mentor=True)
    eve = signed_in(app, "eve@example.com")
    assert eve.get(f"/apprenticeships/{a}/feedback").status_code == 404
    assert give(eve, a).status_code == 404
    anonymous = app.test_client()
    response = anonymous.get(f"/apprenticeships/{a}/feedback")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert feedback_rows(app, a) == []


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63), "abc"])
def test_ids_out_of_range_are_not_found(app, over, bad_id):
    assert over["mentee"].get(f"/apprenticeships/{bad_id}/feedback").status_code == 404
    assert give(over["mentee"], bad_id).status_code == 404  # type: ignore[arg-type]


def test_the_feedback_form_needs_our_csrf_token(app, over):
    a, url = over["a"], f"/apprenticeships/{over['a']}/feedback"
    data = {"rating": "5", "testimonial": "Forged."}
    assert over["mentee"].post(url, data=data).status_code == 400
    foreign = csrf_token(app.test_client(), "/login")
    assert over["mentee"].post(url, data={**data, "csrf_token": foreign}).status_code == 400
    assert feedback_rows(app, a) == []


def test_extra_fields_change_nothing(app, over):
    a = over["a"]
    extra = {
        "side": "mentor",
        "author_id": str(over["mira"]),
        "apprenticeship_id": "999",
        "testimonial_shown": "1",
        "created_at": "2001-01-01",
        "id": "77",
    }
    assert (
        give(over["mentee"], a, rating="4", testimonial="Kind words.", **extra).status_code == 302
    )
    [saved] = feedback_rows(app, a)
    assert (saved.side, saved.author_id, saved.apprenticeship_id) == ("mentee", over["priya"], a)
    assert saved.testimonial_shown is False and saved.created_at.year > 2001
    # A mentor's form has no testimonial: one typed in anyway is not stored.
    assert give(over["mentor"], a, rating="3", testimonial="I am the best.").status_code == 302
    assert one_feedback(app, a, "mentor").testimonial == ""
    assert count(app, Feedback) == 2


def test_an_unsigned_testimonial_is_kept_unsigned(app, over):
    a = over["a"]
    data = {"rating": "5", "private_words": "", "testimonial": "Quietly brilliant."}
    assert post(over["mentee"], f"/apprenticeships/{a}/feedback", data).status_code == 302
    saved = one_feedback(app, a, "mentee")
    assert saved.testimonial_signed is False
