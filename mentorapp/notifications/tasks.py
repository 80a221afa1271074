"""Background work for the inbox: old notifications that were read are let go."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from mentorapp import tasks
from mentorapp.extensions import db
from mentorapp.models import Notification
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
