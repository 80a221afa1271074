"""Background work of cohorts: a run's pairing (preview) and its commit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from mentorapp import tasks
from mentorapp.extensions import db
from mentorapp.models import CohortRun, RunState
from mentorapp.models.types import utcnow

LOST_AFTER = timedelta(minutes=2)


@tasks.task(retries=1, retry_delay=5)
def preview_run(run_id: int) -> None:
    """Pair a run's cohort; a second delivery of the message finds the run taken."""
    from mentorapp.programme.preview import run_preview

    run_preview(run_id)


@tasks.task(retries=3, retry_delay=5)
def commit_run(run_id: int) -> None:
    """Send a committed run's invitations; resumes where an earlier run stopped."""
    from mentorapp.programme.commit import run_commit

    run_commit(run_id)


def enqueue_preview(run_id: int) -> None:
    tasks.enqueue_after_commit(preview_run, run_id)


def enqueue_commit(run_id: int) -> None:
    tasks.enqueue_after_commit(commit_run, run_id)


@tasks.register_sweeper("cohort_runs")
def resume_lost_runs() -> int:
    """Runs and commits whose queue message never arrived (the queue was away when they
    were started) are enqueued again after a while; both tasks are safe twice."""
    since = utcnow() - LOST_AFTER
    queued = list(
        db.session.scalars(
            select(CohortRun.id).where(
                CohortRun.state == RunState.QUEUED, CohortRun.created_at < since
            )
        )
    )
    committing = list(
        db.session.scalars(select(CohortRun.id).where(CohortRun.commit_state == "queued"))
    )
    # A commit waiting this long was never picked up: nudge it once more.
    db.session.execute(
        update(CohortRun)
        .where(CohortRun.id.in_(queued))
        .values(created_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    for run_id in queued:
        tasks.enqueue(preview_run, run_id)
    for run_id in committing:
        tasks.enqueue(commit_run, run_id)
    return len(queued) + len(committing)
