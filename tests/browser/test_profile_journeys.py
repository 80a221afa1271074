"""Profiles, the career-path quiz and suggestions, as people use them in a real browser:
a mentee from the quiz to a complete profile, the place field with and without
JavaScript, suggested mentors and mentees with their reasons, filters and pages, and
how the suggestions page looks on a phone. Every page is checked with axe."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from mentorapp.demo import DEMO_PASSWORD, seed_demo
from mentorapp.extensions import db
from mentorapp.models import User
from mentorapp.profiles.vocabulary import GENRE_NAMES, availability_labels
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, assert_accessible, navigate, visit
from tests.browser.test_account_journeys import (
    NEW_PASSWORD,
    assert_no_horizontal_scroll,
    flashes,
    heading,
    log_in,
    sign_up,
    unique_email,
)
from tests.factories import DEFAULT_PASSWORD

LONDON_CA = 6058560
DEMO_MENTOR = "mentor@example.com"
DEMO_MENTEE = "mentee@example.com"

# (the start of a quiz question, the answer from 1 to 5): a technical person who
# likes helping others, ready for the business side.
QUIZ_ANSWERS = [
    ("How much does the technical side draw you in", 5),
    ("How much does it matter to you to have full creative control", 2),
    ("How much do you enjoy working closely with people", 4),
    ("How much do you want to play instruments", 3),
    ("Is your dream to be the artist yourself", 1),
    ("How much do you enjoy meeting people", 2),
    ("How ready are you for irregular income", 4),
]
QUIZ_RANKING = [
    ("The engineer", 95),
    ("The mentor producer", 71),
    ("The musician producer", 65),
    ("The hit maker", 50),
    ("The artist producer", 21),
]


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def completeness(page: Page, label: str = "Profile complete") -> Locator:
    """The completeness meter, a progress bar named by its label ("...: 50%")."""
    return page.get_by_role("progressbar", name=re.compile(rf"^{label}: \d+%$"))


def save_and_continue(page: Page) -> None:
    navigate(page, page.get_by_role("button", name="Save and continue").click, status=200)


def choose_city_as_you_type(page: Page, typed: str, label: str) -> None:
    """Type into the place field, then pick `label` from the live suggestions."""
    field = page.get_by_role("combobox", name="Your city")
    field.clear()
    field.press_sequentially(typed)
    listbox = page.get_by_role("listbox", name="Matching cities")
    option = listbox.get_by_role("option", name=re.compile(rf"^{re.escape(label)} · "))
    expect(option).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)  # with the list open, too
    option.click()
    expect(field).to_have_value(label)
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")


def suggestion_cards(page: Page) -> Locator:
    """The suggestion cards, best first (each has the person's name as a heading)."""
    results = page.get_by_role("region", name=re.compile(r"^\d+ (mentor|mentee)s?( saved)?$"))
    return results.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3))


def card_names(page: Page) -> list[str]:
    return [
        name.strip()
        for name in suggestion_cards(page).get_by_role("heading", level=3).all_inner_texts()
    ]


def results_count(page: Page) -> int:
    text = page.get_by_role(
        "heading", level=2, name=re.compile(r"^\d+ (mentor|mentee)s?")
    ).inner_text()
    return int(text.split()[0])


def card_percents(page: Page) -> list[int]:
    bars = suggestion_cards(page).get_by_role("progressbar")
    return [int(bar.get_attribute("value")) for bar in bars.all()]


@dataclass(frozen=True)
class DemoMentor:
    name: str
    place_id: int
    place_label: str
    city: str
    archetype: str
    specialty: str
    genres: list[str]
    slots: list[str]


def seed_demo_people(app) -> DemoMentor:
    """A small demo community (named people plus generated ones); its demo mentor."""
    with app.app_context():
        assert seed_demo(mentors=20, mentees=30) > 0
        db.session.commit()
        user = db.session.scalar(select(User).where(User.email == DEMO_MENTOR))
        profile = user.mentor_profile
        assert profile.place is not None and profile.specialties and profile.archetypes
        assert profile.accepting and profile.works_in_person and not profile.works_remotely
        return DemoMentor(
            name=user.display_name,
            place_id=profile.place_id,
            place_label=profile.place.label,
            city=profile.place.name,
            archetype=profile.archetypes[0].name,
            specialty=profile.specialties[0].name,
            genres=[GENRE_NAMES[g] for g in profile.genres],
            slots=availability_labels(profile.availability),
        )


# --- The mentee's journey: quiz, sign-up, onboarding, profile (issue 3) ---------------


def test_mentee_goes_from_the_quiz_to_a_complete_profile(page: Page, open_page, app):
    email = unique_email("quiz")

    visit(page, "/")
    navigate(page, main_nav(page).get_by_role("link", name="Quiz").click, status=200)
    expect(heading(page)).to_have_text("Which kind of producer could you become?")
    for question, answer in QUIZ_ANSWERS:
        group = page.get_by_role("group", name=re.compile("^" + re.escape(question)))
        group.get_by_role("radio", name=re.compile(rf"^{answer}(:|$)")).check()
    tools = page.get_by_role("group", name="What do you make music in?")
    for name in ("Reaper", "Hardware and analog"):  # ticked by keyboard
        box = tools.get_by_role("checkbox", name=name)
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    navigate(page, page.get_by_role("button", name="See my result").click, status=200)

    expect(heading(page)).to_have_text("You lean towards the engineer")
    expect(page.get_by_role("region", name="Keep this result")).to_contain_text(
        "With what you make music in: Reaper, Hardware and analog."
    )
    ranking = page.get_by_role("region", name="How each kind fits you")
    fits = ranking.get_by_role("listitem")
    expect(fits.get_by_role("heading", level=3)).to_have_text([n for n, _ in QUIZ_RANKING])
    for position, (name, percent) in enumerate(QUIZ_RANKING):
        expect(fits.nth(position)).to_contain_text(f"{percent}% fit")
        bar = fits.nth(position).get_by_role("progressbar", name=f"{name}: {percent}% fit")
        expect(bar).to_have_attribute("value", str(percent))
    expect(fits.first).to_contain_text(
        "Because you are drawn to the technical side, and you want to help other musicians "
        "succeed, and you are happy to serve someone else's vision."
    )
    expect(fits.last).to_contain_text("Few of your answers point this way.")
    expect(page.get_by_role("region", name="Where to start")).to_contain_text("Recording")

    navigate(page, page.get_by_role("link", name="Sign up and save my result").click, status=200)
    expect(heading(page)).to_have_text("Create your account")
    expect(page.get_by_role("main")).to_contain_text(
        "Your quiz result will be saved to your new apprentice profile."
    )
    expect(page.get_by_role("radio", name=re.compile(r"^Learn:"))).to_be_checked()
    sign_up(page, name="Quinn Quizzer", email=email, password=NEW_PASSWORD)

    # Onboarding, step 1: the quiz already filled in who to become and what to learn.
    expect(flashes(page)).to_contain_text("Welcome to mentorapp, Quinn Quizzer!")
    expect(page.get_by_role("main")).to_contain_text("Your apprentice profile · step 1 of 4")
    expect(heading(page)).to_have_text("About you")
    expect(completeness(page)).to_have_attribute("value", "25")
    page.get_by_role("textbox", name="About you", exact=True).fill(
        "I record my friends' bands in a rehearsal room."
    )
    page.get_by_role("textbox", name="What you hope to get from an apprenticeship").fill(
        "Learn to track drums properly in a real studio."
    )
    save_and_continue(page)

    expect(heading(page)).to_have_text("Your craft")
    expect(page.get_by_role("main")).to_contain_text("step 2 of 4")
    expect(completeness(page)).to_have_attribute("value", "50")
    expect(page.get_by_role("combobox", name="First choice")).to_have_value("engineer")
    expect(page.get_by_role("combobox", name="Second choice (optional)")).to_have_value(
        "mentor_producer"
    )
    expect(page.get_by_role("combobox", name="Third choice (optional)")).to_have_value(
        "musician_producer"
    )
    expect(page.get_by_role("combobox", name="Most wanted")).to_have_value("recording")
    expect(page.get_by_role("checkbox", name="Reaper")).to_be_checked()  # from the quiz
    expect(page.get_by_role("checkbox", name="Hardware and analog")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Ableton Live")).not_to_be_checked()
    page.get_by_role("checkbox", name="Rock").check()
    page.get_by_role("checkbox", name="Indie").check()
    page.get_by_role("radio", name=re.compile(r"^Starting out:")).check()
    page.get_by_role("radio", name="An apprenticeship with a working producer").check()
    save_and_continue(page)

    expect(heading(page)).to_have_text("Where you are")
    expect(page.get_by_role("main")).to_contain_text("step 3 of 4")
    expect(completeness(page)).to_have_attribute("value", "75")
    choose_city_as_you_type(page, "London", "London, Canada")
    save_and_continue(page)

    expect(heading(page)).to_have_text("Your week")
    expect(page.get_by_role("main")).to_contain_text("step 4 of 4")
    expect(completeness(page)).to_have_attribute("value", "88")
    page.get_by_role("checkbox", name="Weekday evenings").check()
    page.get_by_role("checkbox", name="Weekend mornings").check()
    save_and_continue(page)

    # The profile page, as its owner sees it.
    expect(flashes(page)).to_contain_text("Your profile is ready. This is how others see it.")
    expect(completeness(page, "Apprentice profile complete")).to_have_attribute("value", "100")
    expect(page.get_by_role("link", name="Continue your profile")).to_have_count(0)
    expect(page.get_by_text("Still missing")).to_have_count(0)
    profile_url = page.url

    # The public page, as anybody sees it: name, city and ranked aspirations, no email.
    visitor = open_page()
    visit(visitor, profile_url)
    expect(heading(visitor)).to_have_text("Quinn Quizzer")
    expect(visitor.locator(".profile-header")).to_contain_text("London, Canada")
    apprentice = visitor.get_by_role("region", name="As an apprentice")
    expect(apprentice.locator(".chip--archetype")).to_have_text(
        ["1. The engineer", "2. The mentor producer", "3. The musician producer"]
    )
    expect(apprentice).to_contain_text("Recording, Mixing, Editing, Vocal production")
    expect(apprentice).to_contain_text("Weekday evenings, Weekend mornings")
    expect(visitor.get_by_role("region", name="Your profile")).to_have_count(0)
    assert email not in visitor.content()
    assert email not in page.content()

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        profile = user.mentee_profile
        assert profile.place_id == LONDON_CA
        assert [a.archetype.slug for a in profile.aspirations] == [
            "engineer",
            "mentor_producer",
            "musician_producer",
        ]
        assert [w.specialty.slug for w in profile.wants] == [
            "recording",
            "mixing",
            "editing",
            "vocal-production",
        ]
        assert profile.quiz_taken_at is not None
        assert profile.experience == "starting_out" and sorted(profile.genres) == ["indie", "rock"]
        assert profile.tools == ["reaper", "hardware"]


def test_the_quiz_works_by_keyboard_without_javascript(open_page):
    """Tab and the arrow keys through every question, Space on a tool, Enter to send; a
    tool outside the list (a link someone edited) comes back marked, answers kept."""
    page = open_page(javascript=False)
    visit(page, "/quiz")
    for question, answer in QUIZ_ANSWERS:
        group = page.get_by_role("group", name=re.compile("^" + re.escape(question)))
        first = group.get_by_role("radio").first
        first.focus()
        page.keyboard.press("Space")  # the first answer, then arrow down to the one wanted
        for _ in range(answer - 1):
            page.keyboard.press("ArrowDown")
        expect(group.get_by_role("radio", name=re.compile(rf"^{answer}(:|$)"))).to_be_checked()
    page.keyboard.press("Tab")  # from the last scale to the first tool
    pro_tools = page.get_by_role("checkbox", name="Pro Tools")
    expect(pro_tools).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Logic Pro")).to_be_checked()
    button = page.get_by_role("button", name="See my result")
    button.focus()
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    assert_accessible(page)
    expect(heading(page)).to_have_text("You lean towards the engineer")
    expect(page.get_by_role("main")).to_contain_text("With what you make music in: Logic Pro.")

    visit(page, page.url.replace("tools=logic-pro", "tools=garageband"), status=422)
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("What do you make music in?: 'garageband' is not a valid")
    tools = page.get_by_role("group", name="What do you make music in?")
    expect(tools.locator(".field__error")).to_contain_text("is not a valid choice")
    expect(page.get_by_role("radio", name=re.compile(r"^5:")).first).to_be_checked()


def test_place_field_without_javascript_is_search_then_choose(nojs_page: Page, users, app):
    page = nojs_page
    email = unique_email("plain")
    user_id = users(email=email, display_name="Plain Place", is_mentee=True)
    log_in(page, email, DEFAULT_PASSWORD)

    visit(page, f"/people/{user_id}/edit/mentee/place")
    expect(heading(page)).to_have_text("Where you are")
    expect(page.get_by_role("listbox")).to_have_count(0)  # no script, no live list
    page.get_by_role("textbox", name="Your city").fill("London")
    navigate(page, page.get_by_role("button", name="Find city").click, status=200)

    cities = page.get_by_role("group", name="Which one do you mean?")
    choices = cities.get_by_role("radio")
    expect(choices.first).to_have_accessible_name("London, United Kingdom (population 8,961,989)")
    canada = cities.get_by_role("radio", name="London, Canada (population 422,324)")
    expect(canada).to_be_visible()
    expect(page.get_by_role("textbox", name="Your city")).to_have_value("London")
    canada.check()
    navigate(page, page.get_by_role("button", name="Save").click, status=200)

    expect(flashes(page)).to_contain_text("Where you are saved.")
    expect(page.locator(".profile-header")).to_contain_text("London, Canada")
    with app.app_context():
        assert db.session.get(User, user_id).mentee_profile.place_id == LONDON_CA


def test_place_field_without_javascript_asks_for_a_city_it_knows(nojs_page: Page, users):
    page = nojs_page
    email = unique_email("typo")
    user_id = users(email=email, display_name="Typo Town", is_mentee=True)
    log_in(page, email, DEFAULT_PASSWORD)
    visit(page, f"/people/{user_id}/edit/mentee/place")

    page.get_by_role("textbox", name="Your city").fill("Xqzzyville")
    navigate(page, page.get_by_role("button", name="Find city").click)
    expect(page.get_by_role("textbox", name="Your city")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main")).to_contain_text("No city by that name.")
    expect(page.get_by_role("group", name="Which one do you mean?")).to_have_count(0)


# --- Suggested mentors for a mentee (issue 4) -------------------------------------


def test_new_mentee_finds_the_demo_mentor_first_then_hides_restores_and_saves(page: Page, app):
    mentor = seed_demo_people(app)
    email = unique_email("apprentice")

    visit(page, "/signup")
    sign_up(page, name="Nell Newcomer", email=email, password=NEW_PASSWORD)
    expect(heading(page)).to_have_text("About you")
    page.get_by_role("textbox", name="About you", exact=True).fill("Bedroom producer.")
    page.get_by_role("textbox", name="What you hope to get from an apprenticeship").fill(
        "Sit in on real sessions."
    )
    save_and_continue(page)

    expect(heading(page)).to_have_text("Your craft")
    page.get_by_role("combobox", name="First choice").select_option(label=mentor.archetype)
    page.get_by_role("combobox", name="Most wanted").select_option(label=mentor.specialty)
    for genre in mentor.genres:
        page.get_by_role("checkbox", name=genre, exact=True).check()
    page.get_by_role("radio", name=re.compile(r"^Starting out:")).check()
    page.get_by_role("radio", name="An apprenticeship with a working producer").check()
    save_and_continue(page)

    expect(heading(page)).to_have_text("Where you are")
    choose_city_as_you_type(page, mentor.city, mentor.place_label)
    save_and_continue(page)

    expect(heading(page)).to_have_text("Your week")
    for slot in mentor.slots:
        page.get_by_role("checkbox", name=slot, exact=True).check()
    save_and_continue(page)
    expect(flashes(page)).to_contain_text("Your profile is ready.")

    navigate(page, main_nav(page).get_by_role("link", name="Suggestions").click, status=200)
    expect(heading(page)).to_have_text("Suggested mentors")
    cards = suggestion_cards(page)
    expect(cards.first.get_by_role("heading", level=3)).to_have_text(mentor.name)
    total = results_count(page)
    assert total >= 2, "the demo data should offer more than one mentor"
    best = cards.first
    expect(best).to_contain_text(mentor.place_label)
    more = best.get_by_text(re.compile(r"^\d+ more reasons"))
    if more.count():
        more.click()  # the strongest three show; the rest open on demand
    reasons = best.get_by_role("group", name="Why this match").get_by_role("listitem")
    expect(
        reasons.filter(has_text=f"Teaches {mentor.specialty.lower()}, 1 of the 1")
    ).to_have_count(1)
    expect(reasons.filter(has_text="In your city")).to_have_count(1)
    expect(
        reasons.filter(has_text=f"Is {mentor.archetype.lower()}, your first choice")
    ).to_have_count(1)
    bar = best.get_by_role("progressbar", name=re.compile(rf"^Match with {mentor.name}: \d+%$"))
    expect(bar).to_be_visible()
    percent = int(bar.get_attribute("value"))
    expect(best).to_contain_text(f"{percent}%")
    percents = card_percents(page)
    assert percents == sorted(percents, reverse=True), f"not best first: {percents}"

    # Hide the mentor with the keyboard.
    hide = best.get_by_role("button", name=f"Hide {mentor.name}")
    hide.focus()
    expect(hide).to_be_focused()
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    expect(flashes(page)).to_contain_text("Hidden from your suggestions.")
    assert mentor.name not in card_names(page)
    assert results_count(page) == total - 1

    navigate(page, page.get_by_role("link", name="People you hid").click, status=200)
    expect(heading(page)).to_have_text("People you hid")
    expect(page.get_by_role("main").get_by_role("link", name=mentor.name)).to_be_visible()
    navigate(page, page.get_by_role("button", name=f"Show again {mentor.name}").click, status=200)
    expect(flashes(page)).to_contain_text("Back in your suggestions.")
    expect(page.get_by_role("main")).to_contain_text("You have not hidden anyone.")

    navigate(page, page.get_by_role("link", name="Back to your suggestions").click, status=200)
    assert card_names(page)[0] == mentor.name
    assert results_count(page) == total

    # Save the mentor as a favourite, again with the keyboard.
    save = cards.first.get_by_role("button", name=f"Save {mentor.name}")
    save.focus()
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    expect(flashes(page)).to_contain_text("Saved to your favourites.")
    expect(
        cards.first.get_by_role(
            "button", name=f"Saved {mentor.name}, press to remove from favourites"
        )
    ).to_be_visible()
    page.get_by_role("checkbox", name="Saved only").check()
    navigate(page, page.get_by_role("button", name="Show").click, status=200)
    assert card_names(page) == [mentor.name]
    expect(page.get_by_role("checkbox", name="Saved only")).to_be_checked()

    with app.app_context():
        me = db.session.scalar(select(User).where(User.email == email))
        assert me.mentee_profile.place_id == mentor.place_id
        assert [w.specialty.name for w in me.mentee_profile.wants] == [mentor.specialty]


def test_incomplete_profile_gets_a_prompt_instead_of_suggestions(page: Page, users):
    email = unique_email("empty")
    users(email=email, display_name="Empty Emma", is_mentee=True)
    log_in(page, email, DEFAULT_PASSWORD)

    navigate(page, main_nav(page).get_by_role("link", name="Suggestions").click, status=200)
    expect(heading(page)).to_have_text("Suggested mentors")
    prompt = page.get_by_role("region", name="A few things first")
    expect(prompt).to_contain_text("We can only suggest mentors once we know:")
    expect(prompt.get_by_role("link", name="What you want to learn")).to_have_attribute(
        "href", re.compile(r"/edit/mentee/craft$")
    )
    expect(prompt.get_by_role("link", name="Your city")).to_have_attribute(
        "href", re.compile(r"/edit/mentee/place$")
    )
    expect(page.get_by_role("form", name="Filter suggestions")).to_have_count(0)
    expect(page.get_by_role("progressbar")).to_have_count(0)

    navigate(page, prompt.get_by_role("link", name="Complete your profile").click, status=200)
    expect(heading(page)).to_have_text("About you")
    expect(page.get_by_role("main")).to_contain_text("step 1 of 4")


# --- Suggested mentees for a mentor -------------------------------------------------


def test_demo_mentor_ranks_filters_and_pages_through_mentees(page: Page, app):
    mentor = seed_demo_people(app)
    log_in(page, DEMO_MENTOR, DEMO_PASSWORD)

    navigate(page, main_nav(page).get_by_role("link", name="Suggestions").click, status=200)
    expect(page).to_have_url(re.compile(r"/suggestions/mentees$"))
    expect(heading(page)).to_have_text("Suggested mentees")
    expect(suggestion_cards(page).first).to_be_visible()
    in_person_only = results_count(page)
    assert in_person_only >= 1
    first = suggestion_cards(page).first
    expect(first).to_contain_text(re.compile(r"Wants to learn .+, which you teach"))
    expect(first).to_contain_text(mentor.city)

    # Teaching remotely too opens the list to apprentices far away.
    navigate(page, main_nav(page).get_by_role("link", name="My profile").click, status=200)
    navigate(page, page.get_by_role("link", name="place of your mentor profile").click, status=200)
    expect(heading(page)).to_have_text("Where you work")
    expect(page.get_by_role("combobox", name="Your city")).to_have_value(mentor.place_label)
    page.get_by_role("checkbox", name=re.compile(r"^I teach remotely")).check()
    navigate(page, page.get_by_role("button", name="Save").click, status=200)
    expect(flashes(page)).to_contain_text("Where you work saved.")

    navigate(page, main_nav(page).get_by_role("link", name="Suggestions").click, status=200)
    total = results_count(page)
    assert total > 10 > in_person_only, f"{total} mentees now, {in_person_only} before"
    expect(suggestion_cards(page)).to_have_count(10)
    percents = card_percents(page)
    assert percents == sorted(percents, reverse=True), f"not best first: {percents}"
    expect(suggestion_cards(page).first).to_contain_text("You can work together remotely")
    page_one = card_names(page)

    # Narrow to one specialty: fewer mentees, each wanting it; the choice stays.
    specialty = page.get_by_role("combobox", name="Specialty")
    specialty.select_option(label=mentor.specialty)
    navigate(page, page.get_by_role("button", name="Show").click, status=200)
    expect(page).to_have_url(re.compile(r"specialty=[a-z-]+"))
    expect(specialty).to_have_value(re.compile(r"^[a-z-]+$"))
    expect(specialty.locator("option:checked")).to_have_text(mentor.specialty)
    filtered = results_count(page)
    assert 0 < filtered < total, f"{filtered} of {total} after filtering"
    for card in suggestion_cards(page).all():
        expect(card).to_contain_text(mentor.specialty)
        expect(card).to_contain_text(
            re.compile(rf"Wants to learn [^.]*\b{mentor.specialty.lower()}\b[^.]*, which you teach")
        )

    # Clear the filter and go to the second page.
    navigate(page, page.get_by_role("link", name="Clear").click, status=200)
    expect(specialty).to_have_value("")
    assert card_names(page) == page_one
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text(re.compile(r"Page 1 of \d+"))
    navigate(page, pages.get_by_role("link", name="Next →").click, status=200)
    expect(page).to_have_url(re.compile(r"[?&]page=2\b"))
    expect(pages).to_contain_text("Page 2 of")
    page_two = card_names(page)
    assert page_two and not set(page_two) & set(page_one)
    expect(
        page.get_by_role("region", name=re.compile(r"mentees$")).locator("ol")
    ).to_have_attribute("start", "11")
    expect(pages.get_by_role("link", name="← Previous")).to_be_visible()


# --- On a phone, and screenshots for a human ----------------------------------------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_suggestions_page_fits_the_screen(open_page, app, size: str):
    """The demo apprentice's suggestions, screenshot into test-artifacts/ (gitignored)."""
    seed_demo_people(app)
    page = open_page(viewport={"desktop": DESKTOP, "phone": PHONE}[size])
    log_in(page, DEMO_MENTEE, DEMO_PASSWORD)
    visit(page, "/suggestions")
    expect(heading(page)).to_have_text("Suggested mentors")
    expect(suggestion_cards(page).first).to_be_visible()
    assert_no_horizontal_scroll(page)
    if size == "phone":
        # One column: the filters come first, then cards as wide as the screen.
        box = suggestion_cards(page).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"suggestions-{size}.png", full_page=True)
    page.screenshot(path=ARTIFACTS / f"suggestions-{size}-top.png")
