import pytest

from tests.conftest import post_form
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import get_user, text


@pytest.fixture
def admin(users, auth):
    users(email="ada@example.com", display_name="Ada Okafor", is_admin=True, is_mentee=False)
    auth.login("ada@example.com")


def test_admin_pages_send_a_stranger_to_log_in(client):
    for url in ["/admin", "/admin/people", "/admin/people/1"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_admin_pages_are_forbidden_to_mentors_and_mentees(client, auth, users):
    target = users(email="target@example.com")
    users(email="priya@example.com", is_mentor=True)
    auth.login("priya@example.com")
    for url in ["/admin", "/admin/people", f"/admin/people/{target}"]:
        response = client.get(url)
        assert response.status_code == 403
        assert "This page is not yours to see" in text(response)
    response = post_form(
        client, f"/admin/people/{target}/suspend", {"reason": "x"}, page="/dashboard"
    )
    assert response.status_code == 403
    assert get_user(client.application, "target@example.com").suspended_at is None


def test_the_admin_overview_counts_the_community(client, users, admin):
    users(is_mentor=True, is_mentee=False)
    users(verified=False)
    body = text(client.get("/admin"))
    assert '<span class="stat__value">3</span><span class="stat__label">people</span>' in body
    assert '<span class="stat__value">1</span><span class="stat__label">mentors</span>' in body


def test_admins_search_people_by_name_or_email(client, users, admin):
    users(email="marcus@example.com", display_name="Marcus Lindqvist")
    users(email="sofia@example.com", display_name="Sofía Álvarez")
    body = text(client.get("/admin/people?q=lindq"))
    assert "Marcus Lindqvist" in body and "Sofía" not in body
    assert "Sofía Álvarez" in text(client.get("/admin/people?q=SOFIA@"))
    assert "Nobody matches" in text(client.get("/admin/people?q=%25_"))


def test_the_people_list_pages(client, users, admin):
    for n in range(30):
        users(email=f"p{n:02}@example.com", display_name=f"Member {n:02}")
    first, second = text(client.get("/admin/people")), text(client.get("/admin/people?page=2"))
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("<tr>") == 26 and second.count("<tr>") == 7  # header row included
    assert client.get("/admin/people?page=abc").status_code == 200
    assert client.get("/admin/people?page=999").status_code == 200


def test_suspending_ends_the_persons_sessions_and_login(app, client, users, admin):
    target = users(email="target@example.com", display_name="Spam Bot")
    their_client = app.test_client()
    post_form(their_client, "/login", {"email": "target@example.com", "password": DEFAULT_PASSWORD})
    assert their_client.get("/dashboard").status_code == 200
    response = post_form(
        client,
        f"/admin/people/{target}/suspend",
        {"reason": "Sent the same advert to 40 mentors"},
        page=f"/admin/people/{target}",
    )
    assert response.status_code == 302
    assert their_client.get("/dashboard").status_code == 302
    login = post_form(
        their_client, "/login", {"email": "target@example.com", "password": DEFAULT_PASSWORD}
    )
    assert "suspended" in text(login)
    assert "Sent the same advert" in text(client.get(f"/admin/people/{target}"))
    post_form(client, f"/admin/people/{target}/reinstate", {}, page=f"/admin/people/{target}")
    assert get_user(app, "target@example.com").suspended_at is None


def test_a_suspension_needs_a_reason(app, client, users, admin):
    target = users(email="target@example.com")
    for reason, message in [("", "Give a reason"), ("x" * 501, "under 500")]:
        response = post_form(
            client,
            f"/admin/people/{target}/suspend",
            {"reason": reason},
            page=f"/admin/people/{target}",
        )
        assert response.status_code == 422 and message in text(response)
    assert get_user(app, "target@example.com").suspended_at is None


def test_an_admin_cannot_suspend_themselves_or_another_admin(app, client, users, admin):
    other_admin = users(email="bo@example.com", is_admin=True)
    me = get_user(app, "ada@example.com").id
    for person in (me, other_admin):
        response = post_form(
            client, f"/admin/people/{person}/suspend", {"reason": "test"}, page="/admin"
        )
        assert response.status_code == 422
    assert get_user(app, "bo@example.com").suspended_at is None


def test_unknown_people_are_404(client, admin):
    assert client.get("/admin/people/999999").status_code == 404


def test_a_suspension_reason_with_html_is_shown_escaped(client, users, admin):
    target = users(email="target@example.com", display_name="<b>Bold</b>")
    post_form(
        client,
        f"/admin/people/{target}/suspend",
        {"reason": "<script>alert('x')</script>"},
        page=f"/admin/people/{target}",
    )
    body = text(client.get(f"/admin/people/{target}"))
    assert "<script>alert('x')</script>" not in body and "&lt;script&gt;" in body
    assert "<b>Bold</b>" not in body and "&lt;b&gt;Bold&lt;/b&gt;" in body
    assert "&lt;b&gt;Bold&lt;/b&gt;" in text(client.get("/admin/people"))


def test_the_people_list_runs_the_same_queries_for_5_or_25_people(
    client, users, admin, count_queries
):
    for _ in range(4):
        users()
    with count_queries() as few:
        client.get("/admin/people")
    for _ in range(20):
        users()
    with count_queries() as many:
        body = text(client.get("/admin/people"))
    assert body.count("<tr>") == 26
    # With the unread count in the navigation and the admins waiting for a second admin.
    assert len(few) == len(many) <= 6


def test_admins_add_a_specialty_that_profiles_can_choose_at_once(app, client, users, admin):
    response = post_form(
        client,
        "/admin/specialties",
        {"name": "Podcast  Production", "summary": "Shows, not songs."},
    )
    assert response.status_code == 302
    assert "Podcast Production" in text(client.get("/admin/specialties"))
    mentor = users(email="m@example.com", is_mentor=True)
    other = app.test_client()
    post_form(other, "/login", {"email": "m@example.com", "password": DEFAULT_PASSWORD})
    assert 'value="podcast-production"' in text(other.get(f"/people/{mentor}/edit/mentor/craft"))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Mixing", "summary": "again"}, "name", "already exists"),
        ({"name": "MIXING", "summary": "again"}, "name", "already exists"),
        ({"name": "", "summary": "x"}, "name", "Give the specialty a name"),
        ({"name": "!!!", "summary": "x"}, "name", "letters or digits"),
        ({"name": "x" * 61, "summary": "x"}, "name", "under 60"),
        ({"name": "Foley", "summary": ""}, "summary", "Describe it"),
    ],
)
def test_a_bad_specialty_is_refused(app, client, admin, data, field, message):
    response = post_form(client, "/admin/specialties", data)
    assert response.status_code == 422
    body = text(response)
    assert message in body[body.index(f'id="{field}-error"') :][:300]
    assert body.count("<div><dt>") == 17


def test_only_admins_manage_specialties(client, users, auth):
    users(email="p@example.com")
    auth.login("p@example.com")
    assert client.get("/admin/specialties").status_code == 403


def test_suspensions_and_new_specialties_are_in_the_audit_log(app, client, users, admin):
    person = users(email="mallory@example.com", display_name="Mallory")
    post_form(client, f"/admin/people/{person}/suspend", {"reason": "Spam in messages"})
    post_form(client, f"/admin/people/{person}/reinstate", {}, page=f"/admin/people/{person}")
    post_form(
        client,
        "/admin/specialties",
        {"name": "Podcast production", "summary": "Recording and editing spoken word."},
    )
    log = text(client.get("/admin/audit"))
    for line in ("account suspended", "Spam in messages", "account reinstated", "specialty added"):
        assert line in log
    assert log.count("Ada Okafor") == 3 and "Mallory" in log and "Podcast production" in log


def test_the_admin_overview_shows_how_the_programme_is_doing(client, admin):
    from mentorapp.models import Review
    from tests.functional.apprenticeship_builders import (
        make_apprenticeship,
        make_mentee,
        make_mentor,
    )
    from tests.functional.listing_builders import make_listing

    app = client.application
    mentor = make_mentor(app, "m@example.com", "Mo Mentor", capacity=5)
    for n, state in enumerate(["requested", "accepted", "accepted", "completed", "declined"]):
        mentee = make_mentee(app, f"a{n}@example.com", f"Apprentice {n}")
        make_apprenticeship(app, mentor, mentee, state=state)
    for state in (Review.APPROVED, Review.APPROVED, Review.PENDING):
        make_listing(app, state=state)
    make_listing(app, unpublished=True)
    body = text(client.get("/admin"))
    for value, label in [
        (1, "requests waiting for an answer"),
        (2, "apprenticeships running"),
        (1, "apprenticeships completed"),
        (2, "studios and schools listed"),
        (1, "listing items to vet"),
        (0, "mentor applications to vet"),
        (0, "reports open"),
    ]:
        assert f'<span class="stat__value">{value}</span><span class="stat__label">{label}' in body


def test_the_admin_overview_counts_what_waits_for_an_admin(app):
    """Mentor applications and re-checks waiting, and open reports, with the way to them."""
    from mentorapp.models.vetting import Vetting
    from tests.functional.safety_builders import build_scene
    from tests.functional.vetting_builders import mentor_applying

    mentor_applying(app, "new@example.com", "New Applicant")
    mentor_applying(app, "changed@example.com", "Changed Credits", vetted=True)
    mentor_applying(app, "draft@example.com", "Still Drafting", state=Vetting.DRAFT)
    scene = build_scene(app)
    for who in ("priya", "olu"):
        reporter = scene.client(who)
        response = post_form(
            reporter,
            f"/report/person/{scene.mira}",
            {"reason": "harassment", "description": "Messages at night after I said no."},
        )
        assert response.status_code == 302
    body = text(scene.client("ada").get("/admin"))  # the scene's admin
    for value, label in [(2, "mentor applications to vet"), (2, "reports open")]:
        assert f'<span class="stat__value">{value}</span><span class="stat__label">{label}' in body
    assert 'href="/admin/mentors">Vet mentors' in body
    assert 'href="/admin/reports">Handle reports' in body


def test_suspending_a_mentor_closes_the_requests_waiting_on_them(client, admin):
    from mentorapp.models.apprenticeship import State
    from tests.functional.apprenticeship_builders import (
        apprentices_of,
        make_apprenticeship,
        make_mentee,
        make_mentor,
        notes_for,
        state_of,
    )

    app = client.application
    mentor = make_mentor(app, "m@example.com", "Mo Mentor", capacity=3)
    asking, invited, running = (
        make_mentee(app, f"{n}@example.com", n.title()) for n in ("asking", "invited", "running")
    )
    asked = make_apprenticeship(app, mentor, asking)
    invitation = make_apprenticeship(app, mentor, invited, requested_by="mentor")
    working = make_apprenticeship(app, mentor, running, state=State.ACCEPTED)
    response = post_form(
        client,
        f"/admin/people/{mentor}/suspend",
        {"reason": "Reported by three apprentices"},
        page=f"/admin/people/{mentor}",
    )
    assert response.status_code == 302
    assert state_of(app, asked) == state_of(app, invitation) == State.DECLINED
    assert state_of(app, working) == State.ACCEPTED  # an admin may reinstate the mentor
    assert apprentices_of(app, mentor) == 1
    [note] = [n.text for n in notes_for(app, asking)]
    assert "Mo Mentor is not available on mentorapp for now" in note
    assert "Other mentors in your suggestions may be free." in note
    assert notes_for(app, running) == []
