"""The code of conduct: a public, versioned page; accepted at sign-up; asked again, before
any other signed-in page, when the version changes; older accounts give their date of
birth at the same time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, State, User
from mentorapp.trust import conduct
from mentorapp.trust.conduct import CONDUCT_VERSION
from tests.conftest import csrf_token
from tests.factories import born_years_ago
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    state_of,
)
from tests.helpers import get_user, text


def signed_in_raw(app, email: str):
    """Signed in through the login form, without opening any other page."""
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": "a long test passphrase"},
    )
    assert response.status_code == 302
    return client


def answer(client, **data):
    token = csrf_token(client, "/conduct/accept")
    return client.post("/conduct/accept", data={"csrf_token": token, **data})


def test_the_code_is_a_public_page_with_its_version(client):
    page = text(client.get("/conduct"))
    assert f"Version {CONDUCT_VERSION}," in page
    for words in ("Meet safely in studios", "public place", "under 18", "report it"):
        assert words in page
    assert 'href="/conduct"' in text(client.get("/"))  # linked from every page's footer


def test_someone_on_an_old_version_is_asked_before_any_page(app, users):
    users(email="old@example.com", conduct_version=CONDUCT_VERSION - 1)
    client = signed_in_raw(app, "old@example.com")
    for path in ("/dashboard", "/suggestions", "/account", "/notifications"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == f"/conduct/accept?next={path}"
    page = text(client.get("/conduct/accept?next=/suggestions"))
    assert "Our code of conduct has changed" in page
    assert 'name="date_of_birth"' not in page  # the date is known already
    response = answer(client, version=str(CONDUCT_VERSION), accept_conduct="y")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    user = get_user(app, "old@example.com")
    assert user.conduct_version == CONDUCT_VERSION and user.conduct_accepted_at is not None
    assert client.get("/dashboard").status_code == 200


def test_the_answer_returns_to_the_page_asked_for_but_only_on_this_site(app, users):
    users(email="old@example.com", conduct_version=None)
    client = signed_in_raw(app, "old@example.com")
    token = csrf_token(client, "/conduct/accept")
    data = {"csrf_token": token, "version": str(CONDUCT_VERSION), "accept_conduct": "y"}
    response = client.post("/conduct/accept?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/dashboard"
    users(email="old2@example.com", conduct_version=None)
    client = signed_in_raw(app, "old2@example.com")
    token = csrf_token(client, "/conduct/accept")
    data["csrf_token"] = token
    response = client.post("/conduct/accept?next=/suggestions", data=data)
    assert response.headers["Location"] == "/suggestions"


def test_not_accepting_is_said_by_the_checkbox_and_nothing_changes(app, users):
    users(email="old@example.com", conduct_version=CONDUCT_VERSION - 1)
    client = signed_in_raw(app, "old@example.com")
    response = answer(client, version=str(CONDUCT_VERSION))
    assert response.status_code == 422
    assert 'id="accept_conduct-error"' in text(response)
    assert get_user(app, "old@example.com").conduct_version == CONDUCT_VERSION - 1
    assert client.get("/dashboard").status_code == 302


def test_accepting_a_version_read_before_a_change_accepts_nothing(app, users):
    users(email="old@example.com", conduct_version=CONDUCT_VERSION - 1)
    client = signed_in_raw(app, "old@example.com")
    response = answer(client, version=str(CONDUCT_VERSION - 1), accept_conduct="y")
    assert response.status_code == 422
    assert "The code of conduct changed while you were reading it" in text(response)
    assert get_user(app, "old@example.com").conduct_version == CONDUCT_VERSION - 1


def test_a_new_version_in_code_asks_everyone_again(app, users, monkeypatch):
    users(email="current@example.com")
    client = signed_in_raw(app, "current@example.com")
    assert client.get("/dashboard").status_code == 200
    monkeypatch.setattr(conduct, "CONDUCT_VERSION", CONDUCT_VERSION + 1)
    response = client.get("/dashboard")
    assert response.headers["Location"] == "/conduct/accept?next=/dashboard"
    response = answer(client, version=str(CONDUCT_VERSION + 1), accept_conduct="y")
    assert response.status_code == 302
    assert get_user(app, "current@example.com").conduct_version == CONDUCT_VERSION + 1


def test_log_out_the_public_code_and_account_deletion_stay_open(app, users):
    users(email="old@example.com", conduct_version=None)
    client = signed_in_raw(app, "old@example.com")
    assert client.get("/conduct").status_code == 200
    assert client.get("/account/delete").status_code == 200
    page = text(client.get("/conduct/accept"))
    assert 'action="/logout"' in page
    token = csrf_token(client, "/conduct/accept")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_a_form_sent_from_a_page_opened_before_the_change_still_goes_through(
    app, users, monkeypatch
):
    mentor = make_mentor(app, "mentor@example.com", "Mira")
    mentee = make_mentee(app, "mentee@example.com", "Priya")
    request_id = make_apprenticeship(app, mentor, mentee)
    client = signed_in_raw(app, "mentor@example.com")
    token = csrf_token(client, f"/apprenticeships/{request_id}")
    monkeypatch.setattr(conduct, "CONDUCT_VERSION", CONDUCT_VERSION + 1)
    response = client.post(f"/apprenticeships/{request_id}/accept", data={"csrf_token": token})
    assert response.status_code == 302
    assert state_of(app, request_id) == State.ACCEPTED
    assert client.get(response.headers["Location"]).status_code == 302  # then it asks


def test_an_older_account_gives_its_date_of_birth_with_the_code(app, users):
    users(email="old@example.com", date_of_birth=None, conduct_version=None)
    client = signed_in_raw(app, "old@example.com")
    page = text(client.get("/conduct/accept"))
    assert "Before you carry on" in page and 'name="date_of_birth"' in page
    response = answer(client, version=str(CONDUCT_VERSION), accept_conduct="y", date_of_birth="")
    assert response.status_code == 422 and "Enter your date of birth." in text(response)
    response = answer(
        client, version=str(CONDUCT_VERSION), accept_conduct="y", date_of_birth="2999-01-01"
    )
    assert response.status_code == 422
    assert 'value="2999-01-01"' in text(response) and "in the future" in text(response)
    assert get_user(app, "old@example.com").date_of_birth is None
    born = born_years_ago(16)
    response = answer(
        client, version=str(CONDUCT_VERSION), accept_conduct="y", date_of_birth=born.isoformat()
    )
    assert response.status_code == 302
    user = get_user(app, "old@example.com")
    assert user.date_of_birth == born and user.conduct_version == CONDUCT_VERSION
    # Now a minor: the account page asks for a guardian.
    assert "Parent or guardian consent" in text(client.get("/account"))


def test_an_older_account_under_13_is_paused_and_keeps_no_date(app, users):
    mentor = make_mentor(app, "mentor@example.com", "Mira")
    child = users(email="child@example.com", date_of_birth=None, conduct_version=None)
    with app.app_context():
        from mentorapp.models import MenteeProfile

        db.session.add(MenteeProfile(user_id=child, about="Beats."))
        db.session.commit()
    request_id = make_apprenticeship(app, mentor, child)
    client = signed_in_raw(app, "child@example.com")
    response = answer(
        client,
        version=str(CONDUCT_VERSION),
        accept_conduct="y",
        date_of_birth=born_years_ago(11).isoformat(),
    )
    assert response.status_code == 200
    assert "Come back when you are 13" in text(response)
    user = get_user(app, "child@example.com")
    assert user.date_of_birth is None and user.suspended_at is not None
    assert client.get("/dashboard").status_code == 302  # signed out
    assert state_of(app, request_id) == State.DECLINED  # nobody waits on them
    with app.app_context():
        assert db.session.scalar(select(Apprenticeship.reason)) == "unavailable"


def test_extra_fields_in_the_answer_change_nothing(app, users):
    users(email="old@example.com", conduct_version=None, date_of_birth=None)
    client = signed_in_raw(app, "old@example.com")
    answer(
        client,
        version=str(CONDUCT_VERSION),
        accept_conduct="y",
        date_of_birth="1990-01-01",
        is_admin="y",
        conduct_version="99",
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "old@example.com"))
        assert user.conduct_version == CONDUCT_VERSION and not user.is_admin
        assert user.suspended_at is None


@pytest.mark.parametrize("version", ["", "abc", "9" * 30])
def test_a_mangled_version_changes_nothing(app, users, version):
    users(email="old@example.com", conduct_version=None)
    client = signed_in_raw(app, "old@example.com")
    response = answer(client, version=version, accept_conduct="y")
    assert response.status_code == 422
    assert get_user(app, "old@example.com").conduct_version is None
