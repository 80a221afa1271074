"""The admins' "Background work" page in a real browser: an admin finds an email that
failed for good and a failed task, resends the one and runs the other again, with the
keyboard only; the same without JavaScript, and the page on a phone. Every page is
checked with axe."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from mentorapp.extensions import db
from mentorapp.models import OutboundEmail, TaskRun
from mentorapp.models.types import utcnow
from mentorapp.notifications.tasks import prune_notifications
from tests.browser.conftest import PHONE, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, flashes, heading
from tests.browser.test_apprenticeship_journeys import press, sign_in
from tests.factories import make_user


@pytest.fixture
def trouble(app) -> dict:
    """An admin, an email given up after six tries, a task that failed."""
    with app.app_context():
        make_user(email="ada@example.com", display_name="Ada", is_admin=True, is_mentee=False)
        message = OutboundEmail(
            recipient="lee@example.com",
            subject="Your request was answered",
            body_text="Hello",
            attempts=6,
            failed_at=utcnow(),
            last_error="SMTPDataError: (451, b'Try again later')",
        )
        run = TaskRun(
            task_id="t1",
            name=prune_notifications.name,
            payload=json.dumps({"args": [], "kwargs": {}}),
            state="failed",
            error="OperationalError: database is locked",
            finished_at=utcnow(),
        )
        db.session.add_all([message, run])
        db.session.commit()
        return {"message": message.id, "run": run.id}


@pytest.mark.parametrize("javascript", [True, False], ids=["keyboard", "no-js"])
def test_an_admin_resends_a_given_up_email_and_runs_a_failed_task_again(
    open_page, app, trouble, javascript
):
    page = open_page(javascript=javascript)
    sign_in(page, "ada@example.com")
    visit(page, "/admin")
    press(page, page.get_by_role("link", name="Background work"))
    expect(heading(page)).to_have_text("Background work")
    emails = page.get_by_role("region", name="Emails that failed for good (1)")
    expect(emails).to_contain_text("lee@example.com")
    expect(emails).to_contain_text("451")

    press(page, emails.get_by_role("button", name="Resend to lee@example.com"))
    expect(flashes(page)).to_contain_text("The email to lee@example.com is queued again.")
    expect(page.get_by_text("No email has failed for good.")).to_be_visible()

    failed = page.get_by_role("region", name="Failed in the last week (1)")
    expect(failed).to_contain_text("database is locked")
    press(page, failed.get_by_role("button", name="Run again"))
    expect(flashes(page)).to_contain_text("is queued again.")
    expect(page.get_by_text("No task failed in the last week.")).to_be_visible()
    with app.app_context():
        assert db.session.get(OutboundEmail, trouble["message"]).sent_at is not None
        assert db.session.get(TaskRun, trouble["run"]).retried_at is not None


def test_the_page_fits_a_phone(open_page, trouble):
    page = open_page(viewport=PHONE)
    sign_in(page, "ada@example.com")
    visit(page, "/admin/background")
    assert_no_horizontal_scroll(page)
