"""Apprenticeships in a real browser: a mentee asks a mentor, the mentor answers from the
inbox, the two work together in the shared workspace (conversation, sessions, goals),
the mentor completes it and writes a reference, and the mentee shows it on their
profile. The same key steps without JavaScript, form errors, and how the pages look on
a desktop and on a phone. Every page is checked with axe."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update

from mentorapp.apprenticeships import services, workspace
from mentorapp.extensions import db
from mentorapp.models import Notification, User
from tests.browser.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    assert_accessible,
    navigate,
    visit,
)
from tests.browser.test_account_journeys import (
    assert_no_horizontal_scroll,
    field_error,
    flashes,
    heading,
    log_in,
)
from tests.conftest import CSRF_RE, post_form
from tests.factories import DEFAULT_PASSWORD
from tests.functional.test_profiles import MENTEE_SECTIONS, MENTOR_SECTIONS, edit_url

MENTOR = ("mira@example.com", "Mira Okafor")
MENTEE = ("priya@example.com", "Priya Raman")
ASK = "I want to learn to mix vocals. I am free on weekday evenings."
LEARNED = "Priya learned to comp vocals and to finish a mix on time."
WORKED_ON = "Two EP mixes for a local soul band."


@dataclass(frozen=True)
class Pair:
    mentor: int
    mentee: int


def build_person(client, auth, users, email: str, name: str, role: str) -> int:
    """A member with a complete mentor or apprentice profile, filled in over HTTP."""
    person = users(
        email=email, display_name=name, is_mentor=role == "mentor", is_mentee=role == "mentee"
    )
    auth.login(email)
    for section, data in (MENTOR_SECTIONS if role == "mentor" else MENTEE_SECTIONS).items():
        response = post_form(client, edit_url(person, role, section), data)
        assert response.status_code == 302, f"{role} {section}: {response.status_code}"
    auth.logout()
    return person


@pytest.fixture
def pair(client, auth, users) -> Pair:
    """Mira, a mentor with three free places, and Priya, an apprentice; nobody logged in."""
    return Pair(
        mentor=build_person(client, auth, users, *MENTOR, "mentor"),
        mentee=build_person(client, auth, users, *MENTEE, "mentee"),
    )


# --- What people look at and press ----------------------------------------------------


def sign_in(page: Page, email: str) -> None:
    """Log in without loading a page, for tests whose subject comes after logging in
    (the login pages have their own tests): the login form, posted through the page's
    own cookies."""
    form = page.request.get("/login")
    token = CSRF_RE.search(form.text())
    assert token, "no CSRF token on /login"
    answer = page.request.post(
        "/login",
        form={"csrf_token": token.group(1), "email": email, "password": DEFAULT_PASSWORD},
        max_redirects=0,
    )
    assert answer.status == 302, f"logging in as {email} answered {answer.status}"


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def inbox_link(page: Page) -> Locator:
    return main_nav(page).get_by_role("link", name=re.compile(r"^Inbox( \d+ unread)?$"))


def state_label(page: Page) -> Locator:
    """The coloured label next to the workspace's heading ("Running", "Completed"...)."""
    return page.locator(".workspace-header .state")


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def press(page: Page, target: Locator, *, status: int | None = 200) -> None:
    """Focus a link or button and press Enter, as a keyboard user does; check what loads."""
    target.focus()
    expect(target).to_be_focused()
    navigate(page, lambda: page.keyboard.press("Enter"), status=status)


def type_into(field: Locator, text: str) -> None:
    """Focus a field and type into it key by key."""
    field.focus()
    field.press_sequentially(text)
    expect(field).to_have_value(text)


def thread_messages(page: Page) -> Locator:
    return region(page, "Conversation").get_by_role("listitem")


def send_message(page: Page, body: str) -> None:
    type_into(region(page, "Conversation").get_by_role("textbox", name="Message"), body)
    press(page, page.get_by_role("button", name="Send message"))
    expect(page).to_have_url(re.compile(r"#thread-end$"))
    expect(thread_messages(page).last).to_contain_text(body)
    expect(thread_messages(page).last).to_contain_text("You")


def utc_now() -> datetime:
    """Now, as the app's clock tells it (UTC)."""
    return datetime.now(UTC)


# --- The whole journey, with the keyboard ----------------------------------------------


def test_ask_accept_work_complete_and_show_the_reference(open_page, pair: Pair):
    mentee, mentor = open_page(), open_page()
    mentor_name, mentee_name = MENTOR[1], MENTEE[1]

    # Priya finds Mira's public profile and asks her.
    log_in(mentee, MENTEE[0], DEFAULT_PASSWORD)
    visit(mentee, f"/people/{pair.mentor}")
    expect(heading(mentee)).to_have_text(mentor_name)
    cta = mentee.get_by_role("region", name="Apprenticeship", exact=True)
    expect(cta).to_contain_text(f"{mentor_name} has 3 free places for apprentices.")
    press(mentee, cta.get_by_role("link", name="Ask for an apprenticeship"))
    expect(heading(mentee)).to_have_text(f"Ask {mentor_name} for an apprenticeship")
    expect(mentee.get_by_role("main")).to_contain_text("You have 0 of 5 open requests.")
    type_into(mentee.get_by_role("textbox", name="Your message"), ASK)
    press(mentee, mentee.get_by_role("button", name="Send the request"))

    expect(flashes(mentee)).to_contain_text(
        f"Sent. {mentor_name} has two weeks to answer; we will tell you."
    )
    expect(heading(mentee)).to_have_text(f"Request with {mentor_name}")
    expect(state_label(mentee)).to_have_text("Waiting for an answer")
    request = region(mentee, "The request")
    expect(request.locator("blockquote")).to_have_text(ASK)
    expect(request).to_contain_text(f"Waiting for {mentor_name}'s answer until")
    expect(request.get_by_role("link", name="Withdraw my request…")).to_be_visible()
    expect(mentee.get_by_role("button", name=re.compile("^Accept"))).to_have_count(0)
    workspace_url = mentee.url

    # Mira logs in: the navigation counts one unread notification.
    log_in(mentor, MENTOR[0], DEFAULT_PASSWORD)
    expect(inbox_link(mentor)).to_have_accessible_name("Inbox 1 unread")
    expect(inbox_link(mentor).locator(".count-badge")).to_have_text("1 unread")
    press(mentor, inbox_link(mentor))
    expect(heading(mentor)).to_have_text("Inbox")
    expect(inbox_link(mentor)).to_have_attribute("aria-current", "page")
    note = mentor.get_by_role(
        "button", name=re.compile(rf"^Unread: {mentee_name} asks you for an apprenticeship\.")
    )
    expect(note).to_be_visible()
    press(mentor, note)

    expect(mentor).to_have_url(workspace_url)
    expect(inbox_link(mentor)).to_have_accessible_name("Inbox")
    expect(heading(mentor)).to_have_text(f"Request with {mentee_name}")
    expect(state_label(mentor)).to_have_text("Waiting for an answer")
    expect(region(mentor, "The request").locator("blockquote")).to_have_text(ASK)
    expect(region(mentor, "The request")).to_contain_text("Waiting for your answer until")
    press(mentor, mentor.get_by_role("button", name=f"Accept {mentee_name} as your apprentice"))
    expect(flashes(mentor)).to_contain_text("Accepted.")
    expect(heading(mentor)).to_have_text(f"Apprenticeship with {mentee_name}")
    expect(state_label(mentor)).to_have_text("Running")
    expect(region(mentor, "The request")).to_have_count(0)
    for side in ("Goals and milestones", "Sessions", "Finishing"):
        expect(region(mentor, side)).to_be_visible()
    send_message(mentor, "Welcome! Bring a session you are stuck on.")

    # Priya finds it running under Apprenticeships, answers, logs a session, adds a goal.
    press(mentee, main_nav(mentee).get_by_role("link", name="Apprenticeships"))
    expect(heading(mentee)).to_have_text("Apprenticeships")
    running = region(mentee, "Running")
    row = running.get_by_role("listitem").filter(has_text=mentor_name)
    expect(row).to_contain_text("Your mentor · since")
    expect(row).to_contain_text("0.0 confirmed hours")
    expect(row.locator(".state")).to_have_text("Running")
    expect(region(mentee, "Requests you sent")).to_contain_text("No request waiting for an answer.")
    press(mentee, row.get_by_role("link", name=mentor_name))
    expect(state_label(mentee)).to_have_text("Running")
    expect(thread_messages(mentee).first).to_contain_text(mentor_name)
    expect(thread_messages(mentee).first).to_contain_text(
        "Welcome! Bring a session you are stuck on."
    )
    send_message(mentee, "Thank you, see you on Tuesday.")

    sessions = region(mentee, "Sessions")
    expect(sessions).to_contain_text("No sessions logged yet.")
    log_a_session = sessions.locator("summary", has_text="Log a session…")
    log_a_session.focus()
    mentee.keyboard.press("Enter")  # a <details> disclosure opens
    held_on = utc_now().date()
    date_field = sessions.get_by_label("Date", exact=True)
    expect(date_field).to_be_visible()
    expect(date_field).to_have_value(date.today().isoformat())  # today, unless changed
    date_field.fill(held_on.isoformat())
    type_into(sessions.get_by_role("spinbutton", name="Hours"), "2.5")
    type_into(sessions.get_by_role("textbox", name="What you covered"), "Vocal comping and EQ")
    expect(sessions).to_contain_text("Your mentor confirms it; only confirmed hours count.")
    assert_accessible(mentee)  # with the form open
    press(mentee, sessions.get_by_role("button", name="Log the session"))
    expect(mentee).to_have_url(re.compile(r"#sessions$"))
    session = sessions.get_by_role("listitem").filter(has_text="Vocal comping and EQ")
    expect(session).to_contain_text(f"{held_on:%d %b %Y} · 2.5 h")
    expect(session.locator(".badge")).to_have_text("to confirm")
    expect(sessions).to_contain_text("0.0 hours confirmed by the mentor.")
    expect(session.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)

    goals = region(mentee, "Goals and milestones")
    expect(goals).to_contain_text("No goals yet.")
    type_into(goals.get_by_role("textbox", name="New goal or milestone"), "Mix one song alone")
    press(mentee, goals.get_by_role("button", name="Add goal"))
    expect(mentee).to_have_url(re.compile(r"#goals$"))
    expect(goals).to_contain_text("0 of 1 reached")
    expect(goals.get_by_role("button", name="Mark as reached: Mix one song alone")).to_be_visible()
    expect(
        region(mentee, "Finishing").get_by_role("button", name="Mark as completed")
    ).to_have_count(0)

    # Mira sees the reply, confirms the session and ticks off the goal.
    visit(mentor, workspace_url)
    expect(inbox_link(mentor)).to_have_accessible_name("Inbox 2 unread")  # reply, session
    expect(thread_messages(mentor)).to_have_count(2)
    expect(thread_messages(mentor).last).to_contain_text("Thank you, see you on Tuesday.")
    expect(thread_messages(mentor).last).to_contain_text(mentee_name)
    sessions, goals = region(mentor, "Sessions"), region(mentor, "Goals and milestones")
    press(
        mentor,
        sessions.get_by_role("button", name=f"Confirm the session of {held_on:%d %B %Y}"),
    )
    expect(flashes(mentor)).to_contain_text("Session confirmed.")
    expect(sessions).to_contain_text("2.5 hours confirmed by the mentor.")
    expect(sessions.locator(".badge")).to_have_text("confirmed")
    expect(sessions.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)
    press(mentor, goals.get_by_role("button", name="Mark as reached: Mix one song alone"))
    expect(goals).to_contain_text("1 of 1 reached")
    expect(goals.get_by_role("listitem")).to_contain_text("Mix one song alone (reached)")
    expect(
        goals.get_by_role("button", name="Mark as not reached: Mix one song alone")
    ).to_be_visible()

    # Mira completes the apprenticeship and writes the reference.
    press(mentor, region(mentor, "Finishing").get_by_role("button", name="Mark as completed"))
    expect(flashes(mentor)).to_contain_text("Completed. Well done, both of you.")
    expect(state_label(mentor)).to_have_text("Completed")
    expect(region(mentor, "Conversation")).to_contain_text("The conversation is closed.")
    expect(region(mentor, "Finishing")).to_have_count(0)
    expect(goals.get_by_role("button")).to_have_count(0)  # nothing to tick any more
    reference = region(mentor, "Reference")
    expect(reference).to_contain_text(f"Write what {mentee_name} learned")
    press(mentor, reference.get_by_role("link", name="Write a reference"))
    expect(heading(mentor)).to_have_text(f"Write a reference for {mentee_name}")
    expect(mentor.get_by_role("main")).to_contain_text("2.5 confirmed hours")
    type_into(mentor.get_by_role("textbox", name="What they learned"), LEARNED)
    type_into(mentor.get_by_role("textbox", name="What they worked on"), WORKED_ON)
    recommendation = mentor.get_by_role("group", name="Your recommendation")
    highest = recommendation.get_by_role("radio", name="I recommend them without reservation")
    highest.focus()
    mentor.keyboard.press("Space")
    expect(highest).to_be_checked()
    press(mentor, mentor.get_by_role("button", name="Save the reference"))
    expect(flashes(mentor)).to_contain_text(
        "Your reference is saved. The apprentice chooses whether to show it."
    )
    expect(mentor).to_have_url(re.compile(r"#reference$"))
    expect(reference).to_contain_text(
        f"{mentor_name} wrote a reference on {utc_now():%d %B %Y}: "
        "“I recommend them without reservation”."
    )
    expect(reference.get_by_role("link", name="Correct it")).to_be_visible()

    # Priya reads it, prints it if she likes, and shows it on her profile.
    press(mentee, inbox_link(mentee))
    note = mentee.get_by_role(
        "button", name=re.compile(rf"^Unread: {mentor_name} wrote you a reference\.")
    )
    press(mentee, note)
    expect(state_label(mentee)).to_have_text("Completed")
    reference = region(mentee, "Reference")
    expect(reference).to_contain_text(
        "Only you and your mentor see it until you choose to show it."
    )
    press(mentee, reference.get_by_role("link", name="Open the printable reference"))
    expect(heading(mentee)).to_have_text(mentee_name)
    expect(mentee.get_by_role("main")).to_contain_text(
        f"Apprentice of {mentor_name} (Mixing engineer for soul records)"
    )
    expect(mentee.get_by_role("main")).to_contain_text(
        "2.5 hours of sessions, confirmed by the mentor"
    )
    expect(mentee.get_by_role("main")).to_contain_text("I recommend them without reservation")
    expect(mentee.get_by_role("heading", name=f"What {mentee_name} learned")).to_be_visible()
    expect(mentee.get_by_role("main")).to_contain_text(LEARNED)
    expect(mentee.get_by_role("main")).to_contain_text(WORKED_ON)
    expect(mentee.get_by_role("button", name="Print")).to_be_visible()  # shown by its script
    sheet_url = mentee.url
    press(mentee, mentee.get_by_role("link", name="Back to the apprenticeship"))
    press(mentee, region(mentee, "Reference").get_by_role("button", name="Show it on my profile"))
    expect(flashes(mentee)).to_contain_text("Your profile shows this reference now.")
    reference = region(mentee, "Reference")
    expect(reference).to_contain_text("Your public profile shows this reference.")
    expect(reference.get_by_role("button", name="Hide it from my profile")).to_be_visible()

    # Anybody sees it on Priya's public profile, and can read the whole reference.
    visitor = open_page()
    visit(visitor, f"/people/{pair.mentee}")
    expect(main_nav(visitor).get_by_role("link", name="Log in")).to_be_visible()
    expect(heading(visitor)).to_have_text(mentee_name)
    references = region(visitor, "References")
    expect(references).to_contain_text(f"{mentor_name}, {utc_now():%B %Y} · 2.5 confirmed hours")
    expect(references).to_contain_text(LEARNED)
    press(
        visitor,
        references.get_by_role("link", name=f"Read the whole reference from {mentor_name}"),
    )
    expect(visitor).to_have_url(sheet_url)
    expect(visitor.get_by_role("main")).to_contain_text(LEARNED)
    expect(visitor.get_by_role("link", name="Back to the apprenticeship")).to_have_count(0)

    # Mira's place is free again.
    visit(visitor, f"/people/{pair.mentor}")
    expect(visitor.get_by_role("main")).to_contain_text("3 of 3 places free")


# --- Without JavaScript ---------------------------------------------------------------


def test_ask_accept_decline_and_write_without_javascript(
    open_page, app, client, auth, users, pair: Pair
):
    sam = build_person(client, auth, users, "sam@example.com", "Sam Ortiz", "mentee")
    with app.app_context():  # Sam asked already
        sams_request = services.request_apprenticeship(
            db.session.get(User, sam), pair.mentor, "I would like to learn mastering for my EP."
        ).id
        db.session.commit()
    priya, sam, mira = (open_page(javascript=False) for _ in range(3))

    # Priya asks Mira, with plain forms.
    sign_in(priya, MENTEE[0])
    visit(priya, f"/people/{pair.mentor}")
    navigate(priya, priya.get_by_role("link", name="Ask for an apprenticeship").click, status=200)
    priya.get_by_role("textbox", name="Your message").fill(ASK)
    navigate(priya, priya.get_by_role("button", name="Send the request").click, status=200)
    expect(state_label(priya)).to_have_text("Waiting for an answer")
    expect(priya.get_by_role("link", name="Withdraw my request…")).to_be_visible()

    # Mira answers from her list: she accepts Priya...
    sign_in(mira, MENTOR[0])
    visit(mira, "/apprenticeships")
    expect(inbox_link(mira)).to_have_accessible_name("Inbox 2 unread")
    waiting = mira.get_by_role("region", name=re.compile(r"^Waiting for your answer"))
    expect(waiting.get_by_role("heading", level=2)).to_have_text("Waiting for your answer 2")
    expect(waiting.get_by_role("listitem")).to_have_count(2)
    navigate(mira, waiting.get_by_role("link", name=MENTEE[1]).click, status=200)
    expect(state_label(mira)).to_have_text("Waiting for an answer")
    navigate(
        mira,
        mira.get_by_role("button", name=f"Accept {MENTEE[1]} as your apprentice").click,
        status=200,
    )
    expect(flashes(mira)).to_contain_text("Accepted.")
    expect(state_label(mira)).to_have_text("Running")

    # ...and writes to her.
    mira.get_by_role("textbox", name="Message").fill("Welcome! Tuesday at seven?")
    navigate(mira, mira.get_by_role("button", name="Send message").click, status=200)
    expect(thread_messages(mira).last).to_contain_text("Welcome! Tuesday at seven?")

    # Then she declines Sam, with a reason and a kind note: the disclosure needs no script.
    navigate(mira, main_nav(mira).get_by_role("link", name="Apprenticeships").click, status=200)
    expect(region(mira, "Running")).to_contain_text(MENTEE[1])
    waiting = mira.get_by_role("region", name=re.compile(r"^Waiting for your answer"))
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    navigate(mira, waiting.get_by_role("link", name="Sam Ortiz").click, status=200)
    reason = mira.get_by_role("combobox", name="Why not")
    expect(reason).to_be_hidden()
    mira.locator("summary", has_text="Decline…").click()
    expect(reason).to_be_visible()
    reason.select_option(label="The experience levels do not fit")
    mira.get_by_role("textbox", name="A note for them (optional)").fill(
        "Try the mastering course at the college first."
    )
    navigate(mira, mira.get_by_role("button", name="Decline the request").click, status=200)
    expect(flashes(mira)).to_contain_text("Declined. We let them know.")
    expect(heading(mira)).to_have_text("Request with Sam Ortiz")  # it never started
    expect(state_label(mira)).to_have_text("Declined")
    closed = region(mira, "Declined")
    expect(closed).to_contain_text(f"{MENTOR[1]} declined: the experience levels do not fit.")
    expect(closed.locator("blockquote")).to_have_text(
        "Try the mastering course at the college first."
    )
    expect(region(mira, "Conversation")).to_contain_text("The conversation is closed.")

    # Sam reads the answer; Priya reads the welcome and replies.
    sign_in(sam, "sam@example.com")
    visit(sam, f"/apprenticeships/{sams_request}")
    expect(state_label(sam)).to_have_text("Declined")
    expect(region(sam, "Declined")).to_contain_text("the mastering course at the college")
    expect(sam.get_by_role("link", name="See other mentors in your suggestions")).to_be_visible()

    visit(priya, priya.url)
    expect(state_label(priya)).to_have_text("Running")
    expect(thread_messages(priya).last).to_contain_text("Welcome! Tuesday at seven?")
    priya.get_by_role("textbox", name="Message").fill("Tuesday works, thank you!")
    navigate(priya, priya.get_by_role("button", name="Send message").click, status=200)
    expect(thread_messages(priya)).to_have_count(2)
    expect(thread_messages(priya).last).to_contain_text("Tuesday works, thank you!")


# --- Form errors ----------------------------------------------------------------------


def test_form_errors_show_next_to_the_field_and_keep_what_was_typed(open_page, pair: Pair):
    mentee, mentor = open_page(), open_page()
    sign_in(mentee, MENTEE[0])
    visit(mentee, f"/people/{pair.mentor}/ask")

    # An empty message.
    message = mentee.get_by_role("textbox", name="Your message")
    press(mentee, mentee.get_by_role("button", name="Send the request"), status=422)
    summary = mentee.get_by_role("alert")
    expect(summary).to_contain_text("Please check the form")
    link = summary.get_by_role("link", name="Your message: Write a short message.")
    expect(link).to_have_attribute("href", "#message")
    expect(field_error(mentee, "Your message")).to_have_text(re.compile(r"Write a short message\."))
    expect(message).to_have_attribute("aria-invalid", "true")
    expect(message).to_have_attribute("aria-describedby", re.compile(r"\bmessage-error\b"))
    expect(message).to_have_value("")

    # Too short: the typed words stay, and the summary's link leads to the field.
    type_into(message, "Teach me please")
    press(mentee, mentee.get_by_role("button", name="Send the request"), status=422)
    expect(field_error(mentee, "Your message")).to_have_text(
        re.compile(r"Between 20 and 2,000 characters, please\.")
    )
    expect(message).to_have_value("Teach me please")
    link = mentee.get_by_role("alert").get_by_role("link", name=re.compile("^Your message:"))
    link.focus()
    mentee.keyboard.press("Enter")
    expect(message).to_be_focused()
    message.press("End")
    message.press_sequentially(" how to mix vocals.")
    press(mentee, mentee.get_by_role("button", name="Send the request"))
    expect(state_label(mentee)).to_have_text("Waiting for an answer")
    expect(region(mentee, "The request").locator("blockquote")).to_have_text(
        "Teach me please how to mix vocals."
    )
    workspace_url = mentee.url

    # Mira opens "Decline…", writes a note, forgets the reason.
    sign_in(mentor, MENTOR[0])
    visit(mentor, workspace_url)
    decline = mentor.locator("details", has=mentor.locator("summary", has_text="Decline…"))
    summary_toggle = decline.locator("summary")
    summary_toggle.focus()
    mentor.keyboard.press("Enter")
    expect(decline).to_have_attribute("open", "")
    note = decline.get_by_role("textbox", name="A note for them (optional)")
    # The hint, then the field's limit and what is left of it.
    expect(note).to_have_accessible_description(
        re.compile(r"^A kind word or a pointer to someone better suited helps a lot\. 1,000 of")
    )
    reason = decline.get_by_role("combobox", name="Why not")
    expect(reason).to_have_value("")
    type_into(note, "Ask Jo at the studio downstairs.")
    assert_accessible(mentor)  # with the disclosure open
    press(mentor, decline.get_by_role("button", name="Decline the request"), status=422)

    expect(state_label(mentor)).to_have_text("Waiting for an answer")
    expect(decline).to_have_attribute("open", "")  # still open, to fix it there
    expect(mentor.get_by_role("alert")).to_contain_text("Please check the form")
    expect(field_error(mentor, "Why not")).to_have_text(re.compile(r"Choose a reason\."))
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_attribute("aria-describedby", "reason-error")
    expect(note).to_have_value("Ask Jo at the studio downstairs.")
    expect(note).not_to_have_attribute("aria-invalid", "true")
    link = mentor.get_by_role("alert").get_by_role("link", name="Why not: Choose a reason.")
    link.focus()
    mentor.keyboard.press("Enter")
    expect(reason).to_be_focused()
    reason.select_option(label="I have no time for a new apprentice right now")
    press(mentor, decline.get_by_role("button", name="Decline the request"))
    expect(state_label(mentor)).to_have_text("Declined")
    closed = region(mentor, "Declined")
    expect(closed).to_contain_text(
        f"{MENTOR[1]} declined: I have no time for a new apprentice right now."
    )
    expect(closed.locator("blockquote")).to_have_text("Ask Jo at the studio downstairs.")


# --- Screenshots for a human, and the phone ----------------------------------------------


@dataclass(frozen=True)
class Busy:
    workspace: int  # Priya's, running
    reference: int  # Theo's, shown on his profile
    finished: int  # Theo's
    waiting: int  # Sam's request
    declined: int  # Nora's
    theo: int


@pytest.fixture
def busy(app, client, auth, users, pair: Pair) -> Busy:
    """Mira with a running apprenticeship (messages, goals, sessions), a request waiting
    for her, a declined one and a completed one with a reference."""
    sam = build_person(client, auth, users, "sam@example.com", "Sam Ortiz", "mentee")
    theo = build_person(client, auth, users, "theo@example.com", "Theo Lindqvist", "mentee")
    nora = build_person(client, auth, users, "nora@example.com", "Nora Haddad", "mentee")
    start = utc_now() - timedelta(days=30)
    with app.app_context():
        mira, priya = db.session.get(User, pair.mentor), db.session.get(User, pair.mentee)

        # Theo: finished last month, with a reference he shows.
        done = services.request_apprenticeship(
            db.session.get(User, theo), mira.id, "Could you teach me to record drums?", start
        )
        services.accept(mira, done.id, start + timedelta(hours=5))
        workspace.log_session(
            mira, done, start.date() + timedelta(days=3), 3, "Drum mics: placement and phase."
        )
        services.complete(mira, done.id, start + timedelta(days=20))
        sheet = workspace.write_reference(
            mira,
            done,
            "Theo learned to place drum microphones, check phase and get a kit sounding good "
            "in a small room. He arrives prepared and takes notes.",
            "Drums for two demos, and a live session for a local radio show.",
            "strong",
        )
        workspace.set_reference_shown(db.session.get(User, theo), sheet.id, True)

        # Priya: running for three weeks.
        running = services.request_apprenticeship(priya, mira.id, ASK, start + timedelta(days=8))
        services.accept(mira, running.id, start + timedelta(days=9))
        chat = [
            (mira, "Welcome! Bring a session you are stuck on, and we start from there."),
            (priya, "Thank you! I'll bring the vocal stems of my song “Tidewater”."),
            (mira, "Great. Tuesday at 7 at the studio? Bring headphones."),
            (
                priya,
                "See you Tuesday. Could we also look at why my mixes sound muddy on "
                "phone speakers? I have tried cutting the low mids but it gets thin.",
            ),
            (mira, "Yes: we'll A/B on three speakers. Long words like reverberationtimes wrap."),
        ]
        for n, (author, body) in enumerate(chat):
            workspace.post_message(
                author, running, body, now=start + timedelta(days=9 + n, hours=n)
            )
        goals = [
            workspace.add_goal(priya, running, title)
            for title in ("Comp a lead vocal", "Mix one song start to finish", "Master an EP")
        ]
        workspace.set_goal_done(running, goals[0].id, True)
        logged = [
            (start.date() + timedelta(days=12), 2.5, "Vocal comping and tuning."),
            (start.date() + timedelta(days=19), 3, "EQ and compression on the lead vocal."),
            (utc_now().date() - timedelta(days=1), 1.5, "Listening on three speakers."),
        ]
        sessions = [workspace.log_session(priya, running, *entry) for entry in logged]
        for session in sessions[:2]:
            workspace.confirm_session(mira, running, session.id)

        # Sam waits for an answer; Nora was declined.
        waiting = services.request_apprenticeship(
            db.session.get(User, sam), mira.id, "I would like to learn mastering for my EP."
        )
        declined = services.request_apprenticeship(
            db.session.get(User, nora), mira.id, "Can you teach me to produce hip-hop beats?"
        )
        services.decline(mira, declined.id, "not_my_field", "Try Jo, who produces hip-hop.")
        # Mira read what came about Theo long ago.
        db.session.execute(
            update(Notification)
            .where(Notification.apprenticeship_id == done.id)
            .values(read_at=start + timedelta(days=1))
        )
        db.session.commit()
        return Busy(
            workspace=running.id,
            reference=sheet.id,
            finished=done.id,
            waiting=waiting.id,
            declined=declined.id,
            theo=theo,
        )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_apprenticeship_pages_fit_the_screen(open_page, busy: Busy, size: str):
    """Screenshots into test-artifacts/ (gitignored) for a person to look at."""
    page = open_page(viewport={"desktop": DESKTOP, "phone": PHONE}[size])
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, MENTOR[0])

    def shoot(name: str) -> None:
        assert_no_horizontal_scroll(page)
        page.screenshot(path=ARTIFACTS / f"{name}-{size}.png", full_page=True)

    visit(page, f"/apprenticeships/{busy.workspace}")
    expect(state_label(page)).to_have_text("Running")
    expect(thread_messages(page)).to_have_count(5)
    expect(region(page, "Goals and milestones")).to_contain_text("1 of 3 reached")
    expect(region(page, "Sessions")).to_contain_text("5.5 hours confirmed by the mentor.")
    expect(page.get_by_role("button", name=re.compile("^Confirm the session"))).to_have_count(1)
    if size == "phone":
        for card in page.locator(".workspace .card").all():
            box = card.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shoot("workspace")

    visit(page, "/apprenticeships")
    expect(heading(page)).to_have_text("Apprenticeships")
    expect(page.get_by_role("region", name=re.compile("^Waiting for your answer"))).to_contain_text(
        "Sam Ortiz"
    )
    expect(region(page, "Running")).to_contain_text("5.5 confirmed hours")
    finished = region(page, "Finished and closed").get_by_role("listitem")
    expect(finished).to_have_count(2)
    expect(finished.filter(has_text="Nora Haddad")).to_contain_text(
        f"Apprentice · asked you on {utc_now():%d %b %Y} · declined {utc_now():%d %b %Y}"
    )
    expect(finished.filter(has_text="Theo Lindqvist")).to_contain_text(
        "Your apprentice · completed"
    )
    shoot("apprenticeships")

    visit(page, "/notifications")
    expect(heading(page)).to_have_text("Inbox")
    expect(page.get_by_role("button", name="Mark all as read")).to_be_visible()
    notes = page.get_by_role("main").get_by_role("listitem")
    expect(notes).to_have_count(10)  # with the feedback asked for after completion
    expect(notes.first.get_by_role("button")).to_have_accessible_name(
        re.compile(r"^Unread: Nora Haddad asks you for an apprenticeship\.")
    )
    expect(notes.last.get_by_role("button")).to_have_accessible_name(
        re.compile(r"^Theo Lindqvist asks you for an apprenticeship\.")  # read long ago
    )
    shoot("inbox")

    visit(page, f"/references/{busy.reference}")
    expect(heading(page)).to_have_text("Theo Lindqvist")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    shoot("reference")

    # Without JavaScript the reference reads the same, without a Print button that
    # could not work (the browser's own print does).
    plain = open_page(viewport=page.viewport_size, javascript=False)
    visit(plain, f"/references/{busy.reference}")
    expect(plain.get_by_role("main")).to_contain_text("He arrives prepared and takes notes.")
    expect(plain.get_by_role("button", name="Print")).to_be_hidden()
