"""What the admins see of the background work, and the two things they can do about it:
run a failed task again, resend an email that failed for good. Both are audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from mentorapp import mail, tasks
from mentorapp.audit import record
from mentorapp.errors import Conflict, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import ImportJob, OutboundEmail, TaskRun, User
from mentorapp.models.listing_import import ImportState
from mentorapp.models.types import utcnow

SHOWN = 20
FAILED_WITHIN = timedelta(days=7)
FAILED_STATES = ("failed", "lost")


@dataclass
class Overview:
    reachable: bool
    depth: int
    scheduled: int
    running: list[TaskRun]
    failed: list[TaskRun]
    failed_count: int
    emails_failed: list[OutboundEmail]
    emails_failed_count: int
    emails_retrying: int
    imports: list[ImportJob]


def _recent_failures():
    return (
        TaskRun.state.in_(FAILED_STATES),
        TaskRun.retried_at.is_(None),
        TaskRun.started_at >= utcnow() - FAILED_WITHIN,
    )


def overview() -> Overview:
    reachable = tasks.queue_reachable()
    emails_failed_count = db.session.scalar(
        select(func.count(OutboundEmail.id)).where(OutboundEmail.failed_at.is_not(None))
    )
    return Overview(
        reachable=reachable,
        depth=tasks.queue_depth() if reachable else -1,
        scheduled=tasks.scheduled_count() if reachable else -1,
        running=list(
            db.session.scalars(
                select(TaskRun)
                .where(TaskRun.state == "running")
                .order_by(TaskRun.started_at.desc())
                .limit(SHOWN)
            )
        ),
        failed=list(
            db.session.scalars(
                select(TaskRun)
                .where(*_recent_failures())
                .order_by(TaskRun.started_at.desc())
                .limit(SHOWN)
            )
        ),
        failed_count=db.session.scalar(select(func.count(TaskRun.id)).where(*_recent_failures())),
        emails_failed=list(
            db.session.scalars(
                select(OutboundEmail)
                .where(OutboundEmail.failed_at.is_not(None))
                .order_by(OutboundEmail.failed_at.desc())
                .limit(SHOWN)
            )
        ),
        emails_failed_count=emails_failed_count or 0,
        emails_retrying=db.session.scalar(
            select(func.count(OutboundEmail.id)).where(
                OutboundEmail.sent_at.is_(None),
                OutboundEmail.failed_at.is_(None),
                OutboundEmail.attempts > 0,
            )
        )
        or 0,
        imports=list(
            db.session.scalars(
                select(ImportJob)
                .where(ImportJob.state.in_((ImportState.QUEUED, ImportState.RUNNING)))
                .order_by(ImportJob.id)
                .limit(SHOWN)
            )
        ),
    )


def _arguments(run: TaskRun) -> tuple[list, dict] | None:
    if not run.payload:
        return None
    try:
        data = json.loads(run.payload)
        return list(data["args"]), dict(data["kwargs"])
    except (ValueError, KeyError, TypeError):
        return None


def retry_run(admin: User, run_id: int) -> TaskRun:
    """Run a failed task again with the same arguments, once however often asked."""
    if not admin.is_admin:
        raise NotAllowed("Only admins run tasks again.")
    run = db.session.get(TaskRun, run_id)
    if run is None or run.state not in FAILED_STATES:
        raise NotAllowed("There is no such failed task.")
    task_wrapper = tasks.task_by_name(run.name)
    arguments = _arguments(run)
    if task_wrapper is None or arguments is None:
        raise Conflict("This task cannot be run again from here.")
    moved = db.session.execute(
        update(TaskRun)
        .where(TaskRun.id == run_id, TaskRun.retried_at.is_(None))
        .values(retried_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict("Another admin already ran this task again.")
    db.session.refresh(run)
    args, kwargs = arguments
    if run.name == mail.deliver_email.name and args and mail.resend(int(args[0])):
        pass  # an email failed for good: resend() gave it new tries and enqueued it
    else:
        tasks.enqueue_after_commit(task_wrapper, *args, **kwargs)
    record(admin, "task_retried", "task_run", run.id, run.name, run.error or "")
    return run


def resend_email(admin: User, message_id: int) -> OutboundEmail:
    """Give an email that failed for good a fresh set of tries."""
    if not admin.is_admin:
        raise NotAllowed("Only admins resend emails.")
    message = db.session.get(OutboundEmail, message_id)
    if message is None:
        raise NotAllowed("There is no such email.")
    if not mail.resend(message_id):
        raise Conflict("This email is not failed for good (any more): nothing to resend.")
    db.session.refresh(message)
    record(
        admin,
        "email_resent",
        "email",
        message.id,
        f"{message.subject} (to {message.recipient})",
        message.last_error or "",
    )
    return message
