"""Periodic work on a real worker: reminders and expiry, the yearly re-check notices,
pruning, the sweep. Each may run twice, or in two workers at once, and does its work
once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from mentorapp import tasks
from mentorapp.apprenticeships.services import remind_and_expire
from mentorapp.apprenticeships.tasks import remind_and_expire_requests
from mentorapp.directory.tasks import notify_listers_of_rechecks, remind_listers_of_rechecks
from mentorapp.extensions import db
from mentorapp.models import (
    MatchingChange,
    Notification,
    OutboundEmail,
    TaskRun,
)
from mentorapp.models.types import utcnow
from mentorapp.notifications.tasks import prune_notifications
from mentorapp.suggestions.index import KEEP_CHANGES
from mentorapp.suggestions.tasks import prune_matching_log
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    shift_back,
)
from tests.functional.listing_builders import due_for_recheck, make_listing, person


def kinds(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.kind)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def runs_of(app, task_wrapper) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(TaskRun.state).where(TaskRun.name == task_wrapper.name).order_by(TaskRun.id)
            )
        )


def test_reminders_and_expiry_run_twice_at_once_on_two_workers_remind_once(queue_app, task_worker):
    app = queue_app()
    mira = make_mentor(app, "mira@example.com", "Mira", capacity=5)
    week_old = make_apprenticeship(app, mira, make_mentee(app, "ana@example.com", "Ana"))
    fortnight_old = make_apprenticeship(app, mira, make_mentee(app, "ben@example.com", "Ben"))
    shift_back(app, week_old, 8)
    shift_back(app, fortnight_old, 15)
    worker = task_worker(app, workers=2)
    for _ in range(2):
        remind_and_expire_requests()  # as the scheduler enqueues it
    worker.drain()
    remind_and_expire_requests()  # and once more, later
    worker.drain()
    assert kinds(app, mira) == ["reminder", "expiry"]
    # The emails went onto the queue after the task's commit, and were delivered.
    worker.wait_for(
        lambda: (
            db.session.scalar(
                select(func.count(OutboundEmail.id)).where(OutboundEmail.sent_at.is_(None))
            )
            == 0
        )
    )
    assert runs_of(app, remind_and_expire_requests) == ["succeeded"] * 3


def test_reminders_from_two_threads_at_once_go_once(app):
    """The conditional UPDATE, with the two runs in flight together (PostgreSQL lets both
    read the request before either writes)."""
    mira = make_mentor(app, "mira@example.com", "Mira", capacity=5)
    for n in range(6):
        a = make_apprenticeship(app, mira, make_mentee(app, f"m{n}@example.com", f"M{n}"))
        shift_back(app, a, 8)
    start = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            start.wait()
            results.append(remind_and_expire())
            db.session.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sum(reminded for reminded, _ in results) == 6
    assert kinds(app, mira).count("reminder") == 6


def test_listers_are_told_once_of_their_yearly_check(queue_app, task_worker):
    app = queue_app()
    lister = person(app, "lee@example.com", "Lee")
    due = make_listing(app, "Tape Room", submitted_by=lister)
    due_for_recheck(app, due)
    make_listing(app, "Fresh Room", submitted_by=lister)  # vetted today: not due
    worker = task_worker(app, workers=2)
    remind_listers_of_rechecks()
    remind_listers_of_rechecks()
    worker.drain()
    remind_listers_of_rechecks()
    worker.drain()
    assert kinds(app, lister) == ["listing"]
    with app.app_context():
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == lister))
        assert "Tape Room" in note.text and "year" in note.text
        [email] = db.session.scalars(select(OutboundEmail)).all()
        assert email.recipient == "lee@example.com" and "Tape Room" in email.subject
        assert f"/directory/{due}/edit" in email.body_text
    # A year later, after the admin confirmed it, the lister is told again.
    with app.app_context():
        from mentorapp.models import Listing

        listing = db.session.get(Listing, due)
        listing.recheck_due_at = utcnow() + timedelta(days=365)
        db.session.commit()
        # (the fresh listing is due by then too)
        assert notify_listers_of_rechecks(now=utcnow() + timedelta(days=366)) == 2
        db.session.commit()
    assert kinds(app, lister) == ["listing", "listing", "listing"]


def test_old_read_notifications_are_pruned_unread_ones_stay(queue_app, task_worker):
    app = queue_app()
    someone = person(app, "sam@example.com", "Sam")
    with app.app_context():
        long_ago = utcnow() - timedelta(days=400)
        db.session.add_all(
            [
                Notification(user_id=someone, kind="message", text="old, read", read_at=long_ago),
                Notification(user_id=someone, kind="message", text="old, unread"),
                Notification(user_id=someone, kind="message", text="new, read", read_at=utcnow()),
            ]
        )
        db.session.commit()
    worker = task_worker(app)
    prune_notifications()
    prune_notifications()
    worker.drain()
    with app.app_context():
        left = db.session.scalars(select(Notification.text).order_by(Notification.id)).all()
    assert left == ["old, unread", "new, read"]
    assert runs_of(app, prune_notifications) == ["succeeded", "succeeded"]


def test_the_matching_change_log_is_pruned_to_what_workers_may_read(queue_app, task_worker):
    app = queue_app()
    with app.app_context():
        version = KEEP_CHANGES + 100  # the highest id is the version
        db.session.add_all(
            [MatchingChange(id=v, user_id=None) for v in (1, 50, 99, 100, 101, version)]
        )
        db.session.commit()
    worker = task_worker(app)
    prune_matching_log()
    prune_matching_log()
    worker.drain()
    with app.app_context():
        left = db.session.scalars(select(MatchingChange.id).order_by(MatchingChange.id))
        assert list(left) == [100, 101, version]


def test_task_history_forgets_old_runs_and_marks_the_lost(queue_app, task_worker):
    app = queue_app()
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            [
                TaskRun(
                    task_id="a", name="t", state="succeeded", started_at=now - timedelta(days=3)
                ),
                TaskRun(task_id="b", name="t", state="failed", started_at=now - timedelta(days=3)),
                TaskRun(
                    task_id="c", name="t", state="running", started_at=now - timedelta(hours=7)
                ),
                TaskRun(task_id="d", name="t", state="running", started_at=now),
                TaskRun(task_id="e", name="t", state="failed", started_at=now - timedelta(days=40)),
            ]
        )
        db.session.commit()
    worker = task_worker(app)
    tasks.prune_task_history()
    worker.drain()
    with app.app_context():
        left = db.session.execute(
            select(TaskRun.task_id, TaskRun.state).where(TaskRun.name == "t").order_by(TaskRun.id)
        ).all()
    assert [tuple(row) for row in left] == [("b", "failed"), ("c", "lost"), ("d", "running")]


def test_the_periodic_sweep_runs_on_the_worker_scheduler(queue_app, task_worker):
    """The worker's own scheduler enqueues periodic work (no crontab): an email whose
    task never reached the queue goes out once the sweep runs, at the worker's start."""
    app = queue_app()
    with app.app_context():
        db.session.add(
            OutboundEmail(
                recipient="ana@example.com",
                subject="Hello",
                body_text="Hello",
                next_attempt_at=utcnow() - timedelta(minutes=5),
            )
        )
        db.session.commit()
    assert tasks.queue_depth() == 0  # nothing was enqueued for it
    task_worker(app, periodic=True).wait_for(
        lambda: db.session.scalar(select(OutboundEmail.sent_at)) is not None
    )
    periodic = {t.name for t in tasks.huey._registry.periodic_tasks}
    assert {
        tasks.sweep_committed_work.name,
        remind_and_expire_requests.name,
        remind_listers_of_rechecks.name,
        prune_notifications.name,
        prune_matching_log.name,
        tasks.prune_task_history.name,
    } <= periodic
