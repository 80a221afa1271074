"""The submit and edit forms for a listing over HTTP: bad input of every kind answers 422
with the message beside the field, keeps the typing and saves nothing; the city is found
without a script; user text is escaped on every page; one person's listing is nobody
else's to edit or see; CSRF, odd ids and oversized bodies."""

from __future__ import annotations

import html
import re

import pytest

from mentorapp.models import Listing, ListingEdit, Review
from tests.conftest import csrf_token
from tests.functional.listing_builders import (
    FORM,
    LONDON,
    PARIS,
    admin,
    count,
    form_for,
    load_listing,
    make_edit,
    make_flag,
    make_listing,
    mentee_in,
    person,
    post,
    signed_in,
)
from tests.helpers import text

NEW = "/directory/new"


@pytest.fixture
def sam(app):
    person(app, "sam@example.com", "Sam Submitter")
    return signed_in(app, "sam@example.com")


def error_of(body: str, field: str) -> str:
    """The error message rendered next to a field ("" when there is none)."""
    match = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', body, re.S)
    return " ".join(match.group(1).replace("Error:", "").split()) if match else ""


def assert_refused(response, field: str, message: str) -> str:
    assert response.status_code == 422, response.status_code
    body = text(response)
    assert message in html.unescape(error_of(body, field)), (field, error_of(body, field))
    return body


def edit_url(listing_id: int) -> str:
    return f"/directory/{listing_id}/edit"


# --- Every field -------------------------------------------------------------------------

EMPTY = {name: "" for name in FORM if name not in ("specialties", "offers")}
EMPTY_MESSAGES = {
    "kind": "Choose what kind of place it is.",
    "name": "Give the name of the studio or school.",
    "description": "Describe the place in a sentence or two (at least 20 characters).",
    "place_query": "Choose the city from the list.",
    "specialties": "Choose at least one specialty the place covers.",
    "offers": "Choose at least one thing it offers.",
}


def test_an_empty_submission_names_every_missing_field(app, sam):
    body = assert_refused(post(sam, NEW, EMPTY), "kind", EMPTY_MESSAGES["kind"])
    for field, message in EMPTY_MESSAGES.items():
        assert message in html.unescape(error_of(body, field)), field
    for optional in ("address", "website", "contact_email", "programmes", "typical_length"):
        assert error_of(body, optional) == "", optional
    assert "Please check the form" in body
    assert count(app, Listing) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " ", EMPTY_MESSAGES["name"]),
        ("name", "X", "A name has at least 2 characters."),
        ("description", "Too short.", EMPTY_MESSAGES["description"]),
        ("description", "                              ", EMPTY_MESSAGES["description"]),
        ("kind", "", EMPTY_MESSAGES["kind"]),
        ("specialties", [], EMPTY_MESSAGES["specialties"]),
        ("offers", [], EMPTY_MESSAGES["offers"]),
    ],
)
def test_each_required_field_left_empty(app, sam, field, value, message):
    assert_refused(post(sam, NEW, {**FORM, field: value}), field, message)
    assert count(app, Listing) == 0


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", 120),
        ("description", 4000),
        ("address", 200),
        ("programmes", 2000),
        ("typical_length", 80),
    ],
)
def test_each_text_too_long(app, sam, field, limit):
    body = assert_refused(
        post(sam, NEW, {**FORM, field: "a" * (limit + 1)}),
        field,
        f"At most {limit:,} characters, please.",
    )
    assert "a" * (limit + 1) in body  # kept, for the person to shorten
    assert count(app, Listing) == 0
    # Exactly at the limit is fine.
    assert post(sam, NEW, {**FORM, field: "a" * limit}).status_code == 302


def test_a_website_and_an_email_too_long(app, sam):
    long_site = "https://example.org/" + "p" * 290
    long_mail = "a" * 250 + "@example.org"
    body = assert_refused(
        post(sam, NEW, {**FORM, "website": long_site, "contact_email": long_mail}),
        "website",
        "At most 300 characters, please.",
    )
    assert "At most 254 characters, please." in error_of(body, "contact_email")
    assert count(app, Listing) == 0


def test_a_10_kb_field_is_refused_not_a_crash(app, sam):
    response = post(sam, NEW, {**FORM, "name": "n" * 10_000, "place_query": "L" * 10_000})
    assert response.status_code == 422
    assert count(app, Listing) == 0


def test_a_body_over_the_limit_is_413(app, sam):
    response = post(sam, NEW, {**FORM, "description": "d" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert count(app, Listing) == 0


WEB_MESSAGE = "Give a web address starting with https:// or http://."
MAIL_MESSAGE = "Give an email address like name@example.com."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "foxlane", WEB_MESSAGE),
        ("website", "foxlane.example.org", WEB_MESSAGE),
        ("website", "javascript:alert(document.cookie)", WEB_MESSAGE),
        ("website", "JavaScript://example.org/%0Aalert(1)", WEB_MESSAGE),
        ("website", "data:text/html,<script>alert(1)</script>", WEB_MESSAGE),
        ("website", "ftp://files.example.org", WEB_MESSAGE),
        ("website", "https://", WEB_MESSAGE),
        ("website", "https://fox lane.example.org", WEB_MESSAGE),
        ("contact_email", "not-an-email", MAIL_MESSAGE),
        ("contact_email", "a@b", MAIL_MESSAGE),
        ("contact_email", "<script>@example.org", MAIL_MESSAGE),
        ("kind", "castle", EMPTY_MESSAGES["kind"]),
        ("kind", "RECORDING_STUDIO", EMPTY_MESSAGES["kind"]),
    ],
)
def test_values_of_the_wrong_type(app, sam, field, value, message):
    assert_refused(post(sam, NEW, {**FORM, field: value}), field, message)
    assert count(app, Listing) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("specialties", ["mixing", "juggling"], "Unknown specialty: juggling."),
        ("specialties", ["<b>x</b>"], "Unknown specialty: <b>x</b>."),
        ("offers", ["apprenticeship", "free_money"], "Choose what it offers from the list."),
        ("offers", ["Courses"], "Choose what it offers from the list."),
    ],
)
def test_unknown_specialties_and_offers(app, sam, field, value, message):
    response = post(sam, NEW, {**FORM, field: value, "name": ""})
    body = assert_refused(response, field, message)
    # The rest of the form is checked too, in the same answer.
    assert EMPTY_MESSAGES["name"] in error_of(body, "name")
    assert "<b>x</b>" not in body
    assert count(app, Listing) == 0


def test_the_typing_is_kept_after_an_error(app, sam):
    typed = {
        **FORM,
        "name": "Fox Lane & Sons",
        "address": "12 Fox Lane",
        "programmes": "Assistant engineer year",
        "typical_length": "12 months",
        "contact_email": "broken",
    }
    body = assert_refused(post(sam, NEW, typed), "contact_email", MAIL_MESSAGE)
    assert 'value="Fox Lane &amp; Sons"' in body
    assert 'value="12 Fox Lane"' in body and 'value="12 months"' in body
    assert FORM["description"] in body and "Assistant engineer year" in body
    assert 'value="broken"' in body and 'value="https://foxlane.example.org"' in body
    assert 'value="London, United Kingdom"' in body
    for value in ("mixing", "recording", "apprenticeship", "studio_visits"):
        assert re.search(rf'<input checked[^>]*value="{value}"', body), value
    assert re.search(r'<option selected value="recording_studio">', body)
    assert count(app, Listing) == 0


def test_fields_the_form_does_not_have_change_nothing(app, sam):
    other = person(app, "olu@example.com")
    extra = {
        **FORM,
        "state": "approved",
        "submitted_by_id": str(other),
        "vetted_at": "2020-01-01",
        "unpublished_at": "",
        "id": "77",
        "review_note": "approved by me",
    }
    assert post(sam, NEW, extra).status_code == 302
    [stored] = _all(app)
    assert stored.state == Review.PENDING and stored.vetted_at is None
    assert stored.submitted_by_id != other and stored.review_note == ""
    assert app.test_client().get(f"/directory/{stored.id}").status_code == 404


# --- The city ----------------------------------------------------------------------------


def test_the_city_is_found_and_chosen_without_javascript(app, sam):
    typed = {**FORM, "place_query": "Paris", "place_id": "", "action": "find"}
    listed = post(sam, NEW, typed)
    body = text(listed)
    assert listed.status_code == 200  # a step, not an error
    assert "Which one do you mean?" in body
    assert re.search(rf'name="place_choice"[^>]*value="{PARIS}"', body) or re.search(
        rf'value="{PARIS}"[^>]*name="place_choice"', body
    )
    assert "Paris, France (population" in body
    assert 'value="Fox Lane Studios"' in body  # the rest of the typing is kept
    assert count(app, Listing) == 0

    chosen = {**FORM, "place_query": "Paris", "place_id": "", "place_choice": str(PARIS)}
    assert post(sam, NEW, chosen).status_code == 302
    [stored] = _all(app)
    assert stored.place_id == PARIS


def test_the_find_step_on_the_edit_form(app, sam):
    sam_id = _id_of(app, "sam@example.com")
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam_id)
    body = text(post(sam, edit_url(listing), {**FORM, "place_query": "Par", "action": "find"}))
    assert "Paris, France (population" in body
    assert load_listing(app, listing).place_id == LONDON
    chosen = {**FORM, "place_query": "Par", "place_id": "", "place_choice": str(PARIS)}
    assert post(sam, edit_url(listing), chosen).status_code == 302
    assert load_listing(app, listing).place_id == PARIS


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"place_query": "", "place_id": ""}, "Choose the city from the list."),
        ({"place_query": "London", "place_id": ""}, "Choose the city from the list."),
        (
            {"place_query": "Atlantisxyzzy", "place_id": ""},
            "No city by that name. Check the spelling",
        ),
        ({"place_query": "Paris, France", "place_id": str(LONDON)}, "Choose the city"),
        ({"place_query": "London, United Kingdom", "place_id": "999999999"}, "Choose the city"),
        ({"place_query": "London, United Kingdom", "place_id": "-5"}, "Choose the city"),
        ({"place_query": "London, United Kingdom", "place_id": str(2**63)}, "Choose the city"),
        ({"place_query": "London", "place_id": "", "place_choice": "999999999"}, "Choose the"),
        ({"place_query": "London", "place_id": "", "place_choice": str(2**70)}, "Choose the"),
        ({"place_query": "London", "place_id": "", "place_choice": "x"}, "Choose the city"),
        ({"place_query": "x" * 101, "place_id": ""}, "Type at most 100 characters."),
    ],
)
def test_a_city_not_chosen_or_unknown(app, sam, place, message):
    body = assert_refused(post(sam, NEW, {**FORM, **place}), "place_query", message)
    assert 'value="Fox Lane Studios"' in body
    assert count(app, Listing) == 0


def test_a_city_typed_but_not_chosen_offers_the_matches(app, sam):
    body = text(post(sam, NEW, {**FORM, "place_query": "London", "place_id": ""}))
    assert "London, United Kingdom (population" in body


# --- The edit form -----------------------------------------------------------------------


@pytest.mark.parametrize("state", [Review.PENDING, Review.CHANGES_REQUESTED, Review.APPROVED])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", EMPTY_MESSAGES["name"]),
        ("website", "javascript:alert(1)", WEB_MESSAGE),
        ("offers", [], EMPTY_MESSAGES["offers"]),
        ("description", "d" * 4001, "At most 4,000 characters, please."),
    ],
)
def test_bad_input_on_the_edit_form_changes_nothing(app, sam, state, field, value, message):
    sam_id = _id_of(app, "sam@example.com")
    listing = make_listing(app, "Fox Lane Studios", state=state, submitted_by=sam_id)
    before = load_listing(app, listing)
    body = assert_refused(
        post(sam, edit_url(listing), {**FORM, "name": "Fox Lane Two", field: value}),
        field,
        message,
    )
    if field != "name":
        assert 'value="Fox Lane Two"' in body
    after = load_listing(app, listing)
    assert (after.name, after.state, after.description, after.offers) == (
        before.name,
        before.state,
        before.description,
        before.offers,
    )
    assert count(app, ListingEdit) == 0


def test_the_edit_form_starts_from_the_listing(app, sam):
    sam_id = _id_of(app, "sam@example.com")
    listing = make_listing(
        app, "Fox Lane Studios", submitted_by=sam_id, website="https://fox.example.org"
    )
    body = text(sam.get(edit_url(listing)))
    assert 'value="Fox Lane Studios"' in body and 'value="https://fox.example.org"' in body
    assert 'value="London, United Kingdom"' in body
    assert "the approved version stays public" in body


# --- Whose listing -----------------------------------------------------------------------


@pytest.mark.parametrize("state", [Review.PENDING, Review.CHANGES_REQUESTED, Review.APPROVED])
def test_nobody_edits_or_sees_another_persons_listing(app, sam, state):
    olu = person(app, "olu@example.com", "Olu Other")
    theirs = make_listing(app, "Olu's Own Studio", state=state, submitted_by=olu)
    mine = text(sam.get("/directory/mine"))
    assert "Olu&#39;s Own Studio" not in mine and "Olu's Own Studio" not in mine
    assert "Nothing listed yet" in mine
    assert sam.get(edit_url(theirs)).status_code == 404
    assert post(sam, edit_url(theirs), {**FORM, "name": "Hijacked"}).status_code == 404
    assert load_listing(app, theirs).name == "Olu's Own Studio"
    assert count(app, ListingEdit) == 0
    # Not even an admin edits it through the submitter's form.
    admin(app)
    ada = signed_in(app, "ada@example.com")
    assert ada.get(edit_url(theirs)).status_code == 404
    assert post(ada, edit_url(theirs), {**FORM, "name": "Hijacked"}).status_code == 404
    assert load_listing(app, theirs).name == "Olu's Own Studio"


def test_a_logged_out_visitor_is_sent_to_log_in(app):
    visitor = app.test_client()
    for url in (NEW, "/directory/mine", edit_url(make_listing(app))):
        response = visitor.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    tok = csrf_token(visitor, "/login")
    response = visitor.post(NEW, data={"csrf_token": tok, **FORM})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert count(app, Listing) == 1


# --- CSRF and ids ------------------------------------------------------------------------


def test_forms_without_a_csrf_token_are_400(app, sam):
    sam_id = _id_of(app, "sam@example.com")
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam_id)
    foreign = csrf_token(app.test_client(), "/login")
    for url in (NEW, edit_url(listing)):
        assert sam.post(url, data=FORM).status_code == 400
        assert sam.post(url, data={**FORM, "csrf_token": foreign}).status_code == 400
        assert sam.post(url, data={**FORM, "csrf_token": "forged"}).status_code == 400
    assert count(app, Listing) == 1
    assert load_listing(app, listing).state == Review.PENDING


def test_admin_decisions_without_a_csrf_token_are_400(app):
    admin(app)
    ada = signed_in(app, "ada@example.com")
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING)
    for url in (
        f"/admin/listings/{listing}/approve",
        f"/admin/listings/{listing}/unpublish",
        f"/admin/listings/{listing}/recheck/confirm",
    ):
        assert ada.post(url, data={"reason": "x"}).status_code == 400
    assert load_listing(app, listing).state == Review.PENDING


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63), "99999"])
def test_odd_ids_are_404(app, sam, bad_id):
    for url in (f"/directory/{bad_id}", f"/directory/{bad_id}/edit", f"/directory/{bad_id}/flag"):
        assert sam.get(url).status_code == 404, url
    assert post(sam, f"/directory/{bad_id}/edit", FORM).status_code == 404
    assert app.test_client().get(f"/directory/{bad_id}").status_code == 404
    admin(app)
    assert signed_in(app, "ada@example.com").get(f"/admin/listings/{bad_id}").status_code == 404


# --- Escaping ----------------------------------------------------------------------------

SCRIPT_NAME = '<script>alert("name")</script> Studio'
SCRIPT_DESCRIPTION = "<img src=x onerror=alert(1)> A room <b>for</b> newcomers to learn in."
RAW = ("<script>alert", "<img src=x", "<b>for</b>")


def assert_escaped(response, where: str) -> None:
    body = text(response)
    assert response.status_code == 200, (where, response.status_code)
    for raw in RAW:
        assert raw not in body, (where, raw)
    assert "&lt;script&gt;" in body, where


def test_html_in_a_listing_is_shown_escaped_on_every_page(app, sam):
    sam_id = _id_of(app, "sam@example.com")
    submitted = post(
        sam,
        NEW,
        {
            **FORM,
            "name": SCRIPT_NAME,
            "description": SCRIPT_DESCRIPTION,
            "address": "<i>12</i> Fox Lane",
            "programmes": "<script>p()</script>",
        },
        follow_redirects=True,
    )
    assert_escaped(submitted, "the flash after submitting, on /directory/mine")
    [listing] = _all(app)
    assert listing.name == SCRIPT_NAME  # stored as typed, escaped when shown
    assert_escaped(sam.get(edit_url(listing.id)), "the edit form")

    admin(app)
    ada = signed_in(app, "ada@example.com")
    assert "&lt;img src=x" in text(ada.get("/admin/listings"))
    assert_escaped(ada.get("/admin/listings"), "the admin queue")
    assert_escaped(ada.get(f"/admin/listings/{listing.id}"), "the admin listing page")
    post(ada, f"/admin/listings/{listing.id}/approve", {"reason": ""})
    assert_escaped(ada.get("/admin/audit"), "the audit log")
    assert_escaped(sam.get("/directory/mine"), "mine")
    assert_escaped(sam.get("/notifications"), "the inbox")

    public = app.test_client()
    assert_escaped(public.get("/directory"), "the directory")
    assert_escaped(public.get("/directory", query_string={"q": "script"}), "a search")
    page = public.get(f"/directory/{listing.id}")
    assert_escaped(page, "the listing page")
    assert "&lt;i&gt;12&lt;/i&gt;" in text(page) and "<i>12</i>" not in text(page)
    assert "<script>p()" not in text(page)
    assert_escaped(sam.get(f"/directory/{listing.id}/flag"), "the flag form")

    mentee_in(app, "priya@example.com", place_id=LONDON)
    priya = signed_in(app, "priya@example.com")
    assert_escaped(priya.get("/directory/near"), "near you")
    assert_escaped(priya.get("/dashboard"), "the dashboard")

    # An edit with HTML, in the queue and on mine; a flag note with HTML in the queue.
    make_edit(app, listing.id, sam_id, name='<script>alert("edit")</script>')
    make_flag(app, listing.id, sam_id, "abuse", "<script>alert('flag')</script>")
    queue = ada.get("/admin/listings")
    assert_escaped(queue, "the queue with an edit and a flag")
    assert "alert('flag')</script>" not in text(queue)


def test_html_in_a_reason_is_shown_escaped_to_the_submitter(app, sam):
    sam_id = _id_of(app, "sam@example.com")
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam_id)
    admin(app)
    ada = signed_in(app, "ada@example.com")
    post(ada, f"/admin/listings/{listing}/request_changes", {"reason": "<script>alert(1)</script>"})
    for page in ("/directory/mine", edit_url(listing), "/notifications"):
        assert_escaped(sam.get(page), page)
    assert_escaped(ada.get("/admin/audit"), "audit")
    assert_escaped(ada.get(f"/admin/listings/{listing}"), "history")


# --- Helpers -----------------------------------------------------------------------------


def _all(app) -> list[Listing]:
    from sqlalchemy import select

    from mentorapp.extensions import db

    with app.app_context():
        rows = list(db.session.scalars(select(Listing).order_by(Listing.id)))
        db.session.expunge_all()
        return rows


def _id_of(app, email: str) -> int:
    from tests.helpers import get_user

    return get_user(app, email).id


def test_form_for_builds_a_valid_submission_in_another_city(app, sam):
    assert post(sam, NEW, form_for(PARIS, name="Paris Rooms")).status_code == 302
    [stored] = _all(app)
    assert (stored.name, stored.place_id) == ("Paris Rooms", PARIS)
