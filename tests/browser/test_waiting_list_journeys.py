"""A mentee joins a full mentor's waiting list from the mentor's page, finds it on their
dashboard and leaves it there, by keyboard only, on a desktop and on a phone; every page
is checked with axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, navigate, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, log_in
from tests.factories import DEFAULT_PASSWORD
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
)

JOIN = "Full — join the waiting list"


def tab_to(page: Page, label: str, presses: int = 80) -> None:
    """Press Tab until the focused element's accessible text starts with `label`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => (document.activeElement.innerText || '').trim()")
        if focused.startswith(label):
            return
    raise AssertionError(f"never reached {label!r} with Tab")


def test_a_mentee_joins_a_full_mentors_waiting_list_by_keyboard(app, open_page):
    mentor = make_mentor(app, "marcus@example.com", "Marcus Lindqvist", capacity=1)
    busy = make_mentee(app, "busy@example.com", "Busy Apprentice")
    make_apprenticeship(app, mentor, busy, state="accepted")
    make_mentee(app, "priya@example.com", "Priya Raman")
    make_mentee(app, "tom@example.com", "Tom Baker")
    for viewport, email, number in (
        (DESKTOP, "priya@example.com", 1),
        (PHONE, "tom@example.com", 2),
    ):
        page = open_page(viewport=viewport)
        log_in(page, email, DEFAULT_PASSWORD)
        visit(page, f"/people/{mentor}")
        expect(page.get_by_role("button", name=JOIN + " of Marcus Lindqvist")).to_be_visible()
        tab_to(page, JOIN)
        navigate(page, lambda p=page: p.keyboard.press("Enter"))
        region = page.get_by_role("region", name="Apprenticeship", exact=True)
        expect(region).to_contain_text(f"You are number {number} on the waiting list")
        expect(
            page.get_by_role("button", name="Leave the waiting list of Marcus Lindqvist")
        ).to_be_visible()
        assert_no_horizontal_scroll(page)
        page.screenshot(
            path=str(ARTIFACTS / f"waiting-list-{viewport['width']}.png"), full_page=True
        )
        # The dashboard lists the list with the number, and leaving it comes back there.
        visit(page, "/dashboard")
        lists = page.get_by_role("region", name="Waiting lists you are on")
        expect(lists).to_contain_text(f"Marcus Lindqvist You are number {number}.")
        assert_no_horizontal_scroll(page)
        if number == 2:
            tab_to(page, "Leave")
            navigate(page, lambda p=page: p.keyboard.press("Enter"))
            expect(page).to_have_url(f"{page.url.split('/dashboard')[0]}/dashboard")
            expect(page.get_by_text("You left the waiting list.")).to_be_visible()
            expect(page.get_by_role("region", name="Waiting lists you are on")).to_have_count(0)
