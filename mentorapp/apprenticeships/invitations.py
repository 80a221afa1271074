"""Invitations from a programme: a cohort's pair becomes a request the mentor answers.

The checks of a request, on the data as it is now: nobody suspended, no block, no open
pair, the minors rule, a vetted mentor taking apprentices with a free place, read under
the mentor's row lock. An open programme invitation holds one of the mentor's places,
so a commit never invites more people than there are places.

A commit sends hundreds of these, so `invite_pairs` takes a batch: the mentors' rows
locked in one statement (in id order, so two batches never wait on each other in a
circle), the checks read in a few queries for the whole batch, the invitations written
together. A mentor with anyone on their waiting list goes the careful way, one pair at
a time through `invite_from_programme`: held places and offers are the waiting list's
to settle (availability.waiting)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError

from mentorapp.apprenticeships.services import (
    _create,
    _lock_places,
    _now,
    new_request,
    open_pair,
    waiting_list,
    why_not_taking,
)
from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.mail import deliver_after_commit
from mentorapp.models import (
    OPEN_STATES,
    Apprenticeship,
    Block,
    MentorProfile,
    State,
    User,
    WaitingListEntry,
)
from mentorapp.notifications.services import notify
from mentorapp.suggestions.index import note_matching_change
from mentorapp.trust import blocks

BLOCKED = "One of the two has blocked the other."
OPEN_ALREADY = "The two already have a request or an apprenticeship together."


def _message(cohort_name: str) -> str:
    return (
        f"The mentorapp programme pairs you in the cohort “{cohort_name}”: the admins "
        "think you would work well together."
    )


def _unavailable(mentor: User, mentee: User) -> str | None:
    if mentor.suspended_at is not None or not mentor.is_mentor or mentor.mentor_profile is None:
        return f"{mentor.display_name} is not available as a mentor now."
    if mentee.suspended_at is not None or not mentee.is_mentee:
        return f"{mentee.display_name} is not available as an apprentice now."
    return None


def _programme_invitations(mentor_ids: Sequence[int]) -> Counter[int]:
    """Open programme invitations per mentor: each holds one of their places."""
    return Counter(
        dict(
            db.session.execute(
                select(Apprenticeship.mentor_id, func.count(Apprenticeship.id))
                .where(
                    Apprenticeship.mentor_id.in_(mentor_ids),
                    Apprenticeship.state == State.REQUESTED,
                    Apprenticeship.requested_by == "programme",
                )
                .group_by(Apprenticeship.mentor_id)
            ).all()
        )
    )


def _tell_both(
    mentor: User,
    mentee: User,
    apprenticeship: Apprenticeship,
    cohort: str,
    emails: list | None = None,
) -> None:
    notify(
        mentor,
        "request",
        f"The cohort {cohort} pairs you with {mentee.display_name}: accept or decline "
        "them as your apprentice.",
        apprenticeship,
        emails=emails,
    )
    notify(
        mentee,
        "request",
        f"The cohort {cohort} pairs you with {mentor.display_name}; they answer soon.",
        apprenticeship,
        emails=emails,
    )


def invite_from_programme(
    mentor: User, mentee: User, cohort_id: int, cohort_name: str, now: datetime | None = None
) -> Apprenticeship:
    """One pair, the careful way (waiting lists included). Raises Conflict or
    NotAllowed with the reason the pair is skipped."""
    now = _now(now)
    problem = _unavailable(mentor, mentee)
    if problem:
        raise NotAllowed(problem)
    if blocks.between(mentee.id, mentor.id):
        raise Conflict(BLOCKED)
    if open_pair(mentor.id, mentee.id) is not None:
        raise Conflict(OPEN_ALREADY)
    _lock_places(mentor.id)
    waiting_list().update_offers(mentor.id, now)
    closed = why_not_taking(mentor, mentee)
    if closed:
        raise Conflict(closed)
    profile = mentor.mentor_profile
    invited = _programme_invitations([mentor.id])[mentor.id]
    holds = waiting_list().held_for_others(mentor.id, mentee.id)
    if profile.apprentice_count + holds.count + invited >= profile.capacity:
        raise Conflict(f"Every place with {mentor.display_name} is taken now.")
    apprenticeship = _create(
        mentor.id, mentee.id, "programme", _message(cohort_name), now, cohort_id
    )
    waiting_list().asked(mentor.id, mentee.id)
    _tell_both(mentor, mentee, apprenticeship, cohort_name)
    return apprenticeship


def _lock_mentors(mentor_ids: list[int]) -> None:
    """`_lock_places` for many mentors at once, in id order; their profiles read afresh."""
    list(
        db.session.scalars(
            select(MentorProfile)
            .where(MentorProfile.user_id.in_(mentor_ids))
            .order_by(MentorProfile.user_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    )


def _standing_between(pairs: list[tuple[int, int]]) -> tuple[set, set]:
    """Of these (mentor, mentee) pairs: those with a block either way, those open."""
    mentor_ids = {m for m, _ in pairs}
    mentee_ids = {n for _, n in pairs}
    wanted = set(pairs)
    blocked = {
        pair
        for a, b in db.session.execute(
            select(Block.blocker_id, Block.blocked_id).where(
                or_(
                    Block.blocker_id.in_(mentor_ids) & Block.blocked_id.in_(mentee_ids),
                    Block.blocker_id.in_(mentee_ids) & Block.blocked_id.in_(mentor_ids),
                )
            )
        )
        for pair in ((a, b), (b, a))
        if pair in wanted
    }
    open_now = {
        (m, n)
        for m, n in db.session.execute(
            select(Apprenticeship.mentor_id, Apprenticeship.mentee_id).where(
                tuple_(Apprenticeship.mentor_id, Apprenticeship.mentee_id).in_(list(wanted)),
                Apprenticeship.state.in_(OPEN_STATES),
            )
        )
    }
    return blocked, open_now


def invite_pairs(
    pairs: Sequence[tuple[User, User]],
    cohort_id: int,
    cohort_name: str,
    now: datetime | None = None,
) -> dict[int, Apprenticeship | str]:
    """Invite each (mentor, mentee) pair, in the caller's transaction; for each mentee,
    the invitation or why the pair is skipped (a sentence). Each mentee at most once.

    The same rules as `invite_from_programme`, pair by pair in the order given: a
    mentor's places fill as the batch goes."""
    now = _now(now)
    if not pairs:
        return {}
    mentor_ids = sorted({mentor.id for mentor, _ in pairs})
    _lock_mentors(mentor_ids)
    with_list = set(
        db.session.scalars(
            select(WaitingListEntry.mentor_id)
            .where(WaitingListEntry.mentor_id.in_(mentor_ids))
            .distinct()
        )
    )
    invited = _programme_invitations(mentor_ids)
    blocked, open_now = _standing_between([(m.id, n.id) for m, n in pairs])
    outcome: dict[int, Apprenticeship | str] = {}
    fresh: list[tuple[User, User, Apprenticeship]] = []
    no_holds = waiting_list().Holds()
    for mentor, mentee in pairs:
        if mentor.id in with_list:
            try:
                with db.session.begin_nested():
                    outcome[mentee.id] = invite_from_programme(
                        mentor, mentee, cohort_id, cohort_name, now
                    )
            except DomainError as error:
                outcome[mentee.id] = error.message
            continue
        profile = mentor.mentor_profile
        problem = (
            _unavailable(mentor, mentee)
            or (BLOCKED if (mentor.id, mentee.id) in blocked else None)
            or (OPEN_ALREADY if (mentor.id, mentee.id) in open_now else None)
            or why_not_taking(mentor, mentee, holds=no_holds)
        )
        if problem is None and profile.apprentice_count + invited[mentor.id] >= profile.capacity:
            problem = f"Every place with {mentor.display_name} is taken now."
        if problem:
            outcome[mentee.id] = problem
            continue
        invited[mentor.id] += 1
        request = new_request(
            mentor.id, mentee.id, "programme", _message(cohort_name), now, cohort_id
        )
        fresh.append((mentor, mentee, request))
    if not fresh:
        return outcome
    try:
        with db.session.begin_nested():
            db.session.add_all([request for _, _, request in fresh])
            db.session.flush()
    except IntegrityError:
        # An open pair made meanwhile by a path that does not take the mentor's lock:
        # the careful way finds which, pair by pair.
        for mentor, mentee, _ in fresh:
            try:
                with db.session.begin_nested():
                    outcome[mentee.id] = invite_from_programme(
                        mentor, mentee, cohort_id, cohort_name, now
                    )
            except DomainError as error:
                outcome[mentee.id] = error.message
        return outcome
    note_matching_change({i for mentor, mentee, _ in fresh for i in (mentor.id, mentee.id)})
    emails: list = []
    for mentor, mentee, request in fresh:
        _tell_both(mentor, mentee, request, cohort_name, emails)
        outcome[mentee.id] = request
    deliver_after_commit(emails)
    return outcome
