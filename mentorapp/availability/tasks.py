"""Background work for availability: pauses end by themselves on their return day."""

from __future__ import annotations

from mentorapp import tasks
from mentorapp.extensions import db


@tasks.periodic_task(tasks.crontab(minute="7"))
def end_pauses() -> int:
    """Hourly: end the pauses whose day has come. Safe twice or at once: each pause is
    ended by a conditional UPDATE that only one run wins."""
    from mentorapp.availability.services import end_due_pauses

    ended = end_due_pauses()
    db.session.commit()
    return ended
