"""The public Mentors page: full-text search, filters, sorting, pages, who is shown."""

import re

import pytest

from mentorapp.extensions import db
from mentorapp.models import Archetype, MentorProfile, Place, Specialty, User
from mentorapp.profiles.services import ensure_place
from tests.factories import make_user
from tests.helpers import text

SAO_PAULO = 3448439
LONDON = 2643743
PARIS = 2988507
# Either side of 180°: Fiji's Suva and Labasa (east), Tonga's Nuku'alofa (west).
SUVA = 2198148
LABASA = 2204582
NUKUALOFA = 4032402
HAMILTON_NZ = 2190324


def names(body: str) -> list[str]:
    return re.findall(
        r'class="suggestion__name mentor-card__name"><a href="/people/\d+">([^<]+)</a>', body
    )


@pytest.fixture
def mentor(app):
    """mentor(name, **profile fields): a vetted mentor, unless vetting= says otherwise."""

    def create(
        name,
        vetting="approved",
        suspended=False,
        archetypes=(),
        specialties=(),
        place=None,
        **fields,
    ):
        with app.app_context():
            user = make_user(display_name=name, is_mentor=True, is_mentee=False, vetting=vetting)
            profile = MentorProfile(user=user, **fields)
            db.session.add(profile)
            if place:
                profile.place = ensure_place(place)
            profile.archetypes = [
                db.session.query(Archetype).filter_by(slug=s).one() for s in archetypes
            ]
            profile.specialties = [
                db.session.query(Specialty).filter_by(slug=s).one() for s in specialties
            ]
            if suspended:
                from mentorapp.models.types import utcnow

                user.suspended_at = utcnow()
            db.session.add(profile)
            db.session.commit()
            return user.id

    return create


def test_accents_are_folded_both_ways(client, mentor):
    mentor("Joana", headline="Beats from São Paulo")
    mentor("Zoé Martin", headline="Mixing")
    assert names(text(client.get("/mentors?q=Sao+Paulo"))) == ["Joana"]
    assert names(text(client.get("/mentors?q=zoe"))) == ["Zoé Martin"]
    assert names(text(client.get("/mentors?q=SÃO"))) == ["Joana"]


def test_the_city_and_credits_are_searched_and_a_name_ranks_first(client, mentor):
    mentor("Ana Reyes", credits="Mixed the Lisbon sessions", place=SAO_PAULO)
    mentor("Lisbon Jones", headline="Producer")
    mentor("Other", headline="Nothing in common")
    assert names(text(client.get("/mentors?q=lisbon"))) == ["Lisbon Jones", "Ana Reyes"]
    assert names(text(client.get("/mentors?q=paulo"))) == ["Ana Reyes"]


def test_an_edit_is_found_without_anyone_reindexing(app, client, mentor):
    person = mentor("Kim", headline="Drums")
    assert names(text(client.get("/mentors?q=vocals"))) == []
    with app.app_context():
        db.session.get(MentorProfile, person).bio = "Vocals and harmonies"
        db.session.get(User, person).display_name = "Kimberly"
        db.session.commit()
    assert names(text(client.get("/mentors?q=vocals"))) == ["Kimberly"]
    assert names(text(client.get("/mentors?q=kim"))) == ["Kimberly"]


def test_only_vetted_active_mentors_are_shown(app, client, mentor):
    mentor("Vetted One")
    mentor("Waiting One", vetting="pending")
    mentor("Draft One", vetting="draft")
    mentor("Suspended One", suspended=True)
    gone = mentor("Deleted One")
    with app.app_context():
        db.session.delete(db.session.get(User, gone))
        db.session.commit()
    assert names(text(client.get("/mentors"))) == ["Vetted One"]
    assert names(text(client.get("/mentors?q=one"))) == ["Vetted One"]


def test_every_filter_narrows_the_list(client, mentor):
    mentor(
        "Eng",
        archetypes=["engineer"],
        specialties=["mixing"],
        genres=["jazz"],
        tools=["reaper"],
        place=LONDON,
        works_remotely=True,
        availability=1,
        capacity=2,
        apprentice_count=0,
    )
    mentor(
        "Art",
        archetypes=["artist_producer"],
        specialties=["mastering"],
        genres=["techno"],
        tools=["ableton-live"],
        place=PARIS,
        works_remotely=False,
        availability=2,
        capacity=1,
        apprentice_count=1,
    )
    mentor("Paused", accepting=False, place=PARIS)
    assert names(text(client.get("/mentors?archetype=engineer"))) == ["Eng"]
    assert names(text(client.get("/mentors?specialty=mastering"))) == ["Art"]
    assert names(text(client.get("/mentors?genre=techno"))) == ["Art"]
    assert names(text(client.get("/mentors?tool=reaper"))) == ["Eng"]
    assert names(text(client.get("/mentors?remote=y"))) == ["Eng"]
    assert names(text(client.get("/mentors?taking=y"))) == ["Eng"]
    assert names(text(client.get("/mentors?free=weekday_afternoon"))) == ["Art"]
    body = text(client.get("/mentors?near=London%2C+United+Kingdom&within_km=50"))
    assert names(body) == ["Eng"], body[:3000]
    body = text(client.get("/mentors?near_id=2988507&sort=distance"))
    assert names(body)[:2] in (["Art", "Paused"], ["Paused", "Art"]) and names(body)[2] == "Eng"
    assert "Full — join the waiting list" in body and "not taking apprentices right now" in body


def test_distance_goes_the_short_way_across_the_antimeridian(app, client, mentor):
    with app.app_context():
        # Taveuni lies across 180°: Waiyevo is at 179.98°W, 80 km from Labasa at 179.36°E.
        # No gazetteer city is that close across the line, so the place is stored by hand.
        db.session.add(
            Place(
                id=99_000_001,
                name="Waiyevo",
                country_code="FJ",
                country="Fiji",
                latitude=-16.79,
                longitude=-179.98,
            )
        )
        db.session.commit()
    mentor("Taveuni Tui", place_id=99_000_001)
    mentor("Suva Sefa", place=SUVA)  # 214 km from Labasa, on the same side
    mentor("Tonga Tevita", place=NUKUALOFA)  # 746 km from Suva, across 180°
    mentor("Hamilton Hine", place=HAMILTON_NZ)  # 2,200 km from Suva, on the same side
    body = text(client.get(f"/mentors?near_id={LABASA}&within_km=100"))
    assert names(body) == ["Taveuni Tui"], body[:3000]
    body = text(client.get(f"/mentors?near_id={LABASA}&within_km=250"))
    assert sorted(names(body)) == ["Suva Sefa", "Taveuni Tui"]
    body = text(client.get(f"/mentors?near_id={SUVA}&sort=distance"))
    assert names(body) == ["Suva Sefa", "Taveuni Tui", "Tonga Tevita", "Hamilton Hine"]


def test_sorting_by_newest_and_by_apprentices_taught(client, mentor):
    mentor("First", capacity=3, apprentice_count=2)
    mentor("Second", capacity=3, apprentice_count=0)
    assert names(text(client.get("/mentors?sort=newest"))) == ["Second", "First"]
    assert names(text(client.get("/mentors?sort=taught"))) == ["First", "Second"]


def test_pages_of_twelve(client, mentor):
    for n in range(14):
        mentor(f"Mentor {n:02}", headline="Mixing")
    first = text(client.get("/mentors?q=mixing&free=weekday_morning&free=weekend_evening"))
    assert "14 mentors" in first or "0 mentors" in first
    first = text(client.get("/mentors?q=mixing"))
    assert len(names(first)) == 12 and "Page 1 of 2" in first
    second = text(client.get("/mentors?q=mixing&page=2"))
    assert len(names(second)) == 2
    assert not set(names(first)) & set(names(second))


def test_bad_input_is_named_next_to_its_field(client, mentor):
    mentor("Someone")
    response = client.get("/mentors?genre=polka&near=Qqqqzz&sort=sideways&q=keep+this")
    body = text(response)
    assert response.status_code == 422
    assert 'id="genre-error"' in body and "Choose a genre from the list." in body
    assert 'id="near-error"' in body and "No city by that name" in body
    assert "Choose an order from the list." in body
    assert 'value="keep this"' in body and names(body) == []
    body = text(client.get("/mentors?within_km=50"))
    assert "Choose a city to measure from." in body


def test_same_named_cities_are_offered_not_guessed(client, mentor):
    mentor("Someone")
    body = text(client.get("/mentors?near=Portland"))
    assert "Several cities are called Portland" in body
    assert body.count('name="near_id"') >= 2


def test_visitors_see_no_contact_details(app, client, mentor):
    person = mentor("Visible", headline="Mixing")
    with app.app_context():
        email = db.session.get(User, person).email
    for url in ("/mentors", "/mentors?q=mixing", f"/people/{person}"):
        body = text(client.get(url))
        assert email not in body and "@example.com" not in body


def test_a_visitor_signs_up_from_a_mentor_page_and_comes_back(client, mentor):
    from tests.conftest import post_form
    from tests.factories import born_years_ago

    person = mentor("Marta", headline="Mixing")
    page = text(client.get(f"/people/{person}"))
    assert "Sign up to ask Marta" in page
    link = re.search(r'href="(/signup\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = text(client.get(link))
    action = re.search(r'<form method="post" action="([^"]+)"', form).group(1).replace("&amp;", "&")
    response = post_form(
        client,
        action,
        {
            "role": "mentee",
            "display_name": "Newcomer",
            "email": "new@example.com",
            "password": "a long enough passphrase",
            "date_of_birth": born_years_ago(25).isoformat(),
            "accept_conduct": "y",
        },
        page=link,
    )
    assert response.status_code == 302, text(response)[:2000]
    assert response.headers["Location"] == f"/people/{person}"


def test_an_outside_next_is_ignored_after_sign_up(client):
    from tests.conftest import post_form
    from tests.factories import born_years_ago

    response = post_form(
        client,
        "/signup?next=//evil.example/x",
        {
            "role": "mentee",
            "display_name": "Newcomer",
            "email": "new2@example.com",
            "password": "a long enough passphrase",
            "date_of_birth": born_years_ago(25).isoformat(),
            "accept_conduct": "y",
        },
        page="/signup",
    )
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_suggestions_gain_genre_free_times_and_taking_now_filters(client, auth, users):
    from tests.functional.test_profiles import MENTEE_SECTIONS, edit_url
    from tests.functional.test_suggestions import build_mentor, names_in_order

    build_mentor(client, auth, users, "soul@example.com")
    build_mentor(
        client,
        auth,
        users,
        "jazz@example.com",
        craft={"genres": ["jazz"]},
        week={"availability": ["weekend_evening"], "capacity": "2", "accepting": "y"},
    )
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    from tests.conftest import post_form

    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    assert sorted(names_in_order(text(client.get("/suggestions")))) == ["Jazz", "Soul"]
    assert names_in_order(text(client.get("/suggestions?genre=jazz"))) == ["Jazz"]
    assert names_in_order(text(client.get("/suggestions?free=weekend_evening"))) == ["Jazz"]
    body = text(client.get("/suggestions?taking=y"))
    assert sorted(names_in_order(body)) == ["Jazz", "Soul"]
    assert 'name="taking"' in body and 'name="free"' in body


# Past MENTOR_SEARCH_CAP mentors the page ranks and counts no further: "more than".


def test_past_the_cap_the_count_says_more_than_and_no_page_goes_past_it(app, client, mentor):
    app.config["MENTOR_SEARCH_CAP"] = 13
    for n in range(15):
        mentor(f"Mentor {n:02}", headline="Mixing")
    for url in (
        "/mentors?q=mix",
        "/mentors?",
        "/mentors?q=mixing&sort=newest&",
        "/mentors?sort=taught",
    ):
        join = "" if url.endswith(("?", "&")) else "&"
        first = text(client.get(url))
        assert "More than 13 mentors" in first, url
        assert "The pages go as far as the first 13" in first
        # A capped count has no last page to name.
        assert len(names(first)) == 12 and "Page 1<" in first and "Page 1 of" not in first
        second = text(client.get(f"{url}{join}page=2"))
        assert len(names(second)) == 1 and 'rel="next"' not in second, url
        assert set(names(first)).isdisjoint(names(second))
        third = text(client.get(f"{url}{join}page=3"))
        assert names(third) == [] and "past the end of the list" in third
    app.config["MENTOR_SEARCH_CAP"] = 15
    body = text(client.get("/mentors?q=mix"))
    assert "15 mentors" in body and "More than" not in body


def test_filters_stay_exact_when_the_newest_matches_miss_them(app, client, mentor):
    # A cap of 2: the walk down the index (newest first) stops at 3 kept, and passes
    # 31 techno mentors before it reaches the two jazz ones.
    app.config["MENTOR_SEARCH_CAP"] = 2
    mentor("Old Jazz", headline="Mixing", genres=["jazz"], accepting=False)
    mentor("Old Jazz Two", headline="Mixing", genres=["jazz"])
    for n in range(31):
        mentor(f"New {n:02}", headline="Mixing", genres=["techno"])
    for url in ("/mentors?q=mixing&genre=jazz", "/mentors?genre=jazz"):
        body = text(client.get(url))
        assert sorted(names(body)) == ["Old Jazz", "Old Jazz Two"], url
        assert "2 mentors" in body and "More than" not in body
    body = text(client.get("/mentors?q=mixing&genre=jazz&taking=y"))
    assert names(body) == ["Old Jazz Two"] and "1 mentor" in body
    body = text(client.get("/mentors?q=mixing&genre=techno"))
    assert "More than 2 mentors" in body and len(names(body)) == 2
    assert set(names(body)) <= {f"New {n:02}" for n in range(31)}


def test_fixed_results_on_either_database(app, client, mentor):
    """The same answers on SQLite and PostgreSQL (this runs on both): accents folded,
    words as prefixes, a name above bios, also when newer bios outnumber the bound."""
    mentor("Lisbon Jones", headline="Producer")
    mentor("Zoé Martin", headline="Tape loops from São Tomé")
    mentor("Ana Costa", bio="Sessions in Lisbon and Porto")
    mentor("Kim Osei", credits="Mastered the Lisbon strings, recorded Lisbon choirs")
    assert names(text(client.get("/mentors?q=lisb"))) == ["Lisbon Jones", "Kim Osei", "Ana Costa"]
    assert names(text(client.get("/mentors?q=sao+tome"))) == ["Zoé Martin"]
    assert names(text(client.get("/mentors?q=ZOE"))) == ["Zoé Martin"]
    assert names(text(client.get("/mentors?q=lisbon+por"))) == ["Ana Costa"]
    assert names(text(client.get("/mentors?q=t"))) == ["Zoé Martin", "Kim Osei"]
    # A cap of 2: the index hands over the 3 newest matches, none of them Lisbon Jones,
    # and the mentors named by the word besides.
    for name in ("Ravi Das", "Mei Wu"):
        mentor(name, bio="Long sessions of jazz and soul records, once in Lisbon")
    app.config["MENTOR_SEARCH_CAP"] = 2
    body = text(client.get("/mentors?q=lisbon"))
    assert "More than 2 mentors" in body
    assert names(body) == ["Lisbon Jones", "Kim Osei"]


# PostgreSQL finds a common word by walking the rows newest first, a rarer one through
# the GIN index over a window of the newest rows, then the older rest: the same page.
WAYS = {
    "walk": {"MENTOR_SEARCH_WALK_SHARE": 0.0},
    "window": {"MENTOR_SEARCH_WALK_SHARE": 2.0},
    "window, then the older rest": {"MENTOR_SEARCH_WALK_SHARE": 2.0, "MENTOR_SEARCH_WINDOW": 1e-6},
    "every match": {"MENTOR_SEARCH_WALK_SHARE": 2.0, "MENTOR_SEARCH_WINDOW": 1e6},
}


def test_each_way_to_the_newest_matches_gives_the_same_page(app, client, mentor):
    app.config["MENTOR_SEARCH_CAP"] = 4
    mentor("Lisbon Old", headline="Producer", genres=["jazz"])
    for n in range(12):
        mentor(f"Tape {n:02}", bio="Tape loops and jazz" if n % 3 else "Soul", genres=["jazz"])
        mentor(f"Lisbon {n:02}" if n % 5 == 0 else f"Other {n:02}", bio=f"Lisbon take {n}")
    mentor("Newest", bio="Jazz tape in Lisbon", genres=["techno"])
    urls = [
        "/mentors?q=lisbon",
        "/mentors?q=lisb+jazz",
        "/mentors?q=take+lisbon",
        "/mentors?q=tape",
        "/mentors?q=tape&genre=jazz",
        "/mentors?q=lisbon&genre=jazz",
        "/mentors?q=soul&taking=y",
        "/mentors?q=tape&page=2",
    ]
    seen: dict[str, dict[str, tuple]] = {}
    for way, settings in WAYS.items():
        app.config.update(settings)
        for url in urls:
            body = text(client.get(url))
            shown = re.search(r"(More than )?\d+ mentors?\b", body)
            seen.setdefault(url, {})[way] = (tuple(names(body)), shown and shown.group(0))
    for url, pages in seen.items():
        assert len(set(pages.values())) == 1, (url, pages)
    named = {"Lisbon Old", "Lisbon 00", "Lisbon 05", "Lisbon 10"}
    assert set(seen["/mentors?q=lisbon"]["walk"][0]) == named
    # Two words, one in the name: the names first, then the newest bios.
    assert seen["/mentors?q=take+lisbon"]["walk"][0][:3] in {
        ("Lisbon 10", "Lisbon 05", "Lisbon 00"),
        ("Lisbon 00", "Lisbon 05", "Lisbon 10"),
    }
    assert seen["/mentors?q=tape"]["walk"][1] == "More than 4 mentors"
    assert seen["/mentors?q=lisbon&genre=jazz"]["walk"] == (("Lisbon Old",), "1 mentor")


def test_a_mentor_suspended_or_no_longer_a_mentor_leaves_the_list_at_once(app, client, mentor):
    from mentorapp.models.types import utcnow

    person = mentor("Kim", headline="Drums")
    mentor("Other", headline="Drums")
    with app.app_context():
        db.session.get(User, person).suspended_at = utcnow()
        db.session.commit()
    assert names(text(client.get("/mentors?q=drums"))) == ["Other"]
    assert names(text(client.get("/mentors"))) == ["Other"]
    with app.app_context():
        db.session.get(User, person).suspended_at = None
        db.session.commit()
    assert sorted(names(text(client.get("/mentors?q=drums")))) == ["Kim", "Other"]
    with app.app_context():
        db.session.get(User, person).is_mentor = False
        db.session.commit()
    assert names(text(client.get("/mentors?sort=newest"))) == ["Other"]
