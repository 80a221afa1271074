"""Flags over HTTP: anyone signed in reports a public listing with a kind and a note; the
admins see the flags in the queue, dismiss them or act on them (the listing comes off,
a reason required), every resolution in the audit log, safe against two admins."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from mentorapp.directory.review import FLAG_LABELS
from mentorapp.models import ListingFlag, Review
from mentorapp.models.types import utcnow
from tests.conftest import csrf_token
from tests.functional.listing_builders import (
    actions,
    admin,
    at_once,
    audit,
    count,
    flash_of,
    load_flag,
    load_listing,
    make_flag,
    make_listing,
    names_on,
    person,
    post,
    refused_reason,
    section,
    set_fields,
    signed_in,
)
from tests.helpers import text

NOTE = "The studio closed in May; the building is flats now."
THANKS = "Thank you. An admin will look at it."
ALREADY_FLAGGED = "You flagged this listing already; an admin will look at it."


@pytest.fixture
def scene(app):
    class Scene:
        ada = admin(app, "ada@example.com", "Ada Admin")
        bo = admin(app, "bo@example.com", "Bo Admin")
        sam = person(app, "sam@example.com", "Sam Submitter")
        priya = person(app, "priya@example.com", "Priya Mentee")
        marcus = person(app, "marcus@example.com", "Marcus Mentor", is_mentor=True, is_mentee=False)
        listing = make_listing(app, "Fox Lane Studios", submitted_by=sam)

    return Scene


def flags(app) -> list[ListingFlag]:
    from sqlalchemy import select

    from mentorapp.extensions import db

    with app.app_context():
        rows = list(db.session.scalars(select(ListingFlag).order_by(ListingFlag.id)))
        db.session.expunge_all()
        return rows


def is_public(app, listing_id: int) -> bool:
    public = app.test_client()
    shown = public.get(f"/directory/{listing_id}").status_code == 200
    assert shown == ("Fox Lane Studios" in names_on(public.get("/directory")))
    return shown


# --- Flagging -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FLAG_LABELS))
def test_a_signed_in_person_flags_a_listing_with_each_kind_and_a_note(app, scene, kind):
    priya = signed_in(app, "priya@example.com")
    show = text(priya.get(f"/directory/{scene.listing}"))
    assert f"/directory/{scene.listing}/flag" in show
    form = text(priya.get(f"/directory/{scene.listing}/flag"))
    assert "Report a problem with Fox Lane Studios" in form
    for label in FLAG_LABELS.values():
        assert label in form

    response = post(priya, f"/directory/{scene.listing}/flag", {"kind": kind, "note": NOTE})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/directory/{scene.listing}"
    assert THANKS in flash_of(priya.get(f"/directory/{scene.listing}"))
    [flag] = flags(app)
    assert (flag.listing_id, flag.reporter_id, flag.kind, flag.note) == (
        scene.listing,
        scene.priya,
        kind,
        NOTE,
    )
    assert flag.resolved_at is None and flag.resolution == ""
    assert is_public(app, scene.listing)  # a flag alone takes nothing off

    queue = text(signed_in(app, "ada@example.com").get("/admin/listings"))
    flagged = section(queue, "flags")
    assert f"Fox Lane Studios</a>: {FLAG_LABELS[kind]}" in flagged
    assert NOTE in flagged and "by Priya Mentee" in flagged
    assert "1 flag," in queue


@pytest.mark.parametrize("who", ["sam@example.com", "marcus@example.com", "ada@example.com"])
def test_anyone_signed_in_can_flag_without_a_note(app, scene, who):
    client = signed_in(app, who)
    response = post(client, f"/directory/{scene.listing}/flag", {"kind": "wrong_details"})
    assert response.status_code == 302
    [flag] = flags(app)
    assert (flag.kind, flag.note) == ("wrong_details", "")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "", "note": NOTE}, "kind", "Choose what is wrong."),
        ({"note": NOTE}, "kind", "Choose what is wrong."),
        ({"kind": "boring", "note": NOTE}, "kind", "Choose what is wrong."),
        ({"kind": "closed", "note": "x" * 2001}, "note", "At most 2,000 characters, please."),
        ({"kind": "closed", "note": "y" * 10_000}, "note", "At most 2,000 characters, please."),
    ],
)
def test_a_bad_flag_is_refused_next_to_the_field(app, scene, data, field, message):
    priya = signed_in(app, "priya@example.com")
    response = post(priya, f"/directory/{scene.listing}/flag", data)
    assert response.status_code == 422
    body = text(response)
    assert f'id="{field}-error"' in body
    error = body[body.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</p>")]
    if data.get("note") == NOTE:
        assert NOTE in body  # the typing is kept
    assert flags(app) == []


@pytest.mark.parametrize(
    "scene_state",
    [
        {"state": Review.PENDING},
        {"state": Review.REJECTED},
        {"state": Review.CHANGES_REQUESTED},
        {"state": Review.APPROVED, "unpublished": True},
    ],
)
def test_flagging_a_listing_the_public_cannot_see_is_404(app, scene, scene_state):
    hidden = make_listing(app, "Hidden Place", submitted_by=scene.sam, **scene_state)
    priya = signed_in(app, "priya@example.com")
    assert priya.get(f"/directory/{hidden}/flag").status_code == 404
    response = post(priya, f"/directory/{hidden}/flag", {"kind": "abuse", "note": "Scam."})
    assert response.status_code == 404
    assert flags(app) == []


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63), "424242"])
def test_flagging_a_missing_listing_is_404(app, scene, bad_id):
    priya = signed_in(app, "priya@example.com")
    assert priya.get(f"/directory/{bad_id}/flag").status_code == 404
    assert post(priya, f"/directory/{bad_id}/flag", {"kind": "abuse"}).status_code == 404
    assert flags(app) == []


def test_a_second_open_flag_by_the_same_person_is_refused_politely(app, scene):
    priya = signed_in(app, "priya@example.com")
    url = f"/directory/{scene.listing}/flag"
    post(priya, url, {"kind": "closed", "note": NOTE})
    again = post(priya, url, {"kind": "abuse", "note": "And rude."}, follow_redirects=True)
    assert ALREADY_FLAGGED in flash_of(again)
    assert "Fox Lane Studios" in text(again)  # back on the listing's page
    assert [(f.kind, f.note) for f in flags(app)] == [("closed", NOTE)]

    # Somebody else may flag it too; and once an admin dealt with Priya's flag, so may she.
    marcus = signed_in(app, "marcus@example.com")
    assert THANKS in flash_of(post(marcus, url, {"kind": "closed"}, follow_redirects=True))
    first = flags(app)[0].id
    post(signed_in(app, "ada@example.com"), f"/admin/listings/flags/{first}/dismiss", {})
    assert THANKS in flash_of(post(priya, url, {"kind": "wrong_details"}, follow_redirects=True))
    assert len(flags(app)) == 3


def test_a_logged_out_visitor_cannot_flag(app, scene):
    visitor = app.test_client()
    assert "/flag" not in text(visitor.get(f"/directory/{scene.listing}"))
    response = visitor.get(f"/directory/{scene.listing}/flag")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    tok = csrf_token(visitor, "/login")
    response = visitor.post(
        f"/directory/{scene.listing}/flag", data={"csrf_token": tok, "kind": "abuse"}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert flags(app) == []


def test_a_flag_without_its_csrf_token_is_400(app, scene):
    priya = signed_in(app, "priya@example.com")
    url = f"/directory/{scene.listing}/flag"
    assert priya.post(url, data={"kind": "abuse"}).status_code == 400
    foreign = csrf_token(signed_in(app, "marcus@example.com"), "/dashboard")
    assert priya.post(url, data={"kind": "abuse", "csrf_token": foreign}).status_code == 400
    assert flags(app) == []


def test_flags_are_in_the_queue_oldest_first_with_the_reporter(app, scene):
    other = make_listing(app, "Abbey Rooms")
    now = utcnow()
    late = make_flag(app, other, scene.marcus, "abuse", "Took my deposit.")
    early = make_flag(app, scene.listing, scene.priya, "not_real", "Nobody answers.")
    set_fields(app, ListingFlag, late, created_at=now - timedelta(days=1))
    set_fields(app, ListingFlag, early, created_at=now - timedelta(days=6))
    make_flag(app, other, scene.sam, "closed", "Old news.", resolved_at=now, resolution="dismissed")
    queue = section(text(signed_in(app, "ada@example.com").get("/admin/listings")), "flags")
    assert queue.index(f'id="f-{early}"') < queue.index(f'id="f-{late}"')
    assert "by Priya Mentee" in queue and "by Marcus Mentor" in queue
    assert FLAG_LABELS["not_real"] in queue and FLAG_LABELS["abuse"] in queue
    assert "Old news." not in queue  # resolved flags leave the queue


# --- Resolving ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "It is open; I called them."])
def test_an_admin_dismisses_a_flag(app, scene, reason):
    flag = make_flag(app, scene.listing, scene.priya, "closed", NOTE)
    ada = signed_in(app, "ada@example.com")
    response = post(ada, f"/admin/listings/flags/{flag}/dismiss", {"reason": reason})
    assert response.headers["Location"] == "/admin/listings#flags"
    assert "Flag dismissed." in flash_of(ada.get("/admin/listings"))
    stored = load_flag(app, flag)
    assert (stored.resolution, stored.resolved_by_id) == ("dismissed", scene.ada)
    assert utcnow() - stored.resolved_at < timedelta(minutes=1)
    assert is_public(app, scene.listing)
    assert "Fox Lane Studios" not in section(text(ada.get("/admin/listings")), "flags")
    [entry] = audit(app, scene.listing)
    assert (entry.action, entry.actor_name, entry.subject_name) == (
        "flag_dismissed",
        "Ada Admin",
        "Fox Lane Studios",
    )
    assert entry.reason == (reason or FLAG_LABELS["closed"])


def test_an_admin_upholds_a_flag_and_the_listing_comes_off(app, scene):
    flag = make_flag(app, scene.listing, scene.priya, "closed", NOTE)
    ada = signed_in(app, "ada@example.com")
    url = f"/admin/listings/flags/{flag}/unpublish"

    missing = post(ada, url, {"reason": "  "})
    assert refused_reason(missing, f"f{flag}") == ("Say why it comes off the directory.", "")
    assert load_flag(app, flag).resolved_at is None
    assert is_public(app, scene.listing) and actions(app) == []

    post(ada, url, {"reason": "Closed for good, says their website."})
    assert "Taken off the directory." in flash_of(ada.get("/admin/listings"))
    stored = load_flag(app, flag)
    assert (stored.resolution, stored.resolved_by_id) == ("unpublished", scene.ada)
    listing = load_listing(app, scene.listing)
    assert listing.unpublished_at is not None
    assert listing.unpublish_reason == "Closed for good, says their website."
    assert listing.state == Review.APPROVED
    assert not is_public(app, scene.listing)
    assert [(e.action, e.reason) for e in audit(app, scene.listing)] == [
        ("listing_unpublished", "Closed for good, says their website."),
        ("flag_upheld", "Closed for good, says their website."),
    ]
    mine = text(signed_in(app, "sam@example.com").get("/directory/mine"))
    assert "Off the directory" in mine and "Closed for good, says their website." in mine
    # The listing can no longer be flagged.
    priya = signed_in(app, "priya@example.com")
    assert post(priya, f"/directory/{scene.listing}/flag", {"kind": "closed"}).status_code == 404


def test_upholding_a_second_flag_on_a_listing_already_off_records_it(app, scene):
    first = make_flag(app, scene.listing, scene.priya, "closed")
    second = make_flag(app, scene.listing, scene.marcus, "not_real")
    ada = signed_in(app, "ada@example.com")
    post(ada, f"/admin/listings/flags/{first}/unpublish", {"reason": "Closed."})
    queue = section(text(ada.get("/admin/listings")), "flags")
    assert f'id="f-{second}"' in queue and f'id="f-{first}"' not in queue
    post(ada, f"/admin/listings/flags/{second}/unpublish", {"reason": "Same."})
    assert "Taken off the directory." in flash_of(ada.get("/admin/listings"))
    assert load_flag(app, second).resolution == "unpublished"
    assert actions(app) == ["listing_unpublished", "flag_upheld", "flag_upheld"]


@pytest.mark.parametrize(("first", "second"), [("dismiss", "unpublish"), ("unpublish", "dismiss")])
def test_a_second_admin_is_told_the_flag_was_dealt_with(app, scene, first, second):
    flag = make_flag(app, scene.listing, scene.priya, "closed", NOTE)
    post(
        signed_in(app, "ada@example.com"), f"/admin/listings/flags/{flag}/{first}", {"reason": "A"}
    )
    bo = signed_in(app, "bo@example.com")
    late = post(
        bo, f"/admin/listings/flags/{flag}/{second}", {"reason": "B"}, follow_redirects=True
    )
    assert "Another admin already dealt with this flag." in flash_of(late)
    stored = load_flag(app, flag)
    assert (stored.resolution, stored.resolved_by_id) == (
        "dismissed" if first == "dismiss" else "unpublished",
        scene.ada,
    )
    assert is_public(app, scene.listing) == (first == "dismiss")
    assert all(e.actor_name == "Ada Admin" for e in audit(app))


@pytest.mark.parametrize("action", ["dismiss", "unpublish"])
@pytest.mark.parametrize("role", ["priya@example.com", "sam@example.com", None])
def test_nobody_but_an_admin_resolves_a_flag(app, scene, action, role):
    flag = make_flag(app, scene.listing, scene.priya, "closed", NOTE)
    if role is None:
        client = app.test_client()
        tok = csrf_token(client, "/login")
    else:
        client = signed_in(app, role)
        tok = client.csrf
    response = client.post(
        f"/admin/listings/flags/{flag}/{action}", data={"csrf_token": tok, "reason": "Gone."}
    )
    if role is None:
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403
    assert load_flag(app, flag).resolved_at is None
    assert is_public(app, scene.listing) and actions(app) == []


def test_an_unknown_flag_action_is_404(app, scene):
    flag = make_flag(app, scene.listing, scene.priya)
    ada = signed_in(app, "ada@example.com")
    assert post(ada, f"/admin/listings/flags/{flag}/delete", {"reason": "x"}).status_code == 404
    assert load_flag(app, flag).resolved_at is None


# --- Two admins at the same moment --------------------------------------------------------

ROUNDS = 6


def test_two_admins_resolving_one_flag_at_once_resolve_it_once(app, scene):
    ada, bo = signed_in(app, "ada@example.com"), signed_in(app, "bo@example.com")
    for round_ in range(ROUNDS):
        listing = make_listing(app, f"Race Studio {round_}")
        flag = make_flag(app, listing, scene.priya, "closed")
        first, second = ("dismiss", "unpublish") if round_ % 2 else ("unpublish", "dismiss")
        results = at_once(
            [
                partial(post, ada, f"/admin/listings/flags/{flag}/{first}", {"reason": "A."}),
                partial(post, bo, f"/admin/listings/flags/{flag}/{second}", {"reason": "B."}),
            ]
        )
        assert [r.status_code for r in results] == [302, 302]
        stored = load_flag(app, flag)
        entries = [(e.actor_id, e.action) for e in audit(app, listing)]
        winner = stored.resolved_by_id
        if stored.resolution == "dismissed":
            assert entries == [(winner, "flag_dismissed")]
            assert load_listing(app, listing).unpublished_at is None
        else:
            assert entries == [(winner, "listing_unpublished"), (winner, "flag_upheld")]
            assert load_listing(app, listing).unpublished_at is not None
        loser = bo if winner == scene.ada else ada
        assert "Another admin already dealt with this flag." in flash_of(loser.get("/admin"))


def test_two_admins_upholding_two_flags_on_one_listing_at_once_record_both(app, scene):
    """Each flag is upheld once and recorded; the listing comes off once."""
    ada, bo = signed_in(app, "ada@example.com"), signed_in(app, "bo@example.com")
    for round_ in range(ROUNDS):
        listing = make_listing(app, f"Twice Flagged {round_}")
        one = make_flag(app, listing, scene.priya, "closed")
        two = make_flag(app, listing, scene.marcus, "not_real")
        results = at_once(
            [
                partial(post, ada, f"/admin/listings/flags/{one}/unpublish", {"reason": "A."}),
                partial(post, bo, f"/admin/listings/flags/{two}/unpublish", {"reason": "B."}),
            ]
        )
        assert [r.status_code for r in results] == [302, 302]
        assert [load_flag(app, f).resolution for f in (one, two)] == ["unpublished"] * 2
        assert load_listing(app, listing).unpublished_at is not None
        done = sorted(actions(app, listing))
        assert done == ["flag_upheld", "flag_upheld", "listing_unpublished"], done
        assert count(app, ListingFlag, ListingFlag.resolved_at.is_(None)) == 0
