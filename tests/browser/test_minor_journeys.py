"""A young apprentice in a real browser: signs up at 16, asks a parent for consent, the
parent consents by the emailed link, then the first request goes to a mentor who takes
apprentices under 18. With the keyboard only, and again without JavaScript. Every page
is checked with axe."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

from mentorapp.extensions import db
from mentorapp.models import MenteeProfile
from tests.browser.conftest import PHONE, navigate, visit
from tests.browser.test_account_journeys import (
    CONDUCT,
    assert_focus_visible,
    assert_no_horizontal_scroll,
    flashes,
    heading,
    unique_email,
)
from tests.browser.test_apprenticeship_journeys import MENTOR, build_person, sign_in
from tests.conftest import post_form
from tests.factories import born_years_ago
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url

PASSWORD = "bass lines after school"
ASK = "I make beats after school and want to learn to record real vocals."
PARENT = "parent.of.robin@example.com"


def mentor_for_minors(client, auth, users) -> int:
    """Mira, a mentor in London with three places, who takes apprentices under 18."""
    mentor = build_person(client, auth, users, *MENTOR, "mentor")
    auth.login(MENTOR[0])
    week = {**MENTOR_SECTIONS["week"], "takes_minors": "y"}
    assert post_form(client, edit_url(mentor, "mentor", "week"), week).status_code == 302
    auth.logout()
    return mentor


def press(page: Page, target: Locator, *, status: int | None = 200) -> None:
    """Focus a link or button, show the focus, press Enter; check what loads."""
    target.focus()
    assert_focus_visible(target)
    navigate(page, lambda: page.keyboard.press("Enter"), status=status)


def type_into(field: Locator, text: str) -> None:
    field.focus()
    field.press_sequentially(text)
    expect(field).to_have_value(text)


def tick(box: Locator) -> None:
    box.focus()
    assert_focus_visible(box)
    box.press("Space")
    expect(box).to_be_checked()


def type_date(field: Locator, day: date) -> None:
    """A date typed into the date field, month, day and year (an en-US browser)."""
    field.focus()
    field.press_sequentially(f"{day:%m%d%Y}")
    expect(field).to_have_value(day.isoformat())


def state(page: Page) -> Locator:
    return page.locator(".consent-state")


def test_a_minor_signs_up_gets_consent_and_asks_a_mentor_keyboard_only(
    open_page, client, auth, users, email_link
):
    mentor = mentor_for_minors(client, auth, users)
    kid, parent, mira = open_page(), open_page(), open_page()
    email = unique_email("robin")

    # Robin, 16, signs up.
    visit(kid, "/signup")
    kid.get_by_role("radio", name=re.compile(r"^Learn:")).focus()
    kid.keyboard.press("Space")
    type_into(kid.get_by_label("Your name", exact=True), "Robin Young")
    type_into(kid.get_by_label("Email", exact=True), email)
    type_into(kid.get_by_label("Password", exact=True), PASSWORD)
    type_date(kid.get_by_label("Date of birth", exact=True), born_years_ago(16, days=30))
    tick(kid.get_by_label(CONDUCT, exact=True))
    press(kid, kid.get_by_role("button", name="Create account"))
    expect(flashes(kid)).to_contain_text("Welcome to mentorapp, Robin Young!")

    # Onboarding: a few words about themselves make the apprentice profile.
    expect(heading(kid)).to_have_text("About you")
    type_into(kid.get_by_role("textbox", name="About you", exact=True), "Beats on a laptop.")
    type_into(
        kid.get_by_role("textbox", name="What you hope to get from an apprenticeship"),
        "Record real vocals.",
    )
    press(kid, kid.get_by_role("button", name="Save and continue"))

    # The account page says consent is not asked yet.
    press(kid, kid.get_by_role("navigation", name="Main").get_by_role("link", name="Account"))
    guardian = kid.get_by_role("region", name="Parent or guardian consent")
    expect(guardian).to_contain_text("Not asked yet")

    # The mentor's page: before asking, a parent or guardian agrees.
    visit(kid, f"/people/{mentor}")
    cta = kid.get_by_role("region", name="Apprenticeship", exact=True)
    expect(cta).to_contain_text("Before you ask, a parent or guardian has to agree")
    expect(cta.get_by_role("link", name="Ask for an apprenticeship")).to_have_count(0)
    press(kid, cta.get_by_role("link", name="Ask a parent or guardian"))
    expect(heading(kid)).to_have_text("Parent or guardian consent")
    type_into(kid.get_by_label("Your parent's or guardian's email", exact=True), PARENT)
    press(kid, kid.get_by_role("button", name="Send the link"))
    expect(flashes(kid)).to_contain_text(f"We emailed a link to {PARENT}")
    expect(state(kid)).to_contain_text("Waiting for an answer")

    # The parent opens the emailed link: no account needed.
    visit(parent, email_link(PARENT))
    expect(heading(parent)).to_have_text("Robin Young asks for your consent")
    main = parent.get_by_role("main")
    for words in ("What mentorapp is", "Who Robin Young would meet", "in-person work in a studio"):
        expect(main).to_contain_text(words)
    type_into(parent.get_by_label("Your name", exact=True), "Sam Young")
    tick(parent.get_by_label("I am this young person's parent or legal guardian"))
    press(parent, parent.get_by_role("button", name="I give my consent"))
    expect(heading(parent)).to_have_text("Thank you for your answer")
    expect(parent.get_by_role("main")).to_contain_text("You gave your consent for Robin Young")

    # Robin sees it, and makes a first request.
    visit(kid, "/account")
    expect(state(kid)).to_contain_text("Consent given")
    visit(kid, f"/people/{mentor}")
    press(kid, kid.get_by_role("link", name="Ask for an apprenticeship"))
    expect(heading(kid)).to_have_text(f"Ask {MENTOR[1]} for an apprenticeship")
    type_into(kid.get_by_role("textbox", name="Your message"), ASK)
    press(kid, kid.get_by_role("button", name="Send the request"))
    expect(heading(kid)).to_have_text(f"Request with {MENTOR[1]}")
    expect(kid.get_by_role("region", name="Before you meet in person")).to_contain_text(
        "tell your parent or guardian every time"
    )
    workspace = kid.url

    # Mira sees that a guardian consented.
    sign_in(mira, MENTOR[0])
    visit(mira, workspace)
    expect(mira.locator(".consent-note")).to_contain_text("Under 18 · guardian consent given")
    expect(mira.get_by_role("main")).not_to_contain_text(PARENT)


def test_consent_and_a_first_request_without_javascript(
    open_page, app, client, auth, users, email_link
):
    mentor = mentor_for_minors(client, auth, users)
    kid, parent = open_page(javascript=False), open_page(javascript=False)
    with app.app_context():
        robin = users(email="robin@example.com", display_name="Robin Young", age=15)
        db.session.add(MenteeProfile(user_id=robin, about="Beats."))
        db.session.commit()
    sign_in(kid, "robin@example.com")

    visit(kid, "/account/guardian")
    kid.get_by_label("Your parent's or guardian's email", exact=True).fill("robin@example.com")
    navigate(kid, kid.get_by_role("button", name="Send the link").click, status=422)
    expect(kid.locator("#guardian_email-error")).to_contain_text("That is your own email")
    kid.get_by_label("Your parent's or guardian's email", exact=True).fill(PARENT)
    navigate(kid, kid.get_by_role("button", name="Send the link").click, status=200)
    expect(state(kid)).to_contain_text("Waiting for an answer")

    link = email_link(PARENT)
    visit(parent, link)
    navigate(parent, parent.get_by_role("button", name="I give my consent").click, status=422)
    expect(parent.locator("#guardian_name-error")).to_contain_text("Type your name")
    parent.get_by_label("Your name", exact=True).fill("Sam Young")
    parent.get_by_label("I am this young person's parent or legal guardian").check()
    navigate(parent, parent.get_by_role("button", name="I give my consent").click, status=200)
    expect(heading(parent)).to_have_text("Thank you for your answer")
    visit(parent, link, status=410)
    expect(heading(parent)).to_have_text("This link was already used")

    visit(kid, f"/people/{mentor}/ask")
    kid.get_by_role("textbox", name="Your message").fill(ASK)
    navigate(kid, kid.get_by_role("button", name="Send the request").click, status=200)
    expect(heading(kid)).to_have_text(f"Request with {MENTOR[1]}")


def test_under_13_the_interstitial_and_the_guardian_page_fit_a_phone(
    open_page, app, users, email_link
):
    page = open_page(viewport=PHONE)
    visit(page, "/signup")
    page.get_by_role("radio", name=re.compile(r"^Learn:")).check()
    page.get_by_label("Your name", exact=True).fill("Too Young")
    page.get_by_label("Email", exact=True).fill(unique_email("young"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Date of birth", exact=True).fill(born_years_ago(10).isoformat())
    page.get_by_label(CONDUCT, exact=True).check()
    navigate(page, page.get_by_role("button", name="Create account").click, status=200)
    expect(heading(page)).to_have_text("Come back when you are 13")
    assert_no_horizontal_scroll(page)

    users(
        email="old@example.com",
        display_name="Old Account",
        date_of_birth=None,
        conduct_version=None,
    )
    old = open_page(viewport=PHONE)
    sign_in(old, "old@example.com")
    visit(old, "/dashboard")
    expect(old).to_have_url(re.compile(r"/conduct/accept\?next=/dashboard$"))
    expect(heading(old)).to_have_text("Before you carry on")
    assert_no_horizontal_scroll(old)
    old.get_by_label("Date of birth", exact=True).fill("1990-02-03")
    old.get_by_label(CONDUCT, exact=True).check()
    navigate(old, old.get_by_role("button", name="Accept and carry on").click, status=200)
    expect(old).to_have_url(re.compile(r"/dashboard$"))

    users(email="kid@example.com", display_name="Robin Young", age=16)
    kid = open_page(viewport=PHONE)
    sign_in(kid, "kid@example.com")
    visit(kid, "/account/guardian")
    assert_no_horizontal_scroll(kid)
    kid.get_by_label("Your parent's or guardian's email", exact=True).fill(PARENT)
    navigate(kid, kid.get_by_role("button", name="Send the link").click, status=200)
    parent = open_page(viewport=PHONE)
    visit(parent, email_link(PARENT))
    assert_no_horizontal_scroll(parent)
    visit(parent, "/conduct")
    assert_no_horizontal_scroll(parent)
