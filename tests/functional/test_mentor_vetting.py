"""Vetting mentors over HTTP: applying, every decision on an application and on a
re-check, reasons next to the field, the mentor told (inbox and email), the version
check (also truly at once with a correction), two admins at once, a re-check when credits
or studio change, who may do what, extra form fields, the audit, and the vetted mark."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from functools import partial

import pytest

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, OutboundEmail, State, Vetting
from mentorapp.models.types import utcnow
from tests.conftest import csrf_token
from tests.functional.apprenticeship_builders import make_apprenticeship, make_mentee, state_of
from tests.functional.listing_builders import (
    admin,
    article,
    at_once,
    count,
    flash_of,
    inbox,
    make_listing,
    person,
    post,
    refused_reason,
    section,
    signed_in,
)
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url
from tests.functional.vetting_builders import (
    CREDITS,
    EVIDENCE,
    application,
    mentor_applying,
    mentor_audit,
    set_application,
)
from tests.helpers import text

DECISIONS = ["approve", "reject", "request_changes"]
STATE_AFTER = {
    "approve": Vetting.APPROVED,
    "reject": Vetting.REJECTED,
    "request_changes": Vetting.CHANGES_REQUESTED,
}
REASON = {
    "approve": "",
    "reject": "None of the credits could be found anywhere.",
    "request_changes": "Please add a link to a release that names you.",
}
DONE = {
    "approve": "Approved: they carry the vetted mark now.",
    "reject": "Rejected. The mentor sees your reason.",
    "request_changes": "Sent back for changes. The mentor sees your note.",
}
ALREADY = {
    "approve": "Another admin already approved this.",
    "reject": "Another admin already rejected this.",
    "request_changes": "Another admin already asked for changes.",
}
CHANGED = "The submitter changed it since you opened it: look at it again."


@pytest.fixture
def scene(app):
    class Scene:
        ada = admin(app, "ada@example.com", "Ada Admin")
        bo = admin(app, "bo@example.com", "Bo Admin")
        olu = person(app, "olu@example.com", "Olu Other")

    return Scene


def seen_in_queue(client, mentor_id: int) -> str:
    """The version the admin's queue page carries for this application."""
    import re

    item = article(text(client.get("/admin/mentors")), f"m-{mentor_id}")
    return re.search(r'name="seen" value="([^"]+)"', item).group(1)


def emails_about_application(app, recipient: str) -> list[OutboundEmail]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                db.select(OutboundEmail).where(
                    OutboundEmail.recipient == recipient,
                    OutboundEmail.subject == "Your mentor application",
                )
            )
        )
        db.session.expunge_all()
        return rows


# --- Applying ------------------------------------------------------------------------------


def test_a_new_mentor_applies_and_waits_in_the_queue(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", state=None)
    mo = signed_in(app, "mo@example.com")
    page = text(mo.get("/mentor/application"))
    assert "Apply to be a vetted mentor" in page and CREDITS in page
    assert application(app, mentor) is None  # reading never writes

    response = post(
        mo, "/mentor/application", {"evidence_links": "\n".join(EVIDENCE), "note": "Ask me."}
    )
    assert response.status_code == 302
    assert "An admin will check it" in flash_of(mo.get("/mentor/application"))
    sent = application(app, mentor)
    assert sent.state == Vetting.PENDING and sent.vetted_at is None
    assert sent.data == {
        "credits": CREDITS,
        "portfolio_links": ["https://example.com/mixes"],
        "studio_id": None,
        "evidence_links": EVIDENCE,
        "note": "Ask me.",
    }
    ada = signed_in(app, "ada@example.com")
    item = article(section(text(ada.get("/admin/mentors")), "new"), f"m-{mentor}")
    assert "Mo Mentor" in item and CREDITS in item and EVIDENCE[1] in item and "Ask me." in item
    assert "Your application is waiting for an admin" in text(mo.get("/dashboard"))


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"evidence_links": ""}, "evidence_links", "Give at least one link"),
        ({"evidence_links": "not a link"}, "evidence_links", "Link 1 is not a web address"),
        (
            {"evidence_links": "\n".join(f"https://e.org/{n}" for n in range(6))},
            "evidence_links",
            "at most 5 links",
        ),
        ({"evidence_links": EVIDENCE[0], "note": "x" * 10_000}, "note", "under 1,000"),
        ({"evidence_links": EVIDENCE[0], "note": "bell\x07"}, "note", "punctuation only"),
        ({"evidence_links": "https://e.org/\x1b[0m"}, "evidence_links", "punctuation only"),
    ],
)
def test_a_bad_application_is_refused_next_to_the_field_and_nothing_is_saved(
    app, scene, data, field, message
):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", state=None)
    mo = signed_in(app, "mo@example.com")
    typed = {"evidence_links": "", "note": "Kept as typed.", **data}
    response = post(mo, "/mentor/application", typed)
    assert response.status_code == 422
    body = text(response)
    error = body.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert message in error
    assert "Kept as typed." in body or field == "note"
    assert application(app, mentor) is None


def test_credits_are_needed_before_applying(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", state=None, credits="")
    mo = signed_in(app, "mo@example.com")
    response = post(mo, "/mentor/application", {"evidence_links": EVIDENCE[0]})
    assert response.status_code == 422
    assert "Add your credits to your mentor profile first" in text(response)
    assert application(app, mentor) is None


def test_only_a_mentor_has_an_application_page(app, scene):
    olu = signed_in(app, "olu@example.com")
    assert olu.get("/mentor/application").status_code == 404
    assert post(olu, "/mentor/application", {"evidence_links": EVIDENCE[0]}).status_code == 404
    assert app.test_client().get("/mentor/application").status_code == 302  # to the login


def test_the_application_needs_its_csrf_token(app, scene):
    mentor_applying(app, "mo@example.com", "Mo Mentor", state=None)
    mo = signed_in(app, "mo@example.com")
    response = mo.post("/mentor/application", data={"evidence_links": EVIDENCE[0]})
    assert response.status_code == 400


def test_extra_fields_change_nothing_for_the_mentor(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", state=None)
    mo = signed_in(app, "mo@example.com")
    extra = {"state": "approved", "vetted_at": "2020-01-01", "review_note": "ok", "user_id": 1}
    response = post(mo, "/mentor/application", {"evidence_links": EVIDENCE[0], **extra})
    assert response.status_code == 302
    sent = application(app, mentor)
    assert (sent.state, sent.vetted_at, sent.review_note, sent.user_id) == (
        Vetting.PENDING,
        None,
        "",
        mentor,
    )
    # Nor does a profile form carrying the same fields.
    data = {**MENTOR_SECTIONS["about"], **extra}
    assert post(mo, edit_url(mentor, "mentor", "about"), data).status_code == 302
    data = {"rows-0-title": CREDITS, **extra}  # the same credits, as the list's one row
    assert post(mo, edit_url(mentor, "mentor", "credits"), data).status_code == 302
    assert application(app, mentor).state == Vetting.PENDING
    assert application(app, mentor).vetted_at is None


# --- Decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize("decision", DECISIONS)
def test_an_admin_decides_an_application(app, scene, decision):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    ada = signed_in(app, "ada@example.com")
    assert "Mo Mentor" in section(text(ada.get("/admin/mentors")), "new")

    response = post(ada, f"/admin/mentors/{mentor}/{decision}", {"reason": REASON[decision]})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/mentors"
    assert DONE[decision] in flash_of(ada.get("/admin/mentors"))
    assert "Mo Mentor" not in text(ada.get("/admin/mentors"))

    stored = application(app, mentor)
    assert stored.state == STATE_AFTER[decision]
    assert stored.review_note == REASON[decision]
    assert utcnow() - stored.decided_at < timedelta(minutes=1)
    if decision == "approve":
        assert utcnow() - stored.vetted_at < timedelta(minutes=1)
        assert stored.approved_data == stored.data
    else:
        assert stored.vetted_at is None

    [entry] = mentor_audit(app)
    assert (entry.action, entry.actor_id, entry.actor_name) == (
        f"mentor_{decision}",
        scene.ada,
        "Ada Admin",
    )
    assert (entry.subject_id, entry.subject_name, entry.reason) == (
        mentor,
        "Mo Mentor",
        REASON[decision],
    )
    # The mentor is told: in the inbox and by email, with the reason.
    [note] = inbox(app, mentor)
    assert "mentor application" in note and REASON[decision] in note
    [email] = emails_about_application(app, "mo@example.com")
    assert REASON[decision] in email.body_text and "/mentor/application" in email.body_text
    assert inbox(app, scene.ada) == []
    mo = signed_in(app, "mo@example.com")
    mine = text(mo.get("/mentor/application"))
    if decision == "approve":
        assert "vetted" in mine
        assert "Your application is waiting" not in text(mo.get("/dashboard"))
    else:
        assert REASON[decision] in mine and REASON[decision] in text(mo.get("/dashboard"))


@pytest.mark.parametrize("decision", ["reject", "request_changes"])
def test_a_reason_is_required_next_to_its_field_with_the_typing_kept(app, scene, decision):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    other = mentor_applying(app, "mia@example.com", "Mia Mentor")
    ada = signed_in(app, "ada@example.com")
    response = post(ada, f"/admin/mentors/{mentor}/{decision}", {"reason": "   "})
    message, kept = refused_reason(response, f"m{mentor}")
    assert "Say" in message and kept.strip() == ""
    long = "x" * 2001
    message, kept = refused_reason(
        post(ada, f"/admin/mentors/{mentor}/{decision}", {"reason": long}), f"m{mentor}"
    )
    assert "2,000" in message and kept == long
    assert f'id="reason-m{other}-error"' not in text(response)
    assert application(app, mentor).state == Vetting.PENDING
    assert mentor_audit(app) == [] and inbox(app, mentor) == []


def test_extra_fields_on_a_decision_change_nothing_else(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    ada = signed_in(app, "ada@example.com")
    post(
        ada,
        f"/admin/mentors/{mentor}/request_changes",
        {"reason": "Add a link.", "state": "approved", "vetted_at": "2020-01-01", "decision": "x"},
    )
    stored = application(app, mentor)
    assert (stored.state, stored.vetted_at) == (Vetting.CHANGES_REQUESTED, None)


@pytest.mark.parametrize("role", ["mentor", "stranger", "logged_out"])
def test_nobody_but_an_admin_sees_the_queue_or_decides(app, scene, role):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    if role == "logged_out":
        client = app.test_client()
        tok = csrf_token(client, "/login")

        def send(url, data):
            return client.post(url, data={"csrf_token": tok, **data})
    else:
        client = signed_in(app, "mo@example.com" if role == "mentor" else "olu@example.com")
        send = partial(post, client)
    for decision in DECISIONS:
        response = send(f"/admin/mentors/{mentor}/{decision}", {"reason": "Fine."})
        if role == "logged_out":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403
    page = client.get("/admin/mentors")
    assert page.status_code == (302 if role == "logged_out" else 403)
    assert application(app, mentor).state == Vetting.PENDING
    assert mentor_audit(app) == [] and inbox(app, mentor) == []


def test_a_decision_without_its_csrf_token_or_on_nothing_is_refused(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    never = mentor_applying(app, "nia@example.com", "Nia Never", state=None)
    ada = signed_in(app, "ada@example.com")
    assert ada.post(f"/admin/mentors/{mentor}/approve").status_code == 400
    assert post(ada, f"/admin/mentors/{mentor}/promote").status_code == 404
    assert post(ada, f"/admin/mentors/{never}/approve").status_code == 404
    assert post(ada, "/admin/mentors/99999/approve").status_code == 404
    assert post(ada, f"/admin/mentors/{2**63}/approve").status_code == 404
    assert application(app, mentor).state == Vetting.PENDING


def test_the_queue_says_when_the_other_admin_decided_first(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    ada, bo = signed_in(app, "ada@example.com"), signed_in(app, "bo@example.com")
    seen = seen_in_queue(bo, mentor)
    post(ada, f"/admin/mentors/{mentor}/approve", {"reason": ""})
    response = post(bo, f"/admin/mentors/{mentor}/reject", {"reason": "No.", "seen": seen})
    assert response.status_code == 302
    assert ALREADY["approve"] in flash_of(bo.get("/admin/mentors"))
    assert application(app, mentor).state == Vetting.APPROVED
    assert [e.actor_name for e in mentor_audit(app)] == ["Ada Admin"]
    assert len(inbox(app, mentor)) == 1


ROUNDS = 4


def test_two_admins_deciding_the_same_application_at_the_same_moment(app, scene):
    ada, bo = signed_in(app, "ada@example.com"), signed_in(app, "bo@example.com")
    pairs = [("approve", "reject"), ("reject", "request_changes"), ("approve", "approve")]
    for round_ in range(ROUNDS):
        first, second = pairs[round_ % len(pairs)]
        mentor = mentor_applying(app, f"race{round_}@example.com", f"Race Mentor {round_}")
        url = f"/admin/mentors/{mentor}/" + "{}"
        results = at_once(
            [
                partial(post, ada, url.format(first), {"reason": "Ada's reason."}),
                partial(post, bo, url.format(second), {"reason": "Bo's reason."}),
            ]
        )
        assert [r.status_code for r in results] == [302, 302]
        messages = [flash_of(ada.get("/admin/mentors")), flash_of(bo.get("/admin/mentors"))]
        entries = [e for e in mentor_audit(app) if e.subject_id == mentor]
        assert len(entries) == 1, [(e.actor_name, e.action) for e in entries]
        winner = 0 if entries[0].actor_name == "Ada Admin" else 1
        decision = (first, second)[winner]
        assert entries[0].action == f"mentor_{decision}"
        assert DONE[decision] in messages[winner]
        assert ALREADY[decision] in messages[1 - winner], messages
        assert application(app, mentor).state == STATE_AFTER[decision]
        assert len(inbox(app, mentor)) == 1


# --- The version check ---------------------------------------------------------------------


def test_an_admin_approves_only_the_version_they_saw(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    ada, mo = signed_in(app, "ada@example.com"), signed_in(app, "mo@example.com")
    seen = seen_in_queue(ada, mentor)
    # The mentor corrects their credits while the admin reads the old ones.
    data = {"rows-0-title": "Corrected credits, with the album."}
    assert post(mo, edit_url(mentor, "mentor", "credits"), data).status_code == 302
    corrected = application(app, mentor)
    assert corrected.state == Vetting.PENDING
    assert corrected.data["credits"] == "Corrected credits, with the album."

    response = post(ada, f"/admin/mentors/{mentor}/approve", {"reason": "", "seen": seen})
    assert response.status_code == 302
    assert CHANGED in flash_of(ada.get("/admin/mentors"))
    assert application(app, mentor).vetted_at is None and mentor_audit(app) == []
    # Looked at again, the new version is approved.
    fresh = seen_in_queue(ada, mentor)
    assert fresh != seen
    post(ada, f"/admin/mentors/{mentor}/approve", {"reason": "", "seen": fresh})
    stored = application(app, mentor)
    assert stored.state == Vetting.APPROVED
    assert stored.approved_data["credits"] == "Corrected credits, with the album."


def test_a_correction_at_the_moment_of_approval_is_never_approved_unseen(app, scene, monkeypatch):
    """The mentor's correction has read the application when an admin approves it: either
    the approval is refused (the version changed), or it approves the old version and the
    correction waits as a re-check. The new credits are never approved unseen."""
    from mentorapp.trust import vetting

    real, read = vetting.application_data, threading.Event()

    def slow(profile, *args):
        data = real(profile, *args)
        if data["credits"].startswith("Unseen"):
            read.set()
            time.sleep(0.6)  # the admin's approval goes through meanwhile
        return data

    monkeypatch.setattr(vetting, "application_data", slow)
    ada = signed_in(app, "ada@example.com")
    for round_ in range(3):
        read.clear()
        mentor = mentor_applying(app, f"mo{round_}@example.com", f"Mo {round_}")
        mo = signed_in(app, f"mo{round_}@example.com")
        seen = seen_in_queue(ada, mentor)

        def approve(mentor=mentor, seen=seen):
            assert read.wait(10)
            return post(ada, f"/admin/mentors/{mentor}/approve", {"reason": "", "seen": seen})

        unseen = {"rows-0-title": f"Unseen credits {round_}"}
        results = at_once(
            [partial(post, mo, edit_url(mentor, "mentor", "credits"), unseen), approve]
        )
        assert [r.status_code for r in results] == [302, 302]
        stored = application(app, mentor)
        assert stored.data["credits"] == f"Unseen credits {round_}"  # the edit is kept
        if stored.approved_data is not None:
            assert stored.approved_data["credits"] == CREDITS, "unseen credits approved"
            assert stored.state == Vetting.PENDING and stored.is_recheck
        else:
            assert (stored.state, stored.vetted_at) == (Vetting.PENDING, None)


# --- Changes asked for, corrected, sent again ---------------------------------------------


def test_a_mentor_sent_back_for_changes_corrects_and_resubmits(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor")
    ada, mo = signed_in(app, "ada@example.com"), signed_in(app, "mo@example.com")
    post(ada, f"/admin/mentors/{mentor}/request_changes", {"reason": REASON["request_changes"]})
    page = text(mo.get("/mentor/application"))
    assert "An admin asks for changes" in page and REASON["request_changes"] in page
    assert "Mo Mentor" not in text(ada.get("/admin/mentors"))

    links = [*EVIDENCE, "https://release.example.org/mo"]
    assert post(mo, "/mentor/application", {"evidence_links": "\n".join(links)}).status_code == 302
    sent = application(app, mentor)
    assert sent.state == Vetting.PENDING and sent.review_note == ""
    assert sent.data["evidence_links"] == links
    assert "release.example.org/mo" in section(text(ada.get("/admin/mentors")), "new")
    post(ada, f"/admin/mentors/{mentor}/approve", {"reason": ""})
    assert application(app, mentor).state == Vetting.APPROVED
    assert [e.action for e in mentor_audit(app)] == ["mentor_request_changes", "mentor_approve"]


def test_a_rejected_application_is_not_sent_again(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", state=Vetting.REJECTED)
    mo = signed_in(app, "mo@example.com")
    assert "Send for review" not in text(mo.get("/mentor/application"))
    response = post(mo, "/mentor/application", {"evidence_links": EVIDENCE[0]})
    assert response.status_code == 422
    assert "cannot be sent again" in text(response)
    assert application(app, mentor).state == Vetting.REJECTED


# --- Re-checks -----------------------------------------------------------------------------


def test_an_approved_mentor_who_changes_their_credits_is_checked_again_and_stays_vetted(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", Vetting.APPROVED, vetted=True)
    vetted_at = application(app, mentor).vetted_at
    mo, ada = signed_in(app, "mo@example.com"), signed_in(app, "ada@example.com")
    # A change to something the admins do not check is no re-check.
    data = {**MENTOR_SECTIONS["about"], "credits": CREDITS, "headline": "Another headline"}
    data["portfolio_links"] = "https://example.com/mixes"
    assert post(mo, edit_url(mentor, "mentor", "about"), data).status_code == 302
    assert application(app, mentor).state == Vetting.APPROVED

    # The credits list changes: its summary, which the admins vet, changes with it.
    data = {"rows-0-title": "New credits: a number one single."}
    assert post(mo, edit_url(mentor, "mentor", "credits"), data).status_code == 302
    stored = application(app, mentor)
    assert (stored.state, stored.vetted_at) == (Vetting.PENDING, vetted_at)
    assert "Your changes are being checked" in text(mo.get("/dashboard"))
    assert "vetted" in text(app.test_client().get(f"/people/{mentor}"))
    queue = text(ada.get("/admin/mentors"))
    item = article(section(queue, "rechecks"), f"m-{mentor}")
    assert "Changed since approved:</strong> credits." in item
    assert "New credits: a number one single." in item and CREDITS in item
    assert "Mo Mentor" not in section(queue, "new")

    post(ada, f"/admin/mentors/{mentor}/approve", {"reason": ""})
    stored = application(app, mentor)
    assert stored.state == Vetting.APPROVED and stored.vetted_at > vetted_at
    assert [e.action for e in mentor_audit(app)] == ["mentor_recheck_approve"]
    assert "you stay vetted" in inbox(app, mentor)[-1]


def test_a_new_studio_is_checked_again(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", Vetting.APPROVED, vetted=True)
    studio = make_listing(app, "Fox Lane Studios")
    mo, ada = signed_in(app, "mo@example.com"), signed_in(app, "ada@example.com")
    assert post(mo, f"/directory/{studio}/work-here/yes").status_code == 302
    stored = application(app, mentor)
    assert stored.is_recheck and stored.data["studio_id"] == studio
    item = article(section(text(ada.get("/admin/mentors")), "rechecks"), f"m-{mentor}")
    assert "Changed since approved:</strong> studio." in item and "Fox Lane Studios" in item


def test_a_recheck_rejected_takes_the_mark_away_and_running_apprenticeships_go_on(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", Vetting.PENDING, vetted=True)
    running_with = make_mentee(app, "ria@example.com", "Ria Running")
    waiting_from = make_mentee(app, "wes@example.com", "Wes Waiting")
    running = make_apprenticeship(app, mentor, running_with, state=State.ACCEPTED)
    waiting = make_apprenticeship(app, mentor, waiting_from)
    ada = signed_in(app, "ada@example.com")
    post(ada, f"/admin/mentors/{mentor}/reject", {"reason": "The new credits are not yours."})
    stored = application(app, mentor)
    assert (stored.state, stored.vetted_at) == (Vetting.REJECTED, None)
    assert [e.action for e in mentor_audit(app)] == ["mentor_recheck_reject"]
    assert state_of(app, running) == State.ACCEPTED
    assert state_of(app, waiting) == State.DECLINED
    assert any("cannot take you on" in n for n in inbox(app, waiting_from))
    assert "The new credits are not yours." in inbox(app, mentor)[-1]
    assert "vetted" not in text(app.test_client().get(f"/people/{mentor}")).split("<main")[1]
    assert count(app, Apprenticeship, Apprenticeship.state == State.ACCEPTED) == 1


def test_asking_for_changes_at_a_recheck_keeps_the_mentor_vetted(app, scene):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", Vetting.PENDING, vetted=True)
    ada = signed_in(app, "ada@example.com")
    post(ada, f"/admin/mentors/{mentor}/request_changes", {"reason": "Which album?"})
    stored = application(app, mentor)
    assert stored.state == Vetting.CHANGES_REQUESTED and stored.vetted_at is not None
    assert [e.action for e in mentor_audit(app)] == ["mentor_recheck_request_changes"]
    mo = signed_in(app, "mo@example.com")
    assert "You stay vetted meanwhile" in text(mo.get("/dashboard"))


# --- The mark ------------------------------------------------------------------------------


def test_the_vetted_mark_shows_with_its_date_where_mentors_are_shown(app, scene):
    studio = make_listing(app, "Fox Lane Studios")
    vetted = mentor_applying(app, "vi@example.com", "Vi Vetted", Vetting.APPROVED, studio_id=studio)
    waiting = mentor_applying(app, "wu@example.com", "Wu Waiting", studio_id=studio)
    when = utcnow().replace(year=2025, month=3, day=14)
    set_application(app, vetted, vetted_at=when)
    public = app.test_client()
    profile = text(public.get(f"/people/{vetted}"))
    assert "vetted" in profile and "14 March 2025" in profile and 'datetime="2025-03-14"' in profile
    assert "vetted</span>" not in text(public.get(f"/people/{waiting}"))
    listing = text(public.get(f"/directory/{studio}"))
    vi = listing.split("Vi Vetted")[1].split("</li>")[0]
    wu = listing.split("Wu Waiting")[1].split("</li>")[0]
    assert "vetted" in vi and "14 March 2025" in vi and "vetted" not in wu


# --- The queue at size ---------------------------------------------------------------------


def test_the_queue_runs_the_same_queries_for_2_or_25_applications(app, scene, count_queries):
    studio = make_listing(app, "Fox Lane Studios")
    for n in range(2):
        mentor_applying(app, f"a{n}@example.com", f"Applicant {n}", studio_id=studio)
    mentor_applying(app, "r@example.com", "Rechecked", Vetting.PENDING, vetted=True)
    ada = signed_in(app, "ada@example.com")
    ada.get("/admin/mentors")
    with count_queries() as few:
        body = text(ada.get("/admin/mentors"))
    assert "Applicant 1" in body and "Fox Lane Studios" in body
    for n in range(2, 25):
        mentor_applying(app, f"a{n}@example.com", f"Applicant {n}", studio_id=studio)
    with count_queries() as many:
        body = text(ada.get("/admin/mentors"))
    assert "26 waiting: 25 new applications, 1 re-check" in body
    assert "See all 25 new mentor applications" in body
    assert len(many) == len(few), "\n".join(many)
    # A section pages through the rest, 20 at a time, oldest first.
    second = text(ada.get("/admin/mentors", query_string={"section": "new", "page": 2}))
    assert second.count('class="card queue-item"') == 5 and "Page 2 of 2" in second
