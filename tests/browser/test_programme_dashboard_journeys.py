"""The admin's programme charts in a real browser: the charts load as images, their
numbers open from the keyboard, and other dates are chosen by keyboard alone; the same
page without JavaScript and on a phone. Every page is checked with axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mentorapp.extensions import db
from mentorapp.insights import services as insights
from mentorapp.models import Apprenticeship, State
from mentorapp.models.types import utcnow
from tests.browser.conftest import PHONE, navigate, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, heading
from tests.browser.test_apprenticeship_journeys import sign_in
from tests.factories import make_user


@pytest.fixture
def programme(app):
    """An admin, a mentor and three apprentices: two asked this week, one last year."""
    with app.app_context():
        insights.forget()  # the figures of an earlier test's data
        make_user(email="ada@example.com", display_name="Ada", is_admin=True, is_mentee=False)
        mentor = make_user(is_mentor=True, is_mentee=False, display_name="Marcus")
        now = utcnow()
        for days_ago, state in [(2, State.ACCEPTED), (3, State.WITHDRAWN), (300, State.ACCEPTED)]:
            mentee = make_user(created_at=now - timedelta(days=days_ago))
            db.session.flush()
            made = now - timedelta(days=days_ago)
            db.session.add(
                Apprenticeship(
                    mentor_id=mentor.id,
                    mentee_id=mentee.id,
                    requested_by="mentee",
                    state=state,
                    created_at=made,
                    decided_at=made + timedelta(days=1),
                )
            )
        db.session.commit()
    yield
    with app.app_context():
        insights.forget()
        db.session.commit()


def _numbers_of(page, title: str):
    return page.get_by_role("figure", name=title)


@pytest.mark.parametrize("javascript", [True, False], ids=["keyboard", "no-js"])
def test_an_admin_reads_the_charts_and_picks_other_dates(open_page, programme, javascript):
    page = open_page(javascript=javascript)
    sign_in(page, "ada@example.com")
    visit(page, "/admin")
    expect(page.get_by_role("heading", name="How the programme is doing")).to_be_visible()

    requests = _numbers_of(page, "How requests ended")
    expect(requests).to_contain_text("2 requests and invitations were made in these dates")
    chart = requests.get_by_role("img")
    expect(chart).to_have_attribute("alt", "Chart of how requests ended; its numbers are under it.")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    summary = requests.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = requests.get_by_role("table")
    expect(table.get_by_role("row", name="Accepted 1")).to_be_visible()
    expect(table.get_by_role("row", name="Withdrawn 1")).to_be_visible()

    # Last year's request, chosen by typing the dates into the form.
    since = (utcnow() - timedelta(days=320)).date()
    until = (utcnow() - timedelta(days=280)).date()
    for label, day in (("From", since), ("To", until)):
        field = page.get_by_label(label, exact=True)
        field.focus()
        page.keyboard.type(day.strftime("%m%d%Y"))
        expect(field).to_have_value(day.isoformat())
    page.get_by_role("button", name="Show these figures").focus()
    navigate(page, lambda: page.keyboard.press("Enter"), status=200)
    expect(_numbers_of(page, "How requests ended")).to_contain_text(
        "1 requests and invitations were made in these dates; 100% were accepted."
    )
    expect(heading(page)).to_have_text("Admin")


def test_a_wrong_date_is_refused_by_its_field(open_page, programme):
    page = open_page()
    sign_in(page, "ada@example.com")
    visit(page, "/admin?since=2026-06-01&until=2026-05-01", status=422)
    expect(page.get_by_text("Choose a date on or after the first date.")).to_be_visible()
    expect(page.get_by_label("To", exact=True)).to_have_value("2026-05-01")


def test_the_charts_fit_a_phone(open_page, programme):
    page = open_page(viewport=PHONE)
    sign_in(page, "ada@example.com")
    visit(page, "/admin")
    assert_no_horizontal_scroll(page)
