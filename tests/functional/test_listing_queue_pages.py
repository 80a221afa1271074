"""The vetting queue when thousands wait (after a large CSV import, say): each section
shows its oldest few with how many wait, and pages through the rest."""

from __future__ import annotations

import re
from datetime import timedelta

from mentorapp.models import Review
from mentorapp.models.types import utcnow
from tests.functional.listing_builders import (
    PARIS,
    admin,
    due_for_recheck,
    load_listing,
    make_listing,
    person,
    post,
    section,
    signed_in,
)
from tests.helpers import text


def pending(app, n: int, submitter: int, place_id: int | None = None) -> list[int]:
    """n new listings, sent a minute apart, the first the oldest."""
    start = utcnow() - timedelta(days=1)
    extra = {"place_id": place_id} if place_id else {}
    return [
        make_listing(
            app,
            f"Queued Studio {i:03}",
            state=Review.PENDING,
            submitted_by=submitter,
            submitted_at=start + timedelta(minutes=i),
            **extra,
        )
        for i in range(n)
    ]


def shown_ids(body: str, prefix: str) -> list[int]:
    return [int(i) for i in re.findall(rf'<article [^>]*aria-labelledby="{prefix}-(\d+)"', body)]


def test_the_overview_shows_the_oldest_five_of_each_and_counts_them_all(app):
    admin(app)
    sam = person(app, "sam@example.com")
    ids = pending(app, 23, sam)
    for listing in [make_listing(app, f"Old Place {n}") for n in range(7)]:
        due_for_recheck(app, listing)
    body = text(signed_in(app, "ada@example.com").get("/admin/listings"))
    assert "30 waiting: 23 new, 0 edits, 0 flags, 7 due for their yearly check" in body
    new = section(body, "new")
    assert shown_ids(new, "l") == ids[:5]
    assert 'New listings <span class="count">(23)</span>' in new
    assert 'href="/admin/listings?section=new"' in new and "See all 23 new listings" in new
    assert len(shown_ids(section(body, "rechecks"), "r")) == 5


def test_one_section_pages_through_everything_waiting_oldest_first(app):
    admin(app)
    ids = pending(app, 45, person(app, "sam@example.com"))
    ada = signed_in(app, "ada@example.com")
    seen = []
    for number in (1, 2, 3):
        body = text(ada.get(f"/admin/listings?section=new&page={number}"))
        assert f"Page {number} of 3" in body
        assert 'id="edits"' not in body and 'id="flags"' not in body
        seen += shown_ids(body, "l")
    assert seen == ids
    # A page past the end shows the last one; nonsense is page 1.
    assert shown_ids(text(ada.get("/admin/listings?section=new&page=99")), "l") == ids[40:]
    for odd in ("0", "-1", "x", str(2**63)):
        page = ada.get(f"/admin/listings?section=new&page={odd}")
        assert page.status_code == 200 and shown_ids(text(page), "l") == ids[:20]
    # An unknown section is the overview.
    assert 'id="rechecks"' in text(ada.get("/admin/listings?section=everything"))


def test_a_decision_on_page_two_comes_back_to_page_two(app):
    admin(app)
    ids = pending(app, 45, person(app, "sam@example.com"))
    ada = signed_in(app, "ada@example.com")
    body = text(ada.get("/admin/listings?section=new&page=2"))
    target = ids[25]
    assert f'formaction="/admin/listings/{target}/approve?section=new&amp;page=2"' in body
    done = post(ada, f"/admin/listings/{target}/approve?section=new&page=2", {})
    assert done.status_code == 302
    assert done.headers["Location"] == "/admin/listings?section=new&page=2#new"
    assert load_listing(app, target).state == Review.APPROVED


def test_a_refused_reason_on_page_two_shows_page_two_again_with_the_typing(app):
    admin(app)
    ids = pending(app, 45, person(app, "sam@example.com"))
    ada = signed_in(app, "ada@example.com")
    target = ids[30]
    page = post(
        ada,
        f"/admin/listings/{target}/reject?section=new&page=2",
        {"reason": "y" * 2001},
    )
    assert page.status_code == 422
    body = text(page)
    assert shown_ids(body, "l") == ids[20:40] and "Page 2 of 3" in body
    assert f'id="reason-l{target}-error"' in body and "y" * 2001 in body
    assert load_listing(app, target).state == Review.PENDING


def test_possible_duplicates_cost_one_query_whatever_the_number_shown(app, count_queries):
    admin(app)
    sam = person(app, "sam@example.com")
    ada = signed_in(app, "ada@example.com")
    make_listing(app, "Queued Studio 001", place_id=PARIS)  # an approved twin
    pending(app, 2, sam, place_id=PARIS)
    ada.get("/admin/listings?section=new")
    with count_queries() as few:
        body = text(ada.get("/admin/listings?section=new"))
    assert "Possible duplicate" in body
    pending(app, 30, sam)
    with count_queries() as many:
        body = text(ada.get("/admin/listings?section=new"))
    assert len(shown_ids(body, "l")) == 20
    assert len(many) == len(few), "\n".join(many)
