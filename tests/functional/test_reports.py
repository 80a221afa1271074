"""Reports over HTTP: anyone signed in reports a person, a profile, a message in their
workspace or a reference, from where they met it; the report keeps a snapshot of the
text; bad input is shown next to its field with the typing kept; nobody reports
themselves or the same thing twice while it is open; the reported person learns nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from mentorapp.extensions import db
from mentorapp.models import MentorProfile, Notification, Reference, State, ThreadMessage
from tests.functional.apprenticeship_builders import (
    flashed,
    make_apprenticeship,
    notes_for,
    post,
    set_state,
)
from tests.functional.safety_builders import (
    BIO,
    DESCRIPTION,
    MIRA_WROTE,
    build_scene,
    field_error,
    reports_of,
)
from tests.helpers import text

LEARNED = "Priya learned to comp vocals, to EQ with intent and to finish a mix on time."


@pytest.fixture
def scene(app):
    return build_scene(app)


def report_url(subject: str, subject_id: int) -> str:
    return f"/report/{subject}/{subject_id}"


def send(
    client,
    subject,
    subject_id,
    reason="in_person_safety",
    description=DESCRIPTION,
    follow_redirects=False,
    **extra,
):
    """Send the report form; `extra` are more form fields."""
    return post(
        client,
        report_url(subject, subject_id),
        {"reason": reason, "description": description, **extra},
        follow_redirects=follow_redirects,
    )


def test_a_message_is_reported_from_the_workspace_in_two_clicks(scene):
    priya = scene.client("priya")
    page = text(priya.get(f"/apprenticeships/{scene.a}"))
    # A Report link beside Mira's message, none beside Priya's own.
    assert f'href="{report_url("message", scene.mira_message)}"' in page
    assert f'href="{report_url("message", scene.priya_message)}"' not in page
    form = text(priya.get(report_url("message", scene.mira_message)))
    assert "Report a message from Mira Okafor" in form
    assert "never told who reported them" in form
    response = send(priya, "message", scene.mira_message, follow_redirects=True)
    assert "Thank you. An admin will look at your report" in flashed(response)
    assert response.request.path == f"/apprenticeships/{scene.a}"  # back where they were
    [report] = reports_of(scene.app)
    assert (report.reporter_id, report.reported_id) == (scene.priya, scene.mira)
    assert (report.subject, report.subject_id, report.state) == (
        "message",
        scene.mira_message,
        "open",
    )
    assert report.apprenticeship_id == scene.a
    assert report.reason == "in_person_safety" and report.description == DESCRIPTION
    assert MIRA_WROTE in report.snapshot and report.reported_name == "Mira Okafor"


def test_the_snapshot_outlives_deleting_the_message_and_the_account(scene):
    send(scene.client("priya"), "message", scene.mira_message)
    with scene.app.app_context():
        db.session.execute(delete(ThreadMessage).where(ThreadMessage.id == scene.mira_message))
        db.session.commit()
    [report] = reports_of(scene.app)
    admin = scene.client("ada")
    page = text(admin.get(f"/admin/reports/{report.id}"))
    assert MIRA_WROTE in page and "no: deleted since" in page
    # The author deletes their account: the report stays, with what she wrote.
    response = post(
        scene.client("mira"),
        "/account/delete",
        {"password": "a long test passphrase", "understood": "y"},
    )
    assert response.status_code == 302
    [report] = reports_of(scene.app)
    assert report.reported_id is None and report.reported_name == "Mira Okafor"
    page = text(admin.get(f"/admin/reports/{report.id}"))
    assert MIRA_WROTE in page and "account deleted" in page


def test_a_profile_report_keeps_the_text_as_it_read_then(scene):
    olu = scene.client("olu")
    profile = text(olu.get(f"/people/{scene.mira}"))
    assert f'href="{report_url("profile", scene.mira)}"' in profile
    send(olu, "profile", scene.mira, reason="impersonation", description="Not the real Mira.")
    with scene.app.app_context():
        db.session.get(MentorProfile, scene.mira).bio = "Edited after the report."
        db.session.commit()
    [report] = reports_of(scene.app)
    assert BIO in report.snapshot and "Edited after" not in report.snapshot
    assert "Name: Mira Okafor" in report.snapshot
    page = text(scene.client("ada").get(f"/admin/reports/{report.id}"))
    assert BIO in page


def test_a_person_is_reported_from_the_workspace(scene):
    priya = scene.client("priya")
    page = text(priya.get(f"/apprenticeships/{scene.a}"))
    assert f'href="{report_url("person", scene.mira)}"' in page
    send(priya, "person", scene.mira, reason="harassment", description="Messages at 3 am.")
    [report] = reports_of(scene.app)
    assert (report.subject, report.reported_id, report.reason) == (
        "person",
        scene.mira,
        "harassment",
    )


def test_a_reference_is_reported_from_its_page(scene):
    set_state(scene.app, scene.a, State.COMPLETED)
    with scene.app.app_context():
        reference = Reference(
            apprenticeship_id=scene.a,
            author_id=scene.mira,
            learned=LEARNED,
            recommendation="strong",
            shown_on_profile=True,
        )
        db.session.add(reference)
        db.session.commit()
        reference_id = reference.id
    olu = scene.client("olu")
    page = text(olu.get(f"/references/{reference_id}"))
    assert f'href="{report_url("reference", reference_id)}"' in page
    send(
        olu, "reference", reference_id, reason="inappropriate", description="Copied from elsewhere."
    )
    [report] = reports_of(scene.app)
    assert (report.subject, report.reported_id) == ("reference", scene.mira)
    assert LEARNED in report.snapshot
    # Its author has no link to report their own words.
    assert "Report this reference" not in text(
        scene.client("mira").get(f"/references/{reference_id}")
    )


def test_nobody_reports_themselves(scene):
    mira = scene.client("mira")
    assert f'href="{report_url("profile", scene.mira)}"' not in text(
        mira.get(f"/people/{scene.mira}")
    )
    for subject, subject_id in (
        ("profile", scene.mira),
        ("person", scene.mira),
        ("message", scene.mira_message),
    ):
        response = send(mira, subject, subject_id, follow_redirects=True)
        assert "You cannot report yourself." in flashed(response)
    assert reports_of(scene.app) == []


def test_reporting_the_same_thing_twice_while_open_says_so_kindly(scene):
    priya = scene.client("priya")
    send(priya, "message", scene.mira_message)
    again = priya.get(report_url("message", scene.mira_message), follow_redirects=True)
    assert "You reported this already" in flashed(again)
    response = send(priya, "message", scene.mira_message, follow_redirects=True)
    assert "You reported this already" in flashed(response)
    assert len(reports_of(scene.app)) == 1
    # Someone else may report the same message (they are not in this workspace: 404).
    assert send(scene.client("olu"), "message", scene.mira_message).status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"reason": ""}, "reason", "Choose what is wrong."),
        ({"reason": "rude"}, "reason", "Choose a reason from the list."),
        ({"description": "   "}, "description", "Say in a few words what happened."),
        ({"description": "x" * 2001}, "description", "At most 2,000 characters"),
        ({"description": "Look at this\x1b[2J now"}, "description", "no control characters"),
        ({"description": "Reads \u202eesrever\u202c"}, "description", "no control characters"),
    ],
)
def test_bad_input_is_shown_by_the_field_with_the_typing_kept(scene, data, field, message):
    fields = {"reason": "spam", "description": "Asked me to pay for a course first.", **data}
    response = post(scene.client("priya"), report_url("message", scene.mira_message), fields)
    assert response.status_code == 422
    body = text(response)
    assert message in field_error(body, field)
    if field == "reason":
        assert "Asked me to pay for a course first." in body
    elif "\x1b" not in data["description"]:
        assert data["description"].strip()[:50] in body
    assert reports_of(scene.app) == []


def test_line_breaks_are_fine_in_a_description(scene):
    send(
        scene.client("priya"),
        "message",
        scene.mira_message,
        description="First this.\r\nThen that.\tAnd so on.",
    )
    [report] = reports_of(scene.app)
    assert "Then that." in report.description


def test_what_one_cannot_see_cannot_be_reported(scene):
    olu = scene.client("olu")
    for url in (
        report_url("message", scene.mira_message),  # not Olu's workspace
        report_url("message", 999_999),
        report_url("reference", 999_999),
        report_url("profile", 999_999),
        report_url("listing", scene.mira),  # not a kind of report
        report_url("profile", 2**31),
        report_url("profile", 0),
    ):
        assert olu.get(url).status_code == 404, url
        assert post(olu, url, {"reason": "spam", "description": "x"}).status_code == 404, url
    assert reports_of(scene.app) == []


def test_a_hidden_reference_cannot_be_reported_by_a_stranger(scene):
    set_state(scene.app, scene.a, State.COMPLETED)
    with scene.app.app_context():
        reference = Reference(
            apprenticeship_id=scene.a,
            author_id=scene.mira,
            learned=LEARNED,
            recommendation="strong",
        )
        db.session.add(reference)
        db.session.commit()
        reference_id = reference.id
    # Not shown on Priya's profile: only the two of them can read, so only they can report.
    assert scene.client("olu").get(report_url("reference", reference_id)).status_code == 404
    assert scene.client("priya").get(report_url("reference", reference_id)).status_code == 200


def test_the_report_needs_a_csrf_token_and_a_login(scene, app):
    priya = scene.client("priya")
    data = {"reason": "spam", "description": "Spam."}
    assert priya.post(report_url("message", scene.mira_message), data=data).status_code == 400
    assert (
        priya.post(
            report_url("message", scene.mira_message), data={**data, "csrf_token": "forged"}
        ).status_code
        == 400
    )
    anonymous = app.test_client()
    response = anonymous.get(report_url("profile", scene.mira))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert reports_of(scene.app) == []


def test_extra_fields_change_nothing(scene):
    send(
        scene.client("priya"),
        "message",
        scene.mira_message,
        state="dismissed",
        reporter_id=str(scene.olu),
        reported_id=str(scene.olu),
        snapshot="nothing to see",
    )
    [report] = reports_of(scene.app)
    assert (report.state, report.reporter_id, report.reported_id) == (
        "open",
        scene.priya,
        scene.mira,
    )
    assert MIRA_WROTE in report.snapshot


def test_the_reported_person_learns_nothing(scene):
    before = len(notes_for(scene.app, scene.mira))
    send(scene.client("priya"), "message", scene.mira_message)
    send(scene.client("olu"), "profile", scene.mira, reason="spam", description="Olu saw spam.")
    assert len(notes_for(scene.app, scene.mira)) == before
    mira = scene.client("mira")
    for url in (
        "/notifications",
        f"/apprenticeships/{scene.a}",
        f"/people/{scene.mira}",
        "/dashboard",
    ):
        body = text(mira.get(url, follow_redirects=True))
        assert "Priya reported" not in body and DESCRIPTION not in body and "Olu" not in body
    # The moderation pages are for admins only.
    [first, _] = reports_of(scene.app)
    assert mira.get("/admin/reports").status_code == 403
    assert mira.get(f"/admin/reports/{first.id}").status_code == 403
    assert scene.client("olu").get(f"/admin/reports/{first.id}").status_code == 403


def test_a_request_thread_message_can_be_reported_too(scene):
    request = make_apprenticeship(scene.app, scene.mira, scene.olu)
    from tests.functional.safety_builders import add_message

    message = add_message(scene.app, request, scene.mira, "Send me your bank details first.")
    response = send(scene.client("olu"), "message", message, reason="spam", description="A scam.")
    assert response.status_code == 302
    with scene.app.app_context():
        assert (
            db.session.query(Notification).filter_by(user_id=scene.mira, kind="report").count() == 0
        )
