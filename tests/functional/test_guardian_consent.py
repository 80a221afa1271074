"""A minor asks a parent or guardian for consent by email; the guardian answers on a
page with no account. Links are long, stored hashed, work once, for 7 days, and a new
one replaces the old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import ConsentState, GuardianConsent, Notification
from mentorapp.trust import minors
from tests.conftest import csrf_token
from tests.functional.apprenticeship_builders import post, signed_in
from tests.helpers import emails_to, last_link, text

GUARDIAN = "parent@example.com"


@pytest.fixture
def minor(app, users):
    users(email="kid@example.com", display_name="Robin Kid", age=16)
    return signed_in(app, "kid@example.com")


def ask(client, email: str = GUARDIAN):
    return post(client, "/account/guardian", {"guardian_email": email})


def consents(app) -> list[GuardianConsent]:
    with app.app_context():
        rows = list(db.session.scalars(select(GuardianConsent).order_by(GuardianConsent.id)))
        db.session.expunge_all()
        return rows


def give(app, link: str, name: str = "Alex Kid", **extra):
    guardian = app.test_client()
    token = csrf_token(guardian, "/login")  # a dead link's page has no form
    data = {"csrf_token": token, "decision": "give", "guardian_name": name, "is_guardian": "y"}
    return guardian.post(link, data={**data, **extra})


def refuse(app, link: str):
    guardian = app.test_client()
    token = csrf_token(guardian, "/login")
    return guardian.post(link, data={"csrf_token": token, "decision": "refuse"})


def test_the_whole_way_from_asking_to_consent(app, minor):
    page = text(minor.get("/account"))
    assert "Not asked yet" in page and 'href="/account/guardian"' in page
    response = ask(minor)
    assert response.status_code == 302
    page = text(minor.get("/account/guardian"))
    assert "Waiting for an answer" in page and GUARDIAN in page
    [email] = emails_to(app, GUARDIAN)
    assert "Robin Kid" in email.subject and "Robin Kid" in email.body_text
    link = last_link(app, GUARDIAN)
    assert link.startswith("/guardian/consent/")
    # The guardian's page, with no account: what the service is and what in person means.
    page = text(app.test_client().get(link))
    for words in ("What mentorapp is", "Who Robin Kid would meet", "in-person work in a studio"):
        assert words in page
    response = give(app, link)
    assert response.status_code == 200
    assert "You gave your consent for Robin Kid" in text(response)
    page = text(minor.get("/account"))
    assert "Consent given" in page and "Alex Kid agreed on" in page
    with app.app_context():
        note = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
        assert note.kind == "guardian" and "gave their consent" in note.text


def test_the_token_is_long_and_never_stored_in_clear(app, minor):
    ask(minor)
    token = last_link(app, GUARDIAN).rsplit("/", 1)[1]
    assert len(token) >= 43
    [row] = consents(app)
    assert row.token_hash != token and token not in row.token_hash and len(row.token_hash) == 64
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for values in db.session.execute(select(table)):
                assert all(token not in str(v) for v in values if table.name != "outbound_emails")


def test_a_used_link_says_so_and_changes_nothing(app, minor):
    ask(minor)
    link = last_link(app, GUARDIAN)
    give(app, link)
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "This link was already used" in text(again) and "Each link works once" in text(again)
    response = refuse(app, link)
    assert response.status_code == 410
    [row] = consents(app)
    assert row.state == ConsentState.GIVEN


def test_an_expired_link_gets_a_clear_page(app, minor):
    ask(minor)
    link = last_link(app, GUARDIAN)
    with app.app_context():
        row = db.session.scalar(select(GuardianConsent))
        row.expires_at = row.created_at - timedelta(seconds=1)
        db.session.commit()
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "This link has expired" in text(response) and "7 days" in text(response)
    assert give(app, link).status_code == 410
    assert consents(app)[0].state == ConsentState.WAITING
    assert "The link expired without an answer" in text(minor.get("/account"))


def test_a_refusal_is_shown_and_a_new_link_can_follow(app, minor):
    ask(minor)
    response = refuse(app, last_link(app, GUARDIAN))
    assert response.status_code == 200 and "You did not give consent" in text(response)
    page = text(minor.get("/account/guardian"))
    assert "Consent refused" in page and "Send a new link" in page
    ask(minor, "other.guardian@example.com")
    assert "Waiting for an answer" in text(minor.get("/account"))


def test_a_new_link_kills_the_old_one(app, minor):
    ask(minor)
    old = last_link(app, GUARDIAN)
    ask(minor, "second@example.com")
    new = last_link(app, "second@example.com")
    response = app.test_client().get(old)
    assert response.status_code == 410 and "A newer link was sent" in text(response)
    assert give(app, old).status_code == 410
    assert give(app, new).status_code == 200
    assert [c.state for c in consents(app)] == [ConsentState.REPLACED, ConsentState.GIVEN]


def test_unknown_and_tampered_links_are_not_found(app, minor):
    ask(minor)
    link = last_link(app, GUARDIAN)
    client = app.test_client()
    for bad in (
        link[:-1] + ("A" if link[-1] != "A" else "B"),
        "/guardian/consent/x",
        "/guardian/consent/" + "é" * 5,
        "/guardian/consent/" + "a" * 600,
    ):
        response = client.get(bad)
        assert response.status_code == 404, bad
        assert "This link is not valid" in text(response)


def test_the_guardian_must_type_a_name_and_say_they_are_the_guardian(app, minor):
    ask(minor)
    link = last_link(app, GUARDIAN)
    guardian = app.test_client()
    token = csrf_token(guardian, link)
    response = guardian.post(
        link, data={"csrf_token": token, "decision": "give", "guardian_name": "Alex\x07 Kid"}
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="guardian_name-error"' in page and 'id="is_guardian-error"' in page
    assert "Only a parent or legal guardian can give consent." in page
    # The refusal beside it still refuses.
    assert 'name="decision" type="hidden" value="refuse"' in page
    assert 'value="Alex\x07 Kid"' in page or "Alex" in page
    response = guardian.post(
        link,
        data={
            "csrf_token": token,
            "decision": "give",
            "guardian_name": "A" * 81,
            "is_guardian": "y",
        },
    )
    assert response.status_code == 422 and "Use between 2 and 80 characters." in text(response)
    assert consents(app)[0].state == ConsentState.WAITING


def test_the_guardians_answer_needs_the_csrf_token(app, minor):
    ask(minor)
    link = last_link(app, GUARDIAN)
    guardian = app.test_client()
    guardian.get(link)
    data = {"decision": "give", "guardian_name": "Alex Kid", "is_guardian": "y"}
    assert guardian.post(link, data=data).status_code == 400
    assert guardian.post(link, data={**data, "csrf_token": "forged"}).status_code == 400
    assert consents(app)[0].state == ConsentState.WAITING


def test_extra_fields_in_the_answer_change_nothing(app, minor):
    ask(minor)
    give(app, last_link(app, GUARDIAN), state="refused", minor_id="999", expires_at="2999-01-01")
    [row] = consents(app)
    assert row.state == ConsentState.GIVEN and row.guardian_name == "Alex Kid"


def test_the_minor_cannot_name_their_own_email(app, minor):
    response = ask(minor, "KID@example.com ")
    assert response.status_code == 422
    page = text(response)
    assert 'id="guardian_email-error"' in page and "That is your own email" in page
    assert 'value="KID@example.com' in page
    assert consents(app) == []


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter your email address."),
        ("not-an-email", "Enter an email address like name@example.com."),
        ("a" * 250 + "@example.com", "An email address has at most 254 characters."),
    ],
)
def test_a_bad_guardian_email_is_said_by_the_field(app, minor, typed, message):
    response = ask(minor, typed)
    assert response.status_code == 422
    assert message in text(response)
    assert consents(app) == [] and emails_to(app, typed) == []


def test_links_per_day_are_limited(app, minor):
    for n in range(minors.LINKS_PER_DAY):
        assert ask(minor, f"g{n}@example.com").status_code == 302
    response = ask(minor, "one.more@example.com")
    assert response.status_code == 422 and "the most we send" in text(response)
    assert emails_to(app, "one.more@example.com") == []


def test_after_consent_no_new_link_is_sent(app, minor):
    ask(minor)
    give(app, last_link(app, GUARDIAN))
    assert 'name="guardian_email"' not in text(minor.get("/account/guardian"))
    response = ask(minor, "else@example.com")
    assert response.status_code == 422 and "already given their consent" in text(response)


def test_strangers_never_see_a_minors_guardian_state(app, users, minor):
    ask(minor)
    users(email="adult@example.com", display_name="Some Adult", is_mentor=True)
    users(email="other.kid@example.com", display_name="Other Kid", age=15)
    adult = signed_in(app, "adult@example.com")
    assert adult.get("/account/guardian").status_code == 404
    assert GUARDIAN not in text(adult.get("/account"))
    other = signed_in(app, "other.kid@example.com")
    page = text(other.get("/account/guardian"))
    assert "Not asked yet" in page and GUARDIAN not in page
    with app.app_context():
        kid = db.session.scalar(
            select(GuardianConsent.minor_id).where(GuardianConsent.guardian_email == GUARDIAN)
        )
    for client in (adult, other, app.test_client()):
        assert GUARDIAN not in text(client.get(f"/people/{kid}"))
    # No page takes a person's id to show their consent.
    assert app.test_client().get("/account/guardian").status_code == 302
