"""What a person sees while signing up, confirming, logging in and out, resetting a
password and deleting their account, in a real browser. Every page is checked with axe."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, navigate, visit
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "mixing desks at midnight"
DASHBOARD = re.compile(r"/dashboard$")
LOGIN = re.compile(r"/login(\?.*)?$")
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")


def unique_email(who: str) -> str:
    return f"{who}-{uuid4().hex[:10]}@example.com"


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def flashes(page: Page) -> Locator:
    """The flash messages under the header (a role=status region)."""
    return page.locator(".flashes")


def field_error(page: Page, label: str) -> Locator:
    """The error shown inside the form field whose label is `label`."""
    return (
        page.locator(".field")
        .filter(has=page.get_by_label(label, exact=True))
        .locator(".field__error")
    )


CONDUCT = "I have read the code of conduct and I will keep to it"


def sign_up(
    page: Page,
    *,
    name: str,
    email: str,
    password: str,
    role: str = "Learn",
    born: str = "1995-04-12",
) -> None:
    """Fill the sign-up form on the current page and send it (the page is checked)."""
    page.get_by_role("radio", name=re.compile(rf"^{role}:")).check()
    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Date of birth", exact=True).fill(born)
    page.get_by_label(CONDUCT, exact=True).check()
    navigate(page, page.get_by_role("button", name="Create account").click)


def main_nav_link(page: Page, name: str):
    """A link of the main navigation; on a phone the "Menu" disclosure is opened first."""
    toggle = page.locator("summary.site-nav__toggle")
    if toggle.is_visible() and not page.locator("details.site-nav__menu[open]").count():
        toggle.click()
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def open_dashboard(page: Page) -> None:
    """Go to the dashboard through the main navigation (signing up may land elsewhere)."""
    navigate(page, main_nav_link(page, "Dashboard").click, status=200)
    expect(page).to_have_url(DASHBOARD)


def log_in(page: Page, email: str, password: str, *, status: int = 200) -> None:
    """Log in through /login; the page after it is checked."""
    visit(page, "/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    navigate(page, page.get_by_role("button", name="Log in").click, status=status)


def log_out(page: Page) -> None:
    nav = page.get_by_role("navigation", name="Main")
    navigate(page, nav.get_by_role("button", name="Log out").click)
    expect(page).to_have_url(HOME)
    expect(flashes(page)).to_contain_text("You are signed out.")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]}px > {widths[1]}px"


def assert_focus_visible(locator: Locator) -> None:
    """The focused element draws an outline a sighted keyboard user can see."""
    expect(locator).to_be_focused()
    style = locator.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
    )
    assert style["style"] != "none" and style["width"] > 0, f"no visible focus outline: {style}"


# --- Journeys -----------------------------------------------------------------------


def test_mentee_signs_up_confirms_email_logs_out_and_back_in(page: Page, email_link):
    email = unique_email("mentee")
    visit(page, "/signup")
    expect(heading(page)).to_have_text("Create your account")

    sign_up(page, name="Ada Producer", email=email, password=NEW_PASSWORD)
    expect(flashes(page)).to_contain_text(
        f"Welcome to mentorapp, Ada Producer! We sent a link to {email}"
    )

    open_dashboard(page)
    expect(heading(page)).to_have_text("Hello, Ada Producer")
    notice = page.get_by_role("region", name="Confirm your email")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(email)

    visit(page, email_link(email))
    expect(heading(page)).to_have_text("Confirm your email")
    expect(page.get_by_role("main")).to_contain_text(email)
    navigate(page, page.get_by_role("button", name="Confirm my email").click)

    expect(page).to_have_url(DASHBOARD)
    expect(flashes(page)).to_contain_text("Your email is confirmed. Thank you!")
    expect(notice).to_have_count(0)

    log_out(page)

    log_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(DASHBOARD)
    expect(flashes(page)).to_contain_text("Welcome back, Ada Producer.")
    expect(heading(page)).to_have_text("Hello, Ada Producer")
    expect(page.get_by_role("region", name="Confirm your email")).to_have_count(0)


def test_wrong_password_is_refused_and_the_email_is_kept(page: Page, users):
    email = unique_email("known")
    users(email=email, display_name="Known Person")

    log_in(page, email, "not the right password", status=422)

    expect(page).to_have_url(LOGIN)
    expect(heading(page)).to_have_text("Log in")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check the form")
    expect(summary).to_contain_text("That email and password do not match an account.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


def test_signup_errors_show_next_to_their_fields(page: Page, user_count):
    visit(page, "/signup")
    sign_up(page, name="Grace Beatmaker", email="grace-at-example.com", password="short")

    expect(page).to_have_url(re.compile(r"/signup$"))
    expect(heading(page)).to_have_text("Create your account")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check the form")
    expect(summary.get_by_role("link", name=re.compile(r"^Email:"))).to_have_attribute(
        "href", "#email"
    )
    expect(summary.get_by_role("link", name=re.compile(r"^Password:"))).to_have_attribute(
        "href", "#password"
    )

    expect(field_error(page, "Email")).to_have_text(
        re.compile(r"Enter an email address like name@example\.com\.")
    )
    expect(field_error(page, "Password")).to_have_text(re.compile(r"Use at least 10 characters\."))
    expect(field_error(page, "Your name")).to_have_count(0)
    for label, error_id in (("Email", "email-error"), ("Password", "password-error")):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))

    expect(page.get_by_label("Your name", exact=True)).to_have_value("Grace Beatmaker")
    expect(page.get_by_label("Email", exact=True)).to_have_value("grace-at-example.com")
    expect(page.get_by_role("radio", name=re.compile(r"^Learn:"))).to_be_checked()
    assert user_count() == 0


def test_password_reset_by_email_link_works_once(page: Page, users, email_link):
    email = unique_email("forgetful")
    users(email=email, display_name="Forgetful Fred")

    visit(page, "/forgot-password")
    expect(heading(page)).to_have_text("Reset your password")
    page.get_by_label("Email", exact=True).fill(email)
    navigate(page, page.get_by_role("button", name="Send the link").click)
    expect(heading(page)).to_have_text("Check your inbox")
    expect(page.get_by_role("main")).to_contain_text(email)

    link = email_link(email)
    visit(page, link)
    expect(heading(page)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password", exact=True).fill(NEW_PASSWORD)
    navigate(page, page.get_by_role("button", name="Save the new password").click)

    expect(page).to_have_url(LOGIN)
    expect(flashes(page)).to_contain_text("Your password is changed. Log in with the new one.")

    log_in(page, email, DEFAULT_PASSWORD, status=422)
    expect(page.get_by_role("alert")).to_contain_text(
        "That email and password do not match an account."
    )
    log_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(DASHBOARD)
    expect(heading(page)).to_have_text("Hello, Forgetful Fred")

    visit(page, link, status=400)
    expect(heading(page)).to_have_text("This link no longer works")
    expect(page.get_by_role("link", name="Send me a new reset link")).to_be_visible()


def test_deleting_the_account_signs_out_for_good(page: Page, users, user_count):
    email = unique_email("leaving")
    users(email=email, display_name="Leaving Lee")
    log_in(page, email, DEFAULT_PASSWORD)
    expect(heading(page)).to_have_text("Hello, Leaving Lee")

    nav = page.get_by_role("navigation", name="Main")
    navigate(page, nav.get_by_role("link", name="Account").click)
    expect(heading(page)).to_have_text("Account settings")
    expect(nav.get_by_role("link", name="Account")).to_have_attribute("aria-current", "page")
    navigate(page, page.get_by_role("link", name="Delete my account…").click)
    expect(heading(page)).to_have_text("Delete your account")

    page.get_by_label("Your password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("checkbox", name=re.compile(r"^I understand")).check()
    navigate(page, page.get_by_role("button", name="Delete my account for good").click)

    expect(page).to_have_url(HOME)
    expect(flashes(page)).to_contain_text(
        "Your account and personal data are deleted. We are sorry to see you go."
    )
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    assert user_count() == 0

    log_in(page, email, DEFAULT_PASSWORD, status=422)
    expect(page.get_by_role("alert")).to_contain_text(
        "That email and password do not match an account."
    )


def test_sign_up_with_the_keyboard_only(page: Page):
    email = unique_email("keys")
    keyboard = page.keyboard
    visit(page, "/")

    # The first Tab lands on the skip link, which shows itself when focused.
    keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert_focus_visible(skip)
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    keyboard.press("Tab")
    find_mentor = page.get_by_role("link", name="Find a mentor")
    assert_focus_visible(find_mentor)
    navigate(page, lambda: keyboard.press("Enter"))
    expect(heading(page)).to_have_text("Create your account")

    keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keyboard.press("Enter")
    keyboard.press("Tab")
    learn = page.get_by_role("radio", name=re.compile(r"^Learn:"))
    expect(learn).to_be_focused()
    keyboard.press("Space")
    expect(learn).to_be_checked()

    keyboard.press("Tab")
    name = page.get_by_label("Your name", exact=True)
    assert_focus_visible(name)
    keyboard.type("Kay Board")
    keyboard.press("Tab")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    keyboard.type(email)
    keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    keyboard.type(NEW_PASSWORD)
    keyboard.press("Tab")
    born = page.get_by_label("Date of birth", exact=True)
    expect(born).to_be_focused()
    keyboard.type("04121995")  # month, day, year: the date field of an en-US browser
    expect(born).to_have_value("1995-04-12")
    keyboard.press("Tab")
    if born.evaluate("el => el === document.activeElement"):
        keyboard.press("Tab")  # Chromium's calendar button, inside the date field
    expect(page.get_by_role("link", name="code of conduct", exact=True)).to_be_focused()
    keyboard.press("Tab")
    conduct = page.get_by_label(CONDUCT, exact=True)
    assert_focus_visible(conduct)
    keyboard.press("Space")
    expect(conduct).to_be_checked()
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create account")).to_be_focused()
    navigate(page, lambda: keyboard.press("Enter"))
    expect(flashes(page)).to_contain_text("Welcome to mentorapp, Kay Board!")

    # Signing up may lead on to the profile; the dashboard is three Tabs away.
    keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_role("link", name="mentorapp home")).to_be_focused()
    keyboard.press("Tab")
    dashboard = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
    assert_focus_visible(dashboard)
    navigate(page, lambda: keyboard.press("Enter"))

    expect(page).to_have_url(DASHBOARD)
    expect(heading(page)).to_have_text("Hello, Kay Board")


def test_sign_up_log_out_and_log_in_without_javascript(nojs_page: Page):
    page = nojs_page
    assert page.evaluate("() => 1") == 1  # Playwright's own scripts still run
    email = unique_email("nojs")

    visit(page, "/signup")
    sign_up(page, name="Plain HTML", email=email, password=NEW_PASSWORD, role="Teach")
    expect(flashes(page)).to_contain_text("Welcome to mentorapp, Plain HTML!")
    open_dashboard(page)
    expect(heading(page)).to_have_text("Hello, Plain HTML")
    expect(page.get_by_role("main")).to_contain_text("You are here to take on apprentices.")

    log_out(page)

    log_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(DASHBOARD)
    expect(heading(page)).to_have_text("Hello, Plain HTML")


@pytest.mark.parametrize("path", ["/", "/signup"])
def test_phone_pages_do_not_scroll_sideways(phone_page: Page, path: str):
    visit(phone_page, path)
    expect(heading(phone_page)).to_be_visible()
    assert_no_horizontal_scroll(phone_page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots_for_a_human_to_review(open_page, size: str):
    """Full-page screenshots in test-artifacts/ (gitignored): home, sign-up with errors,
    dashboard and account settings."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(viewport={"desktop": DESKTOP, "phone": PHONE}[size])

    def shoot(name: str) -> None:
        assert_no_horizontal_scroll(page)
        page.screenshot(path=ARTIFACTS / f"{name}-{size}.png", full_page=True)

    visit(page, "/")
    shoot("home")

    visit(page, "/signup")
    sign_up(page, name="Screen Shot", email="not-an-email", password="short")
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("signup-errors")

    page.get_by_label("Email", exact=True).fill(unique_email("shots"))
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    navigate(page, page.get_by_role("button", name="Create account").click)
    expect(flashes(page)).to_contain_text("Welcome to mentorapp, Screen Shot!")
    open_dashboard(page)
    expect(heading(page)).to_have_text("Hello, Screen Shot")
    shoot("dashboard")

    navigate(page, main_nav_link(page, "Account").click)
    expect(heading(page)).to_have_text("Account settings")
    shoot("account-settings")
