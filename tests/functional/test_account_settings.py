import pytest

from tests.conftest import post_form
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import emails_to, get_user, last_link, text, user_count

NEW = "a brand new passphrase"


@pytest.fixture
def priya(users, auth):
    users(email="priya@example.com", display_name="Priya Raman")
    auth.login("priya@example.com")


def test_settings_need_a_login(client):
    for url in [
        "/account",
        "/account/name",
        "/account/password",
        "/account/email",
        "/account/delete",
    ]:
        assert client.get(url).status_code == 302


def test_settings_show_the_persons_own_account(client, priya):
    body = text(client.get("/account"))
    assert "priya@example.com" in body and "confirmed" in body


# Changing the password


def change_password(client, current=DEFAULT_PASSWORD, new=NEW, confirm=None):
    return post_form(
        client,
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def test_changing_the_password_signs_out_other_devices_but_not_this_one(app, client, priya):
    other_device = app.test_client()
    post_form(other_device, "/login", {"email": "priya@example.com", "password": DEFAULT_PASSWORD})
    response = change_password(client)
    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert "account was just changed" in emails_to(app, "priya@example.com")[-1].body_text


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        ("wrong password!", NEW, None, "current_password", "not your current password"),
        ("", NEW, None, "current_password", "Enter your password"),
        (DEFAULT_PASSWORD, "short", None, "new_password", "at least 10"),
        (DEFAULT_PASSWORD, NEW, "different thing", "confirm", "differ"),
        (DEFAULT_PASSWORD, DEFAULT_PASSWORD, None, "new_password", "different from your current"),
        (DEFAULT_PASSWORD, "priya@example.com", None, "new_password", "must not be your email"),
    ],
)
def test_a_refused_password_change_changes_nothing(
    app, client, priya, current, new, confirm, field, message
):
    before = get_user(app, "priya@example.com").password_hash
    response = change_password(client, current, new, confirm)
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:300]
    assert get_user(app, "priya@example.com").password_hash == before


# Changing the email


def test_changing_the_email_waits_for_the_new_address_to_be_confirmed(app, client, priya):
    response = post_form(
        client,
        "/account/email",
        {"new_email": "Priya.New@Example.com", "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/account"
    user = get_user(app, "priya@example.com")
    assert user.pending_email == "priya.new@example.com"
    link = last_link(app, "priya.new@example.com")
    assert "priya.new@example.com" in text(client.get(link))
    assert get_user(app, "priya@example.com") is not None  # unchanged until confirmed
    post_form(client, link, {})
    assert get_user(app, "priya@example.com") is None
    moved = get_user(app, "priya.new@example.com")
    assert moved.pending_email is None and moved.email_verified_at is not None
    assert (
        "was changed to priya.new@example.com" in emails_to(app, "priya@example.com")[-1].body_text
    )
    # Signed out by the change; the new email logs in, the old does not.
    assert client.get("/account").status_code == 302
    assert (
        post_form(
            client, "/login", {"email": "priya@example.com", "password": DEFAULT_PASSWORD}
        ).status_code
        == 422
    )
    assert (
        post_form(
            client, "/login", {"email": "priya.new@example.com", "password": DEFAULT_PASSWORD}
        ).status_code
        == 302
    )
    assert client.get(link).status_code == 400


def test_an_email_change_link_dies_when_another_change_is_asked(app, client, priya):
    post_form(
        client, "/account/email", {"new_email": "first@example.com", "password": DEFAULT_PASSWORD}
    )
    first = last_link(app, "first@example.com")
    post_form(
        client, "/account/email", {"new_email": "second@example.com", "password": DEFAULT_PASSWORD}
    )
    assert client.get(first).status_code == 400
    assert client.get(last_link(app, "second@example.com")).status_code == 200


@pytest.mark.parametrize(
    ("new_email", "password", "field", "message"),
    [
        ("taken@example.com", DEFAULT_PASSWORD, "new_email", "already exists"),
        ("priya@example.com", DEFAULT_PASSWORD, "new_email", "already your email"),
        ("not-an-email", DEFAULT_PASSWORD, "new_email", "Enter an email address"),
        ("", DEFAULT_PASSWORD, "new_email", "Enter your email"),
        ("fine@example.com", "wrong password!", "password", "not your current password"),
    ],
)
def test_a_refused_email_change_changes_nothing(
    app, client, users, priya, new_email, password, field, message
):
    users(email="taken@example.com")
    response = post_form(client, "/account/email", {"new_email": new_email, "password": password})
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:300]
    assert get_user(app, "priya@example.com").pending_email is None
    if new_email:
        assert f'value="{new_email}"' in body


# Roles


def test_a_mentee_can_also_become_a_mentor(app, client, priya):
    post_form(client, "/account/roles", {"role": "mentor"}, page="/account")
    user = get_user(app, "priya@example.com")
    assert user.is_mentor and user.is_mentee


def test_the_admin_role_cannot_be_taken_from_settings(app, client, priya):
    response = post_form(
        client, "/account/roles", {"role": "admin"}, page="/account", follow_redirects=True
    )
    assert "That role cannot be added" in text(response)
    assert not get_user(app, "priya@example.com").is_admin


# Deleting the account


def test_deleting_the_account_removes_the_person_and_their_emails(app, client, priya):
    post_form(
        client, "/account/email", {"new_email": "pending@example.com", "password": DEFAULT_PASSWORD}
    )
    response = post_form(
        client,
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understood": "y"},
        follow_redirects=True,
    )
    assert "Your account and personal data are deleted" in text(response)
    assert get_user(app, "priya@example.com") is None
    assert emails_to(app, "priya@example.com") == []
    assert emails_to(app, "pending@example.com") == []
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "wrong password!", "understood": "y"}, "password", "not your current"),
        ({"password": DEFAULT_PASSWORD}, "understood", "Tick the box"),
        ({"password": "", "understood": "y"}, "password", "Enter your password"),
    ],
)
def test_deleting_needs_the_password_and_the_confirmation(app, client, priya, data, field, message):
    response = post_form(client, "/account/delete", data)
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:300]
    assert user_count(app) == 1


def test_one_person_cannot_touch_another_persons_account(app, client, users, priya):
    users(email="other@example.com")
    # Every settings form acts on the signed-in person only; an id in the form is ignored.
    post_form(
        client,
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understood": "y", "user_id": "2", "id": "2"},
    )
    assert get_user(app, "other@example.com") is not None
    assert get_user(app, "priya@example.com") is None


# Changing the name


def test_changing_the_name_shows_everywhere_the_person_appears(app, client, priya):
    page = text(client.get("/account/name"))
    assert 'value="Priya Raman"' in page  # the form starts from the current name
    response = post_form(client, "/account/name", {"display_name": "  Priya R.  "})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert get_user(app, "priya@example.com").display_name == "Priya R."
    assert "Your name is changed." in text(client.get("/account"))
    person = get_user(app, "priya@example.com").id
    assert "Priya R." in text(client.get(f"/people/{person}"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Tell us what to call you."),
        ("P", "Use between 2 and 80 characters."),
        ("P" * 81, "Use between 2 and 80 characters."),
        ("Priya\r\nBcc: evil@example.org", "no line breaks"),
        ("Priya\u200e", "no line breaks"),
    ],
)
def test_a_bad_name_is_refused_next_to_the_field_and_kept(app, client, priya, name, message):
    response = post_form(client, "/account/name", {"display_name": name})
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index('id="display_name-error"') :][:300]
    assert get_user(app, "priya@example.com").display_name == "Priya Raman"


def test_a_name_with_html_is_shown_as_text(app, client, priya):
    post_form(client, "/account/name", {"display_name": "<b>Priya</b>"})
    body = text(client.get("/account"))
    assert "&lt;b&gt;Priya&lt;/b&gt;" in body and "<b>Priya</b>" not in body


def test_the_name_form_changes_only_the_signed_in_person(app, client, users, priya):
    other = users(email="other@example.com", display_name="Olu Other")
    post_form(client, "/account/name", {"display_name": "Priya R.", "user_id": str(other)})
    assert get_user(app, "other@example.com").display_name == "Olu Other"
    assert get_user(app, "priya@example.com").display_name == "Priya R."
