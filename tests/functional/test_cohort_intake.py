"""Making a cohort: who its filters (or a list of emails) choose, and the form's errors."""

from datetime import timedelta

from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import AuditEntry, Cohort, MentorProfile, State, User
from mentorapp.models.types import utcnow
from tests.conftest import post_form
from tests.functional.apprenticeship_builders import make_apprenticeship
from tests.functional.cohort_builders import (
    cohort_id_of,
    make_cohort,
    members,
    mentee,
    mentor,
    sign_in_admin,
)
from tests.helpers import text


def _cohorts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Cohort.id)))


def test_mentee_filters_choose_who_is_in(app, client, auth, users):
    sign_in_admin(users, auth)
    mentor(app, "Mia Mentor")
    ann = mentee(app, "Ann", wants=("mixing",), becomes=("engineer",))
    ben = mentee(app, "Ben", city="Reading", wants=("mastering",), becomes=("phenom",))
    cat = mentee(app, "Cat", city="Paris")
    busy = mentee(app, "Busy")
    other = mentor(app, "Olga Other")
    make_apprenticeship(app, other, busy, State.ACCEPTED)
    with app.app_context():
        db.session.get(User, cat).created_at = utcnow() - timedelta(days=40)
        db.session.commit()

    everyone = cohort_id_of(make_cohort(client, mentee_waiting=None))
    assert members(app, everyone, "mentee") == {ann, ben, cat, busy}
    waiting = cohort_id_of(make_cohort(client))
    assert members(app, waiting, "mentee") == {ann, ben, cat}
    since = (utcnow() - timedelta(days=10)).date().isoformat()
    recent = cohort_id_of(make_cohort(client, mentee_since=since))
    assert members(app, recent, "mentee") == {ann, ben}
    # Reading is about 56 km from London.
    near = cohort_id_of(make_cohort(client, mentee_city="London", mentee_radius="40"))
    assert members(app, near, "mentee") == {ann}
    wider = cohort_id_of(make_cohort(client, mentee_city="london", mentee_radius="80"))
    assert members(app, wider, "mentee") == {ann, ben}
    kind = cohort_id_of(make_cohort(client, mentee_archetype="phenom"))
    assert members(app, kind, "mentee") == {ben}
    learning = cohort_id_of(make_cohort(client, mentee_specialty="mixing"))
    assert members(app, learning, "mentee") == {ann, cat}


def test_mentor_filters_choose_who_is_in(app, client, auth, users):
    sign_in_admin(users, auth)
    mentee(app, "Ann")
    mia = mentor(app, "Mia", kinds=("engineer",))
    paused = mentor(app, "Not Now", accepting=False)
    full = mentor(app, "Full Up", capacity=1)
    paris = mentor(app, "Pierre", city="Paris", kinds=("phenom",))
    mentor(app, "Unvetted")  # made vetted by the factory; withdrawn below
    with app.app_context():
        db.session.get(MentorProfile, full).apprentice_count = 1
        unvetted = db.session.scalar(select(User).where(User.display_name == "Unvetted"))
        unvetted.mentor_application.vetted_at = None
        db.session.commit()

    default = cohort_id_of(make_cohort(client))
    assert members(app, default, "mentor") == {mia, paris}
    every = cohort_id_of(make_cohort(client, mentor_accepting=None, mentor_free=None))
    assert members(app, every, "mentor") == {mia, paused, full, paris}
    near = cohort_id_of(make_cohort(client, mentor_city="Paris", mentor_radius="100"))
    assert members(app, near, "mentor") == {paris}
    kind = cohort_id_of(make_cohort(client, mentor_archetype="engineer"))
    assert members(app, kind, "mentor") == {mia}


def test_mentees_by_a_list_of_emails(app, client, auth, users):
    sign_in_admin(users, auth)
    mentor(app, "Mia")
    ann = mentee(app, "Ann", email="ann@example.com")
    ben = mentee(app, "Ben", email="ben@example.com")
    mentee(app, "Cat", email="cat@example.com")
    made = make_cohort(client, mentee_emails="ann@example.com\nBEN@example.com, ")
    assert members(app, cohort_id_of(made), "mentee") == {ann, ben}

    before = _cohorts(app)
    refused = make_cohort(client, mentee_emails="ann@example.com\nnobody@example.com")
    assert refused.status_code == 422
    body = text(refused)
    assert "No active apprentice has the email nobody@example.com" in body
    assert "nobody@example.com</textarea>" in body  # the typing is kept
    assert _cohorts(app) == before


def test_form_errors_keep_the_typing_and_save_nothing(app, client, auth, users):
    sign_in_admin(users, auth)
    mentee(app, "Ann")
    response = make_cohort(client, name="", mentee_city="Atlantis", mentee_radius="99999")
    assert response.status_code == 422
    body = text(response)
    assert "Give the cohort a name." in body
    assert "Give a distance from 1 to 2,000 km." in body
    assert 'value="Atlantis"' in body
    assert _cohorts(app) == 0
    nobody_near = make_cohort(client, mentee_city="Atlantis")
    assert nobody_near.status_code == 422
    assert "Nobody on mentorapp lives in a city called" in text(nobody_near)
    no_mentor = make_cohort(client)
    assert no_mentor.status_code == 422
    assert "No vetted mentor matches these filters." in text(no_mentor)
    assert _cohorts(app) == 0


def test_making_a_cohort_is_audited(app, client, auth, users):
    sign_in_admin(users, auth)
    mentee(app, "Ann")
    mentor(app, "Mia")
    cohort = cohort_id_of(make_cohort(client, name="Autumn"))
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cohort_created"))
        assert (entry.subject, entry.subject_id, entry.subject_name) == ("cohort", cohort, "Autumn")
        assert entry.actor_name == "Ada Admin"
        assert entry.reason == "1 apprentices, 1 mentors"


def test_only_admins_reach_cohorts_and_every_post_needs_its_token(app, client, auth, users):
    users(email="someone@example.com")
    assert client.get("/admin/cohorts").status_code == 302  # to the login page
    auth.login("someone@example.com")
    assert client.get("/admin/cohorts").status_code == 403
    assert client.get("/admin/cohorts/new").status_code == 403
    auth.logout()
    sign_in_admin(users, auth)
    assert client.get("/admin/cohorts").status_code == 200
    assert client.post("/admin/cohorts/new", data={"name": "x"}).status_code == 400
    assert client.get("/admin/cohorts/2147483648").status_code == 404
    assert client.get("/admin/cohorts/99").status_code == 404
    assert post_form(client, "/admin/cohorts/99/runs", {}, page="/admin/cohorts").status_code == 404
