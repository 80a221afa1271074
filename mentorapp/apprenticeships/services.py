"""The life of an apprenticeship: asking, answering, working together, ending.

Every transition is one conditional UPDATE on the state it starts from, inside a
savepoint: when two people (or one double click) race, exactly one wins and the other
gets a message saying what happened instead. The capacity rule is the same kind of
UPDATE on the mentor's count of apprentices, backed by a CHECK constraint, which holds
on PostgreSQL and on SQLite alike (see SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    EXPIRED_REASON,
    OPEN_STATES,
    Apprenticeship,
    Block,
    MentorProfile,
    State,
    ThreadMessage,
    User,
)
from mentorapp.models.types import utcnow
from mentorapp.models.vetting import is_vetted
from mentorapp.notifications.services import notify
from mentorapp.suggestions.index import note_matching_change
from mentorapp.trust import blocks, limits, minors
from mentorapp.trust.feedback import ask_both_sides

OPEN_REQUEST_LIMIT = 5
REMIND_AFTER = timedelta(days=7)
EXPIRE_AFTER = timedelta(days=14)
# A declined or expired request keeps the pair out of each other's suggestions this long.
QUIET_AFTER_DECLINE = timedelta(days=90)
MESSAGE_MAX = 2000

DECLINE_REASONS: dict[str, str] = {
    "no_time": "I have no time for a new apprentice right now",
    "not_my_field": "What you want to learn is not what I teach",
    "too_far": "We live too far apart for the way I work",
    "level": "The experience levels do not fit",
    "other": "Another reason",
}
AUTO_REASONS: dict[str, str] = {
    "full": "Every place with this mentor is taken for now",
    "not_accepting": "This mentor is not taking new apprentices for now",
    "expired": "There was no answer within two weeks",
    "account_closed": "The account was closed",
    "unavailable": "The other person is not available on mentorapp for now",
    "paused": "This mentor is taking a break for now",
}
END_REASONS: dict[str, str] = {
    "goals_met": "We reached what we set out to do",
    "no_time": "One of us no longer has the time",
    "not_working": "The apprenticeship is not working out",
    "moved": "One of us moved away",
    "other": "Another reason",
}
CLOSED_ACCOUNT = "account_closed"
NOT_VETTED_YET = (
    "An admin has not approved your mentor application yet: you can take on, invite and "
    "accept apprentices once it is."
)
UNAVAILABLE = "unavailable"


def after_colon(reason: str) -> str:
    """A reason to follow a colon: its first letter in lower case, but "I" stays "I"."""
    return reason if reason.startswith("I ") else reason[:1].lower() + reason[1:]


STATE_LABELS: dict[str, str] = {
    State.REQUESTED: "Waiting for an answer",
    State.ACCEPTED: "Running",
    State.COMPLETED: "Completed",
    State.DECLINED: "Declined",
    State.WITHDRAWN: "Withdrawn",
    State.ENDED: "Ended",
    "expired": "Expired",
}

_ALREADY: dict[str, str] = {
    State.ACCEPTED: "This request was already accepted.",
    State.COMPLETED: "This apprenticeship is already completed.",
    State.DECLINED: "This request was already declined.",
    State.WITHDRAWN: "This request was withdrawn.",
    State.ENDED: "This apprenticeship has already ended.",
    "expired": "This request expired without an answer.",
    State.REQUESTED: "This request is still waiting for an answer.",
}


@contextmanager
def _atomic() -> Iterator[None]:
    """A savepoint: a refused step leaves nothing behind, even when the view redirects."""
    with db.session.begin_nested():
        yield


def waiting_list():
    """The waiting lists (imported late: they read apprenticeships too)."""
    from mentorapp.availability import waiting

    return waiting


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


# Reading


def apprenticeship_for(person: User, apprenticeship_id: int) -> Apprenticeship:
    """The apprenticeship, if the person is one of its two people; otherwise not found."""
    found = db.session.scalar(
        select(Apprenticeship)
        .where(Apprenticeship.id == apprenticeship_id)
        .options(
            selectinload(Apprenticeship.mentor).selectinload(User.mentor_profile),
            selectinload(Apprenticeship.mentee),
        )
    )
    if found is None or person.id not in (found.mentor_id, found.mentee_id):
        raise NotAllowed("You have no apprenticeship here.")
    return found


def apprenticeships_of(person: User) -> list[Apprenticeship]:
    """Everything the person asked for, was asked, ran or finished, newest first."""
    return list(
        db.session.scalars(
            select(Apprenticeship)
            .where(
                or_(Apprenticeship.mentor_id == person.id, Apprenticeship.mentee_id == person.id)
            )
            .options(
                selectinload(Apprenticeship.mentor),
                selectinload(Apprenticeship.mentee),
                selectinload(Apprenticeship.sessions),
                selectinload(Apprenticeship.reference),
                selectinload(Apprenticeship.cohort),
            )
            .order_by(Apprenticeship.created_at.desc(), Apprenticeship.id.desc())
        )
    )


def open_pair(mentor_id: int, mentee_id: int) -> Apprenticeship | None:
    return db.session.scalar(
        select(Apprenticeship).where(
            Apprenticeship.mentor_id == mentor_id,
            Apprenticeship.mentee_id == mentee_id,
            Apprenticeship.state.in_(OPEN_STATES),
        )
    )


def open_requests_by(mentee_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Apprenticeship.id)).where(
                Apprenticeship.mentee_id == mentee_id,
                Apprenticeship.requested_by == "mentee",
                Apprenticeship.state == State.REQUESTED,
            )
        )
        or 0
    )


def paired_recently(person: User, now: datetime | None = None) -> set[int]:
    """People matching should leave out for this person: an open request or running
    apprenticeship with them, a request declined or expired lately, or a block between
    them either way (one query for all)."""
    since = _now(now) - QUIET_AFTER_DECLINE
    pairs = select(Apprenticeship.mentor_id, Apprenticeship.mentee_id).where(
        or_(Apprenticeship.mentor_id == person.id, Apprenticeship.mentee_id == person.id),
        or_(
            Apprenticeship.state.in_(OPEN_STATES),
            (Apprenticeship.state == State.DECLINED) & (Apprenticeship.decided_at >= since),
        ),
    )
    blocked = select(Block.blocker_id, Block.blocked_id).where(
        or_(Block.blocker_id == person.id, Block.blocked_id == person.id)
    )
    rows = db.session.execute(pairs.union_all(blocked)).all()
    return {mentee if mentor == person.id else mentor for mentor, mentee in rows}


# Asking


def _check_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) < 20:
        raise DomainError(
            "Say in a sentence or two what you hope for (at least 20 characters).",
            field="message",
        )
    if len(message) > MESSAGE_MAX:
        raise DomainError(f"Keep it under {MESSAGE_MAX} characters.", field="message")
    return message


def _lock_person(user_id: int) -> User | None:
    # PostgreSQL: a row lock serialises one person's requests. SQLite ignores FOR UPDATE,
    # but its write transactions (BEGIN IMMEDIATE) are serial already. FOR NO KEY UPDATE,
    # not FOR UPDATE: a plain FOR UPDATE also blocks the foreign-key checks of rows that
    # point at this person (a notification when their other request is accepted), and
    # that wait, crossed with the wait on matching_state, was a deadlock.
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update(key_share=True))


def _lock_places(mentor_id: int) -> None:
    """Lock the mentor's row and read their places afresh: the first lock of every
    transition on a mentor (see "The capacity rule" in SECURITY.md), so an ask or an
    invitation waits for an accept that fills the last place and then sees it full.
    The row is fetched, not only selected: populate_existing refreshes the loaded
    profile only as rows are read, and an unread result left it as it was before."""
    db.session.scalar(
        select(MentorProfile)
        .where(MentorProfile.user_id == mentor_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def request_apprenticeship(
    mentee: User, mentor_id: int, message: str, now: datetime | None = None
) -> Apprenticeship:
    """A mentee asks a mentor to take them on."""
    now = _now(now)
    message = _check_message(message)
    if not mentee.is_mentee or mentee.mentee_profile is None:
        raise NotAllowed("Fill in your apprentice profile before asking a mentor.")
    mentor = db.session.get(User, mentor_id)
    if mentor is None or mentor.id == mentee.id or not mentor.is_mentor:
        raise NotAllowed("There is no mentor to ask here.")
    profile = mentor.mentor_profile
    if mentor.suspended_at is not None or profile is None:
        raise NotAllowed("There is no mentor to ask here.")
    if blocks.between(mentee.id, mentor.id):
        raise Conflict(blocks.not_available(mentor.display_name))
    existing = open_pair(mentor.id, mentee.id)
    if existing is not None:
        raise Conflict(existing_message(existing, mentee.id))
    _lock_places(mentor.id)
    waiting_list().update_offers(mentor.id, now)  # a lapsed offer passes on before the check
    closed = why_not_taking(mentor, mentee)
    if closed:
        raise Conflict(closed)
    _lock_person(mentee.id)
    if open_requests_by(mentee.id) >= OPEN_REQUEST_LIMIT:
        raise Conflict(
            f"You have {OPEN_REQUEST_LIMIT} requests waiting for an answer, the most at once. "
            "Withdraw one, or wait for an answer, before asking someone else."
        )
    limits.check_sending(mentee, "requests", now)
    apprenticeship = _create(mentor.id, mentee.id, "mentee", message, now)
    waiting_list().asked(mentor.id, mentee.id)
    notify(
        mentor,
        "request",
        f"{mentee.display_name} asks you for an apprenticeship.",
        apprenticeship,
    )
    return apprenticeship


def why_not_taking(mentor: User, mentee: User | None = None, holds=None) -> str | None:
    """Why this mentor cannot be asked now (by this mentee), or None when they can.
    `holds`: the places held for the waiting list, when the caller read them already."""
    profile = mentor.mentor_profile
    if profile is None:
        return "There is no mentor to ask here."
    if mentee is not None:
        problem = minors.pair_problem(mentor, mentee, acting=mentee)
        if problem:
            return problem
    if not is_vetted(mentor):
        return (
            f"{mentor.display_name} is not a vetted mentor yet: you can ask them once an "
            "admin has checked their credits."
        )
    if profile.paused_until is not None:
        return f"{mentor.display_name} is taking a break. Back on {profile.paused_until:%d %B %Y}."
    if not profile.accepting:
        return f"{mentor.display_name} is not taking new apprentices for now."
    if profile.apprentice_count >= profile.capacity:
        return f"Every place with {mentor.display_name} is taken for now."
    if holds is None:
        holds = waiting_list().held_for_others(mentor.id, mentee.id if mentee else None)
    if profile.apprentice_count + holds.count >= profile.capacity:
        return waiting_list().held_message(mentor, holds)
    return None


def why_cannot_invite(mentor: User) -> str | None:
    """Why this mentor cannot invite anyone now, or None when they can."""
    return None if is_vetted(mentor) else NOT_VETTED_YET


def invite_apprentice(
    mentor: User, mentee_id: int, message: str, now: datetime | None = None
) -> Apprenticeship:
    """A mentor offers a mentee an apprenticeship; the mentee answers."""
    now = _now(now)
    message = _check_message(message)
    profile = mentor.mentor_profile
    if not mentor.is_mentor or profile is None:
        raise NotAllowed("Fill in your mentor profile before inviting an apprentice.")
    closed = why_cannot_invite(mentor)
    if closed:
        raise DomainError(closed)
    mentee = db.session.get(User, mentee_id)
    if (
        mentee is None
        or mentee.id == mentor.id
        or not mentee.is_mentee
        or mentee.suspended_at is not None
    ):
        raise NotAllowed("There is no apprentice to invite here.")
    if blocks.between(mentor.id, mentee.id):
        raise Conflict(blocks.not_available(mentee.display_name))
    existing = open_pair(mentor.id, mentee.id)
    if existing is not None:
        raise Conflict(existing_message(existing, mentor.id))
    # A minor without consent may be invited; they answer once a guardian agrees.
    problem = minors.pair_problem(mentor, mentee, acting=mentor)
    if problem:
        raise NotAllowed(problem)
    _lock_places(mentor.id)
    if profile.apprentice_count >= profile.capacity:
        raise Conflict(
            "Every place you offer is taken. Raise your capacity, or finish an "
            "apprenticeship, before inviting someone new.",
        )
    waiting_list().update_offers(mentor.id, now)
    holds = waiting_list().held_for_others(mentor.id, mentee.id)
    if profile.apprentice_count + holds.count >= profile.capacity:
        raise Conflict(waiting_list().held_for_you(holds, "invite someone new"))
    limits.check_sending(mentor, "invitations", now)
    apprenticeship = _create(mentor.id, mentee.id, "mentor", message, now)
    waiting_list().asked(mentor.id, mentee.id)
    notify(
        mentee,
        "request",
        f"{mentor.display_name} invites you to an apprenticeship.",
        apprenticeship,
    )
    return apprenticeship


def existing_message(existing: Apprenticeship, me: int) -> str:
    if existing.state == State.ACCEPTED:
        return "You are already working together."
    if existing.requester_id == me:
        return "You already asked; your request is waiting for an answer."
    return "They already asked you: answer their request instead."


def new_request(
    mentor_id: int,
    mentee_id: int,
    requested_by: str,
    message: str,
    now: datetime,
    cohort_id: int | None = None,
) -> Apprenticeship:
    """A request as it starts, not yet in the session: reminded after a week, expired
    after two."""
    return Apprenticeship(
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        requested_by=requested_by,
        cohort_id=cohort_id,
        message=message,
        created_at=now,
        remind_at=now + REMIND_AFTER,
        expires_at=now + EXPIRE_AFTER,
    )


def _create(
    mentor_id: int,
    mentee_id: int,
    requested_by: str,
    message: str,
    now: datetime,
    cohort_id: int | None = None,
) -> Apprenticeship:
    apprenticeship = new_request(mentor_id, mentee_id, requested_by, message, now, cohort_id)
    try:
        with _atomic():
            db.session.add(apprenticeship)
            db.session.flush()
    except IntegrityError:
        # Two submissions at once: the unique index on an open pair let one through.
        raise Conflict("You already asked; your request is waiting for an answer.") from None
    note_matching_change({mentor_id, mentee_id})
    return apprenticeship


# Answering


def _move(apprenticeship: Apprenticeship, start: State, *conditions, **values) -> None:
    """Move from `start` (and `conditions`) to `values` only if nobody moved it first."""
    moved = db.session.execute(
        update(Apprenticeship)
        .where(Apprenticeship.id == apprenticeship.id, Apprenticeship.state == start, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.refresh(apprenticeship)
        raise Conflict(_ALREADY.get(apprenticeship.status, "This has changed meanwhile."))
    db.session.refresh(apprenticeship)


def _answerable_by(person: User, apprenticeship: Apprenticeship) -> None:
    if person.id != apprenticeship.answerer_id:
        raise NotAllowed("Only the person who was asked can answer this request.")


def _take_place(mentor_id: int, held: int = 0) -> bool:
    """One more apprentice for this mentor, only if a place is free (the capacity rule)
    beyond the `held` ones kept for others on the waiting list."""
    return (
        db.session.execute(
            update(MentorProfile)
            .where(
                MentorProfile.user_id == mentor_id,
                MentorProfile.apprentice_count + held < MentorProfile.capacity,
            )
            .values(apprentice_count=MentorProfile.apprentice_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _free_place(mentor_id: int) -> None:
    db.session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor_id, MentorProfile.apprentice_count > 0)
        .values(apprentice_count=MentorProfile.apprentice_count - 1)
        .execution_options(synchronize_session=False)
    )


def accept(person: User, apprenticeship_id: int, now: datetime | None = None) -> Apprenticeship:
    now = _now(now)
    apprenticeship = apprenticeship_for(person, apprenticeship_id)
    _answerable_by(person, apprenticeship)
    if not is_vetted(apprenticeship.mentor):
        raise DomainError(
            NOT_VETTED_YET
            if person.id == apprenticeship.mentor_id
            else f"{apprenticeship.mentor.display_name} is not a vetted mentor now, so this "
            "invitation cannot be accepted."
        )
    problem = minors.pair_problem(apprenticeship.mentor, apprenticeship.mentee, person)
    if problem:
        raise NotAllowed(problem)
    with _atomic():
        # The mentor's row first, then the request's: every transition that touches
        # both locks them in this order, so two of them never wait on each other. The
        # places held for others on the waiting list are read under that same lock.
        _lock_places(apprenticeship.mentor_id)
        waiting_list().update_offers(apprenticeship.mentor_id, now)
        holds = waiting_list().held_for_others(apprenticeship.mentor_id, apprenticeship.mentee_id)
        if not _take_place(apprenticeship.mentor_id, holds.count):
            db.session.refresh(apprenticeship)
            if apprenticeship.state != State.REQUESTED:
                raise Conflict(_ALREADY[apprenticeship.status])
            if holds.count:
                raise Conflict(
                    waiting_list().held_for_you(holds, "accept this request")
                    if person.id == apprenticeship.mentor_id
                    else f"The free place with {apprenticeship.mentor.display_name} is held "
                    "for someone on their waiting list now."
                )
            raise Conflict(
                "Every place you offer is taken: finish an apprenticeship or raise your "
                "capacity first."
                if person.id == apprenticeship.mentor_id
                else f"Every place with {apprenticeship.mentor.display_name} is taken now."
            )
        _move(apprenticeship, State.REQUESTED, state=State.ACCEPTED, decided_at=now)
    note_matching_change({apprenticeship.mentor_id, apprenticeship.mentee_id})
    other = apprenticeship.other(person.id)
    notify(
        other,
        "answer",
        f"{person.display_name} accepted: your apprenticeship has started.",
        apprenticeship,
    )
    mentor = apprenticeship.mentor
    db.session.refresh(mentor.mentor_profile)
    if mentor.mentor_profile.apprentice_count >= mentor.mentor_profile.capacity:
        answer_open_requests(mentor, "full", now)  # which updates the waiting list too
    else:
        waiting_list().update_offers(mentor.id, now)
    return apprenticeship


def decline(
    person: User, apprenticeship_id: int, reason: str, note: str = "", now=None
) -> Apprenticeship:
    if reason not in DECLINE_REASONS:
        raise DomainError("Choose a reason from the list.", field="reason")
    now = _now(now)
    apprenticeship = apprenticeship_for(person, apprenticeship_id)
    _answerable_by(person, apprenticeship)
    with _atomic():
        _lock_places(apprenticeship.mentor_id)  # the mentor's row first, as everywhere
        _move(
            apprenticeship,
            State.REQUESTED,
            state=State.DECLINED,
            decided_at=now,
            reason=reason,
            reason_note=(note or "").strip()[:1000],
        )
    note_matching_change({apprenticeship.mentor_id, apprenticeship.mentee_id})
    notify(
        apprenticeship.other(person.id),
        "answer",
        f"{person.display_name} declined: {after_colon(DECLINE_REASONS[reason])}.",
        apprenticeship,
    )
    waiting_list().update_offers(apprenticeship.mentor_id, now)
    return apprenticeship


def ask_for_information(
    person: User,
    apprenticeship_id: int,
    question: str,
    nonce: str | None = None,
    now: datetime | None = None,
) -> Apprenticeship:
    """The person asked keeps the request open and asks something first; the clock
    for reminders and expiry starts again. A resent form (same `nonce`) asks once."""
    from mentorapp.apprenticeships.workspace import post_message

    now = _now(now)
    apprenticeship = apprenticeship_for(person, apprenticeship_id)
    _answerable_by(person, apprenticeship)
    question = (question or "").strip()
    if not question:
        raise DomainError("Write the question you want answered.", field="question")
    if nonce and db.session.scalar(select(ThreadMessage.id).where(ThreadMessage.nonce == nonce)):
        return apprenticeship  # a double click: the question is already asked
    with _atomic():
        _move(
            apprenticeship,
            State.REQUESTED,
            state=State.REQUESTED,
            info_requested_at=now,
            remind_at=now + REMIND_AFTER,
            expires_at=now + EXPIRE_AFTER,
            reminded_at=None,
        )
        post_message(person, apprenticeship, question, nonce, notify_kind=None, now=now)
    notify(
        apprenticeship.other(person.id),
        "answer",
        f"{person.display_name} would like to know more before answering.",
        apprenticeship,
    )
    return apprenticeship


def withdraw(person: User, apprenticeship_id: int, now: datetime | None = None) -> Apprenticeship:
    now = _now(now)
    apprenticeship = apprenticeship_for(person, apprenticeship_id)
    if person.id != apprenticeship.requester_id:
        raise NotAllowed("Only the person who asked can withdraw a request.")
    with _atomic():
        _lock_places(apprenticeship.mentor_id)  # the mentor's row first, as everywhere
        _move(apprenticeship, State.REQUESTED, state=State.WITHDRAWN, decided_at=now)
    note_matching_change({apprenticeship.mentor_id, apprenticeship.mentee_id})
    notify(
        apprenticeship.other(person.id),
        "update",
        f"{person.display_name} withdrew their request.",
        apprenticeship,
    )
    waiting_list().update_offers(apprenticeship.mentor_id, now)
    return apprenticeship


def end(
    person: User, apprenticeship_id: int, reason: str, note: str = "", now=None
) -> Apprenticeship:
    if reason not in END_REASONS:
        raise DomainError("Choose a reason from the list.", field="reason")
    now = _now(now)
    apprenticeship = apprenticeship_for(person, apprenticeship_id)
    with _atomic():
        _free_place(apprenticeship.mentor_id)
        _move(
            apprenticeship,
            State.ACCEPTED,
            state=State.ENDED,
            ended_at=now,
            ended_by_id=person.id,
            reason=reason,
            reason_note=(note or "").strip()[:1000],
        )
    note_matching_change({apprenticeship.mentor_id, apprenticeship.mentee_id})
    notify(
        apprenticeship.other(person.id),
        "update",
        f"{person.display_name} ended your apprenticeship: {after_colon(END_REASONS[reason])}.",
        apprenticeship,
    )
    ask_both_sides(apprenticeship)
    waiting_list().update_offers(apprenticeship.mentor_id, now)
    return apprenticeship


def complete(person: User, apprenticeship_id: int, now: datetime | None = None) -> Apprenticeship:
    now = _now(now)
    apprenticeship = apprenticeship_for(person, apprenticeship_id)
    if person.id != apprenticeship.mentor_id:
        raise NotAllowed("Only the mentor marks an apprenticeship completed.")
    with _atomic():
        _free_place(apprenticeship.mentor_id)
        _move(
            apprenticeship,
            State.ACCEPTED,
            state=State.COMPLETED,
            ended_at=now,
            ended_by_id=person.id,
        )
    note_matching_change({apprenticeship.mentor_id, apprenticeship.mentee_id})
    notify(
        apprenticeship.mentee,
        "update",
        f"{person.display_name} marked your apprenticeship completed. Congratulations!",
        apprenticeship,
    )
    ask_both_sides(apprenticeship)
    waiting_list().update_offers(apprenticeship.mentor_id, now)
    return apprenticeship


# Answers nobody typed


def answer_open_requests(
    mentor: User, why: str, now: datetime | None = None, message: str | None = None
) -> int:
    """Decline, kindly, every request still waiting on a mentor who is full, has
    stopped taking apprentices or is pausing; each mentee is told `message` (by default
    the reason `why` stands for). Invitations the mentor sent stay open: the capacity
    rule still holds when one is accepted."""
    now = _now(now)
    waiting = list(
        db.session.scalars(
            select(Apprenticeship)
            .where(
                Apprenticeship.mentor_id == mentor.id,
                Apprenticeship.state == State.REQUESTED,
                Apprenticeship.requested_by.in_(("mentee", "programme")),
            )
            .options(selectinload(Apprenticeship.mentee))
            .order_by(Apprenticeship.id)
        )
    )
    told = message or (
        f"{mentor.display_name} cannot take you on for now: "
        f"{AUTO_REASONS[why][0].lower()}{AUTO_REASONS[why][1:]}. "
        "This says nothing about you; other mentors in your suggestions may be free."
    )
    answered = 0
    for apprenticeship in waiting:
        try:
            with _atomic():
                _move(
                    apprenticeship,
                    State.REQUESTED,
                    state=State.DECLINED,
                    decided_at=now,
                    reason=why,
                )
        except Conflict:
            continue  # answered meanwhile by someone
        answered += 1
        notify(apprenticeship.mentee, "answer", told, apprenticeship)
    if answered:
        note_matching_change({mentor.id} | {a.mentee_id for a in waiting})
    waiting_list().update_offers(mentor.id, now)  # offers it can no longer honour go back
    return answered


def close_all_of(person: User, now: datetime | None = None, *, suspended: bool = False) -> int:
    """Before an account goes: close its open requests and end its running
    apprenticeships, freeing the mentor's place, and tell the other person.

    When an admin suspends the account (`suspended`), only its open requests close,
    both ways, so nobody's request waits on someone who cannot answer; a running
    apprenticeship stays, for the admin may reinstate the account."""
    now = _now(now)
    states = (State.REQUESTED,) if suspended else OPEN_STATES
    reason = UNAVAILABLE if suspended else CLOSED_ACCOUNT
    open_ones = list(
        db.session.scalars(
            select(Apprenticeship)
            .where(
                or_(Apprenticeship.mentor_id == person.id, Apprenticeship.mentee_id == person.id),
                Apprenticeship.state.in_(states),
            )
            .options(selectinload(Apprenticeship.mentor), selectinload(Apprenticeship.mentee))
            .order_by(Apprenticeship.id)
        )
    )
    closed = 0
    for apprenticeship in open_ones:
        other = apprenticeship.other(person.id)
        running = apprenticeship.state == State.ACCEPTED
        try:
            with _atomic():
                if running:
                    _free_place(apprenticeship.mentor_id)
                    _move(
                        apprenticeship,
                        State.ACCEPTED,
                        state=State.ENDED,
                        ended_at=now,
                        reason=reason,
                    )
                else:
                    _move(
                        apprenticeship,
                        State.REQUESTED,
                        state=State.DECLINED,
                        decided_at=now,
                        reason=reason,
                    )
        except Conflict:
            continue
        closed += 1
        if suspended:
            told = (
                f"{person.display_name} is not available on mentorapp for now, so your "
                "request with them is closed."
            )
            if other.id == apprenticeship.mentee_id:
                told += " Other mentors in your suggestions may be free."
        else:
            told = (
                f"{person.display_name} closed their account, so your "
                f"{'apprenticeship' if running else 'request'} with them has ended."
            )
        notify(other, "update", told, None)
    if closed:
        note_matching_change({person.id} | {a.other(person.id).id for a in open_ones})
    _after_account_closes(person, [a.mentor_id for a in open_ones], now, suspended=suspended)
    return closed


def _after_account_closes(
    person: User, mentors: list[int], now: datetime, *, suspended: bool
) -> None:
    """The waiting lists: a mentor's own list closes, with a kind word to each person on
    it; the person is off every list they were on; and each mentor whose place or
    request just freed offers it to the next in line."""
    lists = waiting_list()
    if person.mentor_profile is not None:
        lists.close_list(
            person,
            "is not available on mentorapp for now" if suspended else "closed their account",
        )
    changed = set(lists.off_every_list(person, now))
    for mentor_id in sorted(set(mentors) - changed - {person.id}):
        lists.update_offers(mentor_id, now)


def close_between(
    person: User, other: User, *, end_running: bool = False, now: datetime | None = None
) -> int:
    """When `person` blocks `other`: close the request open between them, and with
    `end_running` the apprenticeship they run, with a neutral reason. The other side is
    told only that the person is not available; the blocker is recorded as who closed it."""
    now = _now(now)
    states = OPEN_STATES if end_running else (State.REQUESTED,)
    open_ones = list(
        db.session.scalars(
            select(Apprenticeship).where(
                or_(
                    (Apprenticeship.mentor_id == person.id)
                    & (Apprenticeship.mentee_id == other.id),
                    (Apprenticeship.mentor_id == other.id)
                    & (Apprenticeship.mentee_id == person.id),
                ),
                Apprenticeship.state.in_(states),
            )
        )
    )
    closed = 0
    for apprenticeship in open_ones:
        running = apprenticeship.state == State.ACCEPTED
        try:
            with _atomic():
                if running:
                    _free_place(apprenticeship.mentor_id)
                    _move(
                        apprenticeship,
                        State.ACCEPTED,
                        state=State.ENDED,
                        ended_at=now,
                        ended_by_id=person.id,
                        reason=UNAVAILABLE,
                    )
                else:
                    _move(
                        apprenticeship,
                        State.REQUESTED,
                        state=State.DECLINED,
                        decided_at=now,
                        ended_by_id=person.id,
                        reason=UNAVAILABLE,
                    )
        except Conflict:
            continue
        closed += 1
        what = "apprenticeship" if running else "request"
        notify(
            other,
            "update",
            f"{person.display_name} is not available, so your {what} with them is closed.",
            apprenticeship,
        )
    if closed:
        note_matching_change({person.id, other.id})
    lists = waiting_list()
    lists.forget_pair(person, other)
    for mentor_id in sorted({person.id, other.id}):
        lists.update_offers(mentor_id, now)
    return closed


def after_mentor_settings_change(mentor: User, now: datetime | None = None) -> int:
    """Called when a mentor edits capacity or whether they accept: answer what waits."""
    profile = mentor.mentor_profile
    if profile is None:
        return 0
    # The count read when the form loaded may be stale: an accept on another worker can
    # have committed since (PostgreSQL, read committed). Read what the database holds now.
    db.session.refresh(profile, ["apprentice_count", "capacity", "accepting"])
    if not profile.accepting:
        return answer_open_requests(mentor, "not_accepting", now)
    if profile.apprentice_count >= profile.capacity:
        return answer_open_requests(mentor, "full", now)
    waiting_list().update_offers(mentor.id, now)  # raised: offer; lowered: take back
    return 0


def remind_and_expire(now: datetime | None = None) -> tuple[int, int]:
    """Remind the person asked about requests a week old; expire those two weeks old,
    which frees the asker's slot. The worker runs it every quarter hour
    (`apprenticeships/tasks.py`); safe to run twice or at once."""
    now = _now(now)
    due = list(
        db.session.scalars(
            select(Apprenticeship)
            .where(
                Apprenticeship.state == State.REQUESTED,
                or_(
                    Apprenticeship.expires_at <= now,
                    (Apprenticeship.remind_at <= now) & Apprenticeship.reminded_at.is_(None),
                ),
            )
            .options(selectinload(Apprenticeship.mentor), selectinload(Apprenticeship.mentee))
            .order_by(Apprenticeship.id)
        )
    )
    reminded = expired = 0
    for apprenticeship in due:
        answerer = (
            apprenticeship.mentor
            if apprenticeship.answerer_id == apprenticeship.mentor_id
            else apprenticeship.mentee
        )
        asker = apprenticeship.other(answerer.id)
        try:
            with _atomic():
                if apprenticeship.expires_at <= now:
                    _lock_places(apprenticeship.mentor_id)  # the mentor's row first
                    _move(
                        apprenticeship,
                        State.REQUESTED,
                        state=State.DECLINED,
                        decided_at=now,
                        reason=EXPIRED_REASON,
                    )
                else:
                    # Only the run that sets reminded_at reminds, however many run at once.
                    _move(
                        apprenticeship,
                        State.REQUESTED,
                        Apprenticeship.reminded_at.is_(None),
                        reminded_at=now,
                    )
        except Conflict:
            continue
        if apprenticeship.state == State.DECLINED:
            expired += 1
            note_matching_change({apprenticeship.mentor_id, apprenticeship.mentee_id})
            notify(
                asker,
                "expiry",
                f"Your request to {answerer.display_name} expired without an answer. "
                "It no longer counts towards your open requests.",
                apprenticeship,
            )
            notify(
                answerer,
                "expiry",
                f"The request from {asker.display_name} expired: two weeks passed without "
                "an answer.",
                apprenticeship,
            )
            waiting_list().update_offers(apprenticeship.mentor_id, now)
        else:
            reminded += 1
            notify(
                answerer,
                "reminder",
                f"{asker.display_name} has waited a week for your answer. "
                f"The request expires on {apprenticeship.expires_at:%d %B}.",
                apprenticeship,
            )
    return reminded, expired


# The dashboard


@dataclass(frozen=True)
class Overview:
    """What a person's dashboard says about their apprenticeships."""

    waiting_for_me: list[Apprenticeship]
    my_requests: list[Apprenticeship]
    running_as_mentor: list[Apprenticeship]
    running_as_mentee: list[Apprenticeship]
    open_requests: int
    free_places: int | None  # None: not a mentor
    accepting: bool
    confirmed_minutes: int  # over every apprenticeship the person mentored


def overview(person: User) -> Overview:
    everything = apprenticeships_of(person)
    requested = [a for a in everything if a.state == State.REQUESTED]
    running = [a for a in everything if a.state == State.ACCEPTED]
    profile = person.mentor_profile if person.is_mentor else None
    return Overview(
        waiting_for_me=[a for a in requested if a.answerer_id == person.id],
        my_requests=[a for a in requested if a.requester_id == person.id],
        running_as_mentor=[a for a in running if a.mentor_id == person.id],
        running_as_mentee=[a for a in running if a.mentee_id == person.id],
        open_requests=sum(
            1 for a in requested if a.mentee_id == person.id and a.requested_by == "mentee"
        ),
        free_places=(profile.capacity - profile.apprentice_count) if profile else None,
        accepting=bool(profile and profile.accepting),
        confirmed_minutes=sum(a.confirmed_minutes for a in everything if a.mentor_id == person.id),
    )
