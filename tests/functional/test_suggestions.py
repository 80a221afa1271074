import re

import pytest
from sqlalchemy import text as sql

from mentorapp.extensions import db
from mentorapp.models import MentorProfile, Specialty, User
from mentorapp.models.types import utcnow
from mentorapp.suggestions.index import current_version
from tests.conftest import post_form
from tests.functional.test_profiles import LONDON, MENTEE_SECTIONS, MENTOR_SECTIONS, edit_url
from tests.helpers import text

PARIS = 2988507


def build_mentor(client, auth, users, email, **sections):
    person = users(
        email=email, display_name=email.split("@")[0].title(), is_mentor=True, is_mentee=False
    )
    auth.login(email)
    for section, data in MENTOR_SECTIONS.items():
        response = post_form(
            client, edit_url(person, "mentor", section), {**data, **sections.get(section, {})}
        )
        assert response.status_code == 302, text(response)[:1500]
    auth.logout()
    return person


@pytest.fixture
def mentee(client, auth, users):
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    return person


def names_in_order(body: str) -> list[str]:
    return re.findall(r'class="suggestion__name"><a href="/people/\d+">([^<]+)</a>', body)


def test_an_incomplete_profile_gets_a_prompt_not_an_empty_page(client, users, auth):
    users(email="new@example.com", is_mentee=True)
    auth.login("new@example.com")
    body = text(client.get("/suggestions"))
    assert "A few things first" in body
    assert "What you want to learn" in body and "Your city" in body
    assert "suggestion__name" not in body


def test_the_best_mentor_comes_first_with_reasons(app, client, auth, users):
    build_mentor(client, auth, users, "close@example.com")
    build_mentor(
        client,
        auth,
        users,
        "partial@example.com",
        craft={"specialties": ["recording"], "archetypes": ["phenom"]},
    )
    build_mentor(
        client,
        auth,
        users,
        "paris@example.com",
        place={"place_query": "Paris, France", "place_id": str(PARIS)},
    )
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    body = text(client.get("/suggestions"))
    assert names_in_order(body) == ["Close", "Partial"]  # Paris is too far to meet
    assert "Teaches mixing, 1 of the 2 things you want to learn" in body
    assert "Is the engineer, your first choice of who to become" in body
    assert "In your city" in body
    assert "2 mentors" in body


def test_filters_narrow_the_list(client, auth, users):
    build_mentor(client, auth, users, "close@example.com")
    build_mentor(
        client,
        auth,
        users,
        "remote@example.com",
        place={"place_query": "Paris, France", "place_id": str(PARIS), "works_remotely": "y"},
    )
    person = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    assert names_in_order(text(client.get("/suggestions"))) == ["Close", "Remote"]
    assert names_in_order(text(client.get("/suggestions?remote_only=y"))) == ["Remote"]
    assert names_in_order(text(client.get("/suggestions?max_km=10"))) == ["Close"]
    assert names_in_order(text(client.get("/suggestions?specialty=mastering"))) == []
    assert names_in_order(text(client.get("/suggestions?archetype=engineer"))) == [
        "Close",
        "Remote",
    ]
    # Nonsense in the query string is ignored, never an error.
    assert client.get("/suggestions?max_km=far&archetype=<b>&page=-3").status_code == 200


def test_suggestions_page_through_long_lists(client, auth, users):
    for n in range(12):
        build_mentor(client, auth, users, f"m{n:02}@example.com")
    person = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    first = text(client.get("/suggestions"))
    second = text(client.get("/suggestions?page=2"))
    assert len(names_in_order(first)) == 10 and len(names_in_order(second)) == 2
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert not set(names_in_order(first)) & set(names_in_order(second))
    assert names_in_order(text(client.get("/suggestions?page=99"))) == []


def test_hiding_and_saving(app, client, auth, users):
    close = build_mentor(client, auth, users, "close@example.com")
    build_mentor(client, auth, users, "other@example.com")
    person = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    post_form(client, f"/suggestions/{close}/save", {"next": "/suggestions"}, page="/suggestions")
    post_form(client, f"/suggestions/{close}/save", {}, page="/suggestions")  # double click
    saved = text(client.get("/suggestions?saved=y"))
    assert names_in_order(saved) == ["Close"]
    assert "Close, press to remove from favourites" in saved
    post_form(client, f"/suggestions/{close}/dismiss", {}, page="/suggestions")
    assert names_in_order(text(client.get("/suggestions"))) == ["Other"]
    assert names_in_order(text(client.get("/suggestions?saved=y"))) == []  # hiding unsaves
    assert "Close" in text(client.get("/suggestions/hidden"))
    post_form(client, f"/suggestions/{close}/restore", {}, page="/suggestions/hidden")
    assert names_in_order(text(client.get("/suggestions"))) == ["Close", "Other"]


def test_marks_are_private_and_checked(app, client, auth, users):
    close = build_mentor(client, auth, users, "close@example.com")
    person = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    post_form(client, f"/suggestions/{close}/dismiss", {}, page="/dashboard")
    other = app.test_client()
    users(email="sam@example.com", is_mentee=True)
    post_form(other, "/login", {"email": "sam@example.com", "password": "a long test passphrase"})
    assert "Close" not in text(other.get("/suggestions/hidden"))
    assert client.post(f"/suggestions/{close}/dismiss").status_code == 400  # no CSRF token
    response = post_form(
        client, f"/suggestions/{person}/save", {}, page="/dashboard", follow_redirects=True
    )
    assert "That is you." in text(response)
    assert post_form(client, "/suggestions/999999/save", {}, page="/dashboard").status_code == 302
    assert (
        post_form(client, f"/suggestions/{close}/explode", {}, page="/dashboard").status_code == 404
    )
    assert (
        post_form(client, "/suggestions/999999999999/save", {}, page="/dashboard").status_code
        == 404
    )
    assert (
        post_form(
            client,
            f"/suggestions/{close}/save",
            {"next": "https://evil.example"},
            page="/dashboard",
        ).headers["Location"]
        == "/suggestions"
    )


def test_a_mentor_sees_suggested_mentees(client, auth, users, mentee):
    auth.logout()
    build_mentor(client, auth, users, "close@example.com")
    auth.login("close@example.com")
    response = client.get("/suggestions")
    assert response.headers["Location"] == "/suggestions/mentees"
    body = text(client.get("/suggestions/mentees"))
    assert names_in_order(body) == ["Priya"]
    assert "Wants to learn mixing, which you teach" in body


def test_changing_a_profile_updates_suggestions_at_once(app, client, auth, users, mentee):
    auth.logout()
    mentor = build_mentor(client, auth, users, "close@example.com")
    auth.login("priya@example.com")
    assert names_in_order(text(client.get("/suggestions"))) == ["Close"]
    with app.app_context():
        before = current_version()
    other = app.test_client()
    post_form(other, "/login", {"email": "close@example.com", "password": "a long test passphrase"})
    post_form(
        other, edit_url(mentor, "mentor", "week"), {**MENTOR_SECTIONS["week"], "accepting": ""}
    )
    with app.app_context():
        assert current_version() > before
    assert names_in_order(text(client.get("/suggestions"))) == []


def test_a_worker_reloads_only_the_people_who_changed(app, client, auth, users, mentee):
    auth.logout()
    mentor = build_mentor(client, auth, users, "close@example.com")
    build_mentor(client, auth, users, "second@example.com")
    auth.login("priya@example.com")
    index = app.extensions["candidate_index"]
    assert names_in_order(text(client.get("/suggestions"))) == ["Close", "Second"]
    rebuilds = index.rebuilds
    # The mentor raises their years producing elsewhere: this worker patches one person.
    other = app.test_client()
    post_form(other, "/login", {"email": "close@example.com", "password": "a long test passphrase"})
    post_form(
        other,
        edit_url(mentor, "mentor", "week"),
        {**MENTOR_SECTIONS["week"], "accepting": ""},
    )
    assert names_in_order(text(client.get("/suggestions"))) == ["Second"]
    assert (index.rebuilds, index.patches) == (rebuilds, 1)
    # They come back, and a new mentor signs up and fills a profile: still patches.
    post_form(other, edit_url(mentor, "mentor", "week"), MENTOR_SECTIONS["week"])
    auth.logout()
    build_mentor(client, auth, users, "third@example.com")
    auth.login("priya@example.com")
    assert sorted(names_in_order(text(client.get("/suggestions")))) == ["Close", "Second", "Third"]
    assert index.rebuilds == rebuilds and index.patches == 2


def test_a_deleted_or_suspended_mentor_leaves_every_worker(app, client, auth, users, mentee):
    auth.logout()
    build_mentor(client, auth, users, "close@example.com")
    gone = build_mentor(client, auth, users, "gone@example.com")
    auth.login("priya@example.com")
    assert sorted(names_in_order(text(client.get("/suggestions")))) == ["Close", "Gone"]
    with app.app_context():
        db.session.delete(db.session.get(User, gone))
        db.session.commit()
    assert names_in_order(text(client.get("/suggestions"))) == ["Close"]
    with app.app_context():
        close = db.session.scalars(db.select(User).where(User.email == "close@example.com")).one()
        close.suspended_at = utcnow()
        db.session.commit()
    assert names_in_order(text(client.get("/suggestions"))) == []
    assert app.extensions["candidate_index"].patches == 2


def test_a_new_specialty_reloads_everyone(app, client, auth, users, mentee):
    auth.logout()
    build_mentor(client, auth, users, "close@example.com")
    auth.login("priya@example.com")
    index = app.extensions["candidate_index"]
    client.get("/suggestions")
    rebuilds = index.rebuilds
    with app.app_context():
        db.session.add(Specialty(slug="foley", name="Foley", summary="Everyday sounds for film."))
        db.session.commit()
    assert names_in_order(text(client.get("/suggestions"))) == ["Close"]
    assert index.rebuilds == rebuilds + 1


def test_the_filter_form_shows_each_visits_values_and_a_new_specialty_at_once(
    app, client, auth, users, mentee
):
    """The filter form's HTML is kept per process and its choices come from the candidate
    arrays' vocabulary (suggestions/routes.py): neither may show an earlier state."""
    auth.logout()
    build_mentor(client, auth, users, "close@example.com")
    auth.login("priya@example.com")
    chosen = re.compile(r'<option selected value="([^"]*)">')

    def selected(path: str) -> list[str]:
        form = text(client.get(path)).split('class="filters card"')[1].split("</form>")[0]
        return chosen.findall(form)

    assert "mixing" in selected("/suggestions?specialty=mixing")
    assert "mixing" not in selected("/suggestions")
    assert "mixing" in selected("/suggestions?specialty=mixing")
    assert 'value="foley"' not in text(client.get("/suggestions"))
    with app.app_context():
        db.session.add(Specialty(slug="foley", name="Foley", summary="Everyday sounds for film."))
        db.session.commit()
    assert "foley" in selected("/suggestions?specialty=foley")


def test_a_login_does_not_invalidate_the_candidate_arrays(app, client, auth, users, mentee):
    with app.app_context():
        before = current_version()
    auth.logout()
    auth.login("priya@example.com")
    with app.app_context():
        assert current_version() == before


def test_suggestions_run_the_same_queries_for_2_or_12_mentors(
    app, client, auth, users, count_queries
):
    for n in range(2):
        build_mentor(client, auth, users, f"a{n}@example.com")
    person = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    client.get("/suggestions")  # warm the arrays
    with count_queries() as few:
        client.get("/suggestions")
    auth.logout()
    for n in range(10):
        build_mentor(client, auth, users, f"b{n}@example.com")
    auth.login("priya@example.com")
    client.get("/suggestions")
    with count_queries() as many:
        body = text(client.get("/suggestions"))
    assert len(names_in_order(body)) == 10
    # The person, the change log, their own record (3), marks, recent pairs, the cards
    # (3) and the unread count; 19 before the taxonomy came from the arrays (issue 15).
    assert len(few) == len(many) <= 12, "\n".join(q[:120] for q in many)


def test_suggestions_need_a_login_and_the_role(client, users, auth):
    assert client.get("/suggestions").status_code == 302
    users(email="admin@example.com", is_admin=True, is_mentee=False)
    auth.login("admin@example.com")
    assert client.get("/suggestions").status_code == 404
    assert client.get("/suggestions/mentees").status_code == 404


def test_the_demo_mentee_has_a_full_page(app, runner, client, auth):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    auth.login("mentee@example.com", "studio-demo-pass")
    body = text(client.get("/suggestions"))
    assert len(names_in_order(body)) == 10
    with app.app_context():
        assert MENTEE_SECTIONS and LONDON


def test_the_saved_list_keeps_the_filters_and_hard_rules(app, client, auth, users):
    teaches_mixing = build_mentor(client, auth, users, "mixer@example.com")
    teaches_synths = build_mentor(
        client,
        auth,
        users,
        "synths@example.com",
        craft={"archetypes": ["artist_producer"], "specialties": ["synthesis"]},
    )
    person = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    for mentor in (teaches_mixing, teaches_synths):
        post_form(client, f"/suggestions/{mentor}/save", {}, page="/suggestions")
    assert sorted(names_in_order(text(client.get("/suggestions?saved=y")))) == ["Mixer", "Synths"]
    only_engineers = text(client.get("/suggestions?saved=y&archetype=engineer"))
    assert names_in_order(only_engineers) == ["Mixer"]
    assert names_in_order(text(client.get("/suggestions?saved=y&specialty=synthesis"))) == [
        "Synths"
    ]
    # A mentor who stops taking apprentices leaves the saved list too (a hard rule).
    with app.app_context():
        from mentorapp.extensions import db
        from mentorapp.models import MentorProfile

        db.session.get(MentorProfile, teaches_synths).accepting = False
        db.session.commit()
    assert names_in_order(text(client.get("/suggestions?saved=y"))) == ["Mixer"]


def _version(app) -> int:
    with app.app_context():
        return current_version()


def test_a_headline_or_bio_edit_leaves_the_matching_version_and_a_specialty_edit_moves_it(
    app, client, auth, users
):
    mentor = build_mentor(client, auth, users, "close@example.com")
    auth.login("close@example.com")
    before = _version(app)
    about = {**MENTOR_SECTIONS["about"], "headline": "Now mastering too", "bio": "New words."}
    assert post_form(client, edit_url(mentor, "mentor", "about"), about).status_code == 302
    assert _version(app) == before  # matching never reads a headline or a bio

    craft = {**MENTOR_SECTIONS["craft"], "specialties": ["mixing", "mastering"]}
    assert post_form(client, edit_url(mentor, "mentor", "craft"), craft).status_code == 302
    assert _version(app) == before + 1
    week = {**MENTOR_SECTIONS["week"], "capacity": "4"}
    assert post_form(client, edit_url(mentor, "mentor", "week"), week).status_code == 302
    assert _version(app) == before + 2


def test_the_matching_version_moves_when_the_transaction_commits_not_before(app, users):
    """The change log is the last thing a transaction writes (no deadlock cycle can run
    through it): a change is only counted at the commit."""
    person = users(email="p@example.com", is_mentee=True)
    before = _version(app)
    with app.app_context():
        user = db.session.get(User, person)
        user.suspended_at = utcnow()
        db.session.flush()
        assert current_version() == before  # not yet
        db.session.commit()
    assert _version(app) == before + 1
    with app.app_context():
        user = db.session.get(User, person)
        user.suspended_at = None
        db.session.flush()
        db.session.rollback()  # a rolled-back change counts for nothing
        db.session.commit()
    assert _version(app) == before + 1


def test_a_change_that_commits_after_a_later_one_is_still_picked_up(
    app, client, auth, users, mentee, database_uri
):
    """PostgreSQL hands out the log's ids before the commits, which can finish out of
    order: a worker that has seen id n+1 must still apply id n when it lands."""
    if database_uri.startswith("sqlite"):
        pytest.skip("SQLite commits one writer at a time, in id order")
    auth.logout()
    late = build_mentor(client, auth, users, "late@example.com")
    early = build_mentor(client, auth, users, "early@example.com")
    auth.login("priya@example.com")
    assert sorted(names_in_order(text(client.get("/suggestions")))) == ["Early", "Late"]

    with app.app_context():
        slow = db.engine.connect()
        slow.execute(
            sql("UPDATE mentor_profiles SET accepting = false WHERE user_id = :id"), {"id": late}
        )
        slow.execute(sql("INSERT INTO matching_changes (user_id) VALUES (:id)"), {"id": late})
        # A later id commits first, and the worker catches up with it.
        db.session.get(MentorProfile, early).travel_km = 41
        db.session.commit()
    assert sorted(names_in_order(text(client.get("/suggestions")))) == ["Early", "Late"]
    slow.commit()
    slow.close()
    assert names_in_order(text(client.get("/suggestions"))) == ["Early"]


def test_arrays_built_a_block_of_people_at_a_time_hold_everyone_once(
    app, client, auth, users, mentee, monkeypatch
):
    # Two people a block: five mentors make three blocks, the last one open-ended.
    monkeypatch.setattr("mentorapp.suggestions.records.BATCH", 2)
    auth.logout()
    mentors = [build_mentor(client, auth, users, f"m{n}@example.com") for n in range(5)]
    auth.login("priya@example.com")
    body = text(client.get("/suggestions"))
    assert sorted(names_in_order(body)) == ["M0", "M1", "M2", "M3", "M4"]
    assert "5 mentors" in body
    with app.app_context():
        pool = app.extensions["candidate_index"].current().mentors
    assert pool.ids.tolist() == sorted(mentors)
    auth.logout()
    auth.login("m0@example.com")
    assert names_in_order(text(client.get("/suggestions/mentees"))) == ["Priya"]
