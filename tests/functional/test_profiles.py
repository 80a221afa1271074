import pytest
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import MenteeProfile, MentorProfile, Place, User
from tests.conftest import post_form
from tests.helpers import text

LONDON = 2643743
PARIS = 2988507


@pytest.fixture
def mentee(users, auth):
    user_id = users(email="priya@example.com", display_name="Priya Raman", is_mentee=True)
    auth.login("priya@example.com")
    return user_id


@pytest.fixture
def mentor(users, auth):
    user_id = users(
        email="marcus@example.com", display_name="Marcus Lindqvist", is_mentor=True, is_mentee=False
    )
    auth.login("marcus@example.com")
    return user_id


def edit_url(user_id, role, section, onboarding=False):
    url = f"/people/{user_id}/edit/{role}/{section}"
    return url + "?onboarding=1" if onboarding else url


def load(app, model, user_id):
    with app.app_context():
        profile = db.session.get(model, user_id)
        if profile is not None:
            # Touch what tests read, then detach.
            for name in ("archetypes", "specialties", "aspirations", "wants", "place"):
                value = getattr(profile, name, None)
                if isinstance(value, list):
                    for item in value:
                        getattr(item, "archetype", None)
                        getattr(item, "specialty", None)
            db.session.expunge_all()
        return profile


MENTOR_SECTIONS = {
    "about": {
        "headline": "Mixing engineer for soul records",
        "bio": "Twenty years at the desk.",
        "years_producing": "20",
        "portfolio_links": "https://example.com/mixes\nhttp://example.org/reel",
    },
    "credits": {
        "rows-0-title": "Night Ferry",
        "rows-0-artist": "Harbour",
        "rows-0-role": "mixing engineer",
        "rows-0-year": "2024",
        "rows-0-link": "",
    },
    "craft": {
        "archetypes": ["engineer", "mentor_producer"],
        "specialties": ["mixing", "recording"],
        "genres": ["soul-funk", "rnb"],
    },
    "place": {
        "place_query": "London, United Kingdom",
        "place_id": str(LONDON),
        "works_in_person": "y",
        "travel_km": "40",
    },
    "week": {
        "availability": ["weekday_evening", "weekend_morning"],
        "capacity": "3",
        "accepting": "y",
    },
    "terms": {"terms": "free", "terms_rate": "", "typical_week": "Two evenings at the desk."},
}
MENTEE_SECTIONS = {
    "about": {"about": "Bedroom producer.", "goals": "Learn to mix properly."},
    "craft": {
        "aspiration_1": "engineer",
        "aspiration_2": "",
        "aspiration_3": "",
        "want_1": "mixing",
        "want_2": "mastering",
        "want_3": "",
        "want_4": "",
        "want_5": "",
        "genres": ["soul-funk"],
        "experience": "starting_out",
        "path": "apprenticeship",
    },
    "place": {
        "place_query": "London, United Kingdom",
        "place_id": str(LONDON),
        "travel_km": "25",
        "remote_ok": "y",
    },
    "week": {"availability": ["weekday_evening"]},
}


def test_a_new_mentee_is_walked_through_every_section_then_sees_the_profile(app, client, mentee):
    response = client.get("/onboarding")
    assert response.headers["Location"] == edit_url(mentee, "mentee", "about", True)
    sections = ["about", "craft", "place", "week"]
    for section, following in zip(sections, [*sections[1:], None], strict=True):
        page = text(client.get(edit_url(mentee, "mentee", section, True)))
        assert "Save and continue" in page
        response = post_form(
            client, edit_url(mentee, "mentee", section, True), MENTEE_SECTIONS[section]
        )
        assert response.status_code == 302, text(response)[:2000]
        expected = (
            edit_url(mentee, "mentee", following, True) if following else (f"/people/{mentee}")
        )
        assert response.headers["Location"] == expected
    assert client.get("/onboarding").headers["Location"] == f"/people/{mentee}"
    page = text(client.get(f"/people/{mentee}"))
    assert "Apprentice profile complete: <strong>100%</strong>" in page
    assert "Your profile is ready" in page
    profile = load(app, MenteeProfile, mentee)
    assert [a.archetype.slug for a in profile.aspirations] == ["engineer"]
    assert [w.specialty.slug for w in profile.wants] == ["mixing", "mastering"]
    assert profile.place_id == LONDON and profile.travel_km == 25 and profile.remote_ok
    assert profile.availability and profile.experience == "starting_out"


def test_a_mentor_builds_a_complete_profile(app, client, mentor):
    for section, data in MENTOR_SECTIONS.items():
        response = post_form(client, edit_url(mentor, "mentor", section), data)
        assert response.status_code == 302, text(response)[:2000]
    profile = load(app, MentorProfile, mentor)
    assert sorted(a.slug for a in profile.archetypes) == ["engineer", "mentor_producer"]
    assert sorted(s.slug for s in profile.specialties) == ["mixing", "recording"]
    assert profile.portfolio_links == ["https://example.com/mixes", "http://example.org/reel"]
    assert profile.capacity == 3 and profile.accepting and profile.years_producing == 20
    page = text(client.get(f"/people/{mentor}"))
    assert "Mixing engineer for soul records" in page and "London, United Kingdom" in page
    assert "marcus@example.com" not in page.split("<main")[1]
    assert "/onboarding" not in page  # nothing left to fill in


def test_onboarding_moves_on_past_optional_gaps(app, client, mentee):
    response = post_form(
        client,
        edit_url(mentee, "mentee", "craft", True),
        {**MENTEE_SECTIONS["craft"], "genres": []},
    )
    assert response.headers["Location"] == edit_url(mentee, "mentee", "place", True)
    # Coming back later, onboarding starts from the first gap.
    assert client.get("/onboarding").headers["Location"] == edit_url(
        mentee, "mentee", "about", True
    )


def test_a_mentee_who_also_teaches_is_walked_on_to_the_mentor_profile(app, client, users, auth):
    person = users(email="both@example.com", is_mentee=True, is_mentor=True)
    auth.login("both@example.com")
    for section, data in MENTEE_SECTIONS.items():
        response = post_form(client, edit_url(person, "mentee", section, True), data)
    assert response.headers["Location"] == "/onboarding"
    assert client.get("/onboarding").headers["Location"] == edit_url(
        person, "mentor", "about", True
    )


def test_reading_an_edit_page_saves_nothing(app, client, mentee):
    client.get(edit_url(mentee, "mentee", "about"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MenteeProfile)) == 0


MENTOR_BAD = [
    ("about", {"headline": ""}, "headline", "Write a one-line headline"),
    ("about", {"headline": "x" * 121}, "headline", "under 120"),
    ("about", {"bio": ""}, "bio", "Tell apprentices"),
    ("about", {"bio": "x" * 10_000}, "bio", "under 4,000"),
    ("about", {"years_producing": "-1"}, "years_producing", "from 0 to 80"),
    ("about", {"years_producing": "81"}, "years_producing", "from 0 to 80"),
    ("about", {"years_producing": "lots"}, "years_producing", "Not a valid integer"),
    ("about", {"portfolio_links": "javascript:alert(1)"}, "portfolio_links", "Link 1"),
    ("about", {"portfolio_links": "ftp://example.com/x"}, "portfolio_links", "Link 1"),
    ("about", {"portfolio_links": "https://a.example\nnot a link"}, "portfolio_links", "Link 2"),
    (
        "about",
        {"portfolio_links": "\n".join(f"https://e{n}.example" for n in range(6))},
        "portfolio_links",
        "at most 5",
    ),
    ("craft", {"archetypes": []}, "archetypes", "at least one kind"),
    ("craft", {"archetypes": ["wizard"]}, "archetypes", "not a valid choice"),
    ("craft", {"specialties": []}, "specialties", "at least one thing"),
    (
        "craft",
        {
            "specialties": [
                s
                for s in [
                    "recording",
                    "mixing",
                    "mastering",
                    "editing",
                    "sound-design",
                    "beat-making",
                    "songwriting",
                    "arrangement",
                    "synthesis",
                ]
            ]
        },
        "specialties",
        "at most 8",
    ),
    ("craft", {"genres": ["polka-metal"]}, "genres", "not a valid choice"),
    ("place", {"travel_km": "-1"}, "travel_km", "from 0 to 500"),
    ("place", {"travel_km": "501"}, "travel_km", "from 0 to 500"),
    ("place", {"travel_km": ""}, "travel_km", "how far"),
    ("place", {"works_in_person": ""}, "works_remotely", "in person, remotely, or both"),
    ("week", {"availability": []}, "availability", "at least one time"),
    ("week", {"capacity": "0"}, "capacity", "from 1 to 20"),
    ("week", {"capacity": "21"}, "capacity", "from 1 to 20"),
    ("week", {"capacity": "two"}, "capacity", "Not a valid integer"),
]


@pytest.mark.parametrize(("section", "change", "field", "message"), MENTOR_BAD)
def test_bad_mentor_input_is_refused_next_to_the_field_and_nothing_is_saved(
    app, client, mentor, section, change, field, message
):
    data = {**MENTOR_SECTIONS[section], **change}
    response = post_form(client, edit_url(mentor, "mentor", section), data)
    assert response.status_code == 422
    body = text(response)
    assert f'id="{field}-error"' in body, body[:3000]
    assert message in body[body.index(f'id="{field}-error"') :][:400]
    assert load(app, MentorProfile, mentor) is None
    for value in data.values():
        if isinstance(value, str) and value and len(value) < 200 and "\n" not in value:
            assert value in body  # what was typed is kept


MENTEE_BAD = [
    ("about", {"about": ""}, "about", "Tell mentors"),
    ("about", {"goals": ""}, "goals", "hope to get"),
    ("craft", {"aspiration_1": ""}, "aspiration_1", "most want to become"),
    ("craft", {"aspiration_2": "engineer"}, "aspiration_2", "already chose"),
    ("craft", {"want_1": ""}, "want_1", "at least one thing"),
    ("craft", {"want_3": "mixing"}, "want_3", "already chose"),
    ("craft", {"want_2": "knitting"}, "want_2", "Not a valid choice"),
    ("craft", {"experience": "guru"}, "experience", "Not a valid choice"),
    ("craft", {"path": ""}, "path", "Choose the path"),
    ("place", {"travel_km": "9999"}, "travel_km", "from 0 to 500"),
    ("week", {"availability": ["someday"]}, "availability", "not a valid choice"),
]


@pytest.mark.parametrize(("section", "change", "field", "message"), MENTEE_BAD)
def test_bad_mentee_input_is_refused_next_to_the_field_and_nothing_is_saved(
    app, client, mentee, section, change, field, message
):
    response = post_form(
        client, edit_url(mentee, "mentee", section), {**MENTEE_SECTIONS[section], **change}
    )
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:400]
    assert load(app, MenteeProfile, mentee) is None


def test_a_failed_save_keeps_the_profile_as_it_was(app, client, mentee):
    post_form(client, edit_url(mentee, "mentee", "craft"), MENTEE_SECTIONS["craft"])
    post_form(
        client,
        edit_url(mentee, "mentee", "craft"),
        {**MENTEE_SECTIONS["craft"], "want_1": "songwriting", "want_2": "songwriting"},
    )
    profile = load(app, MenteeProfile, mentee)
    assert [w.specialty.slug for w in profile.wants] == ["mixing", "mastering"]


def test_editing_ranked_choices_reorders_them(app, client, mentee):
    post_form(client, edit_url(mentee, "mentee", "craft"), MENTEE_SECTIONS["craft"])
    post_form(
        client,
        edit_url(mentee, "mentee", "craft"),
        {
            **MENTEE_SECTIONS["craft"],
            "want_1": "mastering",
            "want_2": "mixing",
            "aspiration_1": "phenom",
            "aspiration_2": "engineer",
        },
    )
    profile = load(app, MenteeProfile, mentee)
    assert [w.specialty.slug for w in profile.wants] == ["mastering", "mixing"]
    assert [a.archetype.slug for a in profile.aspirations] == ["phenom", "engineer"]


# Choosing a city without a script


def test_find_city_lists_the_matches_most_populous_first(client, mentee):
    response = post_form(
        client,
        edit_url(mentee, "mentee", "place"),
        {"place_query": "Paris", "travel_km": "25", "action": "find"},
    )
    body = text(response)
    assert response.status_code == 200
    assert "Which one do you mean?" in body
    assert body.index("Paris, France") < body.index("Paris, Texas")
    assert 'value="Paris"' in body


def test_choosing_from_the_list_saves_the_city(app, client, mentee):
    response = post_form(
        client,
        edit_url(mentee, "mentee", "place"),
        {"place_query": "Paris", "place_choice": str(PARIS), "travel_km": "10"},
    )
    assert response.status_code == 302
    assert load(app, MenteeProfile, mentee).place_id == PARIS
    with app.app_context():
        place = db.session.get(Place, PARIS)
        assert (place.name, place.country) == ("Paris", "France")
        assert place.latitude == pytest.approx(48.85, abs=0.1)


def test_saving_a_typed_name_without_choosing_asks_to_choose(app, client, mentee):
    response = post_form(
        client, edit_url(mentee, "mentee", "place"), {"place_query": "Paris", "travel_km": "10"}
    )
    assert response.status_code == 422
    body = text(response)
    assert "Choose your city from the list." in body and "Paris, France" in body
    assert load(app, MenteeProfile, mentee) is None


def test_a_stale_city_id_does_not_override_what_was_typed(app, client, mentee):
    response = post_form(
        client,
        edit_url(mentee, "mentee", "place"),
        {"place_query": "Paris", "place_id": str(LONDON), "travel_km": "10"},
    )
    assert response.status_code == 422
    assert load(app, MenteeProfile, mentee) is None


@pytest.mark.parametrize("choice", ["999999999", "2147483648", "-5", "abc", "²", "٣٤"])
def test_an_unknown_city_id_is_refused(app, client, mentee, choice):
    response = post_form(
        client,
        edit_url(mentee, "mentee", "place"),
        {"place_query": "Paris", "place_choice": choice, "travel_km": "10"},
    )
    assert response.status_code == 422
    assert load(app, MenteeProfile, mentee) is None


def test_a_city_that_does_not_exist_is_explained(client, mentee):
    response = post_form(
        client,
        edit_url(mentee, "mentee", "place"),
        {"place_query": "Qqqzzzville", "travel_km": "10", "action": "find"},
    )
    assert response.status_code == 422
    assert "No city by that name" in text(response)


def test_the_place_search_answers_json_for_the_script(client):
    data = client.get("/places/search?q=lond").get_json()
    assert data["results"][0] == {
        "id": LONDON,
        "label": "London, United Kingdom",
        "population": data["results"][0]["population"],
    }
    assert client.get("/places/search?q=").get_json() == {"results": []}
    assert client.get("/places/search?q=" + "x" * 5000).status_code == 200


# Who may see and change what


def test_nobody_can_edit_another_persons_profile(app, client, users, mentee):
    other = users(email="other@example.com", is_mentor=True)
    for role in ("mentee", "mentor"):
        assert client.get(edit_url(other, role, "about")).status_code == 403
        response = post_form(
            client,
            edit_url(other, role, "about"),
            {
                "headline": "hacked",
                "bio": "hacked",
                "years_producing": "1",
                "about": "hacked",
                "goals": "hacked",
            },
            page=edit_url(mentee, "mentee", "about"),
        )
        assert response.status_code == 403
    assert load(app, MentorProfile, other) is None and load(app, MenteeProfile, other) is None


def test_a_role_one_does_not_have_or_an_unknown_section_is_404(client, mentee):
    assert client.get(edit_url(mentee, "mentor", "about")).status_code == 404
    assert client.get(edit_url(mentee, "admin", "about")).status_code == 404
    assert client.get(edit_url(mentee, "mentee", "secrets")).status_code == 404


def test_editing_needs_a_login(client, users):
    person = users(email="p@example.com")
    response = client.get(edit_url(person, "mentee", "about"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_public_profiles_never_show_the_email_and_escape_what_people_wrote(app, client, mentee):
    post_form(
        client,
        edit_url(mentee, "mentee", "about"),
        {"about": "<script>alert(1)</script>", "goals": "<b>mix</b>"},
    )
    stranger = app.test_client()
    body = text(stranger.get(f"/people/{mentee}"))
    assert "priya@example.com" not in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "&lt;b&gt;mix&lt;/b&gt;" in body
    assert "Profile complete" not in body  # the meter is for the owner only


def test_a_suspended_persons_profile_is_gone(client, users):
    from mentorapp.models.types import utcnow

    person = users(email="gone@example.com", suspended_at=utcnow())
    assert client.get(f"/people/{person}").status_code == 404
    assert client.get("/people/999999").status_code == 404


def test_a_profile_page_runs_a_fixed_number_of_queries(app, client, mentor, count_queries):
    for section, data in MENTOR_SECTIONS.items():
        post_form(client, edit_url(mentor, "mentor", section), data)
    stranger = app.test_client()
    with count_queries() as queries:
        stranger.get(f"/people/{mentor}")
    # A mentor's page also counts completed apprenticeships and reads the testimonials
    # shown (two queries, whatever their number: test_feedback_visibility.py), loads
    # its credits (one), its track record (two, test_storefront.py) and how many of its
    # free places are held for people on the waiting list (one).
    assert len(queries) <= 14


def test_the_archetypes_page_explains_all_five(client):
    body = text(client.get("/archetypes"))
    for name in [
        "The engineer",
        "The mentor producer",
        "The musician producer",
        "The artist producer",
        "The hit maker",
    ]:
        assert name in body
    assert body.count("An apprenticeship with one") == 5


def test_deleting_an_account_deletes_its_profiles(app, client, mentee):
    post_form(client, edit_url(mentee, "mentee", "craft"), MENTEE_SECTIONS["craft"])
    post_form(client, "/account/delete", {"password": "a long test passphrase", "understood": "y"})
    with app.app_context():
        assert db.session.get(User, mentee) is None
        assert db.session.scalar(select(func.count()).select_from(MenteeProfile)) == 0


def test_the_dashboard_shows_what_is_missing_and_why(client, mentee):
    body = text(client.get("/dashboard"))
    assert "Apprentice profile complete: <strong>0%</strong>" in body
    assert "What you want to learn weighs most in every match." in body
    post_form(client, edit_url(mentee, "mentee", "about"), MENTEE_SECTIONS["about"])
    body = text(client.get("/dashboard"))
    assert "Apprentice profile complete: <strong>25%</strong>" in body
    assert "Mentors choose a person, not only a request." not in body
