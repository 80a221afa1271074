"""`flask match-cohort --commit`: the whole intake paired and invited from the command
line, through the same code as /admin/cohorts."""

from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, AuditEntry, Cohort, CohortRun
from tests.functional.cohort_builders import ADMIN, mentee, mentor


def test_commit_pairs_and_invites_the_whole_intake(app, runner, users):
    users(email=ADMIN, display_name="Ada Admin", is_admin=True, is_mentee=False)
    mia = mentor(app, "Mia", capacity=2)
    ann, ben = mentee(app, "Ann"), mentee(app, "Ben")
    mentee(app, "Far Away", city="Manchester")
    result = runner.invoke(args=["match-cohort", "--commit", ADMIN, "--name", "Night shift"])
    assert result.exit_code == 0, result.output
    assert "Placed          2 of 3" in result.output
    assert "Invited         2" in result.output
    with app.app_context():
        invitations = db.session.execute(
            select(Apprenticeship.mentor_id, Apprenticeship.mentee_id, Cohort.name)
            .join(Cohort, Cohort.id == Apprenticeship.cohort_id)
            .where(Apprenticeship.requested_by == "programme")
            .order_by(Apprenticeship.mentee_id)
        ).all()
        assert [tuple(row) for row in invitations] == [
            (mia, ann, "Night shift"),
            (mia, ben, "Night shift"),
        ]
        assert db.session.scalar(select(func.count(CohortRun.id))) == 1
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"cohort_created", "cohort_run_started", "cohort_committed"} <= actions
    # Again: the two invited are placed already; the one out of reach is still out.
    again = runner.invoke(args=["match-cohort", "--commit", ADMIN])
    assert again.exit_code == 0, again.output
    assert "Placed          0 of 1" in again.output
    assert "Invited         0" in again.output


def test_commit_with_nobody_to_pair_says_so(app, runner, users):
    users(email=ADMIN, display_name="Ada Admin", is_admin=True, is_mentee=False)
    mentee(app, "Ann")
    result = runner.invoke(args=["match-cohort", "--commit", ADMIN])
    assert result.exit_code == 1
    assert "Nobody to pair" in result.output


def test_commit_needs_an_admin_and_not_the_dry_run_too(app, runner, users):
    users(email="someone@example.com")
    refused = runner.invoke(args=["match-cohort", "--commit", "someone@example.com"])
    assert refused.exit_code == 2
    assert "no admin has this email" in refused.output
    both = runner.invoke(args=["match-cohort", "--commit", ADMIN, "--dry-run"])
    assert both.exit_code == 2
    assert "not both" in both.output
