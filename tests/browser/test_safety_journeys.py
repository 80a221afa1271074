"""Reports and blocks in a real browser: an apprentice reports a message from the
workspace with the keyboard only and an admin finds it in the queue and acts on it;
someone blocks a mentor from her profile without JavaScript, the mentor only reads
"not available", and the block is lifted from account settings; the pages on a phone.
Every page is checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, navigate, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, flashes, heading
from tests.browser.test_apprenticeship_journeys import press, region, sign_in, type_into
from tests.functional.apprenticeship_builders import make_apprenticeship, post, signed_in
from tests.functional.safety_builders import MIRA_WROTE, blocks_of, build_scene, reports_of

WHAT_HAPPENED = "She asked me to come alone to a flat at midnight."


@pytest.fixture
def scene(app):
    return build_scene(app)


def test_report_a_message_with_the_keyboard_and_an_admin_acts_on_it(scene, open_page):
    priya = open_page()
    sign_in(priya, "priya@example.com")
    visit(priya, f"/apprenticeships/{scene.a}")
    conversation = region(priya, "Conversation")
    expect(conversation).to_contain_text(MIRA_WROTE)
    # Click one: the Report link beside Mira's message.
    press(
        priya, conversation.get_by_role("link", name=re.compile(r"^Report this message from Mira"))
    )
    expect(heading(priya)).to_have_text("Report a message from Mira Okafor")
    reason = priya.get_by_role("radio", name="A safety concern about working in person")
    reason.focus()
    priya.keyboard.press("Space")
    expect(reason).to_be_checked()
    type_into(priya.get_by_role("textbox", name="What happened"), WHAT_HAPPENED)
    # Click two: send it. Back in the workspace, thanked.
    press(priya, priya.get_by_role("button", name="Send the report"))
    expect(priya).to_have_url(re.compile(rf"/apprenticeships/{scene.a}$"))
    expect(flashes(priya)).to_contain_text("Thank you. An admin will look at your report")
    [report] = reports_of(scene.app)

    ada = open_page()
    sign_in(ada, "ada@example.com")
    visit(ada, "/admin")
    press(ada, ada.get_by_role("navigation", name="Admin").get_by_role("link", name="Reports"))
    row = ada.get_by_role("row").filter(has_text="Mira Okafor")
    expect(row).to_contain_text("A safety concern about working in person")
    expect(row).to_contain_text("Priya Raman")
    press(ada, row.get_by_role("link", name=re.compile("^Mira Okafor")))
    expect(ada.locator("blockquote")).to_contain_text(MIRA_WROTE)
    expect(ada.get_by_text(WHAT_HAPPENED)).to_be_visible()
    type_into(ada.get_by_role("textbox", name="Reason"), "Hidden while we talk to Mira.")
    press(ada, ada.get_by_role("button", name="Hide the content"))
    expect(flashes(ada)).to_contain_text("Hidden.")
    expect(ada.get_by_text("No open reports")).to_be_visible()
    assert reports_of(scene.app)[0].state == "hidden" and report.id == reports_of(scene.app)[0].id

    visit(priya, f"/apprenticeships/{scene.a}")
    expect(region(priya, "Conversation")).not_to_contain_text(MIRA_WROTE)
    expect(region(priya, "Conversation")).to_contain_text("The admins hid this message.")
    visit(priya, "/notifications")
    expect(priya.locator(".inbox")).to_contain_text("We looked at your report.")


def test_block_from_a_profile_without_javascript(scene, open_page):
    request = make_apprenticeship(scene.app, scene.mira, scene.olu)  # Olu asked Mira
    olu = open_page(javascript=False)
    sign_in(olu, "olu@example.com")
    visit(olu, f"/people/{scene.mira}")
    olu.get_by_role("link", name="Block Mira Okafor").click()
    olu.wait_for_load_state()
    expect(heading(olu)).to_have_text("Block Mira Okafor?")
    assert_accessible(olu)
    navigate(olu, olu.get_by_role("button", name="Block Mira Okafor").click, status=200)
    expect(olu).to_have_url(re.compile(r"/account/blocked$"))
    expect(flashes(olu)).to_contain_text("You blocked Mira Okafor")
    assert blocks_of(scene.app) == [(scene.olu, scene.mira)]

    mira = open_page(javascript=False)
    sign_in(mira, "mira@example.com")
    visit(mira, f"/apprenticeships/{request}")
    expect(mira.locator("main")).to_contain_text(
        "Olu Bello is not available, so this request closed"
    )
    visit(mira, f"/people/{scene.olu}")
    expect(mira.locator("main")).to_contain_text("Olu Bello is not available.")
    assert not re.search(r"\bblock", mira.locator("main").inner_text(), re.I)
    visit(mira, "/notifications")
    assert not re.search(r"\bblock", mira.locator("main").inner_text(), re.I)

    # Olu changes his mind, from account settings.
    visit(olu, "/account")
    navigate(olu, olu.get_by_role("link", name="People you blocked").click, status=200)
    navigate(olu, olu.get_by_role("button", name="Unblock Mira Okafor").click, status=200)
    expect(flashes(olu)).to_contain_text("You unblocked Mira Okafor.")
    assert blocks_of(scene.app) == []


def test_the_report_and_block_pages_fit_a_phone(scene, open_page):
    olu = open_page(viewport=PHONE)
    sign_in(olu, "olu@example.com")
    for url in (
        f"/people/{scene.mira}",
        f"/report/profile/{scene.mira}",
        f"/people/{scene.mira}/block",
    ):
        visit(olu, url)
        assert_no_horizontal_scroll(olu)
    post(
        signed_in(scene.app, "olu@example.com"),
        f"/report/profile/{scene.mira}",
        {"reason": "spam", "description": "Selling beats."},
    )
    [report] = reports_of(scene.app)
    ada = open_page(viewport=PHONE)
    sign_in(ada, "ada@example.com")
    for url in ("/admin/reports", f"/admin/reports/{report.id}"):
        visit(ada, url)
        assert_no_horizontal_scroll(ada)
