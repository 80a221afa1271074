"""A studio's way into the directory over HTTP: submitted, sent back, corrected,
approved, found by search and near a mentee; an edit reviewed while the approved
version stays public; every decision in the audit log."""

import re

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import AuditEntry, Listing
from tests.conftest import post_form
from tests.functional.test_profiles import LONDON, MENTEE_SECTIONS, edit_url
from tests.helpers import text

STUDIO = {
    "kind": "recording_studio",
    "name": "Fox Lane Studios",
    "description": "A two-room studio in Hackney that takes on one assistant engineer a year.",
    "place_query": "London, England, United Kingdom",
    "place_id": str(LONDON),
    "address": "12 Fox Lane",
    "website": "https://foxlane.example.org",
    "contact_email": "Hello@FoxLane.example.org",
    "specialties": ["mixing", "recording"],
    "offers": ["apprenticeship", "studio_visits"],
}


def place_label() -> str:
    from mentorapp.places.gazetteer import Gazetteer

    return Gazetteer.load().get(LONDON).label


def the_listing(app) -> Listing:
    with app.app_context():
        return db.session.scalars(select(Listing)).one()


def test_submit_correct_approve_find_and_edit(app, client, auth, users):
    users(email="sam@example.com", display_name="Sam", is_mentee=True)
    users(email="ada@example.com", display_name="Ada", is_admin=True, is_mentee=False)
    studio = {**STUDIO, "place_query": place_label()}

    auth.login("sam@example.com")
    bad = post_form(client, "/directory/new", {**studio, "website": "foxlane", "offers": []})
    assert bad.status_code == 422
    body = text(bad)
    assert "Give a web address starting with https://" in body
    assert "Choose at least one thing it offers." in body
    assert "Fox Lane Studios" in body  # the typing is kept
    assert app.test_client().get("/directory").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(Listing)).all() == []
    assert post_form(client, "/directory/new", studio).status_code == 302
    listing = the_listing(app)
    assert (listing.state, listing.contact_email) == ("pending", "hello@foxlane.example.org")
    assert "Waiting for review" in text(client.get("/directory/mine"))
    assert client.get(f"/directory/{listing.id}").status_code == 404  # not public yet
    auth.logout()

    auth.login("ada@example.com")
    queue = text(client.get("/admin/listings"))
    assert "Fox Lane Studios" in queue and "Sent" in queue
    refused = post_form(
        client, f"/admin/listings/{listing.id}/reject", {"reason": ""}, follow_redirects=True
    )
    assert "Say why it is rejected" in text(refused)
    post_form(
        client,
        f"/admin/listings/{listing.id}/request_changes",
        {"reason": "Please add which rooms newcomers can visit."},
    )
    twice = post_form(
        client, f"/admin/listings/{listing.id}/approve", {"reason": ""}, follow_redirects=True
    )
    assert "Another admin already asked for changes." in text(twice)
    auth.logout()

    auth.login("sam@example.com")
    mine = text(client.get("/directory/mine"))
    assert "Please add which rooms newcomers can visit." in mine
    corrected = {**studio, "description": STUDIO["description"] + " Visits on Fridays."}
    assert post_form(client, f"/directory/{listing.id}/edit", corrected).status_code == 302
    assert the_listing(app).state == "pending"
    auth.logout()

    auth.login("ada@example.com")
    post_form(client, f"/admin/listings/{listing.id}/approve", {"reason": ""})
    auth.logout()

    public = app.test_client()
    found = text(public.get("/directory?q=fox&near=London&within_km=25"))
    assert "Fox Lane Studios" in found and re.search(r"1 place near London", found)
    assert "Fox Lane Studios" not in text(public.get("/directory?offer=courses"))
    page = text(public.get(f"/directory/{listing.id}"))
    assert "Visits on Fridays." in page and "vetted" in page

    # A mentee in London sees it near them, with the reasons.
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    near = text(client.get("/directory/near"))
    assert "Fox Lane Studios" in near and "km" in near
    auth.logout()

    # An edit waits while the approved version stays public.
    auth.login("sam@example.com")
    renamed = {**corrected, "name": "Fox Lane Recording"}
    post_form(client, f"/directory/{listing.id}/edit", renamed)
    assert "Fox Lane Studios" in text(public.get(f"/directory/{listing.id}"))
    auth.logout()
    auth.login("ada@example.com")
    queue = text(client.get("/admin/listings"))
    [edit_id] = re.findall(r"/admin/listings/edits/(\d+)/approve", queue)
    post_form(client, f"/admin/listings/edits/{edit_id}/approve", {"reason": ""})
    assert "Fox Lane Recording" in text(public.get(f"/directory/{listing.id}"))
    log = text(client.get("/admin/audit"))
    assert "request changes" in log and "listing approve" in log and "edit approve" in log
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["listing_request_changes", "listing_approve", "edit_approve"]
