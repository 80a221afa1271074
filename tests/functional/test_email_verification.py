from datetime import timedelta

from tests.conftest import post_form
from tests.helpers import emails_to, get_user, last_link, text


def sign_up(client, email="priya@example.com"):
    return post_form(
        client,
        "/signup",
        {
            "display_name": "Priya Raman",
            "email": email,
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
        },
    )


def test_opening_the_link_asks_to_confirm_and_a_get_changes_nothing(app, client):
    sign_up(client)
    link = last_link(app, "priya@example.com")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my email" in text(page)
    assert get_user(app, "priya@example.com").email_verified_at is None


def test_confirming_verifies_the_email_and_the_link_works_once(app, client):
    sign_up(client)
    link = last_link(app, "priya@example.com")
    response = post_form(client, link, {}, follow_redirects=True)
    assert "Your email is confirmed" in text(response)
    assert get_user(app, "priya@example.com").email_verified_at is not None
    assert 'id="verify-heading"' not in text(client.get("/dashboard"))
    again = client.get(link)
    assert again.status_code == 400 and "This link no longer works" in text(again)


def test_the_link_works_without_being_signed_in(app, client):
    sign_up(client)
    link = last_link(app, "priya@example.com")
    stranger = app.test_client()
    response = post_form(stranger, link, {})
    assert response.headers["Location"] == "/login"
    assert get_user(app, "priya@example.com").email_verified_at is not None


def test_a_tampered_or_foreign_link_is_refused(app, client):
    sign_up(client)
    link = last_link(app, "priya@example.com")
    assert client.get(link[:-3] + "abc").status_code == 400
    assert client.get("/verify/" + "x" * 600).status_code == 400
    assert client.post(link[:-1] + "Q", data={}).status_code == 400


def test_an_expired_link_is_refused(make_app):
    app = make_app(EMAIL_TOKEN_MAX_AGE=timedelta(seconds=-1))
    client = app.test_client()
    sign_up(client)
    response = client.get(last_link(app, "priya@example.com"))
    assert response.status_code == 400


def test_the_link_dies_when_the_email_changes(app, client, auth):
    sign_up(client)
    link = last_link(app, "priya@example.com")
    post_form(
        client,
        "/account/email",
        {"new_email": "new@example.com", "password": "tape saturation is my friend"},
    )
    post_form(client, last_link(app, "new@example.com"), {})
    assert client.get(link).status_code == 400


def test_the_link_can_be_sent_again(app, client):
    sign_up(client)
    post_form(client, "/resend-confirmation", {}, page="/dashboard")
    assert len(emails_to(app, "priya@example.com")) == 2


def test_the_committed_email_is_delivered_by_its_task_once(app, client):
    # The tests run tasks in immediate mode: the delivery task runs once the request
    # has committed (tests/functional/test_task_queue.py proves the order on a real queue).
    sign_up(client)
    [message] = emails_to(app, "priya@example.com")
    assert message.sent_at is not None and message.attempts == 1


def test_a_refused_form_queues_no_email(app, client):
    post_form(
        client,
        "/signup",
        {
            "display_name": "Priya",
            "email": "priya@example.com",
            "password": "short",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
        },
    )
    assert emails_to(app, "priya@example.com") == []
