"""Vetting a mentor in a real browser, with the keyboard: a new mentor reads on their
dashboard why they are not suggested yet, applies with links where their work can be
checked, an admin approves the application from Admin → Mentors, and the mentor's
profile carries the vetted mark with its date. The same without JavaScript, with an
error next to its field and the typing kept. Every page is checked with axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from mentorapp.models.types import utcnow
from tests.browser.conftest import visit
from tests.browser.test_account_journeys import field_error, flashes, heading
from tests.browser.test_apprenticeship_journeys import main_nav, press, sign_in, type_into
from tests.conftest import post_form
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url

MENTOR = ("mo@example.com", "Mo Mensah")
ADMIN = ("ada@example.com", "Ada Byrne")
CREDITS = "Mixed the album Night Ferry for Harbour Records (2024)."
LINKS = ["https://credits.example.org/mo-mensah", "https://harbour.example.org/night-ferry"]


def new_mentor(client, auth, users) -> int:
    """A mentor who signed up and filled in their profile, and has not applied yet."""
    person = users(
        email=MENTOR[0], display_name=MENTOR[1], is_mentor=True, is_mentee=False, vetting="draft"
    )
    users(email=ADMIN[0], display_name=ADMIN[1], is_admin=True, is_mentee=False)
    auth.login(MENTOR[0])
    for section, data in MENTOR_SECTIONS.items():
        if section == "credits":
            data = {"rows-0-title": CREDITS}
        response = post_form(client, edit_url(person, "mentor", section), data)
        assert response.status_code == 302, f"mentor {section}: {response.status_code}"
    auth.logout()
    return person


def status(page: Page):
    return page.locator(".vetting-status")


def approve_from_the_queue(ada: Page) -> None:
    """Admin → Mentors, through the navigation, and Approve, all with the keyboard."""
    visit(ada, "/dashboard")
    press(ada, main_nav(ada).get_by_role("link", name="Admin"))
    press(ada, ada.get_by_role("navigation", name="Admin").get_by_role("link", name="Mentors"))
    expect(heading(ada)).to_have_text("Mentors to vet")
    expect(ada.get_by_role("main")).to_contain_text("1 waiting: 1 new application, 0 re-checks")
    item = ada.get_by_role("article", name=MENTOR[1], exact=True)
    expect(item.locator("dl")).to_contain_text(CREDITS)
    for link in LINKS:
        expect(item.get_by_role("link", name=link)).to_be_visible()
    press(ada, item.get_by_role("button", name=f"Approve {MENTOR[1]}"))
    expect(flashes(ada)).to_contain_text("Approved: they carry the vetted mark now.")
    expect(ada.get_by_role("main")).to_contain_text("0 waiting")
    expect(ada.get_by_role("region", name=re.compile("New mentor applications"))).to_contain_text(
        "No application waits."
    )


def test_a_new_mentor_applies_and_an_admin_approves_by_keyboard(open_page, client, auth, users):
    person = new_mentor(client, auth, users)
    mo, ada = open_page(), open_page()

    sign_in(mo, MENTOR[0])
    visit(mo, "/dashboard")
    expect(status(mo)).to_contain_text("Apply to be a vetted mentor")
    press(mo, status(mo).get_by_role("link", name="Apply to be vetted"))
    expect(heading(mo)).to_have_text("Your mentor application")
    expect(mo.get_by_role("region", name=re.compile("What an admin checks"))).to_contain_text(
        CREDITS
    )
    links = mo.get_by_role("textbox", name="Where an admin can check your work")
    links.focus()
    links.press_sequentially("\n".join(LINKS))  # Enter between them, as typed
    expect(links).to_have_value("\n".join(LINKS))
    press(mo, mo.get_by_role("button", name="Send for review"))
    expect(flashes(mo)).to_contain_text("Sent. An admin will check it")
    expect(status(mo)).to_contain_text("Your application is waiting for an admin")
    visit(mo, f"/people/{person}")
    expect(mo.get_by_role("main").locator(".vetted-mark")).to_have_count(0)

    sign_in(ada, ADMIN[0])
    approve_from_the_queue(ada)

    visit(mo, "/dashboard")
    expect(status(mo)).to_have_count(0)
    visit(mo, f"/people/{person}")
    today = utcnow()
    mark = mo.get_by_role("main").locator(".vetted-mark")
    expect(mark).to_contain_text("vetted")
    expect(mark).to_contain_text(f"{today.day} {today.strftime('%B %Y')}")
    visit(mo, "/notifications")
    expect(mo.get_by_role("main")).to_contain_text("Your mentor application is approved")


def test_applying_without_javascript_keeps_the_typing_and_shows_the_error(
    open_page, client, auth, users
):
    person = new_mentor(client, auth, users)
    mo = open_page(javascript=False)
    sign_in(mo, MENTOR[0])
    visit(mo, "/mentor/application")
    note = mo.get_by_role("textbox", name="Anything the admins should know (optional)")
    type_into(note, "I mostly work nights.")
    press(mo, mo.get_by_role("button", name="Send for review"), status=422)
    label = "Where an admin can check your work"
    expect(field_error(mo, label)).to_contain_text("Give at least one link")
    links = mo.get_by_role("textbox", name=label)
    expect(links).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_value("I mostly work nights.")
    type_into(links, LINKS[0])
    press(mo, mo.get_by_role("button", name="Send for review"))
    expect(flashes(mo)).to_contain_text("Sent. An admin will check it")

    ada = open_page(javascript=False)
    sign_in(ada, ADMIN[0])
    visit(ada, "/admin/mentors")
    item = ada.get_by_role("article", name=MENTOR[1], exact=True)
    expect(item).to_contain_text("I mostly work nights.")
    press(ada, item.get_by_role("button", name=f"Approve {MENTOR[1]}"))
    expect(flashes(ada)).to_contain_text("Approved: they carry the vetted mark now.")
    visit(mo, f"/people/{person}")
    expect(mo.get_by_role("main").locator(".vetted-mark")).to_contain_text("vetted")
