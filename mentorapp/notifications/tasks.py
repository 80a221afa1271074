"""Background work for the inbox: old notifications that were read are let go."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from mentorapp import tasks
from mentorapp.extensions import db
from mentorapp.models import Notification, User
from mentorapp.models.types import utcnow

# A notification read this long ago leaves the inbox for good; unread ones stay.
KEEP_READ = timedelta(days=180)


def prune_read_notifications(now: datetime | None = None) -> int:
    """Delete notifications read more than KEEP_READ ago. Returns how many."""
    cutoff = (now or utcnow()) - KEEP_READ
    return db.session.execute(
        delete(Notification)
        .where(Notification.read_at.is_not(None), Notification.read_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount


@tasks.periodic_task(tasks.crontab(minute="41", hour="3"))
def prune_notifications() -> int:
    """Nightly; deleting what is gone already deletes nothing, so runs may repeat."""
    pruned = prune_read_notifications()
    db.session.commit()
    return pruned


# The admins' daily note of what waits in their queues.
QUEUE_KIND = "queue"


def _queue_note(listings: int, mentors: int, reports: int) -> str:
    parts = [
        f"{n} {one if n == 1 else many}"
        for n, one, many in (
            (listings, "listing item", "listing items"),
            (mentors, "mentor application", "mentor applications"),
            (reports, "report", "reports"),
        )
        if n
    ]
    waits = "waits" if len(parts) == 1 and parts[0].startswith("1 ") else "wait"
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"In the admin queues: {listed} {waits} for you."


def tell_admins_what_waits(now: datetime | None = None) -> int:
    """Each admin gets one note a day (and its email, unless they turned it off) when
    anything waits in the listing, mentor or report queues. Returns how many were told;
    a second run the same day tells nobody again."""
    from mentorapp.directory import review
    from mentorapp.notifications.services import notify
    from mentorapp.trust import moderation, vetting_review

    now = now or utcnow()
    counts = (review.queue_size(), vetting_review.waiting_count(), moderation.open_count())
    if not any(counts):
        return 0
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    told_today = select(Notification.user_id).where(
        Notification.kind == QUEUE_KIND, Notification.created_at >= day_start
    )
    admins = db.session.scalars(
        select(User).where(
            User.is_admin.is_(True), User.suspended_at.is_(None), User.id.not_in(told_today)
        )
    ).all()
    text = _queue_note(*counts)
    for admin in admins:
        notify(admin, QUEUE_KIND, text, subject="Items wait in the admin queues")
    return len(admins)


@tasks.periodic_task(tasks.crontab(minute="5", hour="7"))
def daily_queue_note() -> int:
    """Every morning; runs that repeat the same day tell nobody twice."""
    told = tell_admins_what_waits()
    db.session.commit()
    return told
