"""The admin's programme charts: figures from known data, their tables, the SVG images,
the dates form, and who may see them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MentorProfile, State
from mentorapp.models.types import utcnow
from tests.functional.apprenticeship_builders import make_mentee, make_mentor
from tests.helpers import text


@pytest.fixture
def admin(users, auth):
    users(email="ada@example.com", display_name="Ada Okafor", is_admin=True, is_mentee=False)
    auth.login("ada@example.com")


def _figure(body: str, title: str) -> str:
    """The HTML of the figure with this title."""
    start = body.index(f">{title}</h3>")
    return body[start : body.index("</figure>", start)]


def _table(figure: str) -> dict[str, list[str]]:
    """The figure's data table: row label -> cells."""
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", figure, re.S):
        label, _, cells = row.partition("</th>")
        rows[label] = re.findall(r"<td class=\"number\">(.*?)</td>", cells)
    return rows


def _apprenticeship(app, mentor, mentee, state, *, days_ago, answer_days=None, reason=None):
    with app.app_context():
        made = utcnow() - timedelta(days=days_ago)
        decided = made + timedelta(days=answer_days) if answer_days is not None else None
        db.session.add(
            Apprenticeship(
                mentor_id=mentor,
                mentee_id=mentee,
                requested_by="mentee",
                state=state,
                reason=reason,
                created_at=made,
                decided_at=decided,
                ended_at=decided + timedelta(days=1) if state == State.COMPLETED else None,
            )
        )
        db.session.commit()


def test_requests_and_answers_are_counted_as_they_ended(app, client, admin):
    mentor = make_mentor(app, "marcus@example.com", "Marcus Lindqvist", capacity=10)
    mentees = [make_mentee(app, f"m{i}@example.com", f"Mentee {i}") for i in range(6)]
    _apprenticeship(app, mentor, mentees[0], State.ACCEPTED, days_ago=3, answer_days=1)
    _apprenticeship(app, mentor, mentees[1], State.COMPLETED, days_ago=3, answer_days=2)
    _apprenticeship(
        app, mentor, mentees[2], State.DECLINED, days_ago=3, answer_days=6, reason="no_time"
    )
    _apprenticeship(
        app, mentor, mentees[3], State.DECLINED, days_ago=3, answer_days=14, reason="expired"
    )
    _apprenticeship(app, mentor, mentees[4], State.WITHDRAWN, days_ago=3, answer_days=1)
    _apprenticeship(app, mentor, mentees[5], State.REQUESTED, days_ago=3)
    # Made before the dates shown: left out.
    _apprenticeship(
        app, mentor, mentees[5], State.DECLINED, days_ago=400, answer_days=1, reason="level"
    )
    body = text(client.get("/admin"))

    ended = _figure(body, "How requests ended")
    assert "6 requests and invitations were made in these dates; 33% were accepted." in ended
    assert _table(ended) == {
        "Accepted": ["2"],
        "Declined: i have no time for a new apprentice right now": ["1"],
        "Expired without an answer": ["1"],
        "Still waiting for an answer": ["1"],
        "Withdrawn": ["1"],
    }
    # Answers by a person only (the expiry and the withdrawal are not answers): 1, 2 and
    # 6 days, all made in the same week; their median is 2.
    answers = _figure(body, "Median days to a first answer")
    assert "Over 3 answers, the median per period ranged from 2.0 to 2.0 days." in answers
    cells = [cell for row in _table(answers).values() for cell in row]
    assert cells.count("2.0") == 1 and set(cells) == {"2.0", "—"}


def test_the_median_of_an_even_count_is_the_two_middle_answers_mean(app, client, admin):
    mentor = make_mentor(app, "marcus@example.com", "Marcus Lindqvist", capacity=10)
    for i, days in enumerate([1, 2, 4, 10]):
        mentee = make_mentee(app, f"m{i}@example.com", f"Mentee {i}")
        _apprenticeship(app, mentor, mentee, State.ACCEPTED, days_ago=2, answer_days=days)
    answers = _figure(text(client.get("/admin")), "Median days to a first answer")
    assert "ranged from 3.0 to 3.0 days" in answers


def test_sign_ups_are_counted_per_week_by_role(app, client, users, admin):
    now = utcnow()
    users(is_mentor=True, is_mentee=False, created_at=now - timedelta(days=1))
    users(is_mentee=True, created_at=now - timedelta(days=1))
    users(is_mentee=True, created_at=now - timedelta(days=2))
    users(is_mentee=True, created_at=now - timedelta(days=300))  # before the dates shown
    figure = _figure(text(client.get("/admin")), "Sign-ups per week")
    # The admin signed up today too (an admin only: neither role).
    assert "1 mentors and 2 apprentices signed up between" in figure
    totals = [sum(int(c) for c in cells) for cells in zip(*_table(figure).values(), strict=True)]
    assert totals == [1, 2]


def test_supply_and_demand_shows_wants_teachers_and_free_places(app, client, admin):
    from mentorapp.models import Archetype, MenteeAspiration, mentor_archetypes

    mentor = make_mentor(app, "marcus@example.com", "Marcus Lindqvist", capacity=3)
    wanting = [make_mentee(app, f"m{i}@example.com", f"Mentee {i}") for i in range(5)]
    with app.app_context():
        engineer = db.session.scalar(db.select(Archetype).where(Archetype.slug == "engineer"))
        db.session.execute(
            mentor_archetypes.insert().values(mentor_id=mentor, archetype_id=engineer.id)
        )
        for mentee in wanting:
            db.session.add(MenteeAspiration(mentee_id=mentee, archetype_id=engineer.id, rank=1))
        db.session.get(MentorProfile, mentor).apprentice_count = 1
        db.session.commit()
        name = engineer.name
    figure = _figure(text(client.get("/admin")), "Supply and demand per archetype")
    assert _table(figure)[name] == ["5", "1", "2"]  # want it, teach it, free places
    assert f"More apprentices want {name} than there are free places for." in figure


def test_the_charts_are_svg_images_with_nothing_that_runs(app, client, users, admin):
    users(is_mentee=True)
    body = text(client.get("/admin"))
    sources = re.findall(r'<img class="insights__image" src="([^"]+)"', body)
    # Sign-ups has data; the rest have none yet and say so instead of an empty chart.
    assert len(sources) == 1 and "signups.svg" in sources[0]
    assert body.count("Nothing to show for these dates yet.") == 7
    for source in sources:
        response = client.get(source.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        svg = response.get_data(as_text=True)
        assert "<svg" in svg[:200] and "<script" not in svg
        # Nothing fetched from elsewhere: no linked script, stylesheet, font or image.
        assert not re.search(r'href="(?!#)|@import|url\((?!#)', svg)
    assert client.get("/admin/charts/nothing.svg").status_code == 404


def test_wrong_dates_are_refused_next_to_the_field_and_kept(client, admin):
    response = client.get("/admin?since=2026-06-01&until=2026-05-01")
    assert response.status_code == 422
    body = text(response)
    assert "Choose a date on or after the first date." in body
    assert 'value="2026-05-01"' in body and 'value="2026-06-01"' in body
    response = client.get("/admin?since=soon")
    assert response.status_code == 422
    assert "Not a valid date value." in text(response)


def test_chosen_dates_change_what_is_counted(app, client, users, admin):
    now = utcnow()
    users(is_mentor=True, is_mentee=False, created_at=now - timedelta(days=300))
    since = (now - timedelta(days=320)).date().isoformat()
    until = (now - timedelta(days=280)).date().isoformat()
    figure = _figure(text(client.get(f"/admin?since={since}&until={until}")), "Sign-ups per week")
    assert "1 mentors and 0 apprentices signed up between" in figure


def test_charts_are_for_admins_only(client, users, auth):
    assert client.get("/admin/charts/signups.svg").status_code == 302
    users(email="priya@example.com", is_mentor=True)
    auth.login("priya@example.com")
    assert client.get("/admin/charts/signups.svg").status_code == 403


def _cohort(app, name: str, members: dict[int, str]) -> int:
    from mentorapp.models import Cohort, CohortMember

    with app.app_context():
        cohort = Cohort(name=name)
        db.session.add(cohort)
        db.session.flush()
        for person, side in members.items():
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=person, side=side))
        db.session.commit()
        return cohort.id


def test_a_cohort_shows_its_own_invitations_and_members(app, client, admin):
    mentor = make_mentor(app, "marcus@example.com", "Marcus Lindqvist", capacity=10)
    ann, ben, cat = (make_mentee(app, f"{n}@example.com", n.title()) for n in ("ann", "ben", "cat"))
    spring = _cohort(app, "Spring intake", {mentor: "mentor", ann: "mentee", ben: "mentee"})
    _apprenticeship(app, mentor, ann, State.ACCEPTED, days_ago=3, answer_days=1)
    _apprenticeship(app, mentor, ben, State.REQUESTED, days_ago=2)
    _apprenticeship(app, mentor, cat, State.REQUESTED, days_ago=2)
    with app.app_context():  # Ann's and Ben's came from the cohort's invitations
        for row in db.session.scalars(
            db.select(Apprenticeship).where(Apprenticeship.mentee_id.in_([ann, ben]))
        ):
            row.cohort_id, row.requested_by = spring, "programme"
        db.session.commit()

    everyone = text(client.get("/admin"))
    assert "3 requests and invitations were made" in _figure(everyone, "How requests ended")
    response = client.get(f"/admin?cohort={spring}")
    assert response.status_code == 200
    body = text(response)
    assert "The cohort “Spring intake”" in body
    ended = _figure(body, "How requests ended")
    assert "2 requests and invitations were made in these dates; 50% were accepted." in ended
    assert "1 mentors and 2 apprentices signed up" in _figure(body, "Sign-ups per week")
    assert f'<option selected value="{spring}">Spring intake</option>' in body
    # The charts' images are of the cohort too.
    assert f"cohort={spring}" in body


def test_an_unknown_cohort_is_refused_next_to_the_field(client, admin):
    response = client.get("/admin?cohort=999")
    assert response.status_code == 422
    assert "Choose a cohort from the list." in text(response)


def test_figures_are_kept_and_worked_out_again_in_the_background_once_old(
    app, client, users, admin
):
    from mentorapp.insights.services import FRESH
    from mentorapp.models import DashboardSnapshot

    def mentors_signed_up() -> str:
        figure = _figure(text(client.get("/admin")), "Sign-ups per week")
        return figure.split(" mentors and")[0].rsplit(">", 1)[-1].strip()

    users(is_mentor=True, is_mentee=False)
    assert mentors_signed_up() == "1"
    users(is_mentor=True, is_mentee=False)
    assert mentors_signed_up() == "1"  # kept: the page read its snapshot
    with app.app_context():
        snapshot = db.session.scalar(db.select(DashboardSnapshot))
        snapshot.computed_at = utcnow() - FRESH - timedelta(seconds=1)
        db.session.commit()
    # Old figures: shown while the refresh is on the queue (the tests' queue runs it at
    # once, after the page's commit), the new ones on the next look.
    body = text(client.get("/admin"))
    assert "newer ones are being worked out" in body
    assert mentors_signed_up() == "2"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DashboardSnapshot.id))) == 1
        assert db.session.scalar(db.select(DashboardSnapshot.refresh_since)) is None
