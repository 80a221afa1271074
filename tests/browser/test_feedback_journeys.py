"""Feedback in a real browser: the mentor completes an apprenticeship, the apprentice is
asked from the inbox and leaves a rating and a testimonial (first forgetting the rating),
the mentor shows the testimonial, and it appears on the mentor's public page; the admin
reads the ratings. With the keyboard only, then the same steps without JavaScript, and
the pages on a phone. Every page is checked with axe."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from mentorapp.extensions import db
from mentorapp.models import State
from tests.browser.conftest import PHONE, navigate, visit
from tests.browser.test_account_journeys import (
    assert_focus_visible,
    assert_no_horizontal_scroll,
    flashes,
    heading,
)
from tests.browser.test_apprenticeship_journeys import (
    press,
    region,
    sign_in,
    state_label,
    type_into,
)
from tests.factories import make_user
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    set_state,
)

MENTOR = ("mira@example.com", "Mira Okafor")
MENTEE = ("priya@example.com", "Priya Raman")
TESTIMONIAL = "Mira showed me how to run a session, and told me plainly what to fix."
PRIVATE = "Sessions started late now and then; nothing serious."


@pytest.fixture
def running(app) -> dict:
    """Mira and Priya, working together; an admin, Ada. Nobody signed in."""
    mira = make_mentor(app, *MENTOR)
    priya = make_mentee(app, *MENTEE)
    with app.app_context():
        make_user(email="ada@example.com", display_name="Ada", is_admin=True, is_mentee=False)
        db.session.commit()
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    return {"a": a, "mira": mira, "priya": priya}


def this_month() -> str:
    return f"{datetime.now(UTC):%B %Y}"


def test_feedback_with_a_testimonial_from_completion_to_the_profile_by_keyboard(open_page, running):
    mentor, mentee = open_page(), open_page()
    workspace = f"/apprenticeships/{running['a']}"

    # Mira completes the apprenticeship; the page asks for her feedback at once.
    sign_in(mentor, MENTOR[0])
    visit(mentor, workspace)
    press(mentor, region(mentor, "Finishing").get_by_role("button", name="Mark as completed"))
    expect(state_label(mentor)).to_have_text("Completed")
    feedback = region(mentor, "Feedback")
    expect(feedback).to_contain_text(f"Would you recommend {MENTEE[1]}?")
    expect(feedback.get_by_role("link", name="Give your feedback")).to_be_visible()

    # Priya finds the question in her inbox and opens the form from the apprenticeship.
    sign_in(mentee, MENTEE[0])
    visit(mentee, "/notifications")
    ask = mentee.get_by_role(
        "button", name=re.compile(rf"^Unread: Your apprenticeship with {MENTOR[1]} is over\.")
    )
    press(mentee, ask)
    expect(mentee).to_have_url(re.compile(rf"{workspace}$"))
    give = region(mentee, "Feedback").get_by_role("link", name="Give your feedback")
    press(mentee, give)
    expect(heading(mentee)).to_have_text(f"Your apprenticeship with {MENTOR[1]}")

    # She writes first and forgets the rating: told by the field, her words kept.
    type_into(mentee.get_by_role("textbox", name=re.compile("^Anything the admins")), PRIVATE)
    type_into(mentee.get_by_role("textbox", name=re.compile("^A testimonial")), TESTIMONIAL)
    press(mentee, mentee.get_by_role("button", name="Send my feedback"), status=422)
    rating = mentee.get_by_role("group", name="Would you recommend them?")
    expect(rating).to_contain_text("Choose how much you would recommend them, from 1 to 5.")
    expect(mentee.get_by_role("textbox", name=re.compile("^A testimonial"))).to_have_value(
        TESTIMONIAL
    )
    expect(mentee.get_by_role("textbox", name=re.compile("^Anything the admins"))).to_have_value(
        PRIVATE
    )
    five = rating.get_by_role("radio", name="5: Yes, without hesitation")
    five.focus()
    mentee.keyboard.press("Space")
    expect(five).to_be_checked()
    assert_focus_visible(five)
    expect(
        mentee.get_by_role("checkbox", name=re.compile("^Sign it with my first name"))
    ).to_be_checked()
    press(mentee, mentee.get_by_role("button", name="Send my feedback"))
    expect(flashes(mentee)).to_contain_text("Thank you. Your feedback is saved")
    expect(mentee).to_have_url(re.compile(r"#feedback$"))
    expect(region(mentee, "Feedback")).to_contain_text("You gave your feedback on")

    # Mira reads the testimonial (not the rating, not the private words) and shows it.
    visit(mentor, workspace)
    feedback = region(mentor, "Feedback")
    expect(feedback.locator("blockquote")).to_have_text(TESTIMONIAL)
    expect(mentor.get_by_role("main")).not_to_contain_text(PRIVATE)
    expect(feedback).to_contain_text("Only you see it until you choose to show it")
    press(mentor, feedback.get_by_role("button", name="Show it on my profile"))
    expect(flashes(mentor)).to_contain_text("Your profile shows this testimonial now.")
    expect(region(mentor, "Feedback")).to_contain_text("Your public profile shows it.")

    # Anyone reads it on Mira's public page, signed with Priya's first name.
    visitor = open_page()
    visit(visitor, f"/people/{running['mira']}")
    record = region(visitor, "Apprenticeships and testimonials")
    expect(record).to_contain_text("1 apprenticeship completed on mentorapp.")
    expect(record.locator("blockquote")).to_have_text(TESTIMONIAL)
    expect(record).to_contain_text(f"Priya, {this_month()}")
    expect(visitor.get_by_role("main")).not_to_contain_text(PRIVATE)

    # The admin reads the rating and the private words.
    admin = open_page()
    sign_in(admin, "ada@example.com")
    visit(admin, "/admin")
    press(admin, admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Feedback"))
    expect(heading(admin)).to_have_text("Feedback on mentors")
    row = admin.get_by_role("row").filter(has_text=MENTOR[1])
    expect(row).to_contain_text("5 (mean 5.0)")
    press(admin, row.get_by_role("link", name=MENTOR[1]))
    expect(admin.get_by_role("main")).to_contain_text(PRIVATE)
    expect(admin.get_by_role("main")).to_contain_text("5 of 5")


def test_feedback_without_javascript(open_page, running):
    mentor, mentee, visitor = (open_page(javascript=False) for _ in range(3))
    workspace = f"/apprenticeships/{running['a']}"
    sign_in(mentor, MENTOR[0])
    visit(mentor, workspace)
    navigate(mentor, mentor.get_by_role("button", name="Mark as completed").click, status=200)
    expect(state_label(mentor)).to_have_text("Completed")

    sign_in(mentee, MENTEE[0])
    visit(mentee, workspace)
    navigate(mentee, mentee.get_by_role("link", name="Give your feedback").click, status=200)
    mentee.get_by_role("radio", name="4: Yes").check()
    mentee.get_by_role("textbox", name=re.compile("^A testimonial")).fill(TESTIMONIAL)
    mentee.get_by_role("checkbox", name=re.compile("^Sign it with my first name")).uncheck()
    navigate(mentee, mentee.get_by_role("button", name="Send my feedback").click, status=200)
    expect(flashes(mentee)).to_contain_text("Thank you. Your feedback is saved")

    # The mentor's own feedback, with nothing but the rating.
    navigate(mentor, mentor.get_by_role("link", name="Give your feedback").click, status=200)
    expect(mentor.get_by_role("textbox", name=re.compile("^A testimonial"))).to_have_count(0)
    navigate(mentor, mentor.get_by_role("button", name="Send my feedback").click, status=422)
    expect(mentor.get_by_role("group", name="Would you recommend them?")).to_contain_text(
        "Choose how much you would recommend them"
    )
    mentor.get_by_role("radio", name="5: Yes, without hesitation").check()
    navigate(mentor, mentor.get_by_role("button", name="Send my feedback").click, status=200)
    expect(flashes(mentor)).to_contain_text("Thank you. Your feedback is saved.")
    navigate(mentor, mentor.get_by_role("button", name="Show it on my profile").click, status=200)
    expect(flashes(mentor)).to_contain_text("Your profile shows this testimonial now.")

    visit(visitor, f"/people/{running['mira']}")
    record = region(visitor, "Apprenticeships and testimonials")
    expect(record.locator("blockquote")).to_have_text(TESTIMONIAL)
    expect(record).to_contain_text(f"A former apprentice, {this_month()}")


def test_the_feedback_pages_fit_a_phone(open_page, running, app):
    from tests.functional.feedback_builders import rated_mentor

    rated_mentor(app, "low@example.com", "Lou Low-Rated With A Long Name", [2, 1, 2])
    set_state(app, running["a"], State.COMPLETED)
    mentee, admin = open_page(viewport=PHONE), open_page(viewport=PHONE)
    sign_in(mentee, MENTEE[0])
    for url in (f"/apprenticeships/{running['a']}", f"/apprenticeships/{running['a']}/feedback"):
        visit(mentee, url)
        assert_no_horizontal_scroll(mentee)
    sign_in(admin, "ada@example.com")
    visit(admin, "/admin/feedback")
    expect(admin.get_by_role("main")).to_contain_text("low recent ratings")
    assert_no_horizontal_scroll(admin)
    visit(admin, f"/people/{running['mira']}")
    assert_no_horizontal_scroll(admin)
