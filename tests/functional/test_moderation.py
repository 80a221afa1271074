"""The moderation queue over HTTP: open reports oldest first, a person reported by three
different people on top; a report's page with the snapshot, the pair's history and
earlier reports, its opening audited; dismiss, warn, hide and suspend, each with a
reason and audited; the reporter hears only that we looked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Reference, Report, State, User
from mentorapp.models.types import utcnow
from tests.functional.apprenticeship_builders import (
    email_subjects,
    flashed,
    make_mentee,
    notes_for,
    post,
    set_state,
    signed_in,
)
from tests.functional.safety_builders import (
    BIO,
    MIRA_WROTE,
    audit_actions,
    build_scene,
    field_error,
    reports_of,
)
from tests.helpers import text

LEARNED = "Priya learned to comp vocals, to EQ with intent and to finish a mix on time."
WHY = "Asked an apprentice to meet at a private flat; against the code of conduct."
LOOKED = "We looked at your report."


@pytest.fixture
def scene(app):
    return build_scene(app)


def file_report(app, reporter, reported, subject="person", subject_id=None, days_ago=0, **extra):
    """A report as the service would store it, `days_ago` days old."""
    with app.app_context():
        report = Report(
            reporter_id=reporter,
            reported_id=reported,
            subject=subject,
            subject_id=subject_id or reported,
            reason=extra.pop("reason", "harassment"),
            description=extra.pop("description", "Rude messages."),
            reported_name=db.session.get(User, reported).display_name,
            snapshot=extra.pop("snapshot", "Name: someone"),
            created_at=utcnow() - timedelta(days=days_ago),
            **extra,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def queue_order(body: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/admin/reports/(\d+)"', body)]


def decide(client, report_id: int, action: str, reason: str = WHY, **kwargs):
    return post(client, f"/admin/reports/{report_id}/{action}", {"reason": reason}, **kwargs)


def test_the_queue_is_for_admins_and_in_the_navigation(scene, app):
    admin = scene.client("ada")
    assert 'href="/admin/reports"' in text(admin.get("/admin"))
    assert admin.get("/admin/reports").status_code == 200
    assert scene.client("priya").get("/admin/reports").status_code == 403
    response = app.test_client().get("/admin/reports")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_open_reports_oldest_first_three_reporters_rise_to_the_top(scene):
    app = scene.app
    kofi = make_mentee(app, "kofi@example.com", "Kofi")
    lena = make_mentee(app, "lena@example.com", "Lena")
    old = file_report(app, scene.priya, scene.mira, days_ago=9)
    older = file_report(app, scene.mira, scene.priya, days_ago=10)
    # Olu is reported by three different people, the latest of all.
    on_olu = [file_report(app, who, scene.olu, days_ago=1) for who in (scene.mira, kofi, lena)]
    decided = file_report(app, kofi, scene.mira, days_ago=20, state="dismissed")
    order = queue_order(text(scene.client("ada").get("/admin/reports")))
    assert order == [*on_olu, older, old]
    assert decided not in order
    # Two reports from the same person do not count as two reporters.
    for report_id in on_olu[1:]:
        with app.app_context():
            db.session.get(Report, report_id).state = "dismissed"
            db.session.commit()
    file_report(app, scene.mira, scene.olu, subject="profile", days_ago=1)
    body = text(scene.client("ada").get("/admin/reports"))
    assert queue_order(body)[:2] == [older, old]
    assert "3+ reporters" not in body


def test_a_report_shows_the_snapshot_the_history_and_earlier_reports(scene):
    app = scene.app
    send = post(
        scene.client("priya"),
        f"/report/message/{scene.mira_message}",
        {"reason": "in_person_safety", "description": "Wants to meet at night."},
    )
    assert send.status_code == 302
    [report] = reports_of(app)
    with app.app_context():  # an earlier request of theirs, declined long ago
        db.session.add(
            Apprenticeship(
                mentor_id=scene.mira,
                mentee_id=scene.priya,
                requested_by="mentee",
                message="An earlier try.",
                state=State.DECLINED,
                reason="no_time",
                created_at=utcnow() - timedelta(days=200),
                decided_at=utcnow() - timedelta(days=199),
            )
        )
        db.session.commit()
    earlier = file_report(
        app, scene.olu, scene.mira, days_ago=30, state="warned", description="Olu's words."
    )
    page = text(scene.client("ada").get(f"/admin/reports/{report.id}"))
    assert MIRA_WROTE in page and "Wants to meet at night." in page
    assert "A safety concern about working in person" in page
    assert "Between the two of them" in page and "Running" in page and "Declined" in page
    assert f'href="/admin/reports/{earlier}"' in page and "warned" in page
    # Opening it is in the audit log.
    assert ("report_opened", "report", report.id, "") in audit_actions(app)


def test_unknown_reports_are_404_and_decisions_need_csrf(scene):
    admin = scene.client("ada")
    for report_id in (999_999, 0, 2**31):
        assert admin.get(f"/admin/reports/{report_id}").status_code == 404
    report = file_report(scene.app, scene.priya, scene.mira)
    assert decide(admin, 999_999, "dismiss").status_code == 404
    assert admin.post(f"/admin/reports/{report}/dismiss", data={"reason": WHY}).status_code == 400
    assert decide(admin, report, "delete").status_code == 404
    assert reports_of(scene.app)[0].state == "open"


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "Give a reason"),
        ("x" * 2001, "At most 2,000"),
        ("Bad\x07bell", "no control characters"),
    ],
)
def test_a_decision_needs_a_reason_shown_by_the_field(scene, reason, message):
    report = file_report(scene.app, scene.priya, scene.mira)
    response = decide(scene.client("ada"), report, "warn", reason)
    assert response.status_code == 422
    body = text(response)
    assert message in field_error(body, "reason")
    if reason and "\x07" not in reason:
        assert reason[:40] in body  # the typing kept
    assert reports_of(scene.app)[0].state == "open"
    assert notes_for(scene.app, scene.mira) == [] or all(
        n.kind != "warning" for n in notes_for(scene.app, scene.mira)
    )


def test_dismiss_tells_the_reporter_we_looked_and_nothing_else(scene):
    report = file_report(scene.app, scene.priya, scene.mira)
    mira_notes = len(notes_for(scene.app, scene.mira))
    response = decide(
        scene.client("ada"), report, "dismiss", "Nothing against the code.", follow_redirects=True
    )
    assert "Dismissed" in flashed(response)
    [stored] = reports_of(scene.app)
    assert (stored.state, stored.decided_by_id, stored.decision_reason) == (
        "dismissed",
        scene.ada,
        "Nothing against the code.",
    )
    assert ("report_dismissed", "report", report, "Nothing against the code.") in audit_actions(
        scene.app
    )
    [note] = [n for n in notes_for(scene.app, scene.priya) if n.kind == "report"]
    assert LOOKED in note.text and "dismiss" not in note.text.lower()
    assert len(notes_for(scene.app, scene.mira)) == mira_notes  # the reported person: nothing
    # Decided once: a second decision is refused kindly.
    again = decide(scene.client("ada"), report, "warn", follow_redirects=True)
    assert "already decided" in flashed(again)
    assert reports_of(scene.app)[0].state == "dismissed"


def test_warn_sends_a_message_and_an_email_to_the_person(scene):
    report = file_report(scene.app, scene.priya, scene.mira)
    decide(scene.client("ada"), report, "warn")
    [warning] = [n for n in notes_for(scene.app, scene.mira) if n.kind == "warning"]
    assert "was reported" in warning.text and "Priya" not in warning.text
    assert "A message from the mentorapp admins" in email_subjects(scene.app, "mira@example.com")
    assert reports_of(scene.app)[0].state == "warned"
    assert ("report_warned", "report", report, WHY) in audit_actions(scene.app)
    assert any(LOOKED in n.text for n in notes_for(scene.app, scene.priya))


def test_hide_a_message_it_no_longer_shows(scene):
    priya = scene.client("priya")
    post(
        priya,
        f"/report/message/{scene.mira_message}",
        {"reason": "inappropriate", "description": "Crude."},
    )
    # Olu cannot report it (not his workspace), so a second report comes from Mira's side.
    [report] = reports_of(scene.app)
    decide(scene.client("ada"), report.id, "hide")
    for who in ("priya", "mira"):
        page = text(scene.client(who).get(f"/apprenticeships/{scene.a}"))
        assert MIRA_WROTE not in page and "The admins hid this message." in page
    assert reports_of(scene.app)[0].state == "hidden"
    # The snapshot keeps it for the admins.
    assert MIRA_WROTE in text(scene.client("ada").get(f"/admin/reports/{report.id}"))


def test_hide_a_reference(scene):
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
    assert LEARNED[:40] in text(olu.get(f"/people/{scene.priya}"))
    post(olu, f"/report/reference/{reference_id}", {"reason": "other", "description": "Not true."})
    [report] = reports_of(scene.app)
    decide(scene.client("ada"), report.id, "hide")
    assert olu.get(f"/references/{reference_id}").status_code == 404
    assert LEARNED[:40] not in text(olu.get(f"/people/{scene.priya}"))


def test_hide_a_profile_s_text(scene):
    olu = scene.client("olu")
    assert BIO in text(olu.get(f"/people/{scene.mira}"))
    post(
        olu,
        f"/report/profile/{scene.mira}",
        {"reason": "inappropriate", "description": "Offensive bio."},
    )
    [report] = reports_of(scene.app)
    decide(scene.client("ada"), report.id, "hide")
    page = text(olu.get(f"/people/{scene.mira}"))
    assert BIO not in page and "The admins have hidden what Mira Okafor wrote" in page


def test_suspend_uses_the_admins_suspension(scene):
    mira = scene.client("mira")
    report = file_report(scene.app, scene.priya, scene.mira)
    response = decide(scene.client("ada"), report, "suspend", follow_redirects=True)
    assert "suspended" in flashed(response)
    with scene.app.app_context():
        person = db.session.get(User, scene.mira)
        assert person.suspended_at is not None and person.suspension_reason == WHY
    actions = [a for a, *_ in audit_actions(scene.app)]
    assert "account_suspended" in actions and "report_suspended" in actions
    assert reports_of(scene.app)[0].state == "suspended"
    # Mira's login cookie died with the suspension.
    assert mira.get("/dashboard").status_code == 302


def test_a_refused_suspension_leaves_the_report_open(scene):
    kofi_admin = None
    with scene.app.app_context():
        from tests.factories import make_user

        kofi_admin = make_user(
            email="kofi@example.com", display_name="Kofi Admin", is_admin=True
        ).id
        db.session.commit()
    report = file_report(scene.app, scene.priya, kofi_admin)
    response = decide(scene.client("ada"), report, "suspend", follow_redirects=True)
    assert "Admins cannot be suspended" in flashed(response)
    assert reports_of(scene.app)[0].state == "open"
    assert [n for n in notes_for(scene.app, scene.priya) if n.kind == "report"] == []


def test_every_open_report_on_the_same_thing_is_decided_together(scene):
    kofi = make_mentee(scene.app, "kofi@example.com", "Kofi")
    first = file_report(scene.app, scene.priya, scene.mira, subject="profile")
    second = file_report(scene.app, kofi, scene.mira, subject="profile")
    other = file_report(scene.app, scene.olu, scene.mira, subject="person")
    decide(scene.client("ada"), first, "dismiss")
    states = {r.id: r.state for r in reports_of(scene.app)}
    assert states == {first: "dismissed", second: "dismissed", other: "open"}
    assert any(LOOKED in n.text for n in notes_for(scene.app, kofi))
    decided = [s for a, _, s, _ in audit_actions(scene.app) if a == "report_dismissed"]
    assert sorted(decided) == [first, second]


def test_extra_fields_change_nothing(scene):
    report = file_report(scene.app, scene.priya, scene.mira)
    post(
        scene.client("ada"),
        f"/admin/reports/{report}/dismiss",
        {"reason": "Fine.", "state": "suspended", "decided_by_id": str(scene.mira)},
    )
    [stored] = reports_of(scene.app)
    assert (stored.state, stored.decided_by_id) == ("dismissed", scene.ada)
    with scene.app.app_context():
        assert db.session.get(User, scene.mira).suspended_at is None


def test_a_second_admin_is_told_it_was_decided(scene):
    with scene.app.app_context():
        from tests.factories import make_user

        make_user(email="bo@example.com", display_name="Bo Admin", is_admin=True)
        db.session.commit()
    bo = signed_in(scene.app, "bo@example.com")
    report = file_report(scene.app, scene.priya, scene.mira)
    ada = scene.client("ada")
    ada.get(f"/admin/reports/{report}")
    bo.get(f"/admin/reports/{report}")
    decide(ada, report, "warn")
    response = decide(bo, report, "suspend", follow_redirects=True)
    assert "already decided" in flashed(response)
    with scene.app.app_context():
        assert db.session.get(User, scene.mira).suspended_at is None
        assert db.session.scalar(select(Report.state)) == "warned"


def test_the_demo_admin_finds_reports_waiting(app):
    from mentorapp.demo import DEMO_PASSWORD, seed_demo
    from tests.conftest import AuthActions

    with app.app_context():
        seed_demo(mentors=8, mentees=12)
        db.session.commit()
    client = app.test_client()
    assert AuthActions(client).login("admin@example.com", DEMO_PASSWORD).status_code == 302
    body = text(client.get("/admin/reports"))
    assert "4 open reports" in body and body.count("3+ reporters") == 3


def test_the_queue_runs_the_same_queries_for_2_or_12_reports(scene, count_queries):
    admin = scene.client("ada")
    for who in (scene.priya, scene.olu):
        file_report(scene.app, who, scene.mira)
    admin.get("/admin/reports")
    with count_queries() as few:
        assert admin.get("/admin/reports").status_code == 200
    for n in range(10):
        person = make_mentee(scene.app, f"p{n}@example.com", f"Person {n}")
        file_report(scene.app, person, scene.priya if n % 2 else scene.olu)
    with count_queries() as many:
        body = text(admin.get("/admin/reports"))
    assert len(queue_order(body)) == 12
    assert len(few) == len(many) <= 12, "\n".join(q[:100] for q in many)
