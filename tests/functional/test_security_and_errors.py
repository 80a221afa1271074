"""The checks every feature must pass (SECURITY.md), on the pages that exist so far."""

import threading

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from tests.conftest import csrf_token, post_form
from tests.helpers import text, user_count

# Every form and button that changes something, with data that would otherwise pass.
POST_ENDPOINTS = [
    (
        "/signup",
        {
            "display_name": "Priya",
            "email": "p@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
        },
    ),
    ("/login", {"email": "p@example.com", "password": "whatever at all"}),
    ("/logout", {}),
    ("/forgot-password", {"email": "p@example.com"}),
    ("/resend-confirmation", {}),
    ("/account/password", {}),
    ("/account/email", {}),
    ("/account/name", {"display_name": "Ada Lovelace"}),
    ("/account/roles", {"role": "mentor"}),
    ("/account/delete", {"password": "a long test passphrase", "understood": "y"}),
    ("/admin/people/1/suspend", {"reason": "x"}),
    ("/admin/people/1/reinstate", {}),
]


@pytest.fixture
def signed_in_admin(users, auth):
    users(email="ada@example.com", is_admin=True)
    auth.login("ada@example.com")


@pytest.mark.parametrize(("url", "data"), POST_ENDPOINTS)
def test_a_post_without_a_csrf_token_is_refused(app, client, signed_in_admin, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "did not come from our site" in text(response)
    assert client.get("/dashboard").status_code == 200  # still signed in: nothing happened


@pytest.mark.parametrize(("url", "data"), POST_ENDPOINTS)
def test_a_post_with_another_sessions_token_is_refused(app, client, signed_in_admin, url, data):
    foreign = csrf_token(app.test_client(), "/login")
    assert client.post(url, data={**data, "csrf_token": foreign}).status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_security_headers_are_set_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ]:
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # development: plain http


def test_production_adds_hsts(make_app):
    response = make_app(ENV_NAME="production").test_client().get("/")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_pages_load_no_script_or_style_from_another_site(client):
    body = text(client.get("/"))
    assert "http://" not in body.split("<body")[0].replace("http://mentorapp.test", "")
    assert "cdn" not in body.lower()


@pytest.mark.parametrize("person_id", ["0", "-1", str(2**31), str(2**63), str(2**70), "1e3", "abc"])
def test_out_of_range_ids_are_404_never_500(client, signed_in_admin, person_id):
    assert client.get(f"/admin/people/{person_id}").status_code == 404


def test_a_body_over_the_limit_is_413(client):
    response = client.post("/login", data={"email": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "too much to send" in text(response)


def test_a_malformed_body_is_400_not_500(client):
    response = client.post("/login", data=b"--x\r\ngarbage", content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_10_kb_field_gets_a_clear_message(app, client):
    response = post_form(
        client,
        "/signup",
        {
            "display_name": "x" * 10_240,
            "email": "p@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
        },
    )
    assert response.status_code == 422
    assert "Use between 2 and 80 characters." in text(response)
    assert user_count(app) == 0


def test_an_unknown_page_is_a_404_in_the_sites_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in text(response)
    assert 'class="site-header"' in text(response)


def test_a_crash_shows_the_500_page_without_any_detail(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail SELECT * FROM users")

    response = app.test_client().get("/boom")
    body = text(response)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "secret detail" not in body and "Traceback" not in body and "SELECT" not in body


def test_a_stopped_database_gives_a_503_with_retry_after(make_app):
    make_app()  # the test database, emptied as usual; the app below points elsewhere
    app = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none",
        PROPAGATE_EXCEPTIONS=False,
    )
    client = app.test_client()
    response = post_form(
        client, "/login", {"email": "p@example.com", "password": "whatever at all"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "We will be right back" in text(response)


def test_a_locked_sqlite_database_gives_a_503_then_recovers(make_app, database_uri, users):
    if not database_uri.startswith("sqlite"):
        pytest.skip("SQLite locking")
    users(email="p@example.com")
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    token = csrf_token(client, "/login")
    locker = create_engine(database_uri, connect_args={"isolation_level": None}).connect()
    locker.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        response = client.post(
            "/login",
            data={
                "csrf_token": token,
                "email": "p@example.com",
                "password": "a long test passphrase",
            },
        )
        assert response.status_code == 503 and response.headers["Retry-After"]
    finally:
        locker.exec_driver_sql("ROLLBACK")
        locker.close()
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "p@example.com", "password": "a long test passphrase"},
    )
    assert response.status_code == 302


def test_two_sign_ups_with_one_email_at_once_make_one_account(app, database_uri):
    clients = [app.test_client() for _ in range(4)]
    tokens = [csrf_token(c, "/signup") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def sign_up(client, token):
        barrier.wait()
        response = client.post(
            "/signup",
            data={
                "csrf_token": token,
                "display_name": "Priya",
                "email": "race@example.com",
                "password": "tape saturation is my friend",
                "role": "mentee",
                "date_of_birth": "1995-04-12",
                "accept_conduct": "y",
            },
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=sign_up, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert user_count(app) == 1
    assert sorted(statuses).count(302) == 1
    assert all(code in (302, 409, 422) for code in statuses)


def test_get_requests_never_change_state(app, client, users, auth):
    users(email="p@example.com")
    auth.login("p@example.com")
    for url in ["/logout", "/resend-confirmation", "/account/roles"]:
        assert client.get(url).status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_trusted_hosts_refuse_other_host_headers(make_app):
    client = make_app(TRUSTED_HOSTS=["mentorapp.example.org"]).test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "mentorapp.example.org"}).status_code == 200


def test_pages_with_personal_data_are_not_cached(client, users, auth):
    users(email="p@example.com")
    auth.login("p@example.com")
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_the_database_checks_lowercase_emails(app):
    from sqlalchemy.exc import IntegrityError

    from mentorapp.extensions import db

    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            sql(
                "INSERT INTO users (email, display_name, password_hash, is_mentee, is_mentor,"
                " is_admin, session_version, created_at) VALUES ('UPPER@example.com', 'x', 'x',"
                " false, false, false, 1, CURRENT_TIMESTAMP)"
            )
        )
        db.session.flush()


@pytest.mark.parametrize("page", ["²", "٣", "1²", "\uff11"])
def test_a_page_number_in_other_digits_is_page_one(client, signed_in_admin, page):
    """str.isdigit() holds for these, and int() refuses or misreads them."""
    for url in ("/directory", "/admin/audit", "/admin/people", "/admin/listings?section=new"):
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}page={page}")
        assert response.status_code == 200, url
