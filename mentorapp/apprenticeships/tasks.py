"""Background work for apprenticeships: reminders and expiry of unanswered requests."""

from __future__ import annotations

from mentorapp import tasks
from mentorapp.extensions import db


@tasks.periodic_task(tasks.crontab(minute="*/15"))
def remind_and_expire_requests() -> tuple[int, int]:
    """Every quarter hour: remind the person asked about requests a week old, expire
    those two weeks old. Safe twice or at once in two workers: each reminder and expiry
    is a conditional UPDATE that only one run wins."""
    from mentorapp.apprenticeships.services import remind_and_expire

    result = remind_and_expire()
    db.session.commit()
    return result
