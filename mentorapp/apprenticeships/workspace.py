"""What a pair shares while they work together: a thread, goals, a log of sessions, and
at the end the mentor's reference.

Forms that add something carry a one-time token (`nonce`), so a double click or a
resent form adds it once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    Goal,
    Reference,
    State,
    ThreadMessage,
    User,
    WorkSession,
)
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.trust import blocks, limits, reports

RECOMMENDATIONS: dict[str, str] = {
    "highest": "I recommend them without reservation",
    "strong": "I recommend them",
    "with_notes": "I recommend them, with the notes above",
}
THREAD_STATES = (State.REQUESTED, State.ACCEPTED)
WORK_STATES = (State.ACCEPTED,)


def _stored_once(model, nonce: str | None, build):
    """Add what `build()` returns unless this form's token already added it.

    Returns the row and whether it is new (only a new row is worth telling anyone about)."""
    if nonce:
        done = db.session.scalar(select(model).where(model.nonce == nonce))
        if done is not None:
            return done, False
    row = build()
    row.nonce = nonce or None
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        # The same form, submitted twice at the same moment: the first one stands.
        done = db.session.scalar(select(model).where(model.nonce == nonce))
        if done is None:
            raise
        return done, False
    return row, True


def _require_state(apprenticeship: Apprenticeship, states, doing: str) -> None:
    if apprenticeship.state not in states:
        raise Conflict(f"{doing} is only possible while the apprenticeship is running.")


def post_message(
    author: User,
    apprenticeship: Apprenticeship,
    body: str,
    nonce: str | None = None,
    notify_kind: str | None = "message",
    now: datetime | None = None,
) -> ThreadMessage:
    body = (body or "").strip()
    if not body:
        raise DomainError("Write a message first.", field="body")
    if len(body) > 4000:
        raise DomainError("Keep a message under 4,000 characters.", field="body")
    if apprenticeship.state not in THREAD_STATES:
        raise Conflict("This conversation is closed: the apprenticeship is over.")
    other = apprenticeship.other(author.id)
    if other is not None and blocks.between(author.id, other.id):
        raise Conflict(blocks.not_available(other.display_name))
    if not (
        nonce and db.session.scalar(select(ThreadMessage.id).where(ThreadMessage.nonce == nonce))
    ):
        limits.check_sending(author, "messages", now)  # a resent form is no new message
    message, new = _stored_once(
        ThreadMessage,
        nonce,
        lambda: ThreadMessage(
            apprenticeship_id=apprenticeship.id,
            author_id=author.id,
            body=body,
            created_at=now or utcnow(),
        ),
    )
    if notify_kind and new:
        notify(
            apprenticeship.other(author.id),
            notify_kind,
            f"{author.display_name} wrote: {body[:140]}{'…' if len(body) > 140 else ''}",
            apprenticeship,
            subject=f"A new message from {author.display_name}",
        )
    return message


def add_goal(
    person: User, apprenticeship: Apprenticeship, title: str, nonce: str | None = None
) -> Goal:
    title = (title or "").strip()
    if not title:
        raise DomainError("Name the goal or milestone.", field="title")
    if len(title) > 200:
        raise DomainError("Keep a goal under 200 characters.", field="title")
    _require_state(apprenticeship, WORK_STATES, "Adding goals")
    goal, _ = _stored_once(
        Goal,
        nonce,
        lambda: Goal(apprenticeship_id=apprenticeship.id, title=title, added_by_id=person.id),
    )
    return goal


def set_goal_done(apprenticeship: Apprenticeship, goal_id: int, done: bool) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.apprenticeship_id != apprenticeship.id:
        raise NotAllowed("There is no such goal in this apprenticeship.")
    _require_state(apprenticeship, WORK_STATES, "Ticking off goals")
    if done and goal.done_at is None:
        goal.done_at = utcnow()
    elif not done:
        goal.done_at = None
    return goal


def log_session(
    person: User,
    apprenticeship: Apprenticeship,
    held_on: date,
    hours: float,
    covered: str,
    nonce: str | None = None,
    today: date | None = None,
) -> WorkSession:
    """Either of the pair logs a session; the mentor's own entries count as confirmed."""
    today = today or utcnow().date()
    covered = (covered or "").strip()
    if held_on > today:
        raise DomainError("A session is logged once it has happened.", field="held_on")
    if held_on < apprenticeship.created_at.date() - timedelta(days=1):
        raise DomainError("This date is before your apprenticeship started.", field="held_on")
    minutes = round(hours * 60)
    if not 15 <= minutes <= 720:
        raise DomainError("A session lasts between a quarter of an hour and 12 hours.", "hours")
    if not covered:
        raise DomainError("Say what the session covered.", field="covered")
    _require_state(apprenticeship, WORK_STATES, "Logging sessions")
    by_mentor = person.id == apprenticeship.mentor_id
    session, new = _stored_once(
        WorkSession,
        nonce,
        lambda: WorkSession(
            apprenticeship_id=apprenticeship.id,
            held_on=held_on,
            minutes=minutes,
            covered=covered[:2000],
            logged_by_id=person.id,
            confirmed_at=utcnow() if by_mentor else None,
        ),
    )
    if new and not by_mentor:
        notify(
            apprenticeship.mentor,
            "session",
            f"{person.display_name} logged a session on {held_on:%d %B}: please confirm it.",
            apprenticeship,
        )
    return session


def confirm_session(person: User, apprenticeship: Apprenticeship, session_id: int) -> WorkSession:
    if person.id != apprenticeship.mentor_id:
        raise NotAllowed("Only the mentor confirms sessions.")
    session = db.session.get(WorkSession, session_id)
    if session is None or session.apprenticeship_id != apprenticeship.id:
        raise NotAllowed("There is no such session in this apprenticeship.")
    if apprenticeship.state not in (State.ACCEPTED, State.COMPLETED):
        raise Conflict("Sessions are confirmed while the apprenticeship runs.")
    if session.confirmed_at is None:
        session.confirmed_at = utcnow()
    return session


# References


def write_reference(
    mentor: User, apprenticeship: Apprenticeship, learned: str, work: str, recommendation: str
) -> Reference:
    if mentor.id != apprenticeship.mentor_id:
        raise NotAllowed("Only the mentor writes the reference.")
    if apprenticeship.state != State.COMPLETED:
        raise Conflict("A reference is written once the apprenticeship is completed.")
    learned, work = (learned or "").strip(), (work or "").strip()
    if len(learned) < 40:
        raise DomainError(
            "Describe what they learned in a few sentences (at least 40 characters).",
            field="learned",
        )
    if recommendation not in RECOMMENDATIONS:
        raise DomainError("Choose a recommendation from the list.", field="recommendation")
    reference = apprenticeship.reference
    if reference is None:
        reference = Reference(apprenticeship_id=apprenticeship.id, author_id=mentor.id)
        try:
            with db.session.begin_nested():
                db.session.add(reference)
                reference.learned, reference.work = learned[:5000], work[:5000]
                reference.recommendation = recommendation
                reference.confirmed_minutes = apprenticeship.confirmed_minutes
                db.session.flush()
        except IntegrityError:
            raise Conflict("You have already written this reference.") from None
        notify(
            apprenticeship.mentee,
            "reference",
            f"{mentor.display_name} wrote you a reference. Choose whether your profile shows it.",
            apprenticeship,
        )
    else:
        # The mentor may correct their own words; the date shown stays the first one.
        reference.learned, reference.work = learned[:5000], work[:5000]
        reference.recommendation = recommendation
        reference.confirmed_minutes = apprenticeship.confirmed_minutes
    return reference


def set_reference_shown(mentee: User, reference_id: int, shown: bool) -> Reference:
    reference = db.session.get(Reference, reference_id)
    if reference is None or reference.apprenticeship.mentee_id != mentee.id:
        raise NotAllowed("There is no such reference of yours.")
    reference.shown_on_profile = shown
    return reference


def reference_to_read(viewer: User | None, reference_id: int) -> Reference:
    """The two people always; anyone else only once the mentee shows it."""
    reference = db.session.get(Reference, reference_id)
    if reference is None or reports.reference_hidden(reference.id):
        raise NotAllowed("There is no such reference.")
    pair = (reference.apprenticeship.mentor_id, reference.apprenticeship.mentee_id)
    owner = viewer is not None and viewer.is_authenticated and viewer.id in pair
    if not owner and not reference.shown_on_profile:
        raise NotAllowed("There is no such reference.")
    return reference


def shown_references(mentee_id: int) -> list[Reference]:
    return [
        r
        for r in db.session.scalars(
            select(Reference)
            .join(Apprenticeship, Apprenticeship.id == Reference.apprenticeship_id)
            .where(Apprenticeship.mentee_id == mentee_id, Reference.shown_on_profile.is_(True))
            .order_by(Reference.created_at.desc())
        )
        if not reports.reference_hidden(r.id)
    ]
