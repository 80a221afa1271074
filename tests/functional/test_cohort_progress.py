"""A run waits for a worker and pairs in the background: its page shows a progress bar
and reloads itself (no JavaScript needed) until the run is over; a worker that picks
the same run up twice pairs it once."""

from sqlalchemy import func, select

from mentorapp import tasks
from mentorapp.database import read_only
from mentorapp.extensions import db
from mentorapp.models import CohortPlacement, CohortRun
from mentorapp.programme.tasks import preview_run
from tests.conftest import AuthActions, post_form
from tests.functional.cohort_builders import ADMIN, INTAKE_DEFAULTS, mentee, mentor
from tests.helpers import text


def _state(run: int) -> str:
    with read_only():
        state = db.session.get(CohortRun, run).state
        db.session.rollback()
        return state


def test_a_queued_run_shows_its_progress_then_its_result(users, queue_app, task_worker):
    app = queue_app()
    client = app.test_client()
    users(email=ADMIN, display_name="Ada Admin", is_admin=True, is_mentee=False)
    AuthActions(client).login(ADMIN)
    mentor(app, "Mia")
    mentee(app, "Ann")
    made = post_form(client, "/admin/cohorts/new", INTAKE_DEFAULTS)
    started = post_form(
        client, made.location + "/runs", {"strategy": "optimal"}, page=made.location
    )
    run = int(started.location.rsplit("/", 1)[-1])
    waiting = text(client.get(started.location))
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "Waiting for a worker" in waiting
    assert 'aria-labelledby="run-progress-label"' in waiting
    assert "Reload now" in waiting  # a link to reload by hand as well

    with app.app_context():
        tasks.enqueue(preview_run, run)  # the same run twice, as a redelivered message
    worker = task_worker(app)
    worker.wait_for(lambda: _state(run) == "finished")
    worker.drain()
    done = text(client.get(started.location))
    assert 'http-equiv="refresh"' not in done
    assert "Placed</dt><dd>1 of 1 apprentices" in done
    with app.app_context():
        rows = db.session.scalar(
            select(func.count()).select_from(CohortPlacement).where(CohortPlacement.run_id == run)
        )
        assert rows == 1
