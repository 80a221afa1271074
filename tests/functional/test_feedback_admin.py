"""The admins' view of feedback: ratings per mentor (count, mean, the recent ones) with
the low-rating flag, the private words of both sides, pages of 20 in one query; nobody
but an admin gets in."""

from __future__ import annotations

import re

import pytest

from mentorapp.models import State
from mentorapp.trust import feedback
from tests.factories import make_user
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    signed_in,
)
from tests.functional.feedback_builders import give, rated_mentor
from tests.helpers import text


@pytest.fixture
def admin(app):
    with app.app_context():
        from mentorapp.extensions import db

        make_user(email="ada@example.com", display_name="Ada", is_admin=True, is_mentee=False)
        db.session.commit()
    return signed_in(app, "ada@example.com")


def rows_of(page: str) -> list[str]:
    """The table's body rows, as text without tags."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def test_the_feedback_pages_are_for_admins_only(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    for url in ("/admin/feedback", f"/admin/feedback/mentors/{mira}"):
        response = app.test_client().get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        assert signed_in(app, "mira@example.com").get(url).status_code == 403


def test_ratings_per_mentor_with_count_mean_and_the_recent_ones(app, admin):
    rated_mentor(app, "mira@example.com", "Mira Okafor", [5, 4, 5, 3, 4, 5])
    page = text(admin.get("/admin/feedback"))
    [row] = rows_of(page)
    # 6 ratings, mean 4.33; the last five newest first, and their mean (4.2).
    assert row.startswith("Mira Okafor 6 4.3 5, 4, 3, 5, 4 (mean 4.2)")
    assert "low recent ratings" not in row


@pytest.mark.parametrize(
    ("ratings", "flagged"),
    [
        ([1], False),  # one rating is not enough to flag anyone
        ([2, 3], True),  # mean 2.5: at the limit
        ([3, 3], False),
        ([1, 1, 5, 5, 5, 5, 5], False),  # low long ago, fine lately
        ([5, 5, 5, 5, 5, 2, 2, 3, 2, 3], True),  # fine long ago, low lately (mean 2.4)
        ([5, 5, 5, 5, 2, 3, 3], False),  # the last five: 5, 5, 2, 3, 3 (mean 3.6)
    ],
)
def test_the_low_rating_flag(app, admin, ratings, flagged):
    mira = rated_mentor(app, "mira@example.com", "Mira Okafor", ratings)
    [row] = rows_of(text(admin.get("/admin/feedback")))
    assert ("low recent ratings" in row) is flagged
    with app.app_context():
        [found] = feedback.mentor_ratings().items
        assert (found.mentor_id, found.flagged) == (mira, flagged)
        assert feedback.flagged_count() == int(flagged)


def test_the_rule_lives_in_one_place():
    assert (feedback.RECENT, feedback.LOW_MEAN, feedback.FLAG_AFTER) == (5, 2.5, 2)


def test_flagged_mentors_come_first_and_can_be_listed_alone(app, admin):
    rated_mentor(app, "fine@example.com", "Fiona Fine", [4, 4, 4])
    rated_mentor(app, "low@example.com", "Lou Low", [2, 1, 2])
    rated_mentor(app, "mid@example.com", "Mo Middle", [3, 3])
    names = [row.split(" ")[0] for row in rows_of(text(admin.get("/admin/feedback")))]
    assert names == ["Lou", "Mo", "Fiona"]  # flagged, then lowest recent mean first
    only = text(admin.get("/admin/feedback?flagged=1"))
    assert [row.split(" ")[0] for row in rows_of(only)] == ["Lou"]


def test_only_the_apprentices_ratings_count_for_a_mentor(app, admin):
    mira = make_mentor(app, "mira@example.com", "Mira Okafor")
    priya = make_mentee(app, "priya@example.com", "Priya Raman")
    a = make_apprenticeship(app, mira, priya, state=State.COMPLETED)
    give(signed_in(app, "mira@example.com"), a, rating="1", private_words="She never came.")
    assert "No apprentice has rated a mentor yet." in text(admin.get("/admin/feedback"))
    # Yet the mentor's words are there for the admins, on the mentor's page.
    assert "She never came." in text(admin.get(f"/admin/feedback/mentors/{mira}"))


def test_the_private_words_of_both_sides_are_readable_by_admins(app, admin):
    mira = make_mentor(app, "mira@example.com", "Mira Okafor")
    priya = make_mentee(app, "priya@example.com", "Priya Raman")
    a = make_apprenticeship(app, mira, priya, state=State.COMPLETED)
    give(
        signed_in(app, "priya@example.com"),
        a,
        rating="2",
        private_words="She <b>shouted</b> at me.",
        testimonial="Good ears.",
    )
    give(signed_in(app, "mira@example.com"), a, rating="4", private_words="Keen, often late.")
    page = text(admin.get(f"/admin/feedback/mentors/{mira}"))
    assert "She &lt;b&gt;shouted&lt;/b&gt; at me." in page and "<b>shouted" not in page
    assert "Keen, often late." in page and "Good ears." in page and "not shown" in page
    assert "2 of 5" in page and "4 of 5" in page
    ratings = text(admin.get("/admin/feedback"))
    assert f'href="/admin/feedback/mentors/{mira}"' in ratings


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**31), str(2**63), "999"])
def test_an_unknown_mentor_is_not_found(app, admin, bad_id):
    assert admin.get(f"/admin/feedback/mentors/{bad_id}").status_code == 404


def test_the_ratings_page_is_one_query_whatever_the_number_of_mentors(app, admin, count_queries):
    for n in range(3):
        rated_mentor(app, f"m{n}@example.com", f"Mentor {n:02}", [3, 4])
    admin.get("/admin/feedback")
    with count_queries() as few:
        few_page = text(admin.get("/admin/feedback"))
    for n in range(3, 25):
        rated_mentor(app, f"m{n}@example.com", f"Mentor {n:02}", [4, 5, 2])
    with count_queries() as many:
        many_page = text(admin.get("/admin/feedback"))
    assert len(rows_of(few_page)) == 3 and len(rows_of(many_page)) == 20
    assert len(many) == len(few), "\n".join(many)
    rating_queries = [q for q in many if "feedback" in q.lower()]
    assert len(rating_queries) == 1, "\n".join(rating_queries)
    second = text(admin.get("/admin/feedback?page=2"))
    assert len(rows_of(second)) == 5 and "Page 2 of 2" in second
    past = text(admin.get("/admin/feedback?page=9"))
    assert "This page is past the last one." in past


def test_the_mentor_page_pages_through_feedback(app, admin, count_queries):
    mira = rated_mentor(app, "mira@example.com", "Mira", [3] * 3, private_words="Words.")
    admin.get(f"/admin/feedback/mentors/{mira}")
    with count_queries() as few:
        admin.get(f"/admin/feedback/mentors/{mira}")
    with app.app_context():
        from mentorapp.extensions import db
        from mentorapp.models import Feedback

        for n in range(22):
            mentee = make_user(email=f"x{n}@example.com")
            db.session.flush()
            from mentorapp.models import Apprenticeship
            from mentorapp.models.types import utcnow

            a = Apprenticeship(
                mentor_id=mira,
                mentee_id=mentee.id,
                requested_by="mentee",
                state=State.COMPLETED,
                ended_at=utcnow(),
            )
            db.session.add(a)
            db.session.flush()
            db.session.add(Feedback(apprenticeship_id=a.id, side="mentee", rating=4))
        db.session.commit()
    with count_queries() as many:
        page = text(admin.get(f"/admin/feedback/mentors/{mira}"))
    assert page.count("Would recommend:") == 20 and "Page 1 of 2" in page
    assert len(many) == len(few), "\n".join(many)
    assert text(admin.get(f"/admin/feedback/mentors/{mira}?page=2")).count("Would recommend:") == 5


def test_the_admin_overview_and_navigation_lead_to_the_feedback(app, admin):
    overview = text(admin.get("/admin"))
    assert 'href="/admin/feedback"' in overview
    assert "no mentor with low recent ratings" in overview
    rated_mentor(app, "low@example.com", "Lou Low", [2, 1])
    rated_mentor(app, "fine@example.com", "Fiona Fine", [5, 4])
    assert "1 mentor with low recent ratings" in text(admin.get("/admin"))
    page = text(admin.get("/admin/feedback"))
    assert '<a href="/admin/feedback" aria-current="page">Feedback</a>' in page
