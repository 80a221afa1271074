import pytest

from tests.conftest import post_form
from tests.helpers import checked_value, emails_to, get_user, last_link, text, user_count

GOOD = {
    "display_name": "Priya Raman",
    "email": "priya@example.com",
    "password": "tape saturation is my friend",
    "role": "mentee",
    "date_of_birth": "1995-04-12",
    "accept_conduct": "y",
}


def sign_up(client, headers=None, **changes):
    return post_form(client, "/signup", {**GOOD, **changes}, headers=headers)


def test_a_mentee_signs_up_and_lands_on_the_dashboard_signed_in(app, client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/onboarding"
    page = client.get("/dashboard")
    assert "Hello, Priya Raman" in text(page)
    assert "Confirm your email" in text(page)
    user = get_user(app, "priya@example.com")
    assert user.is_mentee and not user.is_mentor and not user.is_admin
    assert user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")


def test_a_mentor_signs_up_as_a_mentor(app, client):
    sign_up(client, role="mentor", email="marcus@example.com")
    user = get_user(app, "marcus@example.com")
    assert user.is_mentor and not user.is_mentee


def test_sign_up_sends_a_verification_link_built_from_the_public_url(app, client):
    response = sign_up(client, headers={"Host": "evil.example"})
    assert response.status_code == 302
    [message] = emails_to(app, "priya@example.com")
    assert "http://mentorapp.test/verify/" in message.body_text
    assert "evil.example" not in message.body_text
    assert last_link(app, "priya@example.com").startswith("/verify/")


def test_the_role_can_be_preselected_from_the_home_page_link(client):
    assert checked_value(text(client.get("/signup?role=mentor")), "role") == "mentor"
    assert checked_value(text(client.get("/signup")), "role") is None


def test_emails_are_normalised_and_unique_regardless_of_case(app, client):
    sign_up(client, email="  Priya@Example.COM ")
    assert get_user(app, "priya@example.com") is not None
    other = app.test_client()
    response = sign_up(other, email="PRIYA@example.com", display_name="Someone Else")
    assert response.status_code == 422
    assert "An account with this email already exists" in text(response)
    assert user_count(app) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "Tell us what to call you."),
        ({"display_name": "P"}, "display_name", "Use between 2 and 80 characters."),
        ({"display_name": "x" * 81}, "display_name", "Use between 2 and 80 characters."),
        ({"display_name": "x" * 10_000}, "display_name", "Use between 2 and 80 characters."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "not-an-email"}, "email", "Enter an email address like"),
        ({"email": "a@" + "b" * 260 + ".com"}, "email", "at most 254 characters"),
        ({"password": ""}, "password", "Choose a password."),
        ({"password": "short"}, "password", "Use at least 10 characters."),
        ({"password": "password123"}, "password", "too common"),
        ({"password": "aaaaaaaaaaaa"}, "password", "too common"),
        ({"password": "priya@example.com"}, "password", "must not be your email"),
        ({"password": "x" * 10_000}, "password", "Use at most 200 characters."),
        ({"role": ""}, "role", "Choose whether you want to learn or to teach."),
        ({"role": "admin"}, "role", "Not a valid choice"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    app, client, changes, field, message
):
    response = sign_up(client, **changes)
    assert response.status_code == 422
    body = text(response)
    assert f'id="{field}-error"' in body
    error_start = body.index(f'id="{field}-error"')
    assert message in body[error_start : error_start + 400]
    assert user_count(app) == 0
    assert emails_to(app, "priya@example.com") == []


def test_what_was_typed_is_kept_when_the_form_is_refused(client):
    body = text(sign_up(client, password="short", display_name="Priya <Raman>"))
    assert 'value="Priya &lt;Raman&gt;"' in body
    assert 'value="priya@example.com"' in body
    assert checked_value(body, "role") == "mentee"


def test_html_in_a_name_is_shown_escaped_everywhere(app, client):
    sign_up(client, display_name="<script>alert(1)</script>")
    body = text(client.get("/dashboard"))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_extra_fields_cannot_make_someone_an_admin(app, client):
    sign_up(client, is_admin="y", role_admin="1", email_verified_at="2020-01-01")
    user = get_user(app, "priya@example.com")
    assert not user.is_admin and user.email_verified_at is None


def test_a_signed_in_person_visiting_signup_goes_to_the_dashboard(client):
    sign_up(client)
    assert client.get("/signup").headers["Location"] == "/dashboard"
