"""Sign-up asks for the date of birth: under 13 is refused kindly and nothing is kept;
13 to 17 join as minors; a bad date is said next to the field with the typing kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import OutboundEmail
from mentorapp.trust.conduct import CONDUCT_VERSION
from tests.conftest import post_form
from tests.factories import born_years_ago
from tests.helpers import get_user, text, user_count

GOOD = {
    "display_name": "Sam Young",
    "email": "sam@example.com",
    "password": "tape saturation is my friend",
    "role": "mentee",
    "date_of_birth": "1995-04-12",
    "accept_conduct": "y",
}


def sign_up(client, **changes):
    return post_form(client, "/signup", {**GOOD, **changes})


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboundEmail.id)))


def test_the_form_asks_for_the_date_of_birth_and_the_code_of_conduct(client):
    page = text(client.get("/signup"))
    assert 'type="date"' in page and 'name="date_of_birth"' in page
    assert 'name="accept_conduct"' in page and 'href="/conduct"' in page


@pytest.mark.parametrize("years, days", [(12, 300), (12, 0), (5, 0)])
def test_under_13_gets_a_kind_page_and_nothing_is_stored(app, client, years, days):
    born = born_years_ago(years, days=days)
    response = sign_up(client, date_of_birth=born.isoformat())
    assert response.status_code == 200
    page = text(response)
    assert "Come back when you are 13" in page
    assert "We have not kept anything you typed" in page
    assert "sam@example.com" not in page and "Sam Young" not in page
    assert user_count(app) == 0 and outbox_size(app) == 0
    assert get_user(app, "sam@example.com") is None
    # Not signed in either.
    assert client.get("/dashboard").status_code == 302


def test_under_13_is_refused_even_when_other_fields_are_wrong(app, client):
    response = sign_up(
        client, date_of_birth=born_years_ago(11).isoformat(), email="bad", password="x"
    )
    assert "Come back when you are 13" in text(response)
    assert user_count(app) == 0


def test_under_13_without_a_valid_csrf_token_changes_nothing(app, client):
    response = client.post(
        "/signup", data={**GOOD, "date_of_birth": born_years_ago(10).isoformat()}
    )
    assert response.status_code == 400
    assert "Come back" not in text(response)
    assert user_count(app) == 0


def test_thirteen_today_can_join_as_a_minor_who_accepted_the_code(app, client):
    born = born_years_ago(13)
    response = sign_up(client, date_of_birth=born.isoformat())
    assert response.status_code == 302
    user = get_user(app, "sam@example.com")
    assert user.date_of_birth == born
    assert user.conduct_version == CONDUCT_VERSION and user.conduct_accepted_at is not None
    page = text(client.get("/account", follow_redirects=True))
    assert "Parent or guardian consent" in page and "Not asked yet" in page


def test_an_adult_sees_nothing_about_guardians(app, client):
    sign_up(client)
    assert "Parent or guardian consent" not in text(client.get("/account"))
    assert client.get("/account/guardian").status_code == 404


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter your date of birth."),
        ("31/05/2007", "Enter your date of birth as year, month and day"),
        ("2007-02-30", "Enter your date of birth as year, month and day"),
        ("2999-01-01", "That date is in the future."),
        ("1850-01-01", "Check the year"),
        ("2007-05-3\x01", "Enter your date of birth as year, month and day"),
        ("9" * 10_240, "Enter your date of birth as year, month and day"),
    ],
)
def test_a_bad_date_is_said_by_the_field_with_the_typing_kept(app, client, typed, message):
    response = sign_up(client, date_of_birth=typed)
    assert response.status_code == 422
    page = text(response)
    assert 'id="date_of_birth-error"' in page and message in page
    assert 'value="Sam Young"' in page and 'value="sam@example.com"' in page
    if typed and len(typed) < 20 and typed.isprintable():
        assert f'value="{typed}"' in page
    assert user_count(app) == 0


def test_the_code_of_conduct_must_be_accepted(app, client):
    data = {k: v for k, v in GOOD.items() if k != "accept_conduct"}
    response = post_form(client, "/signup", data)
    assert response.status_code == 422
    page = text(response)
    assert 'id="accept_conduct-error"' in page
    assert "Accept the code of conduct to join mentorapp." in page
    assert 'value="1995-04-12"' in page
    assert user_count(app) == 0


def test_extra_fields_change_nothing(app, client):
    sign_up(
        client,
        conduct_version="0",
        conduct_accepted_at="2000-01-01",
        takes_minors="y",
        is_admin="y",
        guardian_email="x@example.com",
    )
    user = get_user(app, "sam@example.com")
    assert user.conduct_version == CONDUCT_VERSION and not user.is_admin
