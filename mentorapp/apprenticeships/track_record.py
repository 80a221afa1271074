"""A mentor's track record on their page, from what the product records: apprentices
taught, apprenticeships completed, hours both sides confirmed, how soon they usually
answer a request, and since when they are a member. Three queries, whatever the
numbers."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, or_, select

from mentorapp.apprenticeships.services import DECLINE_REASONS
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, State, User, WorkSession

# A mentor took these on (running, or finished either way).
TAUGHT = (State.ACCEPTED, State.COMPLETED, State.ENDED)
ANSWERS_COUNTED = 20  # the median is of the last this many answers
ANSWERS_NEEDED = 3  # fewer than this says nothing about a habit: not shown
DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TrackRecord:
    apprentices_taught: int
    completed: int
    confirmed_minutes: int
    answers_within_days: int | None  # None: too few answers to say
    member_since: datetime

    @property
    def confirmed_hours(self) -> int:
        return self.confirmed_minutes // 60


def _answered_by_the_mentor():
    """A request the mentor answered themselves: accepted (whatever came after), or
    declined with a reason of their own (not expired, full or closed for them)."""
    return and_(
        Apprenticeship.requested_by == "mentee",
        Apprenticeship.decided_at.is_not(None),
        or_(
            Apprenticeship.state.in_(TAUGHT),
            and_(
                Apprenticeship.state == State.DECLINED,
                Apprenticeship.reason.in_(list(DECLINE_REASONS)),
            ),
        ),
    )


def usual_answer_days(waits: list[float]) -> int | None:
    """'Usually answers within N days': the median wait in seconds, in whole days up
    (at least 1), once there are enough answers to speak of a habit."""
    if len(waits) < ANSWERS_NEEDED:
        return None
    return max(1, math.ceil(statistics.median(waits) / DAY_SECONDS))


def track_record(mentor: User) -> TrackRecord:
    """The mentor's figures, for their public page."""
    confirmed = (
        select(func.coalesce(func.sum(WorkSession.minutes), 0))
        .join(Apprenticeship, Apprenticeship.id == WorkSession.apprenticeship_id)
        .where(Apprenticeship.mentor_id == mentor.id, WorkSession.confirmed_at.is_not(None))
        .scalar_subquery()
    )
    taught, completed, minutes = db.session.execute(
        select(
            func.count(
                distinct(case((Apprenticeship.state.in_(TAUGHT), Apprenticeship.mentee_id)))
            ),
            func.count(case((Apprenticeship.state == State.COMPLETED, 1))),
            confirmed,
        ).where(Apprenticeship.mentor_id == mentor.id)
    ).one()
    answers = db.session.execute(
        select(Apprenticeship.created_at, Apprenticeship.decided_at)
        .where(Apprenticeship.mentor_id == mentor.id, _answered_by_the_mentor())
        .order_by(Apprenticeship.decided_at.desc(), Apprenticeship.id.desc())
        .limit(ANSWERS_COUNTED)
    ).all()
    waits = [max(0.0, (decided - asked).total_seconds()) for asked, decided in answers]
    return TrackRecord(
        apprentices_taught=taught or 0,
        completed=completed or 0,
        confirmed_minutes=int(minutes or 0),
        answers_within_days=usual_answer_days(waits),
        member_since=mentor.created_at,
    )
