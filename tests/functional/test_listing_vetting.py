"""Vetting listings over HTTP: every decision on new listings and on edits, by every role,
checked in the database and in what the public sees; reasons, the submitter's view and
inbox, corrections, conflicts between two admins (also truly at once), yearly re-checks,
possible duplicates, unpublishing, and the audit log."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from functools import partial

import pytest

from mentorapp.models import AuditEntry, Listing, ListingEdit, Notification, Review
from mentorapp.models.types import utcnow
from tests.conftest import csrf_token
from tests.functional.listing_builders import (
    FORM,
    LONDON,
    PARIS,
    actions,
    admin,
    article,
    at_once,
    audit,
    count,
    due_for_recheck,
    flash_of,
    inbox,
    load_edit,
    load_listing,
    make_edit,
    make_listing,
    names_on,
    person,
    post,
    refused_reason,
    section,
    signed_in,
)
from tests.helpers import text

DECISIONS = ["approve", "reject", "request_changes"]
STATE_AFTER = {
    "approve": Review.APPROVED,
    "reject": Review.REJECTED,
    "request_changes": Review.CHANGES_REQUESTED,
}
REASON = {
    "approve": "",
    "reject": "We could not find any trace of this studio.",
    "request_changes": "Please say which rooms newcomers can visit.",
}
DONE = {
    "approve": "Approved: it is public now.",
    "reject": "Rejected. The submitter sees your reason.",
    "request_changes": "Sent back for changes. The submitter sees your note.",
}
ALREADY = {
    "approve": "Another admin already approved this.",
    "reject": "Another admin already rejected this.",
    "request_changes": "Another admin already asked for changes.",
}
MINE_LABEL = {
    Review.PENDING: "Waiting for review",
    Review.APPROVED: "Approved",
    Review.REJECTED: "Rejected",
    Review.CHANGES_REQUESTED: "Changes asked for",
}
ROLES_REFUSED = ["submitter", "stranger", "logged_out"]


@pytest.fixture
def scene(app):
    """Two admins, the person who submits, and somebody else."""

    class Scene:
        ada = admin(app, "ada@example.com", "Ada Admin")
        bo = admin(app, "bo@example.com", "Bo Admin")
        sam = person(app, "sam@example.com", "Sam Submitter")
        olu = person(app, "olu@example.com", "Olu Other")

    return Scene


def client_for(app, role: str):
    """A client acting as `role`, and a function posting a form as that client."""
    if role == "logged_out":
        client = app.test_client()
        tok = csrf_token(client, "/login")
        return client, lambda url, data=None, **kw: client.post(
            url, data={"csrf_token": tok, **(data or {})}, **kw
        )
    email = {
        "admin": "ada@example.com",
        "admin2": "bo@example.com",
        "submitter": "sam@example.com",
        "stranger": "olu@example.com",
    }[role]
    client = signed_in(app, email)
    return client, lambda url, data=None, **kw: post(client, url, data, **kw)


def assert_refused(response, role: str) -> None:
    if role == "logged_out":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403


def public_sees(app, listing_id: int, name: str) -> bool:
    """Whether the public finds the listing: in the directory, by search, on its page."""
    public = app.test_client()
    page = public.get(f"/directory/{listing_id}")
    listed = name in names_on(public.get("/directory"))
    searched = name in names_on(public.get("/directory", query_string={"q": name}))
    assert page.status_code in (200, 404)
    shown = page.status_code == 200 and name in names_on(page)
    assert listed == searched == shown, (listed, searched, page.status_code)
    return listed


# --- Decisions on new listings -------------------------------------------------------------


@pytest.mark.parametrize("decision", DECISIONS)
def test_an_admin_decides_a_new_listing(app, scene, decision):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    assert not public_sees(app, listing, "Fox Lane Studios")
    client, send = client_for(app, "admin")
    queue = text(client.get("/admin/listings"))
    assert "Fox Lane Studios" in section(queue, "new")

    response = send(f"/admin/listings/{listing}/{decision}", {"reason": REASON[decision]})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/listings#new"
    assert DONE[decision] in flash_of(client.get("/admin/listings"))

    stored = load_listing(app, listing)
    assert stored.state == STATE_AFTER[decision]
    assert stored.review_note == REASON[decision]
    if decision == "approve":
        assert utcnow() - stored.vetted_at < timedelta(minutes=1)
        assert stored.recheck_due_at - stored.vetted_at == timedelta(days=365)
    else:
        assert stored.vetted_at is None and stored.recheck_due_at is None
    assert public_sees(app, listing, "Fox Lane Studios") == (decision == "approve")
    assert "Fox Lane Studios" not in section(text(client.get("/admin/listings")), "new")

    [entry] = audit(app, listing)
    assert (entry.action, entry.actor_id, entry.actor_name) == (
        f"listing_{decision}",
        scene.ada,
        "Ada Admin",
    )
    assert (entry.subject, entry.subject_name, entry.reason) == (
        "listing",
        "Fox Lane Studios",
        REASON[decision],
    )
    [note] = inbox(app, scene.sam)
    assert "Fox Lane Studios" in note and REASON[decision] in note
    assert inbox(app, scene.ada) == [] and inbox(app, scene.olu) == []

    # The submitter sees the state and the reason, and the note in their inbox.
    sam, _ = client_for(app, "submitter")
    mine = text(sam.get("/directory/mine"))
    assert MINE_LABEL[STATE_AFTER[decision]] in mine
    if REASON[decision]:
        assert REASON[decision] in mine
    assert "Fox Lane Studios" in text(sam.get("/notifications"))


def test_an_approved_listing_carries_the_vetted_mark_with_its_date(app, scene):
    vetted = utcnow().replace(year=2024, month=3, day=14)
    listing = make_listing(app, "Fox Lane Studios", vetted_at=vetted)
    public = app.test_client()
    page = text(public.get(f"/directory/{listing}"))
    assert "vetted" in page and "Checked by our admins in March 2024" in page
    card = text(public.get("/directory"))
    assert "vetted" in card and "March 2024" in card


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_nobody_but_an_admin_decides_a_new_listing(app, scene, role, decision):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    _, send = client_for(app, role)
    assert_refused(send(f"/admin/listings/{listing}/{decision}", {"reason": "Looks fine."}), role)
    stored = load_listing(app, listing)
    assert (stored.state, stored.review_note, stored.vetted_at) == (Review.PENDING, "", None)
    assert actions(app) == [] and inbox(app, scene.sam) == []
    assert not public_sees(app, listing, "Fox Lane Studios")


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_nobody_but_an_admin_opens_the_admin_pages(app, scene, role):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    client, _ = client_for(app, role)
    for url in ("/admin/listings", f"/admin/listings/{listing}", "/admin/audit"):
        assert_refused(client.get(url), role)


# --- Decisions on edits of approved listings ---------------------------------------------


@pytest.mark.parametrize("decision", DECISIONS)
def test_an_admin_decides_an_edit_while_the_approved_version_stays_public(app, scene, decision):
    earlier = utcnow() - timedelta(days=30)
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam, vetted_at=earlier)
    edit = make_edit(
        app,
        listing,
        scene.sam,
        name="Fox Lane Recording",
        description="Now with a third room for mastering, and open days on Fridays.",
        offers=["courses"],
    )
    # The public keeps the approved version while the edit waits.
    assert public_sees(app, listing, "Fox Lane Studios")
    assert not public_sees(app, listing, "Fox Lane Recording")
    assert "third room" not in text(app.test_client().get(f"/directory/{listing}"))
    assert "Fox Lane Studios" in names_on(
        app.test_client().get("/directory", query_string={"offer": "studio_visits"})
    )

    client, send = client_for(app, "admin")
    queue = text(client.get("/admin/listings"))
    assert "Changes to Fox Lane Studios" in section(queue, "edits")
    assert "third room" in section(queue, "edits")
    response = send(f"/admin/listings/edits/{edit}/{decision}", {"reason": REASON[decision]})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/listings#edits"
    assert DONE[decision] in flash_of(client.get("/admin/listings"))

    stored, proposed = load_listing(app, listing), load_edit(app, edit)
    assert proposed.state == STATE_AFTER[decision]
    assert proposed.review_note == REASON[decision]
    assert proposed.decided_at is not None
    assert stored.state == Review.APPROVED
    if decision == "approve":
        assert (stored.name, stored.offers) == ("Fox Lane Recording", ["courses"])
        assert utcnow() - stored.vetted_at < timedelta(minutes=1)
        assert stored.recheck_due_at - stored.vetted_at == timedelta(days=365)
        assert public_sees(app, listing, "Fox Lane Recording")
        assert "third room" in text(app.test_client().get(f"/directory/{listing}"))
    else:
        assert (stored.name, stored.offers) == (
            "Fox Lane Studios",
            ["apprenticeship", "studio_visits"],
        )
        assert abs(stored.vetted_at - earlier) < timedelta(seconds=1)
        assert public_sees(app, listing, "Fox Lane Studios")
        assert not public_sees(app, listing, "Fox Lane Recording")
    assert "Changes to" not in section(text(client.get("/admin/listings")), "edits")

    [entry] = audit(app, listing)
    assert (entry.action, entry.actor_name, entry.reason) == (
        f"edit_{decision}",
        "Ada Admin",
        REASON[decision],
    )
    [note] = inbox(app, scene.sam)
    assert "Fox Lane" in note and REASON[decision] in note

    sam, _ = client_for(app, "submitter")
    mine = text(sam.get("/directory/mine"))
    assert REASON[decision] in mine
    if decision == "reject":
        assert "Your last changes were not approved" in mine
    if decision == "request_changes":
        assert "An admin asks for changes to your edit" in mine


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_nobody_but_an_admin_decides_an_edit(app, scene, role, decision):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    edit = make_edit(app, listing, scene.sam, name="Fox Lane Recording")
    _, send = client_for(app, role)
    assert_refused(send(f"/admin/listings/edits/{edit}/{decision}", {"reason": "Fine."}), role)
    assert load_edit(app, edit).state == Review.PENDING
    assert load_listing(app, listing).name == "Fox Lane Studios"
    assert actions(app) == [] and inbox(app, scene.sam) == []
    assert not public_sees(app, listing, "Fox Lane Recording")


def test_an_edit_sent_twice_waits_as_one_and_the_queue_shows_the_latest(app, scene):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    sam, send = client_for(app, "submitter")
    first = {**FORM, "name": "Fox Lane Recording"}
    assert send(f"/directory/{listing}/edit", first).status_code == 302
    assert send(f"/directory/{listing}/edit", {**first, "name": "Fox Lane Two"}).status_code == 302
    assert count(app, ListingEdit) == 1
    page = text(sam.get(f"/directory/{listing}/edit"))
    assert 'value="Fox Lane Two"' in page  # the form starts from the waiting edit
    assert "wait for review" in text(sam.get("/directory/mine"))
    queue = text(client_for(app, "admin")[0].get("/admin/listings"))
    assert "Fox Lane Two" in section(queue, "edits")
    assert public_sees(app, listing, "Fox Lane Studios")


# --- Reasons ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("reject", "Say why it is rejected: the submitter reads this."),
        ("request_changes", "Say what should change: the submitter reads this."),
    ],
)
@pytest.mark.parametrize("subject", ["listing", "edit"])
@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_reject_and_request_changes_need_a_reason(app, scene, decision, message, subject, reason):
    listing = make_listing(
        app,
        "Fox Lane Studios",
        submitted_by=scene.sam,
        state=Review.APPROVED if subject == "edit" else Review.PENDING,
    )
    edit = make_edit(app, listing, scene.sam, name="Fox Lane Recording") if subject == "edit" else 0
    client, send = client_for(app, "admin")
    url = (
        f"/admin/listings/edits/{edit}/{decision}"
        if subject == "edit"
        else f"/admin/listings/{listing}/{decision}"
    )
    key = f"e{edit}" if subject == "edit" else f"l{listing}"
    assert refused_reason(send(url, {"reason": reason}), key) == (message, reason.strip())
    if subject == "edit":
        assert load_edit(app, edit).state == Review.PENDING
    else:
        assert load_listing(app, listing).state == Review.PENDING
    assert actions(app) == [] and inbox(app, scene.sam) == []
    assert ("Fox Lane Recording" if subject == "edit" else "Fox Lane Studios") in text(
        client.get("/admin/listings")
    )


@pytest.mark.parametrize("length", [2001, 4001, 10_000])
def test_a_reason_over_2000_characters_is_refused_with_the_right_limit(app, scene, length):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    _, send = client_for(app, "admin")
    page = send(f"/admin/listings/{listing}/reject", {"reason": "x" * length})
    message, kept = refused_reason(page, f"l{listing}")
    assert message == "At most 2,000 characters, please." and kept == "x" * length
    assert load_listing(app, listing).state == Review.PENDING
    assert actions(app) == []


def test_an_unknown_decision_is_404(app, scene):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    edit = make_edit(app, make_listing(app, "Other"), scene.sam)
    _, send = client_for(app, "admin")
    for url in (
        f"/admin/listings/{listing}/delete",
        f"/admin/listings/edits/{edit}/publish",
        f"/admin/listings/{listing}/recheck/maybe",
    ):
        assert send(url, {"reason": "x"}).status_code == 404
    assert load_listing(app, listing).state == Review.PENDING
    assert actions(app) == []


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63), "99999"])
def test_decisions_on_missing_items_are_404(app, scene, bad_id):
    _, send = client_for(app, "admin")
    client = signed_in(app, "bo@example.com")
    for url in (
        f"/admin/listings/{bad_id}/approve",
        f"/admin/listings/edits/{bad_id}/approve",
        f"/admin/listings/flags/{bad_id}/dismiss",
        f"/admin/listings/{bad_id}/recheck/confirm",
        f"/admin/listings/{bad_id}/unpublish",
        f"/admin/listings/{bad_id}/republish",
    ):
        assert send(url, {"reason": "Because."}).status_code == 404, url
    assert client.get(f"/admin/listings/{bad_id}").status_code == 404
    assert actions(app) == []


# --- Corrections --------------------------------------------------------------------------


def test_correcting_after_changes_were_asked_for_puts_it_back_in_the_queue(app, scene):
    listing = make_listing(
        app,
        "Fox Lane Studios",
        state=Review.CHANGES_REQUESTED,
        submitted_by=scene.sam,
        review_note="Please say which rooms newcomers can visit.",
        submitted_at=utcnow() - timedelta(days=3),
    )
    admin_client, admin_send = client_for(app, "admin")
    assert "Fox Lane Studios" not in section(text(admin_client.get("/admin/listings")), "new")
    sam, send = client_for(app, "submitter")
    mine = text(sam.get("/directory/mine"))
    assert "Changes asked for" in mine and "Correct and resubmit" in mine
    form = text(sam.get(f"/directory/{listing}/edit"))
    assert "Please say which rooms newcomers can visit." in form

    corrected = {**FORM, "description": FORM["description"] + " Visitors see room B."}
    assert send(f"/directory/{listing}/edit", corrected).status_code == 302
    stored = load_listing(app, listing)
    assert stored.state == Review.PENDING
    assert stored.description.endswith("Visitors see room B.")
    assert utcnow() - stored.submitted_at < timedelta(minutes=1)
    assert count(app, ListingEdit) == 0  # not approved yet: the listing itself changed
    assert "Waiting for review" in text(sam.get("/directory/mine"))
    assert not public_sees(app, listing, "Fox Lane Studios")

    assert "Visitors see room B." in section(text(admin_client.get("/admin/listings")), "new")
    admin_send(f"/admin/listings/{listing}/approve", {"reason": ""})
    assert public_sees(app, listing, "Fox Lane Studios")


def test_correcting_an_edit_sent_back_puts_the_same_edit_back_in_the_queue(app, scene):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    edit = make_edit(app, listing, scene.sam, state=Review.CHANGES_REQUESTED, name="Fox Lane X")
    _, send = client_for(app, "submitter")
    fixed = {**FORM, "name": "Fox Lane Recording"}
    assert send(f"/directory/{listing}/edit", fixed).status_code == 302
    stored = load_edit(app, edit)
    assert (stored.state, stored.data["name"]) == (Review.PENDING, "Fox Lane Recording")
    assert count(app, ListingEdit) == 1
    queue = text(client_for(app, "admin")[0].get("/admin/listings"))
    assert "Fox Lane Recording" in section(queue, "edits")
    assert public_sees(app, listing, "Fox Lane Studios")


def test_a_rejected_listing_cannot_be_resubmitted(app, scene):
    listing = make_listing(
        app,
        "Fox Lane Studios",
        state=Review.REJECTED,
        submitted_by=scene.sam,
        review_note="No such studio at that address.",
    )
    sam, send = client_for(app, "submitter")
    mine = text(sam.get("/directory/mine"))
    assert "Rejected" in mine and "No such studio at that address." in mine
    assert f"/directory/{listing}/edit" not in mine
    refused = send(f"/directory/{listing}/edit", {**FORM, "name": "Fox Lane Again"})
    assert refused.status_code == 422
    assert "A rejected listing cannot be resubmitted" in text(refused)
    stored = load_listing(app, listing)
    assert (stored.state, stored.name) == (Review.REJECTED, "Fox Lane Studios")
    assert count(app, ListingEdit) == 0
    assert "Fox Lane" not in text(client_for(app, "admin")[0].get("/admin/listings"))


# --- Two admins ---------------------------------------------------------------------------


@pytest.mark.parametrize("second", DECISIONS)
@pytest.mark.parametrize("first", DECISIONS)
def test_a_second_admin_is_told_a_new_listing_was_already_decided(app, scene, first, second):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    _, ada = client_for(app, "admin")
    _, bo = client_for(app, "admin2")
    ada(f"/admin/listings/{listing}/{first}", {"reason": REASON[first]})
    late = bo(
        f"/admin/listings/{listing}/{second}", {"reason": "Second look."}, follow_redirects=True
    )
    assert ALREADY[first] in flash_of(late)
    stored = load_listing(app, listing)
    assert (stored.state, stored.review_note) == (STATE_AFTER[first], REASON[first])
    assert [(e.actor_name, e.action) for e in audit(app)] == [("Ada Admin", f"listing_{first}")]
    assert len(inbox(app, scene.sam)) == 1


@pytest.mark.parametrize("second", DECISIONS)
@pytest.mark.parametrize("first", DECISIONS)
def test_a_second_admin_is_told_an_edit_was_already_decided(app, scene, first, second):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    edit = make_edit(app, listing, scene.sam, name="Fox Lane Recording")
    _, ada = client_for(app, "admin")
    _, bo = client_for(app, "admin2")
    ada(f"/admin/listings/edits/{edit}/{first}", {"reason": REASON[first]})
    late = bo(f"/admin/listings/edits/{edit}/{second}", {"reason": "Mine."}, follow_redirects=True)
    assert ALREADY[first] in flash_of(late)
    assert load_edit(app, edit).state == STATE_AFTER[first]
    expected = "Fox Lane Recording" if first == "approve" else "Fox Lane Studios"
    assert load_listing(app, listing).name == expected
    assert actions(app) == [f"edit_{first}"]
    assert len(inbox(app, scene.sam)) == 1


ROUNDS = 6


@pytest.mark.parametrize("subject", ["listing", "edit"])
def test_two_admins_deciding_the_same_item_at_the_same_moment(app, scene, subject):
    """Two admins, each with their own session, post different decisions at once: exactly
    one wins, once in the database, once in the audit log, once in the inbox; the other
    is told it was already decided."""
    ada_client, ada = client_for(app, "admin")
    bo_client, bo = client_for(app, "admin2")
    pairs = [("approve", "reject"), ("reject", "request_changes"), ("approve", "approve")]
    for round_ in range(ROUNDS):
        first, second = pairs[round_ % len(pairs)]
        name = f"Race Studio {round_}"
        if subject == "listing":
            listing = make_listing(app, name, state=Review.PENDING, submitted_by=scene.sam)
            url = f"/admin/listings/{listing}/" + "{}"
        else:
            listing = make_listing(app, name, submitted_by=scene.sam)
            edit = make_edit(app, listing, scene.sam, name=f"{name} renamed")
            url = f"/admin/listings/edits/{edit}/" + "{}"
        results = at_once(
            [
                partial(ada, url.format(first), {"reason": "Ada's reason."}),
                partial(bo, url.format(second), {"reason": "Bo's reason."}),
            ]
        )
        assert [r.status_code for r in results] == [302, 302]
        messages = [
            flash_of(ada_client.get("/admin/listings")),
            flash_of(bo_client.get("/admin/listings")),
        ]
        entries = audit(app, listing)
        assert len(entries) == 1, [(e.actor_name, e.action) for e in entries]
        [entry] = entries
        winner = 0 if entry.actor_name == "Ada Admin" else 1
        decision = (first, second)[winner]
        assert entry.action == f"{subject}_{decision}"
        assert DONE[decision] in messages[winner]
        assert ALREADY[decision] in messages[1 - winner], messages
        stored = load_listing(app, listing)
        if subject == "listing":
            assert stored.state == STATE_AFTER[decision]
        else:
            assert load_edit(app, edit).state == STATE_AFTER[decision]
            assert stored.name == (f"{name} renamed" if decision == "approve" else name)
        assert count(app, Notification, Notification.text.contains(name)) == 1


# --- Yearly re-checks ---------------------------------------------------------------------


def test_a_listing_vetted_a_year_ago_is_due_and_confirming_vets_it_again(app, scene):
    due = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    due_for_recheck(app, due, days_ago=400)
    fresh = make_listing(app, "Young Studio")
    due_for_recheck(app, fresh, days_ago=300)
    off = make_listing(app, "Closed Studio", unpublished=True)
    due_for_recheck(app, off, days_ago=500)
    client, send = client_for(app, "admin")
    queue = text(client.get("/admin/listings"))
    rechecks = section(queue, "rechecks")
    assert "Fox Lane Studios" in rechecks
    assert "Young Studio" not in rechecks and "Closed Studio" not in rechecks
    assert "1 due for their yearly check" in queue

    response = send(f"/admin/listings/{due}/recheck/confirm", {"reason": "Phoned them."})
    assert response.headers["Location"] == "/admin/listings#rechecks"
    assert "vetted for another year" in flash_of(client.get("/admin/listings"))
    stored = load_listing(app, due)
    assert utcnow() - stored.vetted_at < timedelta(minutes=1)
    assert stored.recheck_due_at - stored.vetted_at == timedelta(days=365)
    assert stored.unpublished_at is None
    assert "Fox Lane Studios" not in section(text(client.get("/admin/listings")), "rechecks")
    [entry] = audit(app, due)
    assert (entry.action, entry.actor_name, entry.reason) == (
        "listing_rechecked",
        "Ada Admin",
        "Phoned them.",
    )
    assert public_sees(app, due, "Fox Lane Studios")
    assert utcnow().strftime("%B %Y") in text(app.test_client().get(f"/directory/{due}"))

    # A second admin confirming too is told; nothing more is recorded.
    _, bo = client_for(app, "admin2")
    late = bo(f"/admin/listings/{due}/recheck/confirm", {"reason": ""}, follow_redirects=True)
    assert "Another admin already checked this listing." in flash_of(late)
    assert actions(app) == ["listing_rechecked"]


def test_a_listing_not_confirmed_at_its_yearly_check_comes_off(app, scene):
    due = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    due_for_recheck(app, due)
    client, send = client_for(app, "admin")
    send(f"/admin/listings/{due}/recheck/unpublish", {"reason": "The website is gone."})
    stored = load_listing(app, due)
    assert stored.unpublished_at is not None
    assert stored.unpublish_reason == "The website is gone."
    assert not public_sees(app, due, "Fox Lane Studios")
    assert "Fox Lane Studios" not in section(text(client.get("/admin/listings")), "rechecks")
    assert [(e.action, e.reason) for e in audit(app, due)] == [
        ("listing_unpublished", "The website is gone.")
    ]
    mine = text(signed_in(app, "sam@example.com").get("/directory/mine"))
    assert "Off the directory" in mine and "The website is gone." in mine


def test_taking_a_listing_off_at_its_yearly_check_without_a_note_says_why(app, scene):
    due = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    due_for_recheck(app, due)
    client, send = client_for(app, "admin")
    assert "Note (optional" in section(text(client.get("/admin/listings")), "rechecks")
    send(f"/admin/listings/{due}/recheck/unpublish", {"reason": ""})
    reason = "Not confirmed at its yearly check."
    assert load_listing(app, due).unpublish_reason == reason
    assert [(e.action, e.reason) for e in audit(app, due)] == [("listing_unpublished", reason)]
    assert reason in text(signed_in(app, "sam@example.com").get("/directory/mine"))


def test_a_listing_not_yet_due_cannot_be_confirmed_early(app, scene):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    before = load_listing(app, listing).vetted_at
    _, send = client_for(app, "admin")
    send(f"/admin/listings/{listing}/recheck/confirm", {"reason": ""})
    assert load_listing(app, listing).vetted_at == before
    assert actions(app) == []


@pytest.mark.parametrize("action", ["confirm", "unpublish"])
@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_nobody_but_an_admin_rechecks(app, scene, role, action):
    due = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    due_for_recheck(app, due)
    before = load_listing(app, due)
    _, send = client_for(app, role)
    assert_refused(send(f"/admin/listings/{due}/recheck/{action}", {"reason": "x"}), role)
    after = load_listing(app, due)
    assert (after.vetted_at, after.unpublished_at) == (before.vetted_at, None)
    assert actions(app) == []


# --- The queue ----------------------------------------------------------------------------


def test_the_queue_is_oldest_first(app, scene):
    now = utcnow()
    ids = {}
    for days, name in [(1, "Zebra Sound"), (9, "Abbey Rooms"), (4, "Mill Hill School")]:
        ids[name] = make_listing(
            app,
            name,
            state=Review.PENDING,
            submitted_by=scene.sam,
            submitted_at=now - timedelta(days=days),
        )
    base = [make_listing(app, f"Base {n}") for n in range(2)]
    second = make_edit(app, base[1], scene.sam, name="Edit sent second")
    first = make_edit(app, base[0], scene.sam, name="Edit sent first")
    from mentorapp.models import ListingEdit as Edit
    from tests.functional.listing_builders import set_fields

    set_fields(app, Edit, first, submitted_at=now - timedelta(days=5))
    set_fields(app, Edit, second, submitted_at=now - timedelta(days=2))
    queue = text(client_for(app, "admin")[0].get("/admin/listings"))
    new = section(queue, "new")
    oldest, middle, newest = (
        new.index(f'id="l-{ids[n]}"') for n in ("Abbey Rooms", "Mill Hill School", "Zebra Sound")
    )
    assert oldest < middle < newest
    edits = section(queue, "edits")
    assert edits.index(f'id="e-{first}"') < edits.index(f'id="e-{second}"')
    assert "New name:</strong> Edit sent first" in edits
    assert "5 waiting: 3 new, 2 edits, 0 flags, 0 due" in queue


def test_possible_duplicates_are_shown_for_a_same_name_in_the_same_city(app, scene):
    known = make_listing(app, "Fox Lane Studios")
    make_listing(app, "Fox Lane Rejected", state=Review.REJECTED, place_id=LONDON)
    twin = make_listing(app, "Fox Lane Studio", state=Review.PENDING, submitted_by=scene.sam)
    elsewhere = make_listing(
        app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam, place_id=PARIS
    )
    unrelated = make_listing(app, "Abbey Rooms", state=Review.PENDING, submitted_by=scene.olu)
    queue = text(client_for(app, "admin")[0].get("/admin/listings"))
    twin_item = article(queue, f"l-{twin}")
    assert "Possible duplicate" in twin_item
    assert f"/admin/listings/{known}" in twin_item and "(approved)" in twin_item
    assert "Fox Lane Rejected" not in twin_item
    assert "Possible duplicate" not in article(queue, f"l-{elsewhere}")
    assert "Possible duplicate" not in article(queue, f"l-{unrelated}")


# --- Unpublish and republish --------------------------------------------------------------


def test_an_admin_takes_a_listing_off_and_puts_it_back(app, scene):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    client, send = client_for(app, "admin")
    page = text(client.get(f"/admin/listings/{listing}"))
    assert "Take it off the directory" in page

    missing = send(f"/admin/listings/{listing}/unpublish", {"reason": " "})
    assert refused_reason(missing, "u") == ("Say why it comes off the directory.", "")
    assert "Fox Lane Studios" in text(missing)  # the listing's own page, shown again
    assert load_listing(app, listing).unpublished_at is None
    assert public_sees(app, listing, "Fox Lane Studios")

    done = send(f"/admin/listings/{listing}/unpublish", {"reason": "They closed in May."})
    assert done.headers["Location"].endswith(f"/admin/listings/{listing}")
    stored = load_listing(app, listing)
    assert stored.unpublished_at is not None and stored.unpublish_reason == "They closed in May."
    assert stored.state == Review.APPROVED
    assert not public_sees(app, listing, "Fox Lane Studios")
    assert "Put it back on the directory" in text(client.get(f"/admin/listings/{listing}"))
    mine = text(signed_in(app, "sam@example.com").get("/directory/mine"))
    assert "Off the directory" in mine and "They closed in May." in mine

    _, bo = client_for(app, "admin2")
    again = bo(f"/admin/listings/{listing}/unpublish", {"reason": "Me too."}, follow_redirects=True)
    assert "Another admin already took this listing off the directory." in flash_of(again)

    send(f"/admin/listings/{listing}/republish", {"reason": "They reopened."})
    stored = load_listing(app, listing)
    assert stored.unpublished_at is None and stored.unpublish_reason == ""
    assert public_sees(app, listing, "Fox Lane Studios")
    again = bo(f"/admin/listings/{listing}/republish", {"reason": ""}, follow_redirects=True)
    assert "This listing is on the directory already." in flash_of(again)
    assert [(e.actor_name, e.action, e.reason) for e in audit(app, listing)] == [
        ("Ada Admin", "listing_unpublished", "They closed in May."),
        ("Ada Admin", "listing_republished", "They reopened."),
    ]


@pytest.mark.parametrize("action", ["unpublish", "republish"])
@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_nobody_but_an_admin_unpublishes_or_republishes(app, scene, role, action):
    listing = make_listing(
        app, "Fox Lane Studios", submitted_by=scene.sam, unpublished=action == "republish"
    )
    _, send = client_for(app, role)
    assert_refused(send(f"/admin/listings/{listing}/{action}", {"reason": "Because."}), role)
    assert (load_listing(app, listing).unpublished_at is None) == (action == "unpublish")
    assert actions(app) == []


def test_only_an_approved_listing_can_be_taken_off_or_put_back(app, scene):
    pending = make_listing(app, "Pending Place", state=Review.PENDING, submitted_by=scene.sam)
    _, send = client_for(app, "admin")
    assert send(f"/admin/listings/{pending}/unpublish", {"reason": "Why not."}).status_code == 404
    assert send(f"/admin/listings/{pending}/republish", {"reason": "Why not."}).status_code == 404
    stored = load_listing(app, pending)
    assert (stored.state, stored.unpublished_at) == (Review.PENDING, None)
    assert actions(app) == []


# --- The audit log ------------------------------------------------------------------------


def test_every_decision_is_in_the_audit_log_and_the_listings_history(app, scene):
    fox = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    abbey = make_listing(app, "Abbey Rooms", state=Review.PENDING, submitted_by=scene.olu)
    client, ada = client_for(app, "admin")
    _, bo = client_for(app, "admin2")
    ada(f"/admin/listings/{fox}/request_changes", {"reason": "Add the rooms."})
    bo(f"/admin/listings/{abbey}/reject", {"reason": "Not a real place."})
    from tests.functional.listing_builders import set_fields

    set_fields(app, Listing, fox, state=Review.PENDING)  # as if Sam had corrected it
    bo(f"/admin/listings/{fox}/approve", {"reason": ""})
    ada(f"/admin/listings/{fox}/unpublish", {"reason": "Closed for the summer."})

    entries = audit(app)
    assert [(e.actor_name, e.action, e.subject_name, e.reason) for e in entries] == [
        ("Ada Admin", "listing_request_changes", "Fox Lane Studios", "Add the rooms."),
        ("Bo Admin", "listing_reject", "Abbey Rooms", "Not a real place."),
        ("Bo Admin", "listing_approve", "Fox Lane Studios", ""),
        ("Ada Admin", "listing_unpublished", "Fox Lane Studios", "Closed for the summer."),
    ]
    assert all(utcnow() - e.created_at < timedelta(minutes=1) for e in entries)

    log = text(client.get("/admin/audit"))
    rows = log[log.index("<tbody>") : log.index("</tbody>")].split("<tr>")[1:]
    assert len(rows) == 4
    newest = rows[0]
    assert "Ada Admin" in newest and "listing unpublished" in newest
    assert "Closed for the summer." in newest and f"/admin/listings/{fox}" in newest
    assert entries[-1].created_at.strftime("%d %b %Y") in newest
    assert "Bo Admin" in rows[2] and "listing reject" in rows[2] and "Not a real place." in rows[2]

    history = text(client.get(f"/admin/listings/{fox}"))
    trail = history[history.index("trail-heading") :]
    for who, what, why in [
        ("Ada Admin", "listing request changes", "Add the rooms."),
        ("Bo Admin", "listing approve", ""),
        ("Ada Admin", "listing unpublished", "Closed for the summer."),
    ]:
        assert who in trail and what in trail and why in trail
    assert "Not a real place." not in trail and "listing reject" not in trail
    # Newest first, as on the log.
    assert trail.index("listing unpublished") < trail.index("listing approve")


def test_the_audit_log_pages(app, scene):
    with app.app_context():
        from mentorapp.extensions import db

        for n in range(55):
            db.session.add(
                AuditEntry(
                    actor_id=scene.ada,
                    actor_name="Ada Admin",
                    action="listing_approve",
                    subject="listing",
                    subject_id=1,
                    subject_name=f"Place {n:02d}",
                )
            )
        db.session.commit()
    client, _ = client_for(app, "admin")
    first = text(client.get("/admin/audit"))
    assert "Place 54" in first and "Place 05" in first and "Place 04" not in first
    assert "?page=2" in first
    second = text(client.get("/admin/audit?page=2"))
    assert "Place 04" in second and "Place 00" in second and "Place 05" not in second
    assert "?page=3" not in second
    for tampered in ("abc", "-1", "0", "99999999999999999999", "2.5"):
        response = client.get("/admin/audit", query_string={"page": tampered})
        assert response.status_code == 200 and "Place 54" in text(response)
    assert "No decision recorded yet." in text(client.get("/admin/audit?page=9"))


# --- Approving what was seen --------------------------------------------------------------


def seen_of(queue: str, key: str) -> dict:
    """The hidden fields of one queue item's decision form, as the browser sends them."""
    item = article(queue, key)
    return dict(re.findall(r'<input type="hidden" name="(seen)" value="([^"]*)"', item))


def test_an_admin_approves_only_the_version_they_saw(app, scene):
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=scene.sam)
    ada_client, ada = client_for(app, "admin")
    seen = seen_of(text(ada_client.get("/admin/listings")), f"l-{listing}")
    assert seen, "the decision form says which version the admin saw"

    # The submitter changes it while the admin reads.
    _, sam = client_for(app, "submitter")
    sneaky = {**FORM, "name": "Fox Lane Casino", "description": "Now a casino, unreviewed."}
    assert sam(f"/directory/{listing}/edit", sneaky).status_code == 302

    stale = ada(f"/admin/listings/{listing}/approve", {"reason": "", **seen}, follow_redirects=True)
    assert "The submitter changed it since you opened it" in flash_of(stale)
    stored = load_listing(app, listing)
    assert (stored.state, stored.name) == (Review.PENDING, "Fox Lane Casino")
    assert actions(app) == [] and not public_sees(app, listing, "Fox Lane Casino")

    # Looking again, the admin decides on what is there now.
    queue = text(ada_client.get("/admin/listings"))
    assert "Fox Lane Casino" in article(queue, f"l-{listing}")
    fresh = seen_of(queue, f"l-{listing}")
    ada(f"/admin/listings/{listing}/reject", {"reason": "A casino.", **fresh})
    assert load_listing(app, listing).state == Review.REJECTED


def test_an_admin_approves_only_the_edit_they_saw(app, scene):
    listing = make_listing(app, "Fox Lane Studios", submitted_by=scene.sam)
    edit = make_edit(app, listing, scene.sam, name="Fox Lane Recording")
    ada_client, ada = client_for(app, "admin")
    seen = seen_of(text(ada_client.get("/admin/listings")), f"e-{edit}")
    assert seen

    _, sam = client_for(app, "submitter")
    assert sam(f"/directory/{listing}/edit", {**FORM, "name": "Fox Lane Casino"}).status_code == 302

    late = ada(
        f"/admin/listings/edits/{edit}/approve", {"reason": "", **seen}, follow_redirects=True
    )
    assert "The submitter changed it since you opened it" in flash_of(late)
    assert load_edit(app, edit).state == Review.PENDING
    assert load_listing(app, listing).name == "Fox Lane Studios"
    assert not public_sees(app, listing, "Fox Lane Casino") and actions(app) == []


def test_a_correction_and_an_approval_at_the_same_moment_never_publish_unseen_text(
    app, scene, monkeypatch
):
    """The submitter's correction has read the listing (still waiting) when an admin
    approves it: the correction must not land on the now public listing unreviewed."""
    from mentorapp.directory import listings as service

    real_apply, read = service._apply, threading.Event()

    def slow_apply(listing, data):
        if data.get("name", "").startswith("Unseen"):
            read.set()
            time.sleep(0.6)  # the admin's approval goes through meanwhile
        real_apply(listing, data)

    monkeypatch.setattr(service, "_apply", slow_apply)
    _, sam = client_for(app, "submitter")
    _, ada = client_for(app, "admin")
    for round_ in range(3):
        read.clear()
        listing = make_listing(
            app, f"Seen Studio {round_}", state=Review.PENDING, submitted_by=scene.sam
        )

        def approve(listing=listing):
            assert read.wait(10)
            return ada(f"/admin/listings/{listing}/approve", {"reason": ""})

        unseen = {**FORM, "name": f"Unseen Studio {round_}"}
        results = at_once([partial(sam, f"/directory/{listing}/edit", unseen), approve])
        assert [r.status_code for r in results] == [302, 302]
        stored = load_listing(app, listing)
        if stored.state == Review.APPROVED:
            entries = audit(app, listing)
            assert [e.action for e in entries] == ["listing_approve"]
            # Approved: then what the public sees is what was there when the admin decided,
            # and the correction waits as an edit (or the admin approved after it landed).
            if stored.name.startswith("Unseen"):
                assert stored.submitted_at < entries[0].created_at, "unseen text went public"
            else:
                assert count(app, ListingEdit, ListingEdit.listing_id == listing) == 1
        else:
            assert (stored.state, stored.name) == (Review.PENDING, f"Unseen Studio {round_}")
