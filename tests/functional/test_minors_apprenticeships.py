"""Apprentices under 18: no request, invitation or acceptance before a guardian consents;
only mentors who take under-18s are suggested, asked or paired with them."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, ConsentState, GuardianConsent, MentorProfile, State
from mentorapp.models.types import utcnow
from mentorapp.programme.planning import plan_cohort
from mentorapp.trust.minors import NEEDS_CONSENT
from tests.conftest import csrf_token, post_form
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    apprenticeship_count,
    make_apprenticeship,
    post,
    signed_in,
    state_of,
)
from tests.functional.test_profiles import MENTEE_SECTIONS, edit_url
from tests.functional.test_suggestions import build_mentor, names_in_order
from tests.helpers import text

TAKES_MINORS = {
    "week": {
        "availability": ["weekday_evening"],
        "capacity": "3",
        "accepting": "y",
        "takes_minors": "y",
    }
}


def build_mentee(client, auth, users, email: str, name: str, age: int = 30) -> int:
    person = users(email=email, display_name=name, is_mentee=True, age=age)
    auth.login(email)
    for section, data in MENTEE_SECTIONS.items():
        response = post_form(client, edit_url(person, "mentee", section), data)
        assert response.status_code == 302, text(response)[:800]
    auth.logout()
    return person


def consent(app, minor: int) -> None:
    """A guardian's yes, as if they had answered the emailed link."""
    with app.app_context():
        now = utcnow()
        db.session.add(
            GuardianConsent(
                minor_id=minor,
                guardian_email="parent@example.com",
                token_hash=hashlib.sha256(f"spent-{minor}".encode()).hexdigest(),
                state=ConsentState.GIVEN,
                created_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=6),
                answered_at=now,
                guardian_name="Alex Parent",
            )
        )
        db.session.commit()


@pytest.fixture
def scene(client, auth, users):
    """Two mentors in London, one taking apprentices under 18; a minor and an adult
    apprentice with complete profiles; nobody signed in."""
    young_ok = build_mentor(client, auth, users, "yes@example.com", **TAKES_MINORS)
    adults_only = build_mentor(client, auth, users, "adults@example.com")
    minor = build_mentee(client, auth, users, "kid@example.com", "Robin Kid", age=16)
    adult = build_mentee(client, auth, users, "grown@example.com", "Grown Up")
    return {"young_ok": young_ok, "adults_only": adults_only, "minor": minor, "adult": adult}


def ask(client, mentor: int):
    return post(client, f"/people/{mentor}/ask", {"message": REQUEST_MESSAGE})


def test_a_minor_cannot_ask_before_consent_and_can_after(app, scene):
    kid = signed_in(app, "kid@example.com")
    profile = text(kid.get(f"/people/{scene['young_ok']}"))
    assert "Before you ask, a parent or guardian has to agree" in profile
    assert f'href="/people/{scene["young_ok"]}/ask"' not in profile
    page = text(kid.get(f"/people/{scene['young_ok']}/ask", follow_redirects=True))
    assert NEEDS_CONSENT.replace("'", "&#39;") in page
    response = ask(kid, scene["young_ok"])
    assert response.status_code == 422
    assert "a parent or guardian has to agree" in text(response)
    assert REQUEST_MESSAGE in text(response)  # the typing is kept
    assert apprenticeship_count(app) == 0
    consent(app, scene["minor"])
    response = ask(kid, scene["young_ok"])
    assert response.status_code == 302
    assert apprenticeship_count(app, Apprenticeship.mentee_id == scene["minor"]) == 1


def test_the_mentor_sees_guardian_consent_given_on_a_minors_request(app, scene):
    consent(app, scene["minor"])
    kid = signed_in(app, "kid@example.com")
    ask(kid, scene["young_ok"])
    with app.app_context():
        request_id = db.session.scalar(select(Apprenticeship.id))
    mentor = signed_in(app, "yes@example.com")
    page = text(mentor.get(f"/apprenticeships/{request_id}"))
    assert "guardian consent given" in page
    assert "parent@example.com" not in page and "Alex Parent" not in page
    # The apprentice's own page does not label them.
    assert "guardian consent given" not in text(kid.get(f"/apprenticeships/{request_id}"))


def test_an_adults_request_carries_no_consent_line(app, scene):
    grown = signed_in(app, "grown@example.com")
    assert ask(grown, scene["adults_only"]).status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(Apprenticeship.id))
    page = text(signed_in(app, "adults@example.com").get(f"/apprenticeships/{request_id}"))
    assert "guardian consent" not in page


def test_a_mentor_for_adults_only_is_refused_kindly(app, scene):
    consent(app, scene["minor"])
    kid = signed_in(app, "kid@example.com")
    profile = text(kid.get(f"/people/{scene['adults_only']}"))
    assert "takes apprentices aged 18 and over only" in profile
    assert f'href="/people/{scene["adults_only"]}/ask"' not in profile
    assert f'href="/people/{scene["young_ok"]}/ask"' in text(
        kid.get(f"/people/{scene['young_ok']}")
    )
    page = text(kid.get(f"/people/{scene['adults_only']}/ask", follow_redirects=True))
    assert "takes apprentices aged 18 and over only" in page
    response = ask(kid, scene["adults_only"])
    assert response.status_code == 422
    assert "takes apprentices aged 18 and over only, so they cannot take you on yet" in text(
        response
    )
    assert apprenticeship_count(app) == 0


def test_a_minor_cannot_accept_an_invitation_before_consent(app, scene):
    invitation = make_apprenticeship(app, scene["young_ok"], scene["minor"], requested_by="mentor")
    kid = signed_in(app, "kid@example.com")
    response = post(kid, f"/apprenticeships/{invitation}/accept", follow_redirects=True)
    assert "a parent or guardian has to agree" in text(response)
    assert state_of(app, invitation) == State.REQUESTED
    consent(app, scene["minor"])
    post(kid, f"/apprenticeships/{invitation}/accept")
    assert state_of(app, invitation) == State.ACCEPTED


def test_a_mentor_may_invite_a_minor_only_when_taking_under_18s(app, scene):
    adults_only = signed_in(app, "adults@example.com")
    response = post(adults_only, f"/people/{scene['minor']}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 422
    assert "Robin Kid is under 18, and your profile says" in text(response)
    young_ok = signed_in(app, "yes@example.com")
    response = post(young_ok, f"/people/{scene['minor']}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 302  # the minor answers once a guardian agrees
    assert apprenticeship_count(app) == 1


def test_a_mentor_who_stopped_taking_minors_cannot_accept_one(app, scene):
    consent(app, scene["minor"])
    request_id = make_apprenticeship(app, scene["young_ok"], scene["minor"])
    with app.app_context():
        db.session.get(MentorProfile, scene["young_ok"]).takes_minors = False
        db.session.commit()
    mentor = signed_in(app, "yes@example.com")
    response = post(mentor, f"/apprenticeships/{request_id}/accept", follow_redirects=True)
    assert "your profile says you take apprentices aged 18 and over only" in text(response)
    assert state_of(app, request_id) == State.REQUESTED


def test_a_minors_suggestions_hold_only_mentors_who_take_minors(app, scene):
    kid = signed_in(app, "kid@example.com")
    names = names_in_order(text(kid.get("/suggestions")))
    assert names == ["Yes"]
    grown = signed_in(app, "grown@example.com")
    assert sorted(names_in_order(text(grown.get("/suggestions")))) == ["Adults", "Yes"]


def test_mentors_for_adults_only_never_see_minors_suggested(app, scene):
    def mentees_of(email):
        page = text(signed_in(app, email).get("/suggestions/mentees"))
        return set(re.findall(r'class="suggestion__name"><a href="/people/\d+">([^<]+)</a>', page))

    assert mentees_of("adults@example.com") == {"Grown Up"}
    assert mentees_of("yes@example.com") == {"Grown Up", "Robin Kid"}


def test_the_mentor_setting_is_saved_from_the_profile(app, client, auth, scene):
    with app.app_context():
        profiles = {p.user_id: p.takes_minors for p in db.session.scalars(select(MentorProfile))}
    assert profiles == {scene["young_ok"]: True, scene["adults_only"]: False}
    page = text(
        signed_in(app, "yes@example.com").get(edit_url(scene["young_ok"], "mentor", "week"))
    )
    [tag] = re.findall(r'<input[^>]*name="takes_minors"[^>]*>', page)
    assert re.search(r"\schecked[\s>]", tag)


def test_cohorts_pair_minors_only_with_mentors_who_take_them(app, scene):
    with app.app_context():
        plan = plan_cohort()
        pairs = {(mentee, mentor) for mentee, mentor, _ in plan.result.pairs}
    # Waiting for consent: not in the intake at all.
    assert all(mentee != scene["minor"] for mentee, _ in pairs)
    consent(app, scene["minor"])
    with app.app_context():
        pairs = {(mentee, mentor) for mentee, mentor, _ in plan_cohort().result.pairs}
    assert (scene["minor"], scene["adults_only"]) not in pairs
    assert (scene["minor"], scene["young_ok"]) in pairs
    # When the only mentor who takes minors stops accepting, the minor stays unplaced
    # rather than go to a mentor for adults only.
    with app.app_context():
        db.session.get(MentorProfile, scene["young_ok"]).accepting = False
        db.session.commit()
        pairs = {(mentee, mentor) for mentee, mentor, _ in plan_cohort().result.pairs}
    assert all(mentee != scene["minor"] for mentee, _ in pairs)
    assert (scene["adult"], scene["adults_only"]) in pairs


def test_an_in_person_workspace_shows_safety_notes_for_first_meetings(app, scene):
    consent(app, scene["minor"])
    request_id = make_apprenticeship(app, scene["young_ok"], scene["minor"])
    for email in ("yes@example.com", "kid@example.com"):
        page = text(signed_in(app, email).get(f"/apprenticeships/{request_id}"))
        assert "Before you meet in person" in page
        assert "public or vetted place" in page and "Tell someone you trust" in page
        assert 'href="/conduct"' in page
        assert "Report it to the mentorapp team" in page or "Reply to any email" in page
    assert "let their parent or guardian know" in text(
        signed_in(app, "yes@example.com").get(f"/apprenticeships/{request_id}")
    )


def test_a_remote_only_apprenticeship_has_no_meeting_notes(app, scene):
    with app.app_context():
        profile = db.session.get(MentorProfile, scene["adults_only"])
        profile.works_in_person, profile.works_remotely = False, True
        db.session.commit()
    request_id = make_apprenticeship(app, scene["adults_only"], scene["adult"])
    page = text(signed_in(app, "adults@example.com").get(f"/apprenticeships/{request_id}"))
    assert "Before you meet in person" not in page


def test_the_demo_mentor_sees_a_minor_with_consent_among_the_requests(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        from mentorapp.models import User
        from mentorapp.trust import minors

        marcus = db.session.scalar(select(User).where(User.email == "mentor@example.com"))
        waiting = db.session.scalars(
            select(Apprenticeship).where(
                Apprenticeship.mentor_id == marcus.id, Apprenticeship.state == State.REQUESTED
            )
        ).all()
        young = [a for a in waiting if minors.is_minor(a.mentee)]
        assert len(young) == 1 and minors.consent_given(young[0].mentee) is not None
        assert marcus.mentor_profile.takes_minors
        request_id = young[0].id
    client = app.test_client()
    client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client, "/login"),
            "email": "mentor@example.com",
            "password": "studio-demo-pass",
        },
    )
    page = text(client.get(f"/apprenticeships/{request_id}"))
    assert "guardian consent given" in page
