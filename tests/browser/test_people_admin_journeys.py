"""People management in a real browser: an admin finds a mentor with the filters, opens
their page and makes them an admin with a reason, by keyboard alone. Every page is
checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentorapp.extensions import db
from mentorapp.models import MentorProfile, Place
from tests.browser.conftest import visit
from tests.browser.test_account_journeys import flashes, heading
from tests.browser.test_apprenticeship_journeys import press, sign_in, type_into
from tests.factories import make_user
from tests.helpers import get_user

LYON = 2996944


@pytest.fixture
def community(app) -> None:
    with app.app_context():
        make_user(
            email="ada@example.com", display_name="Ada Okafor", is_admin=True, is_mentee=False
        )
        db.session.add(
            Place(
                id=LYON,
                name="Lyon",
                country_code="FR",
                country="France",
                latitude=45.75,
                longitude=4.85,
            )
        )
        for email, name, place in (
            ("lea@example.com", "Léa Moreau", LYON),
            ("tom@example.com", "Tom Berg", None),
        ):
            user = make_user(email=email, display_name=name, is_mentor=True, is_mentee=False)
            db.session.add(MentorProfile(user_id=user.id, headline="Mixing", place_id=place))
        make_user(email="mia@example.com", display_name="Mia Lyonnais")  # a mentee
        db.session.commit()


def test_an_admin_finds_a_mentor_and_makes_them_an_admin_by_keyboard(page, app, community):
    sign_in(page, "ada@example.com")
    visit(page, "/admin/people")
    expect(heading(page)).to_have_text("People")
    type_into(page.get_by_label("City"), "lyon")
    role = page.get_by_label("Role")
    role.focus()
    role.press_sequentially("Mentors")
    expect(role).to_have_value("mentor")
    press(page, page.get_by_role("button", name="Search"))
    assert "place=lyon" in page.url and "role=mentor" in page.url
    people = page.get_by_role("table")
    expect(people.get_by_role("row")).to_have_count(2)  # the header and Léa
    expect(people).to_contain_text("Lyon")

    press(page, people.get_by_role("link", name="Léa Moreau"))
    expect(heading(page)).to_have_text("Léa Moreau")
    role_card = page.get_by_role("region", name="Admin role")
    press(page, role_card.get_by_role("button", name="Make Léa Moreau an admin"), status=422)
    expect(role_card).to_contain_text("Give a reason")
    type_into(role_card.get_by_label("Reason (kept in the audit log)"), "Runs the Lyon intake")
    press(page, role_card.get_by_role("button", name="Make Léa Moreau an admin"))
    expect(flashes(page)).to_contain_text("Léa Moreau is an admin now.")
    expect(page.get_by_role("region", name="Audit entries")).to_contain_text("Runs the Lyon intake")
    assert get_user(app, "lea@example.com").is_admin
