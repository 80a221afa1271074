"""Who reads what of the feedback: a testimonial reaches the mentor's public page only
when the mentor shows it, and the mentor cannot change it; the ratings and private words
never reach the other side or the public; the public page counts completed
apprenticeships."""

from __future__ import annotations

import re

import pytest

from mentorapp.models import State
from tests.functional.apprenticeship_builders import (
    flashed,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    notes_for,
    post,
    set_state,
    signed_in,
)
from tests.functional.feedback_builders import give, one_feedback
from tests.helpers import emails_to, text

MIRA, PRIYA = "mira@example.com", "priya@example.com"
TESTIMONIAL = "Mira taught me to listen before touching a fader."
MENTEE_SECRET = "PRIVATE-FROM-PRIYA late to every session"
MENTOR_SECRET = "PRIVATE-FROM-MIRA never practised"


@pytest.fixture
def over(app):
    """Mira and Priya, their apprenticeship completed through the app; both signed in."""
    mira = make_mentor(app, MIRA, "Mira Okafor")
    priya = make_mentee(app, PRIYA, "Priya Raman")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    mentor, mentee = signed_in(app, MIRA), signed_in(app, PRIYA)
    assert post(mentor, f"/apprenticeships/{a}/complete").status_code == 302
    return {"a": a, "mira": mira, "priya": priya, "mentor": mentor, "mentee": mentee}


def button_feedback_id(page: str) -> int:
    found = re.search(r'action="/testimonials/(\d+)/(?:show|hide)"', page)
    assert found, "no show or hide button for a testimonial"
    return int(found.group(1))


def public_page(app, mentor_id: int) -> str:
    response = app.test_client().get(f"/people/{mentor_id}")
    assert response.status_code == 200
    return text(response)


def test_a_testimonial_shows_only_once_the_mentor_chooses(app, over):
    a, mira = over["a"], over["mira"]
    give(over["mentee"], a, rating="5", testimonial=TESTIMONIAL)
    assert TESTIMONIAL not in public_page(app, mira)

    workspace = text(over["mentor"].get(f"/apprenticeships/{a}"))
    assert TESTIMONIAL in workspace
    assert "Only you see it until you choose to show it on your profile." in workspace
    shown = post(over["mentor"], f"/testimonials/{button_feedback_id(workspace)}/show")
    assert shown.headers["Location"] == f"/apprenticeships/{a}#feedback"
    assert "Your profile shows this testimonial now." in flashed(
        over["mentor"].get(f"/apprenticeships/{a}")
    )

    page = public_page(app, mira)
    assert TESTIMONIAL in page
    section = page.split('id="testimonials-heading"')[1].split("</section>")[0]
    assert (
        "Priya," in section
        and one_feedback(app, a, "mentee").created_at.strftime("%B %Y") in section
    )
    assert "Raman" not in section  # the first name only

    post(over["mentor"], f"/testimonials/{button_feedback_id(workspace)}/hide")
    assert TESTIMONIAL not in public_page(app, mira)
    assert one_feedback(app, a, "mentee").testimonial == TESTIMONIAL


def test_an_unsigned_testimonial_says_a_former_apprentice(app, over):
    a = over["a"]
    post(
        over["mentee"],
        f"/apprenticeships/{a}/feedback",
        {"rating": "4", "testimonial": TESTIMONIAL},  # "sign with my first name" unticked
    )
    fid = button_feedback_id(text(over["mentor"].get(f"/apprenticeships/{a}")))
    post(over["mentor"], f"/testimonials/{fid}/show")
    section = public_page(app, over["mira"]).split('id="testimonials-heading"')[1]
    assert "A former apprentice," in section.split("</section>")[0]
    assert "Priya" not in section.split("</section>")[0]


def test_only_the_mentor_shows_or_hides_a_testimonial(app, over):
    a = over["a"]
    give(over["mentee"], a, rating="5", testimonial=TESTIMONIAL)
    fid = one_feedback(app, a, "mentee").id
    other_mentor = make_mentor(app, "sam@example.com", "Sam")
    make_apprenticeship(app, other_mentor, over["priya"], state=State.COMPLETED)
    for client in (over["mentee"], signed_in(app, "sam@example.com")):
        assert post(client, f"/testimonials/{fid}/show").status_code == 404
    assert app.test_client().post(f"/testimonials/{fid}/show").status_code in (302, 400)
    assert over["mentor"].get(f"/testimonials/{fid}/show").status_code == 405
    assert over["mentor"].post(f"/testimonials/{fid}/show").status_code == 400  # no CSRF
    assert post(over["mentor"], f"/testimonials/{fid}/publish").status_code == 404
    for bad in ("0", "-1", str(2**31), str(2**63)):
        assert post(over["mentor"], f"/testimonials/{bad}/show").status_code == 404
    assert one_feedback(app, a, "mentee").testimonial_shown is False


def test_a_mentor_cannot_show_the_mentors_own_feedback_or_an_empty_one(app, over):
    a = over["a"]
    give(over["mentor"], a, rating="5", private_words=MENTOR_SECRET)
    give(over["mentee"], a, rating="5")  # no testimonial
    for side in ("mentor", "mentee"):
        fid = one_feedback(app, a, side).id
        assert post(over["mentor"], f"/testimonials/{fid}/show").status_code == 404
    assert MENTOR_SECRET not in public_page(app, over["mira"])


def test_the_mentor_cannot_change_a_testimonial(app, over):
    a = over["a"]
    give(over["mentee"], a, rating="5", testimonial=TESTIMONIAL)
    # The mentor's own form carries no testimonial; typing one in changes only nothing.
    give(over["mentor"], a, rating="2", testimonial="Edited by the mentor: a genius.")
    assert one_feedback(app, a, "mentee").testimonial == TESTIMONIAL
    assert one_feedback(app, a, "mentor").testimonial == ""
    # Nor does the apprentice's form open to the mentor.
    page = text(over["mentor"].get(f"/apprenticeships/{a}/feedback"))
    assert TESTIMONIAL not in page


def test_ratings_and_private_words_never_reach_the_other_side_or_the_public(app, over):
    a, mira, priya = over["a"], over["mira"], over["priya"]
    give(over["mentee"], a, rating="1", private_words=MENTEE_SECRET, testimonial=TESTIMONIAL)
    give(over["mentor"], a, rating="2", private_words=MENTOR_SECRET)
    fid = one_feedback(app, a, "mentee").id
    post(over["mentor"], f"/testimonials/{fid}/show")

    mentor_sees = [
        over["mentor"].get(url)
        for url in (
            f"/apprenticeships/{a}",
            f"/apprenticeships/{a}/feedback",
            "/apprenticeships",
            "/notifications",
            "/dashboard",
            f"/people/{mira}",
            f"/people/{priya}",
        )
    ]
    mentee_sees = [
        over["mentee"].get(url)
        for url in (
            f"/apprenticeships/{a}",
            f"/apprenticeships/{a}/feedback",
            "/apprenticeships",
            "/notifications",
            "/dashboard",
            f"/people/{mira}",
            f"/people/{priya}",
        )
    ]
    public = [app.test_client().get(f"/people/{who}") for who in (mira, priya)]
    for response in mentor_sees + mentee_sees + public:
        assert response.status_code == 200
    assert all(MENTEE_SECRET not in text(r) for r in mentor_sees + public)
    assert all(MENTOR_SECRET not in text(r) for r in mentee_sees + public)
    # Each author reads their own words back.
    assert MENTEE_SECRET in text(mentee_sees[1]) and MENTOR_SECRET in text(mentor_sees[1])
    # The mentor does not learn the apprentice's rating.
    mentor_workspace = text(mentor_sees[0])
    assert "1 of 5" not in mentor_workspace and "“No”" not in mentor_workspace
    # Nor do the notifications and emails carry any of it.
    for note in notes_for(app, mira) + notes_for(app, priya):
        assert MENTEE_SECRET not in note.text and MENTOR_SECRET not in note.text
    for email in emails_to(app, MIRA) + emails_to(app, PRIYA):
        assert MENTEE_SECRET not in email.body_text and MENTOR_SECRET not in email.body_text


def test_the_public_page_counts_completed_apprenticeships(app, over):
    mira = over["mira"]
    assert "1 apprenticeship completed on mentorapp." in public_page(app, mira)
    for n in range(2):
        mentee = make_mentee(app, f"m{n}@example.com", f"Mentee {n}")
        make_apprenticeship(app, mira, mentee, state=State.COMPLETED)
    ended = make_apprenticeship(
        app, mira, make_mentee(app, "e@example.com", "Ended"), state=State.ACCEPTED
    )
    set_state(app, ended, State.ENDED)  # ended early: not a completed apprenticeship
    assert "3 apprenticeships completed on mentorapp." in public_page(app, mira)
    # An apprentice's page has no such section.
    assert "testimonials-heading" not in public_page(app, over["priya"])


def test_a_new_mentor_has_none_yet(app):
    sam = make_mentor(app, "sam@example.com", "Sam")
    assert "No apprenticeship completed on mentorapp yet." in public_page(app, sam)


def test_the_mentors_public_page_costs_the_same_with_many_testimonials(app, over, count_queries):
    mira = over["mira"]
    give(over["mentee"], over["a"], rating="5", testimonial=TESTIMONIAL)
    post(over["mentor"], f"/testimonials/{one_feedback(app, over['a'], 'mentee').id}/show")
    stranger = app.test_client()
    with count_queries() as few:
        stranger.get(f"/people/{mira}")
    for n in range(6):
        email = f"t{n}@example.com"
        mentee = make_mentee(app, email, f"Tess{n} Example")
        a = make_apprenticeship(app, mira, mentee, state=State.COMPLETED)
        client = signed_in(app, email)
        give(client, a, rating="5", testimonial=f"Testimonial number {n}.")
        post(over["mentor"], f"/testimonials/{one_feedback(app, a, 'mentee').id}/show")
    with count_queries() as many:
        page = text(stranger.get(f"/people/{mira}"))
    assert page.count("Testimonial number") == 6 and "Tess3," in page
    assert len(many) == len(few), "\n".join(many)
