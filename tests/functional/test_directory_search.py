"""The public directory over HTTP: search by text, kind, specialty and what a place offers,
near a city or near oneself, sorted and paged; tampered parameters; only approved
listings anywhere public; a bounded number of queries; "near you" ranked by the engine;
the mentors who work at a place."""

from __future__ import annotations

import re

import pytest

from mentorapp.models import Listing, MentorProfile, Review
from tests.functional.listing_builders import (
    CROYDON,
    LONDON,
    MANCHESTER,
    PARIS,
    READING,
    VERSAILLES,
    admin,
    make_edit,
    make_listing,
    mentee_in,
    mentor_at,
    person,
    set_fields,
    signed_in,
)
from tests.helpers import text

NAME_RE = re.compile(r'<h3 class="listing-card__name"><a href="/directory/(\d+)">([^<]*)</a>')


def found(response) -> list[str]:
    """The names of the listings on a results page, in order."""
    assert response.status_code == 200, response.status_code
    return [name for _, name in NAME_RE.findall(text(response))]


def total(response) -> int:
    match = re.search(r'id="results-heading" class="results-count">(\d+) place', text(response))
    assert match, text(response)[:500]
    return int(match.group(1))


def search(client, **args):
    return client.get("/directory", query_string=args)


@pytest.fixture
def public(app):
    return app.test_client()


@pytest.fixture
def places(app):
    """A small directory across London, its surroundings and Paris."""
    make_listing(
        app,
        "Fox Lane Studios",
        place_id=LONDON,
        description="Two rooms in Hackney, a Neve desk, and an assistant post each year.",
        specialties=("mixing", "recording"),
        offers=("apprenticeship", "studio_visits"),
    )
    make_listing(
        app,
        "Abbey Rooms",
        place_id=CROYDON,
        description="Mastering and VINYL cutting for independent labels and artists.",
        specialties=("mastering",),
        offers=("jobs", "internship"),
    )
    make_listing(
        app,
        "Thames Audio Academy",
        kind="audio_engineering_school",
        place_id=READING,
        description="A one-year diploma in recording and live sound, evenings or days.",
        specialties=("recording", "live-sound"),
        offers=("courses",),
    )
    make_listing(
        app,
        "École du Son",
        kind="music_school",
        place_id=PARIS,
        description="Sound design and film audio taught by working engineers, in French.",
        specialties=("sound-design", "film-and-game-audio"),
        offers=("courses", "internship"),
    )
    make_listing(
        app,
        "Studio des Chantiers",
        place_id=VERSAILLES,
        description="A live room for orchestras and a small mixing suite near the palace.",
        specialties=("mixing", "orchestration"),
        offers=("studio_visits",),
    )
    make_listing(
        app,
        "Northern Quarter Sound",
        place_id=MANCHESTER,
        description="Beat making sessions and a producer residency for newcomers.",
        specialties=("beat-making",),
        offers=("apprenticeship",),
    )


ALL = {
    "Fox Lane Studios",
    "Abbey Rooms",
    "Thames Audio Academy",
    "École du Son",
    "Studio des Chantiers",
    "Northern Quarter Sound",
}


def test_specialty_slugs_used_here_exist(app):
    from mentorapp.extensions import db
    from mentorapp.profiles.services import specialties

    with app.app_context():
        slugs = {s.slug for s in specialties()}
        db.session.rollback()
    for slug in ("live-sound", "sound-design", "film-and-game-audio", "beat-making"):
        assert slug in slugs, sorted(slugs)


# --- Text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("fox", {"Fox Lane Studios"}),  # the name
        ("FOX LANE", {"Fox Lane Studios"}),
        ("vinyl", {"Abbey Rooms"}),  # the description, written in capitals there
        ("Neve desk", {"Fox Lane Studios"}),
        ("croydon", {"Abbey Rooms"}),  # the city
        ("PARIS", {"École du Son"}),
        ("Versailles mixing", {"Studio des Chantiers"}),  # every word must match somewhere
        ("fox paris", set()),
        ("nothing like this", set()),
        ("  ", ALL),
    ],
)
def test_text_search_looks_in_the_name_description_and_city(public, places, q, expected):
    response = search(public, q=q)
    assert set(found(response)) == expected
    assert total(response) == len(expected)
    if q.strip():
        assert f'value="{q.strip()}"' in text(response)  # the search box keeps it


def test_text_search_ignores_case_beyond_ascii(app, public, places):
    make_listing(app, "Zürich Tonstudio", description="Aufnahmen und ÜBUNGSRÄUME für Bands.")
    assert found(search(public, q="école")) == ["École du Son"]
    assert found(search(public, q="ÉCOLE DU")) == ["École du Son"]
    assert found(search(public, q="übungsräume zürich")) == ["Zürich Tonstudio"]
    assert found(search(public, q="école zürich")) == []


def test_accents_are_folded_both_ways(app, public, places):
    make_listing(app, "Estúdio Sao Paulo", description="Gravação e mixagem em São Paulo.")
    make_listing(app, "Sao Tome Sound", description="A plain description of a studio.")
    assert found(search(public, q="ecole")) == ["École du Son"]
    assert sorted(found(search(public, q="sao paulo"))) == ["Estúdio Sao Paulo"]
    assert sorted(found(search(public, q="São", sort="name"))) == [
        "Estúdio Sao Paulo",
        "Sao Tome Sound",
    ]
    assert found(search(public, q="gravacao")) == ["Estúdio Sao Paulo"]


def test_a_word_inside_a_word_and_a_short_word_are_found(app, public, places):
    make_listing(app, "DJ Booth Hire", description="Decks, a mixer and a room to practise in.")
    assert found(search(public, q="ooth")) == ["DJ Booth Hire"]  # inside a word
    assert found(search(public, q="dj")) == ["DJ Booth Hire"]  # shorter than a trigram
    assert found(search(public, q="dj practise")) == ["DJ Booth Hire"]
    assert found(search(public, q='"decks"')) == []  # quotes are text, not syntax
    assert found(search(public, q='booth" OR "fox')) == []


def test_an_edited_listing_is_found_by_its_new_words_only(app, public, places):
    listing = make_listing(app, "Quiet Room", description="A plain description of a studio.")
    set_fields(app, Listing, listing, name="Loud Room")
    assert found(search(public, q="loud")) == ["Loud Room"]
    assert found(search(public, q="quiet")) == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("100%", ["100% Analog"]),
        ("%", ["100% Analog"]),
        ("mix_room", ["Mix_Room"]),
        ("_", ["Mix_Room"]),
        ("\\", ["Back\\Slash Sound"]),
        ("100", ["1000 Analog", "100% Analog"]),
    ],
)
def test_percent_and_underscore_are_literal(app, public, q, expected):
    for name in ("100% Analog", "1000 Analog", "Mix_Room", "Mix Room", "Back\\Slash Sound"):
        make_listing(app, name, description="A plain description of a studio for tests.")
    assert sorted(found(search(public, q=q, sort="name"))) == sorted(expected)


# --- Filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "music_school"}, {"École du Son"}),
        ({"kind": "audio_engineering_school"}, {"Thames Audio Academy"}),
        ({"kind": "trade_school"}, set()),
        ({"specialty": "mixing"}, {"Fox Lane Studios", "Studio des Chantiers"}),
        ({"specialty": "recording"}, {"Fox Lane Studios", "Thames Audio Academy"}),
        ({"offer": "courses"}, {"Thames Audio Academy", "École du Son"}),
        ({"offer": "internship"}, {"Abbey Rooms", "École du Son"}),
        ({"offer": "courses", "kind": "music_school"}, {"École du Son"}),
        ({"specialty": "mixing", "offer": "studio_visits", "q": "hackney"}, {"Fox Lane Studios"}),
        ({"kind": "recording_studio", "specialty": "mastering"}, {"Abbey Rooms"}),
        ({"kind": "music_school", "specialty": "mixing"}, set()),
    ],
)
def test_filters_by_kind_specialty_and_offer(public, places, filters, expected):
    response = search(public, **filters)
    assert set(found(response)) == expected
    assert total(response) == len(expected)


# --- Distance ----------------------------------------------------------------------------


def test_near_a_typed_city_within_a_distance(public, places):
    response = search(public, near="Paris", within_km="25", sort="distance")
    assert found(response) == ["École du Son", "Studio des Chantiers"]
    body = text(response)
    assert "2 places near Paris, France" in body and "17 km away" in body
    wide = search(public, near="london", within_km="100", sort="distance")
    assert found(wide) == ["Fox Lane Studios", "Abbey Rooms", "Thames Audio Academy"]
    everywhere = search(public, near="London", sort="distance")
    assert found(everywhere)[0] == "Fox Lane Studios" and found(everywhere)[-1] == "École du Son"
    assert total(everywhere) == 6


def test_an_unknown_city_says_so_and_filters_nothing(public, places):
    response = search(public, near="Atlantisxyzzy", within_km="10")
    assert "No city by that name. Check the spelling." in text(response)
    assert set(found(response)) == ALL


def test_a_distance_without_a_place_is_ignored(public, places):
    assert set(found(search(public, within_km="10"))) == ALL


def test_near_me_for_a_signed_in_mentee_with_a_city(app, places):
    mentee_in(app, "priya@example.com", place_id=LONDON)
    priya = signed_in(app, "priya@example.com")
    assert 'name="near_me"' in text(priya.get("/directory"))
    response = search(priya, near_me="y", within_km="25", sort="distance")
    assert found(response) == ["Fox Lane Studios", "Abbey Rooms"]
    assert "2 places near you" in text(response)
    # "Near me" wins over a typed city.
    assert found(search(priya, near_me="y", near="Paris", within_km="25")) == [
        "Fox Lane Studios",
        "Abbey Rooms",
    ]


def test_near_me_is_ignored_when_logged_out_or_without_a_city(app, public, places):
    assert 'name="near_me"' not in text(public.get("/directory"))
    response = search(public, near_me="y", within_km="25")
    assert set(found(response)) == ALL and "places near you" not in text(response)
    person(app, "nocity@example.com")
    nocity = signed_in(app, "nocity@example.com")
    assert 'name="near_me"' not in text(nocity.get("/directory"))
    assert set(found(search(nocity, near_me="y", within_km="10"))) == ALL


# --- Sorting -----------------------------------------------------------------------------


def test_sort_by_name(public, places):
    names = found(search(public, sort="name"))
    assert names == sorted(names, key=str.lower)


def test_sort_by_distance_needs_a_place_and_is_nearest_first(public, places):
    names = found(search(public, near="Reading", sort="distance"))
    assert names[:3] == ["Thames Audio Academy", "Fox Lane Studios", "Abbey Rooms"]
    assert text(search(public, near="Reading")).count('class="listing-card__km"') == 6
    assert set(found(search(public, sort="distance"))) == ALL  # no place: still answers


def test_relevance_puts_a_match_in_the_name_first(app, public):
    make_listing(app, "Quiet Room", description="We are the best place for mastering in town.")
    make_listing(app, "Mastering House", description="A small room with good monitors in it.")
    make_listing(app, "Zebra Mastering", description="Another small room for final touches.")
    names = found(search(public, q="mastering"))
    assert names[-1] == "Quiet Room"
    assert set(names[:2]) == {"Mastering House", "Zebra Mastering"}
    assert found(search(public, q="mastering", sort="name")) == [
        "Mastering House",
        "Quiet Room",
        "Zebra Mastering",
    ]


# --- Paging ------------------------------------------------------------------------------


def test_results_page_twelve_at_a_time_keeping_the_filters(app, public):
    for n in range(30):
        make_listing(app, f"Place {n:02d}", kind="music_school" if n % 2 else "recording_studio")
    make_listing(app, "Hidden Place", state=Review.PENDING)
    first = search(public, sort="name")
    assert found(first) == [f"Place {n:02d}" for n in range(12)]
    assert total(first) == 30 and "Page 1 of 3" in text(first)
    assert "page=2" in text(first)
    third = search(public, sort="name", page="3")
    assert found(third) == [f"Place {n:02d}" for n in range(24, 30)]
    past = search(public, sort="name", page="4")
    assert found(past) == [] and total(past) == 30
    assert "This page is past the end of the list." in text(past)
    # The filters travel with the page links.
    schools = search(public, kind="music_school", sort="name")
    assert total(schools) == 15
    nxt = re.search(r'rel="next" href="([^"]+)"', text(schools)).group(1).replace("&amp;", "&")
    assert "kind=music_school" in nxt and "page=2" in nxt
    assert found(public.get(nxt)) == [f"Place {n:02d}" for n in range(1, 30, 2)][12:]


# --- Tampering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        {"kind": "castle"},
        {"specialty": "juggling"},
        {"offer": "free_money"},
        {"sort": "price"},
        {"within_km": "abc"},
        {"within_km": "-5", "near": "London"},
        {"within_km": "1e309", "near": "London"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"page": "2.5"},
        {"q": "x" * 10_000},
        {"q": "fox " * 3000},
        {"near": "L" * 10_000},
        {"near": "%_\\'\""},
        {"q": "'; DROP TABLE listings; --"},
        {"near": "\x00"},
        {"near_me": "maybe"},
    ],
)
def test_tampered_parameters_never_fail(public, places, args):
    response = search(public, **args)
    assert response.status_code == 200
    assert total(response) <= 6


def test_a_nul_character_in_the_query_is_a_bad_request_at_worst(public, places):
    # PostgreSQL cannot hold a NUL in text: its DataError is answered 400, never 500.
    assert search(public, q="\x00").status_code in (200, 400)


def test_tampered_choices_are_ignored_but_the_rest_applies(public, places):
    response = search(public, kind="castle", offer="courses")
    assert set(found(response)) == {"Thames Audio Academy", "École du Son"}
    response = search(public, within_km="abc", near="Paris", sort="distance")
    assert found(response)[:2] == ["École du Son", "Studio des Chantiers"]
    assert total(response) == 6


def test_a_very_long_query_is_refused_beside_the_box_and_searches_nothing_odd(public, places):
    response = search(public, q="x" * 10_000)
    body = text(response)
    assert 'id="q-error"' in body
    assert total(response) == 6


# --- Only the vetted ---------------------------------------------------------------------


HIDDEN = [
    {"state": Review.PENDING},
    {"state": Review.REJECTED},
    {"state": Review.CHANGES_REQUESTED},
    {"state": Review.APPROVED, "unpublished": True},
]


@pytest.mark.parametrize("hidden", HIDDEN)
def test_only_approved_listings_on_the_directory_appear_anywhere_public(app, public, hidden):
    sam = person(app, "sam@example.com")
    secret = make_listing(
        app,
        "Secret Fox Studio",
        submitted_by=sam,
        place_id=LONDON,
        specialties=("mixing",),
        offers=("apprenticeship",),
        **hidden,
    )
    make_listing(app, "Open Fox Studio", place_id=LONDON, specialties=("mixing",))
    mentor = mentor_at(app, "marcus@example.com", "Marcus Mentor", secret)
    mentee_in(app, "priya@example.com", place_id=LONDON, wants=("mixing",))
    priya = signed_in(app, "priya@example.com")
    for client in (public, priya):
        for args in (
            {},
            {"q": "fox"},
            {"q": "secret"},
            {"kind": "recording_studio"},
            {"specialty": "mixing"},
            {"offer": "apprenticeship"},
            {"near": "London", "within_km": "10", "sort": "distance"},
            {"sort": "name"},
        ):
            names = found(search(client, **args))
            assert "Secret Fox Studio" not in names, args
        assert client.get(f"/directory/{secret}").status_code == 404
        assert "Secret Fox Studio" not in text(client.get(f"/people/{mentor}"))
    near = text(priya.get("/directory/near"))
    assert "Open Fox Studio" in near and "Secret Fox Studio" not in near
    dashboard = text(priya.get("/dashboard"))
    assert "Open Fox Studio" in dashboard and "Secret Fox Studio" not in dashboard


def test_a_waiting_edit_is_nowhere_public(app, public):
    sam = person(app, "sam@example.com")
    listing = make_listing(app, "Fox Lane Studios", submitted_by=sam)
    make_edit(app, listing, sam, name="Renamed Secretly", description="A new text nobody approved.")
    assert found(search(public, q="secretly")) == []
    assert found(search(public, q="nobody approved")) == []
    assert found(search(public, q="fox")) == ["Fox Lane Studios"]
    page = text(public.get(f"/directory/{listing}"))
    assert "Renamed Secretly" not in page and "nobody approved" not in page


# --- Queries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"q": "studio", "kind": "recording_studio", "specialty": "mixing"},
        {"near": "London", "within_km": "250", "sort": "distance", "offer": "apprenticeship"},
        {"sort": "name", "page": "1", "q": "  "},
    ],
)
def test_the_search_page_runs_the_same_queries_for_5_or_30_listings(
    app, public, count_queries, args
):
    def queries_for(n: int) -> int:
        while len(created) < n:
            i = len(created)
            created.append(
                make_listing(
                    app,
                    f"Studio {i:02d}",
                    place_id=(LONDON, CROYDON, READING)[i % 3],
                    specialties=("mixing", "recording", "mastering")[: 1 + i % 3],
                )
            )
        public.get("/directory")  # warm caches (taxonomy, gazetteer)
        with count_queries() as statements:
            response = search(public, **args)
        assert response.status_code == 200
        return len(statements)

    created: list[int] = []
    few = queries_for(5)
    many = queries_for(30)
    assert few == many, (few, many)
    assert many <= 8


# --- Near you ----------------------------------------------------------------------------


def test_near_you_ranks_by_the_engine_with_reasons(app, places):
    mentee_in(app, "priya@example.com", place_id=LONDON, travel_km=100, wants=("mastering",))
    priya = signed_in(app, "priya@example.com")
    body = text(priya.get("/directory/near"))
    names = [name for _, name in NAME_RE.findall(body)]
    # Within 100 km of London; Abbey Rooms covers what she wants and is near.
    assert set(names) == {"Fox Lane Studios", "Abbey Rooms", "Thames Audio Academy"}
    assert names[0] == "Abbey Rooms"
    assert "Covers mastering" in body and "km from you" in body
    assert "Within 100 km" in body
    schools = text(priya.get("/directory/near?kind=audio_engineering_school"))
    assert [n for _, n in NAME_RE.findall(schools)] == ["Thames Audio Academy"]
    tampered = priya.get("/directory/near?kind=castle")
    assert tampered.status_code == 200
    assert len(NAME_RE.findall(text(tampered))) == 3


def test_near_you_needs_a_login_and_a_city(app, public, places):
    response = public.get("/directory/near")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    person(app, "nocity@example.com")
    body = text(signed_in(app, "nocity@example.com").get("/directory/near"))
    assert "Tell us your city first" in body and NAME_RE.findall(body) == []


def test_near_you_for_a_mentor_uses_their_city(app, places):
    mentor = mentor_at(app, "marcus@example.com", "Marcus Mentor", None)
    with app.app_context():
        from mentorapp.extensions import db
        from mentorapp.profiles.services import ensure_place

        ensure_place(PARIS)
        db.session.commit()
    set_fields(app, MentorProfile, mentor, place_id=PARIS, travel_km=30)
    body = text(signed_in(app, "marcus@example.com").get("/directory/near"))
    assert [n for _, n in NAME_RE.findall(body)][:2] == ["École du Son", "Studio des Chantiers"]
    assert "Fox Lane Studios" not in body


# --- Mentors at a place ------------------------------------------------------------------


def test_the_listing_page_shows_the_mentors_who_work_there(app, public):
    studio = make_listing(
        app,
        "Fox Lane Studios",
        website="https://foxlane.example.org",
        contact_email="hello@foxlane.example.org",
    )
    other = make_listing(app, "Abbey Rooms")
    marcus = mentor_at(app, "marcus@example.com", "Marcus Mentor", studio)
    mentor_at(app, "zoe@example.com", "Zoe Engineer", studio)
    mentor_at(app, "gone@example.com", "Gone Mentor", studio, suspended_at=_now())
    mentor_at(app, "elsewhere@example.com", "Elsewhere Mentor", other)
    admin(app)
    body = text(public.get(f"/directory/{studio}"))
    assert "Mentors who work here" in body
    assert body.index("Marcus Mentor") < body.index("Zoe Engineer")
    assert f'href="/people/{marcus}"' in body and "Marcus Mentor mixes records" in body
    assert "Gone Mentor" not in body and "Elsewhere Mentor" not in body
    assert 'href="https://foxlane.example.org"' in body
    assert 'href="mailto:hello@foxlane.example.org"' in body
    assert "Mentors who work here" not in text(public.get(f"/directory/{make_listing(app)}"))


def _now():
    from mentorapp.models.types import utcnow

    return utcnow()


def test_a_search_near_the_antimeridian_finds_places_on_the_other_side(app):
    """Suva (178.4° E) lies about 200 km from a boat at 179.5° W: the box around the
    boat wraps round the date line."""
    from mentorapp.directory import search

    suva = make_listing(app, "Suva Harbour Sound", place_id=2198148)
    with app.app_context():
        boat = search.Query(near=(-18.14, -179.5), within_km=250, sort="distance")
        [found] = search.search(boat).items
        assert found.listing.id == suva and 150 < found.km < 250
        assert search.search(search.Query(near=(-18.14, -179.5), within_km=100)).items == []
