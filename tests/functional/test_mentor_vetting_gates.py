"""What an unvetted mentor cannot do, over HTTP: be suggested, be asked, invite, accept,
be placed in a cohort; and what their own pages say about it. Approval opens each gate."""

from __future__ import annotations

import csv
import io

import pytest

from mentorapp.models import Apprenticeship, State, Vetting
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    make_apprenticeship,
    make_mentee,
    state_of,
)
from tests.functional.listing_builders import admin, count, flash_of, mentee_in, post, signed_in
from tests.functional.vetting_builders import application, mentor_applying
from tests.helpers import get_user, text

NOT_VETTED_YET = (
    "An admin has not approved your mentor application yet: you can take on, invite and "
    "accept apprentices once it is."
)


@pytest.fixture
def scene(app):
    class Scene:
        ada = admin(app, "ada@example.com", "Ada Admin")
        vi = mentor_applying(app, "vi@example.com", "Vi Vetted", Vetting.APPROVED)
        wu = mentor_applying(app, "wu@example.com", "Wu Waiting")
        priya = mentee_in(app, "priya@example.com", wants=("mixing",))

    return Scene


def suggested(client) -> str:
    return text(client.get("/suggestions"))


@pytest.mark.parametrize("state", [None, Vetting.PENDING, Vetting.CHANGES_REQUESTED, "rejected"])
def test_only_vetted_mentors_are_suggested(app, scene, state):
    other = mentor_applying(app, "ola@example.com", "Ola Other", state)
    priya = signed_in(app, "priya@example.com")
    page = suggested(priya)
    assert "Vi Vetted" in page
    assert "Wu Waiting" not in page and "Ola Other" not in page
    # Saved from before, an unvetted mentor stays out of the saved list too.
    post(priya, f"/suggestions/{other}/save", {"next": "/suggestions"})
    assert "Ola Other" not in text(priya.get("/suggestions", query_string={"saved": "y"}))


def test_an_approved_applicant_is_suggested_at_once(app, scene):
    priya = signed_in(app, "priya@example.com")
    assert "Wu Waiting" not in suggested(priya)  # the worker's arrays are built now
    ada = signed_in(app, "ada@example.com")
    post(ada, f"/admin/mentors/{scene.wu}/approve", {"reason": ""})
    page = suggested(priya)
    assert "Wu Waiting" in page
    card = page.split("Wu Waiting", 1)[1].split('class="suggestion__actions"')[0]
    assert "vetted" in card and "checked by our admins on" in card


def test_nobody_can_send_a_request_to_an_unvetted_mentor(app, scene):
    priya = signed_in(app, "priya@example.com")
    profile = text(priya.get(f"/people/{scene.wu}"))
    assert "Wu Waiting is not a vetted mentor yet" in profile
    assert f"/people/{scene.wu}/ask" not in profile
    response = priya.get(f"/people/{scene.wu}/ask", follow_redirects=True)
    assert "is not a vetted mentor yet" in flash_of(response)
    response = post(priya, f"/people/{scene.wu}/ask", {"message": REQUEST_MESSAGE})
    assert response.status_code == 422
    assert "is not a vetted mentor yet" in text(response)
    assert count(app, Apprenticeship) == 0
    # The vetted mentor can be asked.
    assert post(priya, f"/people/{scene.vi}/ask", {"message": REQUEST_MESSAGE}).status_code == 302
    assert count(app, Apprenticeship) == 1


def test_an_unvetted_mentor_cannot_invite_anyone(app, scene):
    wu = signed_in(app, "wu@example.com")
    profile = text(wu.get(f"/people/{scene.priya}"))
    assert (
        "once an admin has approved" in profile and f"/people/{scene.priya}/invite" not in profile
    )
    response = wu.get(f"/people/{scene.priya}/invite", follow_redirects=True)
    assert NOT_VETTED_YET in flash_of(response)
    response = post(wu, f"/people/{scene.priya}/invite", {"message": REQUEST_MESSAGE})
    assert response.status_code == 422 and NOT_VETTED_YET in text(response)
    assert count(app, Apprenticeship) == 0


def test_an_unvetted_mentor_cannot_accept_and_their_invitation_cannot_be_accepted(app, scene):
    # Requests made while Wu was vetted (before a re-check took the mark away).
    asked = make_apprenticeship(app, scene.wu, scene.priya)
    other = make_mentee(app, "omar@example.com", "Omar")
    invited = make_apprenticeship(app, scene.wu, other, requested_by="mentor")
    wu = signed_in(app, "wu@example.com")
    response = post(wu, f"/apprenticeships/{asked}/accept", follow_redirects=True)
    assert NOT_VETTED_YET in flash_of(response)
    assert state_of(app, asked) == State.REQUESTED
    omar = signed_in(app, "omar@example.com")
    response = post(omar, f"/apprenticeships/{invited}/accept", follow_redirects=True)
    assert "Wu Waiting is not a vetted mentor now" in flash_of(response)
    assert state_of(app, invited) == State.REQUESTED
    # Once approved, the same accept goes through.
    post(signed_in(app, "ada@example.com"), f"/admin/mentors/{scene.wu}/approve", {"reason": ""})
    post(wu, f"/apprenticeships/{asked}/accept")
    assert state_of(app, asked) == State.ACCEPTED


def test_unvetted_mentors_are_left_out_of_a_cohort(app, runner, scene):
    for n in range(3):
        mentee_in(app, f"m{n}@example.com", wants=("mixing",))
    result = runner.invoke(args=["match-cohort", "--dry-run", "--csv", "-"])
    assert result.exit_code == 0, result.output
    mentors = {int(row["mentor_id"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    assert mentors == {scene.vi}
    assert application(app, scene.wu).state == Vetting.PENDING


def test_the_demo_admin_finds_two_applications_waiting(app, runner):
    from mentorapp.demo import DEMO_PASSWORD
    from tests.conftest import AuthActions

    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    def demo(email):
        client = app.test_client()
        assert AuthActions(client).login(email, DEMO_PASSWORD).status_code == 302
        return client

    ada = demo("admin@example.com")
    page = text(ada.get("/admin/mentors"))
    assert "2 waiting: 2 new applications, 0 re-checks" in page
    assert "Lena Brandt" in page and "Tomás Ferreira" in page
    marcus = demo("mentor@example.com")
    assert "Apply to be a vetted mentor" not in text(marcus.get("/dashboard"))
    result = runner.invoke(args=["match-cohort", "--dry-run", "--csv", "-"])
    names = {row["mentor"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert names and not names & {"Lena Brandt", "Tomás Ferreira"}


@pytest.mark.parametrize(
    "path",
    ["/dashboard", "/suggestions/mentees", "/people/{id}", "/mentor/application"],
)
def test_an_applicants_pages_say_what_waits_and_why(app, scene, path):
    wu = signed_in(app, "wu@example.com")
    page = text(wu.get(path.format(id=scene.wu)))
    assert "Your application is waiting for an admin" in page
    assert "you are not suggested to apprentices" in page
    never = mentor_applying(app, "nia@example.com", "Nia New", state=None)
    nia = signed_in(app, "nia@example.com")
    page = text(nia.get(path.format(id=never)))
    assert "Apply to be a vetted mentor" in page
    vi = signed_in(app, "vi@example.com")
    page = text(vi.get(path.format(id=scene.vi)))
    assert "Your application is waiting" not in page and "Apply to be a vetted" not in page


def test_signing_up_as_a_mentor_or_adding_the_role_starts_as_an_applicant(app, client):
    from tests.conftest import post_form
    from tests.functional.test_signup import sign_up

    sign_up(client, role="mentor", email="marcus@example.com")
    assert "Apply to be a vetted mentor" in text(client.get("/dashboard"))
    marcus = get_user(app, "marcus@example.com")
    assert application(app, marcus.id) is None  # a draft until they send it

    client.get("/logout")
    other = app.test_client()
    sign_up(other, email="priya@example.com")
    assert "Apply to be a vetted mentor" not in text(other.get("/dashboard"))
    post_form(other, "/account/roles", {"role": "mentor"}, page="/account")
    priya = get_user(app, "priya@example.com")
    assert priya.is_mentor and application(app, priya.id) is None
    assert "Apply to be a vetted mentor" in text(other.get("/dashboard"))
