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


@tasks.periodic_task(tasks.crontab(minute="*/15"))
def pass_lapsed_waiting_list_offers() -> int:
    """Every quarter hour: an offer nobody took up in three days goes to the next on
    the list. Safe twice or at once: each lapsed entry is deleted by one run only."""
    from mentorapp.availability.waiting import pass_lapsed_offers

    passed = pass_lapsed_offers()
    db.session.commit()
    return passed
