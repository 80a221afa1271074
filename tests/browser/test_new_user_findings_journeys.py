"""What a new user tripped over (issue 14), in a real browser: the navigation on a phone,
a 100-character name at 375 px, the live character count, and the confirm steps of
withdraw and end. Keyboard only, with and without JavaScript; axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentorapp.models import State
from tests.browser.conftest import ARTIFACTS, DESKTOP, navigate, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, heading
from tests.browser.test_apprenticeship_journeys import sign_in
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    state_of,
)
from tests.functional.listing_builders import make_listing, mentor_at

NARROW = {"width": 375, "height": 812}
# No space to break at: a studio's name of 100 characters, and a person's of 80 (the
# most a display name holds).
LONG_NAME = "Wolfgang" + "x" * 72
LONG_STUDIO = "Klangfabrik" + "z" * 89


def tab_to(page: Page, locator, limit: int = 40) -> None:
    """Press Tab until `locator` has the focus (a keyboard user's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def nav_link(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


# --- 8. The navigation on a phone is one menu; long words wrap --------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_phone_navigation_is_a_menu_opened_by_keyboard(open_page, javascript):
    page = open_page(viewport=NARROW, javascript=javascript)
    visit(page, "/")
    menu = page.locator("summary.site-nav__toggle")
    expect(menu).to_be_visible()
    expect(menu).to_have_text("Menu")
    expect(nav_link(page, "Log in")).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80, f"the header takes {header['height']}px"

    tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(nav_link(page, "Log in")).to_be_visible()
    assert_no_horizontal_scroll(page)
    tab_to(page, nav_link(page, "Log in"))
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    expect(heading(page)).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('/login')[0]}/login")
    expect(nav_link(page, "Sign up")).to_be_hidden()  # closed again on the next page


def test_on_a_wide_screen_the_navigation_is_a_row_of_links(open_page):
    page = open_page(viewport=DESKTOP)
    visit(page, "/")
    expect(page.locator("summary.site-nav__toggle")).to_be_hidden()
    expect(nav_link(page, "Log in")).to_be_visible()
    expect(nav_link(page, "Sign up")).to_be_visible()


def test_a_hundred_character_name_never_scrolls_a_phone_sideways(app, open_page):
    assert len(LONG_NAME) == 80 and len(LONG_STUDIO) == 100
    studio = make_listing(app, LONG_STUDIO)
    mira = mentor_at(app, "mira@example.com", LONG_NAME, studio)
    priya = make_mentee(app, "priya@example.com", "Priya" + "y" * 75)
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    page = open_page(viewport=NARROW)
    sign_in(page, "priya@example.com")
    paths = ("/dashboard", f"/people/{mira}", f"/apprenticeships/{a}", "/apprenticeships")
    for path in (*paths, "/directory", f"/directory/{studio}"):
        visit(page, path)
        assert_no_horizontal_scroll(page)
    visit(page, f"/apprenticeships/{a}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "new-user-long-name-375.png"), full_page=True)


# --- 7. A live count of what is left, without cutting -----------------------------------


def test_the_count_follows_the_typing_and_nothing_is_cut(app, open_page):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    page = open_page(viewport=DESKTOP)
    sign_in(page, "priya@example.com")
    visit(page, f"/apprenticeships/{a}")
    box = page.get_by_role("textbox", name="Message")
    count = page.locator("#body-count")
    expect(count).to_have_text("4,000 of 4,000 characters left.")
    tab_to(page, box)
    page.keyboard.type("Hello")
    expect(count).to_have_text("3,995 of 4,000 characters left.")
    pasted = "la" * 2001
    box.fill(pasted)  # a paste: one input event
    expect(box).to_have_value(pasted)  # nothing cut
    expect(count).to_have_text("2 characters too many (the limit is 4,000).")
    navigate(page, page.get_by_role("button", name="Send message").click, status=422)
    expect(page).to_have_url(f"{page.url.split('/apprenticeships')[0]}/apprenticeships/{a}")
    expect(page.get_by_role("textbox", name="Message")).to_have_value(pasted)
    expect(page.locator("#body-error")).to_be_visible()


def test_without_javascript_the_limit_is_stated(app, nojs_page):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    sign_in(nojs_page, "priya@example.com")
    visit(nojs_page, f"/apprenticeships/{a}")
    expect(nojs_page.locator("#body-count")).to_have_text("Up to 4,000 characters.")


# --- 12. Withdraw and end ask once more -------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_withdrawing_asks_once_more_by_keyboard(app, open_page, javascript):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya)
    page = open_page(viewport=DESKTOP, javascript=javascript)
    sign_in(page, "priya@example.com")
    visit(page, f"/apprenticeships/{a}")
    withdraw = page.get_by_role("link", name="Withdraw my request…")
    tab_to(page, withdraw)
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    expect(heading(page)).to_have_text("Withdraw your request with Mira?")
    assert state_of(app, a) == State.REQUESTED

    # Changing one's mind goes back, untouched.
    tab_to(page, page.get_by_role("link", name="Keep your request"))
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    assert state_of(app, a) == State.REQUESTED

    visit(page, f"/apprenticeships/{a}/withdraw")
    tab_to(page, page.get_by_role("button", name="Yes, withdraw it"))
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    expect(page.locator(".flashes")).to_contain_text("Your request is withdrawn.")
    assert state_of(app, a) == State.WITHDRAWN


def test_ending_asks_once_more_with_the_reason_next_to_it(app, nojs_page):
    page = nojs_page
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    sign_in(page, "mira@example.com")
    visit(page, f"/apprenticeships/{a}")
    navigate(page, page.get_by_role("link", name="End the apprenticeship…").click, status=200)
    expect(heading(page)).to_have_text("End the apprenticeship with Priya?")
    navigate(page, page.get_by_role("button", name="Yes, end it now").click, status=422)
    expect(page.locator("#reason-error")).to_be_visible()
    assert state_of(app, a) == State.ACCEPTED
