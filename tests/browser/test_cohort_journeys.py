"""Cohort matching in a real browser, by keyboard alone: an admin makes a cohort, runs
it, pins a pair and runs again, compares the runs and sends the invitations; the mentor
then sees the invitation from the cohort. Every page is checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import visit
from tests.browser.test_account_journeys import flashes, heading
from tests.browser.test_apprenticeship_journeys import press, sign_in, type_into
from tests.functional.cohort_builders import ADMIN, mentee, mentor


@pytest.fixture
def intake(app, users):
    users(email=ADMIN, display_name="Ada Admin", is_admin=True, is_mentee=False)
    best = mentor(app, "Mia Mentor", teaches=("mixing", "mastering"), email="mia@example.com")
    mentor(app, "Olga Other", teaches=("mixing",), kinds=("phenom",), email="olga@example.com")
    mentee(app, "Ann Apprentice", wants=("mixing", "mastering"))
    mentee(app, "Far Away", city="Manchester")
    return best


def test_an_admin_pairs_a_cohort_and_sends_its_invitations_by_keyboard(open_page, app, intake):
    page = open_page()
    sign_in(page, ADMIN)
    visit(page, "/admin")
    press(page, page.get_by_role("link", name="Pair a whole intake at once: cohort matching"))
    expect(heading(page)).to_have_text("Cohorts")
    press(page, page.get_by_role("link", name="New cohort"))
    type_into(page.get_by_label("Name of the cohort"), "Spring intake")
    press(page, page.get_by_role("button", name="Make the cohort"))
    expect(heading(page)).to_have_text("Cohort Spring intake")
    expect(flashes(page)).to_contain_text("start a run to see the pairs")

    press(page, page.get_by_role("button", name="Start a run"))
    expect(heading(page)).to_have_text("Run 1 of Spring intake")
    figures = page.get_by_role("region", name="The figures")
    expect(figures).to_contain_text("1 of 2 apprentices")
    pairs = page.get_by_role("region", name="Pairs (1)")
    expect(pairs).to_contain_text("Mia Mentor")
    expect(pairs).to_contain_text("Wants to learn mixing and mastering, which you teach")
    unplaced = page.get_by_role("region", name="Not placed (1)")
    expect(unplaced).to_contain_text("Far Away")
    expect(unplaced).to_contain_text("No mentor within reach")

    # Forbid the proposed pair, then run again: the other mentor takes Ann.
    press(page, pairs.get_by_role("button", name="Forbid"))
    expect(flashes(page)).to_contain_text("Forbade Ann Apprentice with Mia Mentor.")
    press(page, page.get_by_role("link", name="Back to the cohort"))
    stable = page.get_by_role("radio", name="Stable (no blocking pair)")
    stable.focus()
    page.keyboard.press("Space")
    expect(stable).to_be_checked()
    press(page, page.get_by_role("button", name="Start a run"))
    expect(heading(page)).to_have_text("Run 2 of Spring intake")
    expect(page.get_by_role("region", name="Pairs (1)")).to_contain_text("Olga Other")

    press(page, page.get_by_role("link", name="Back to the cohort"))
    runs = page.get_by_role("region", name="Runs side by side")
    expect(runs.get_by_role("row")).to_have_count(3)
    expect(runs).to_contain_text("0 pinned, 1 forbidden, 0 dropped")
    press(page, runs.get_by_role("link", name="Run 2"))
    press(page, page.get_by_role("button", name="Send 1 invitations"))
    expect(flashes(page)).to_contain_text("The invitations are being sent")
    sent = page.get_by_role("region", name="Send the invitations")
    expect(sent).to_contain_text("1 of 1 pairs")
    expect(sent).to_contain_text("1 invited, 0 skipped")

    mentor_page = open_page()
    sign_in(mentor_page, "olga@example.com")
    visit(mentor_page, "/apprenticeships")
    expect(mentor_page.get_by_text("from the cohort Spring intake")).to_be_visible()
    press(mentor_page, mentor_page.get_by_role("link", name="Ann Apprentice"))
    expect(mentor_page.get_by_text("From the cohort Spring intake")).to_be_visible()
    expect(
        mentor_page.get_by_role("button", name="Accept Ann Apprentice as your apprentice")
    ).to_be_visible()
