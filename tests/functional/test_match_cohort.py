"""`flask match-cohort`: pairing the whole intake from the command line."""

import csv
import io
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from mentorapp.demo import seed_demo
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MenteeProfile, MentorProfile, SuggestionMark, User
from mentorapp.models.apprenticeship import OPEN_STATES


@pytest.fixture
def intake(app):
    with app.app_context():
        seed_demo(mentors=12, mentees=30)
        db.session.commit()
        rows = db.session.execute(select(MentorProfile.user_id, MentorProfile.capacity))
        capacities = {user_id: capacity for user_id, capacity in rows}
        placed = select(Apprenticeship.mentee_id).where(Apprenticeship.state.in_(OPEN_STATES))
        mentees = db.session.scalar(
            select(func.count())
            .select_from(MenteeProfile)
            .join(User, User.id == MenteeProfile.user_id)
            .where(User.suspended_at.is_(None), User.is_mentee, User.id.not_in(placed))
        )
    return mentees, capacities


def summary(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  ([A-Z][a-z ]+?)\s{2,}(.+)$", output, flags=re.M))


@pytest.mark.parametrize("strategy", ["optimal", "stable"])
def test_a_dry_run_prints_the_plan_and_the_pairs_respect_capacities(runner, intake, strategy):
    mentees, capacities = intake
    result = runner.invoke(
        args=["match-cohort", "--strategy", strategy, "--dry-run", "--csv", "-", "--show", "3"]
    )
    assert result.exit_code == 0, result.output
    figures = summary(result.stderr)
    assert figures["Strategy"] == strategy
    assert figures["Mentees in the intake"] == str(mentees)
    assert "Best 3 pairs:" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    placed = int(figures["Placed"].split()[0])
    assert placed == len(rows) > 0
    assert len({row["mentee_id"] for row in rows}) == len(rows)  # one mentor per mentee
    for mentor_id, count in Counter(int(row["mentor_id"]) for row in rows).items():
        assert count <= capacities[mentor_id]
    mean = sum(float(row["score"]) for row in rows) / len(rows)
    assert float(figures["Mean score"]) == pytest.approx(mean, abs=1e-3)
    if strategy == "stable":
        assert figures["Blocking pairs"] == "0"


def test_optimal_places_at_least_as_many_as_stable(runner, intake):
    placed = {}
    for strategy in ("optimal", "stable"):
        result = runner.invoke(args=["match-cohort", "--strategy", strategy, "--dry-run"])
        placed[strategy] = int(summary(result.output)["Placed"].split()[0])
    assert placed["optimal"] >= placed["stable"]


def test_without_dry_run_nothing_is_recorded_and_it_says_why(app, runner, intake):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(SuggestionMark))
    result = runner.invoke(args=["match-cohort"])
    assert result.exit_code == 2
    assert "Use --dry-run" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SuggestionMark)) == before


def test_an_unknown_strategy_is_refused(runner):
    result = runner.invoke(args=["match-cohort", "--strategy", "random", "--dry-run"])
    assert result.exit_code == 2
    assert "'random' is not one of 'optimal', 'stable'" in result.output


def test_an_empty_intake_is_reported_not_an_error(runner):
    result = runner.invoke(args=["match-cohort", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert summary(result.output)["Placed"] == "0"


def test_mentees_already_placed_or_waiting_are_left_out(app, runner, intake):
    with app.app_context():
        busy = set(
            db.session.scalars(
                select(Apprenticeship.mentee_id).where(Apprenticeship.state.in_(OPEN_STATES))
            )
        )
    assert busy, "the demo intake has running apprenticeships and open requests"
    result = runner.invoke(args=["match-cohort", "--dry-run", "--csv", "-"])
    assert result.exit_code == 0, result.output
    paired = {int(row["mentee_id"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    assert paired and not paired & busy
