"""The same run committed by several workers at once, on a real queue: every pair is
invited exactly once, with one notification each side, and the counts add up.

On PostgreSQL, without the claim of each placement (outcome NULL -> invited) the four
workers read the same batch and the counts came out (24 invited, 72 skipped, 96 done)
for 24 pairs. SQLite's one writer at a time (BEGIN IMMEDIATE for the batch's read too)
serialises the batches, so there the test checks the outcome, not the claim."""

from __future__ import annotations

from sqlalchemy import func, select

from mentorapp import tasks
from mentorapp.database import read_only
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, CohortPlacement, CohortRun, Notification, RunState
from mentorapp.programme.tasks import commit_run
from tests.conftest import AuthActions, post_form
from tests.functional.cohort_builders import ADMIN, INTAKE_DEFAULTS, mentee, mentor

MENTORS, MENTEES = 12, 30


def _commit_state(run: int) -> str | None:
    with read_only():  # the test's polling must not queue for SQLite's one writer
        state = db.session.get(CohortRun, run).commit_state
        db.session.rollback()
        return state


def test_one_run_committed_by_four_workers_at_once(users, queue_app, task_worker):
    app = queue_app()
    client = app.test_client()
    users(email=ADMIN, display_name="Ada Admin", is_admin=True, is_mentee=False)
    AuthActions(client).login(ADMIN)
    for n in range(MENTORS):
        mentor(app, f"Mentor {n}", capacity=1 + n % 3)
    for n in range(MENTEES):
        mentee(app, f"Mentee {n}")
    made = post_form(client, "/admin/cohorts/new", INTAKE_DEFAULTS)
    cohort = int(made.location.rsplit("/", 1)[-1])
    started = post_form(
        client, f"/admin/cohorts/{cohort}/runs", {"strategy": "optimal"}, page=made.location
    )
    run = int(started.location.rsplit("/", 1)[-1])
    worker = task_worker(app, workers=4)
    worker.wait_for(lambda: db.session.get(CohortRun, run).state == RunState.FINISHED)
    worker.stop()  # the commit's messages pile up first, then four workers take them
    with app.app_context():
        placed = db.session.get(CohortRun, run).stats["placed"]
    assert placed == sum(1 + n % 3 for n in range(MENTORS))  # every place filled

    post_form(client, f"/admin/cohorts/{cohort}/runs/{run}/commit", {}, page=started.location)
    with app.app_context():
        for _ in range(3):  # the same run again, as a retry or a second worker would
            tasks.enqueue(commit_run, run)
        assert tasks.huey.pending_count() == 4
    worker = task_worker(app, workers=4)
    worker.wait_for(lambda: _commit_state(run) == "finished", timeout=60)
    worker.drain(timeout=60)

    with app.app_context():
        done = db.session.get(CohortRun, run)
        invitations = db.session.scalars(
            select(Apprenticeship).where(Apprenticeship.requested_by == "programme")
        ).all()
        assert (done.invited, done.skipped, done.commit_done) == (placed, 0, placed)
        assert len(invitations) == placed
        assert len({(a.mentor_id, a.mentee_id) for a in invitations}) == placed
        linked = db.session.scalars(
            select(CohortPlacement.apprenticeship_id).where(
                CohortPlacement.run_id == run, CohortPlacement.outcome == "invited"
            )
        ).all()
        assert sorted(linked) == sorted(a.id for a in invitations)
        notes = db.session.scalar(select(func.count(Notification.id)))
        assert notes == 2 * placed
