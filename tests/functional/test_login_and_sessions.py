import time

import pytest

from tests.conftest import csrf_token, post_form
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import get_user, text

WRONG = "That email and password do not match an account."


@pytest.fixture
def priya(users):
    return users(email="priya@example.com", display_name="Priya Raman")


def test_a_person_logs_in_and_sees_the_dashboard(client, auth, priya):
    response = auth.login("priya@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "Hello, Priya Raman" in text(client.get("/dashboard"))


def test_the_email_is_matched_whatever_its_case(client, auth, priya):
    assert auth.login("  PRIYA@Example.com ").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("priya@example.com", "not the password"), ("nobody@example.com", DEFAULT_PASSWORD)],
)
def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client, auth, priya, email, password
):
    response = auth.login(email, password)
    assert response.status_code == 422
    assert WRONG in text(response)
    assert f'value="{email}"' in text(response)
    assert client.get("/dashboard").status_code == 302


def test_known_and_unknown_emails_take_about_the_same_time(client, auth, priya):
    def seconds(email):
        token = csrf_token(client, "/login")
        start = time.perf_counter()
        client.post("/login", data={"csrf_token": token, "email": email, "password": "x"})
        return time.perf_counter() - start

    # Taken in turn, and the fastest of each: another process busy on the same CPU
    # (the other test worker) only ever makes a login slower, never faster.
    rounds = [(seconds("priya@example.com"), seconds("nobody@example.com")) for _ in range(7)]
    known, unknown = min(k for k, _ in rounds), min(u for _, u in rounds)
    # Both verify an argon2 hash; without the dummy hash an unknown email is ~10x faster.
    assert 0.5 < unknown / known < 2.0


def test_a_suspended_account_cannot_log_in(client, auth, users):
    from mentorapp.models.types import utcnow

    users(email="gone@example.com", suspended_at=utcnow(), suspension_reason="spam")
    response = auth.login("gone@example.com")
    assert response.status_code == 422
    assert "suspended" in text(response)
    # A wrong password reveals nothing about the suspension.
    assert "suspended" not in text(auth.login("gone@example.com", "wrong password!"))


def test_next_is_followed_only_to_a_local_path(client, auth, priya):
    response = post_form(
        client,
        "/login?next=/account",
        {"email": "priya@example.com", "password": DEFAULT_PASSWORD},
        page="/login?next=/account",
    )
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/%0d%0aSet-Cookie:x=1",
    ],
)
def test_next_never_leaves_the_site(client, priya, target):
    response = post_form(
        client,
        f"/login?next={target}",
        {"email": "priya@example.com", "password": DEFAULT_PASSWORD},
        page="/login",
    )
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location or location.startswith("/%")


def test_a_page_that_needs_login_sends_the_person_back_after_it(client, priya):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_a_post_with_a_csrf_token(client, auth, priya):
    auth.login("priya@example.com")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
    auth.logout()
    assert client.get("/dashboard").status_code == 302


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, auth, priya):
    auth.login("priya@example.com")
    stolen = client.get_cookie("mentorapp_session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("mentorapp_session", stolen)
    assert thief.get("/dashboard").status_code == 302


def test_remember_me_sets_a_long_lived_cookie_only_when_asked(app, client, auth, priya):
    auth.login("priya@example.com")
    assert client.get_cookie("mentorapp_remember") is None
    other = app.test_client()
    post_form(
        other,
        "/login",
        {"email": "priya@example.com", "password": DEFAULT_PASSWORD, "remember": "y"},
    )
    remember = other.get_cookie("mentorapp_remember")
    assert remember is not None and remember.http_only
    # The remember cookie alone signs the person in again ...
    fresh = app.test_client()
    fresh.set_cookie("mentorapp_remember", remember.value)
    assert fresh.get("/dashboard").status_code == 200
    # ... until they log out, which ends every session.
    post_form(other, "/logout", {}, page="/dashboard")
    again = app.test_client()
    again.set_cookie("mentorapp_remember", remember.value)
    assert again.get("/dashboard").status_code == 302


def test_the_session_cookie_is_http_only_and_same_site_lax(client, auth, priya):
    response = auth.login("priya@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_records_the_time(app, auth, priya):
    auth.login("priya@example.com")
    assert get_user(app, "priya@example.com").last_login_at is not None


def test_login_signup_and_reset_are_rate_limited_with_a_friendly_page(make_app, users):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_AUTH="3 per minute")
    client = app.test_client()
    statuses = [
        post_form(
            client, "/login", {"email": "x@example.com", "password": "whatever!!"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses[:3] == [422, 422, 422]
    assert statuses[3] == 429
    last = post_form(client, "/login", {"email": "x@example.com", "password": "whatever!!"})
    assert "Slow down a little" in text(last) and last.headers["Retry-After"]
    # Looking at the page is not limited, only sending it.
    assert client.get("/login").status_code == 200
    for url, data in [("/signup", {"email": "x"}), ("/forgot-password", {"email": "x"})]:
        codes = [post_form(client, url, data).status_code for _ in range(4)]
        assert codes[-1] == 429


def test_rate_limits_are_shared_between_workers_through_redis(make_app):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"test-{time.time_ns()}"
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_AUTH": "3 per minute",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    worker_a, worker_b = make_app(**settings), make_app(**settings)
    codes = []
    for worker in (worker_a, worker_b, worker_a, worker_b):
        client = worker.test_client()
        codes.append(
            post_form(
                client, "/login", {"email": "x@example.com", "password": "whatever!!"}
            ).status_code
        )
    assert codes == [422, 422, 422, 429]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "password": "x"}, "email", "Enter your email address."),
        ({"email": "priya@example.com", "password": ""}, "password", "Enter your password."),
        ({"email": "nope", "password": "x"}, "email", "Enter an email address like"),
        ({"email": "a" * 10_240, "password": "x"}, "email", "at most 254"),
        ({"email": "priya@example.com", "password": "x" * 10_240}, "password", "200"),
    ],
)
def test_bad_login_input_is_explained_next_to_the_field(client, priya, data, field, message):
    response = post_form(client, "/login", data)
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:300]
    assert client.get("/dashboard").status_code == 302
