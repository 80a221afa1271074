"""The directory's capped count over HTTP: past DIRECTORY_SEARCH_CAP matches the page says
"More than N places", pages run to the cap and stop there with a word on why, and every
page within the cap holds the very listings, in the very order, an uncapped search gives
(relevance, name order, accents folded, words inside words)."""

from __future__ import annotations

import re

import pytest

from mentorapp.paging import Page
from tests.functional.listing_builders import CROYDON, make_listing
from tests.functional.test_directory_search import found, search
from tests.helpers import text

CAP = 20
HEADING_RE = re.compile(r'id="results-heading" class="results-count">([^<]*)</h2>')

# 36 places: "tape" in the name of some, in the description of others, in both, or in
# neither; "room" likewise, so a query of two words has rows with 0, 1 and 2 in the name.
FIRST = ["Tape", "Copper", "Room", "Zinc"]
SECOND = ["House", "Tape Room", "Works"]
DESCRIPTIONS = [
    "Analogue tape machines and a live room, where an apprentice learns alignment.",
    "École de son: a small room for mixing, taught in French and English.",
    "École de son with an analogue tape machine in a room with two booths.",
]


@pytest.fixture
def listings(app):
    for n in range(36):
        make_listing(
            app,
            f"{FIRST[n % 4]} {SECOND[n % 3]} {n:02d}",
            description=DESCRIPTIONS[(n // 4) % 3],
            place_id=CROYDON,
        )


@pytest.fixture
def capped(make_app, app):
    return make_app(DIRECTORY_SEARCH_CAP=CAP).test_client()


def heading(response) -> str:
    match = HEADING_RE.search(text(response))
    assert match, text(response)[:500]
    return match.group(1)


QUERIES = [
    {"q": "tape"},  # one word: in the name of some, the description of others
    {"q": "tape room"},  # two words: 0, 1 or 2 of them in the name
    {"q": "ape"},  # inside a word
    {"q": "ecole"},  # folded: École in the text
    {"q": "ÉCOLE room"},
    {"q": "a"},  # shorter than a trigram
    {"q": "tape room a an"},  # four words
    {"q": "tape", "sort": "name"},
    {},  # the whole directory, in name order
]


def test_the_search_has_more_than_the_cap_of_some_queries(app, listings, capped):
    full = app.test_client()
    for args in QUERIES:
        assert len(found(search(full, **args, page="2"))) > 0, args  # more than 12
        matching = _all(full, args)
        assert len(matching) > CAP, (args, len(matching))


@pytest.mark.parametrize("args", QUERIES)
def test_pages_within_the_cap_are_those_of_the_uncapped_search(app, listings, capped, args):
    full = app.test_client()
    for page in ("1", "2"):
        assert found(search(capped, **args, page=page)) == found(search(full, **args, page=page))


@pytest.mark.parametrize("args", QUERIES[:2])
def test_a_capped_count_says_more_than_and_pages_stop_at_the_cap(listings, capped, args):
    first = search(capped, **args)
    assert heading(first) == f"More than {CAP} places"
    body = text(first)
    assert "Page 1</span>" in body and "Page 1 of" not in body
    nxt = re.search(r'rel="next" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert "page=2" in nxt and "q=" in nxt
    second = capped.get(nxt)
    assert len(found(second)) == 12  # rows 13 to 24: the page the cap falls in, whole
    assert 'rel="next"' not in text(second)
    assert f"These are the first {CAP}. Add a word or a filter to see the others." in text(second)
    past = search(capped, **args, page="3")
    assert found(past) == []
    assert f"The list stops at {CAP} places. Add a word or a filter to see the others." in text(
        past
    )


def test_under_the_cap_the_count_is_exact_and_every_page_is_offered(listings, capped):
    response = search(capped, q="zinc")  # 9 of 36
    assert heading(response) == "9 places"
    assert len(found(response)) == 9
    one = search(capped, q="zinc works 11")
    assert heading(one) == "1 place" and found(one) == ["Zinc Works 11"]
    none = search(capped, q="nowhere at all")
    assert heading(none) == "0 places"
    assert "No place matches yet." in text(none)


def test_filters_and_a_place_still_apply_under_a_cap(app, listings, capped):
    every = _all(app.test_client(), {"q": "tape"})
    response = search(capped, q="tape", near="Croydon", within_km="10", sort="distance")
    # A search near a place measures every row in its box: the count stays exact.
    assert heading(response).startswith(f"{len(every)} places near Croydon")
    assert search(capped, q="tape", kind="music_school").status_code == 200
    assert heading(search(capped, q="tape", kind="music_school")) == "0 places"


def test_the_wording_of_a_count():
    assert Page([], 0, 1, 12).how_many("place", "places") == "0 places"
    assert Page([], 1, 1, 12).how_many("place", "places") == "1 place"
    assert Page([], 1000, 1, 12).how_many("place", "places") == "1,000 places"
    assert Page([], 1000, 1, 12, more=True).how_many("place", "places") == (
        "More than 1,000 places"
    )


def _all(client, args) -> list[str]:
    names, page = [], 1
    while batch := found(search(client, **args, page=str(page))):
        names += batch
        page += 1
    return names
