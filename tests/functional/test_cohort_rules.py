"""The rules a cohort run keeps, each on its own: the suggestions' hard rules, no pair
with an open request or running apprenticeship, none declined or expired in the last 90
days, none across a block, in person only within the mentee's travel radius; and what
a run reports (reasons, why someone was left out, the figures)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.matching.engine import score_pair
from mentorapp.models import Apprenticeship, Block, CohortPlacement, CohortRun, State
from mentorapp.models.types import utcnow
from mentorapp.programme.preview import ALL_FULL, NO_REACH, NO_SPECIALTY
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records, load_vocabulary
from tests.conftest import post_form
from tests.functional.apprenticeship_builders import EXPIRED, make_apprenticeship
from tests.functional.cohort_builders import (
    cohort_id_of,
    make_cohort,
    mentee,
    mentor,
    placements,
    sign_in_admin,
    start_run,
)
from tests.helpers import text


@pytest.fixture
def pair(app, client, auth, users):
    """One apprentice, the mentor who fits them best, and a second mentor who fits too."""
    sign_in_admin(users, auth)
    best = mentor(app, "Best Fit", teaches=("mixing", "mastering"))
    second = mentor(app, "Second Fit", teaches=("mixing",), kinds=("phenom",))
    ann = mentee(app, "Ann", wants=("mixing", "mastering"))
    return ann, best, second


def _run(client, **intake) -> int:
    return start_run(client, cohort_id_of(make_cohort(client, **intake)))


def test_the_best_pair_is_proposed_when_no_rule_stands_in_the_way(app, client, pair):
    ann, best, _ = pair
    assert placements(app, _run(client)) == {ann: (best, "")}


@pytest.mark.parametrize("state", [State.REQUESTED, State.ACCEPTED])
def test_no_pair_with_an_open_request_or_a_running_apprenticeship(app, client, pair, state):
    ann, best, second = pair
    make_apprenticeship(app, best, ann, state)
    assert placements(app, _run(client, mentee_waiting=None))[ann] == (second, "")


@pytest.mark.parametrize(
    ("outcome", "days", "kept_apart"),
    [
        (State.DECLINED, 89, True),
        (EXPIRED, 30, True),
        (State.DECLINED, 91, False),
        (State.WITHDRAWN, 5, False),
    ],
)
def test_the_90_day_rule(app, client, pair, outcome, days, kept_apart):
    ann, best, second = pair
    asked = make_apprenticeship(app, best, ann, outcome)
    with app.app_context():
        db.session.get(Apprenticeship, asked).decided_at = utcnow() - timedelta(days=days)
        db.session.commit()
    assert placements(app, _run(client))[ann] == ((second if kept_apart else best), "")


@pytest.mark.parametrize("who_blocks", ["mentee", "mentor"])
def test_no_pair_across_a_block_either_way(app, client, pair, who_blocks):
    ann, best, second = pair
    with app.app_context():
        blocker, blocked = (ann, best) if who_blocks == "mentee" else (best, ann)
        db.session.add(Block(blocker_id=blocker, blocked_id=blocked))
        db.session.commit()
    assert placements(app, _run(client))[ann] == (second, "")


def test_in_person_only_within_the_mentees_travel_radius(app, client, auth, users):
    sign_in_admin(users, auth)
    mentor(app, "In Reading", city="Reading", travel_km=200)
    near = mentee(app, "Travels Far", travel_km=80)
    stays = mentee(app, "Stays Home", travel_km=20)
    remote = mentor(app, "Remote Rita", city="Paris", remote=True, capacity=1)
    online = mentee(app, "Online Olly", travel_km=5, remote_ok=True, wants=("mixing",))
    result = placements(app, _run(client))
    assert result[near][0] is not None and result[near][0] != remote
    assert result[stays] == (None, NO_REACH)
    assert result[online] == (remote, "")


def test_the_suggestions_hard_rules_hold(app, client, auth, users):
    sign_in_admin(users, auth)
    adult_only = mentor(app, "Adults Only")
    young = mentee(app, "Young One", age=16)
    ann = mentee(app, "Ann")
    run = _run(client)
    result = placements(app, run)
    assert young not in result  # under 18 without a guardian's yes: not in the run
    assert result[ann] == (adult_only, "")
    with app.app_context():
        assert db.session.get(CohortRun, run).stats["mentees"] == 1


def test_unplaced_mentees_say_why(app, client, auth, users):
    sign_in_admin(users, auth)
    only = mentor(app, "Only Mentor", teaches=("mixing",), capacity=1)
    first = mentee(app, "First", wants=("mixing",))
    full = mentee(app, "Second", wants=("mixing",))
    elsewhere = mentee(app, "Elsewhere", city="Manchester")
    other_wish = mentee(app, "Wants Else", wants=("songwriting",))
    result = placements(app, _run(client))
    placed = [m for m in (first, full) if result[m][0] == only]
    assert len(placed) == 1
    assert result[({first, full} - set(placed)).pop()] == (None, ALL_FULL)
    assert result[elsewhere] == (None, NO_REACH)
    assert result[other_wish] == (None, NO_SPECIALTY)


def test_a_mentor_s_places_can_be_lowered_for_the_cohort(app, client, auth, users):
    sign_in_admin(users, auth)
    mentor(app, "Mia", capacity=3, email="mia@example.com")
    for name in ("A", "B", "C"):
        mentee(app, f"Mentee {name}")
    cohort = cohort_id_of(make_cohort(client))
    too_many = post_form(
        client,
        f"/admin/cohorts/{cohort}/places",
        {"email": "mia@example.com", "places": "4"},
        page=f"/admin/cohorts/{cohort}",
    )
    assert too_many.status_code == 422
    assert "Mia has 3 free places: a cohort can only lower that." in text(too_many)
    lowered = post_form(
        client,
        f"/admin/cohorts/{cohort}/places",
        {"email": "mia@example.com", "places": "1"},
        page=f"/admin/cohorts/{cohort}",
    )
    assert lowered.status_code == 302
    result = placements(app, start_run(client, cohort))
    assert sum(1 for mentor_id, _ in result.values() if mentor_id) == 1
    assert "Mia: 1 of 3 free places" in text(client.get(f"/admin/cohorts/{cohort}"))


def test_the_run_page_shows_the_figures_and_the_engine_s_own_reasons(app, client, pair):
    ann, best, _ = pair
    run = _run(client)
    with app.app_context():
        vocabulary = load_vocabulary()
        match = score_pair(
            load_mentee_records([ann])[0],
            load_mentor_records([best])[0],
            vocabulary,
            viewer="mentor",
        )
        stored = db.session.scalar(select(CohortPlacement).where(CohortPlacement.run_id == run))
        stats = db.session.get(CohortRun, run).stats
    assert stored.reasons == [reason.text for reason in match.reasons]
    assert stored.score == pytest.approx(match.score, abs=1e-4)
    assert stats["placed"] == stats["mentees"] == 1
    assert stats["mean"] == stats["lowest"] == pytest.approx(match.score, abs=1e-4)
    body = text(client.get(f"/admin/cohorts/1/runs/{run}"))
    assert "Placed</dt><dd>1 of 1 apprentices" in body
    assert match.reasons[0].text in body
    assert "Blocking pairs</dt><dd>0" in body


def test_a_stable_run_has_no_blocking_pair(app, client, auth, users):
    from mentorapp.demo import seed_demo

    with app.app_context():
        seed_demo(mentors=12, mentees=30)
        db.session.commit()
    sign_in_admin(users, auth)
    cohort = cohort_id_of(make_cohort(client))
    stable, optimal = start_run(client, cohort, "stable"), start_run(client, cohort, "optimal")
    with app.app_context():
        s, o = db.session.get(CohortRun, stable).stats, db.session.get(CohortRun, optimal).stats
    assert s["blocking"] == 0
    assert o["placed"] >= s["placed"] > 0
    page = text(client.get(f"/admin/cohorts/{cohort}"))
    assert page.count("Stable (no blocking pair)") >= 2  # the form and the runs' table
