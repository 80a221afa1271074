"""A mentor's pause: a break until a return date, answered kindly, ending by itself.

While a mentor is paused (`MentorProfile.paused_until` is set) the matching records
count them as not accepting, so they are not suggested, and `why_not_taking` refuses a
request with "Back on <date>". Pausing answers the requests waiting on them, each with
a kind note naming the day they return; the pause ends on that day by itself
(`availability.tasks`) or earlier when the mentor ends it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from mentorapp.apprenticeships.services import answer_open_requests
from mentorapp.availability.waiting import update_offers
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import MentorProfile, User
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.suggestions.index import note_matching_change

PAUSED = "paused"  # the reason stored on a request the pause answered
LONGEST_PAUSE = timedelta(days=366)


def _today(now: datetime | None) -> date:
    return (now or utcnow()).date()


def back_on(day: date) -> str:
    return f"{day:%d %B %Y}"


def pause(mentor: User, until: date | None, now: datetime | None = None) -> int:
    """Pause until `until` (the day they are back); returns how many waiting requests
    were answered. Pausing again moves the return date."""
    profile = mentor.mentor_profile
    if not mentor.is_mentor or profile is None:
        raise NotAllowed("Only a mentor can pause.")
    today = _today(now)
    if until is None:
        raise DomainError("Say the day you will be back.", field="until")
    if until <= today:
        raise DomainError("Choose a day after today.", field="until")
    if until > today + LONGEST_PAUSE:
        raise DomainError("A pause lasts a year at most: choose an earlier day.", field="until")
    profile.paused_until = until
    db.session.flush()
    return _answer_waiting_requests(mentor, until, now or utcnow())


def _answer_waiting_requests(mentor: User, until: date, now: datetime) -> int:
    return answer_open_requests(
        mentor,
        PAUSED,
        now,
        message=f"{mentor.display_name} is taking a break and back on {back_on(until)}, so "
        "they cannot take you on now. This says nothing about you: ask again when they "
        "are back, or try the other mentors in your suggestions.",
    )


def end_pause(mentor: User) -> bool:
    """The mentor is back early. False when they were not paused."""
    profile = mentor.mentor_profile
    if profile is None or profile.paused_until is None:
        return False
    profile.paused_until = None
    db.session.flush()
    update_offers(mentor.id)
    return True


def end_due_pauses(now: datetime | None = None) -> int:
    """End every pause whose return day has come. One conditional UPDATE a mentor, so
    two runs at once end each pause once; returns how many ended."""
    today = _today(now)
    due = list(
        db.session.scalars(
            select(MentorProfile.user_id).where(
                MentorProfile.paused_until.is_not(None), MentorProfile.paused_until <= today
            )
        )
    )
    ended = set()
    for user_id in due:
        moved = db.session.execute(
            update(MentorProfile)
            .where(
                MentorProfile.user_id == user_id,
                MentorProfile.paused_until.is_not(None),
                MentorProfile.paused_until <= today,
            )
            .values(paused_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved == 1:
            ended.add(user_id)
            notify(
                db.session.get(User, user_id),
                "update",
                "Your pause has ended: you can be suggested and asked again.",
            )
            update_offers(user_id, now)
    note_matching_change(ended)
    return len(ended)
