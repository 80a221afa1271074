from datetime import timedelta

import pytest

from tests.conftest import post_form
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import emails_to, last_link, text

NEW = "a brand new passphrase"


@pytest.fixture
def priya(users):
    return users(email="priya@example.com", display_name="Priya Raman")


def ask(client, email):
    return post_form(client, "/forgot-password", {"email": email})


def test_known_and_unknown_emails_get_the_same_page(app, client, priya):
    known, unknown = ask(client, "priya@example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert text(known).replace("priya@example.com", "X") == text(unknown).replace(
        "nobody@example.com", "X"
    )
    assert len(emails_to(app, "priya@example.com")) == 1
    assert emails_to(app, "nobody@example.com") == []


def test_the_reset_link_is_built_from_the_configured_host(app, client, priya):
    post_form(
        client,
        "/forgot-password",
        {"email": "priya@example.com"},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    [message] = emails_to(app, "priya@example.com")
    assert "http://mentorapp.test/reset-password/" in message.body_text
    assert "evil" not in message.body_text


def test_a_person_resets_the_password_once_and_logs_in_with_it(app, client, auth, priya):
    ask(client, "priya@example.com")
    link = last_link(app, "priya@example.com")
    assert "Choose a new password" in text(client.get(link))
    response = post_form(client, link, {"password": NEW, "confirm": NEW})
    assert response.headers["Location"] == "/login"
    assert auth.login("priya@example.com", DEFAULT_PASSWORD).status_code == 422
    assert auth.login("priya@example.com", NEW).status_code == 302
    reused = client.get(link)
    assert reused.status_code == 400 and "This link no longer works" in text(reused)


def test_a_reset_signs_out_every_existing_session(app, client, auth, priya):
    auth.login("priya@example.com")
    elsewhere = app.test_client()
    ask(elsewhere, "priya@example.com")
    post_form(elsewhere, last_link(app, "priya@example.com"), {"password": NEW, "confirm": NEW})
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "short", "confirm": "short"}, "password", "at least 10"),
        ({"password": NEW, "confirm": "something else entirely"}, "confirm", "differ"),
        ({"password": "", "confirm": ""}, "password", "Choose a password"),
        ({"password": "qwertyuiop", "confirm": "qwertyuiop"}, "password", "too common"),
    ],
)
def test_a_bad_new_password_is_refused_and_the_link_stays_usable(
    app, client, auth, priya, data, field, message
):
    ask(client, "priya@example.com")
    link = last_link(app, "priya@example.com")
    response = post_form(client, link, data)
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:300]
    assert auth.login("priya@example.com").status_code == 302
    assert client.get(link).status_code == 200


def test_an_expired_reset_link_is_refused(make_app, users):
    app = make_app(RESET_TOKEN_MAX_AGE=timedelta(seconds=-1))
    users(email="priya@example.com")
    client = app.test_client()
    ask(client, "priya@example.com")
    assert client.get(last_link(app, "priya@example.com")).status_code == 400


def test_a_suspended_account_gets_no_reset_email(app, client, users):
    from mentorapp.models.types import utcnow

    users(email="gone@example.com", suspended_at=utcnow())
    ask(client, "gone@example.com")
    assert emails_to(app, "gone@example.com") == []


def test_an_invalid_email_is_explained_next_to_the_field(client):
    response = ask(client, "not an email")
    assert response.status_code == 422
    assert 'id="email-error"' in text(response)
    assert 'value="not an email"' in text(response)
