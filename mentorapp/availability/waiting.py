"""A full mentor's waiting list: join, leave, and who is told when a place frees up.

An entry moves through three states, kept in its two dates:

- waiting (`offered_at` is NULL): in line, first come first told;
- offered (`offered_at` and `offer_expires_at` set): a place was freed and is *held* for
  this person until `offer_expires_at`; nobody else can ask for it or be accepted into it;
- asked (`offered_at` set, `offer_expires_at` NULL): the person took up the offer and
  asked; the place stays held for them until the mentor answers that request.

Every change to a mentor's places goes through `update_offers`, the one function that
brings the list in line with the places: it tidies what is over (a request taken up and
answered, a lapsed offer, an apprentice suspended), takes back offers the mentor can no
longer honour (a lower capacity, a pause, not accepting), and offers each place nobody
claims to the next in line. It takes the mentor's row lock first, the lock every
transition on a mentor starts with (`apprenticeships.services._lock_places`), and so do
the checks that read the holds (`held_for_others`) before a place is asked for, offered
to an invitee or taken: a hold and the capacity are always read under the same lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from mentorapp.errors import Conflict, NotAllowed
from mentorapp.extensions import db
from mentorapp.mail import public_url
from mentorapp.models import (
    Apprenticeship,
    MentorApplication,
    MentorProfile,
    State,
    User,
    WaitingListEntry,
)
from mentorapp.models.types import utcnow
from mentorapp.models.vetting import is_vetted
from mentorapp.notifications.services import notify
from mentorapp.suggestions.index import note_matching_change
from mentorapp.trust import blocks, minors

OFFER_FOR = timedelta(days=3)
KIND = "waiting_list"  # the email preference these notes go out under

Entry = WaitingListEntry
HOLDING = Entry.offered_at.is_not(None)  # offered or asked: a place is held for them
OFFERED = Entry.offer_expires_at.is_not(None)  # offered, not yet asked
ASKED = HOLDING & Entry.offer_expires_at.is_(None)


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _lock_places(mentor_id: int) -> None:
    from mentorapp.apprenticeships.services import _lock_places as lock

    lock(mentor_id)


# Reading


def entry_of(mentor_id: int, mentee_id: int) -> WaitingListEntry | None:
    return db.session.scalar(
        select(Entry).where(Entry.mentor_id == mentor_id, Entry.mentee_id == mentee_id)
    )


def _ahead(mentor_id, joined_at, entry_id):
    """How many are in line before this place on the mentor's list. Someone who took up
    an offer and asked is out of the line (their request waits for an answer), so they
    are not counted. Takes values or the outer query's columns (correlated)."""
    other = aliased(Entry)
    return select(func.count(other.id)).where(
        other.mentor_id == mentor_id,
        ~(other.offered_at.is_not(None) & other.offer_expires_at.is_(None)),
        (other.joined_at < joined_at) | ((other.joined_at == joined_at) & (other.id < entry_id)),
    )


def position(entry: WaitingListEntry) -> int:
    """1 for the first on the list."""
    return (db.session.scalar(_ahead(entry.mentor_id, entry.joined_at, entry.id)) or 0) + 1


@dataclass(frozen=True)
class ListPlace:
    """One waiting list a mentee is on, as their dashboard shows it."""

    mentor: User
    entry: WaitingListEntry
    position: int  # 1 for the first in line; 0 once they took up an offer and asked

    @property
    def offered_until(self) -> datetime | None:
        return self.entry.offer_expires_at


def lists_of(mentee: User) -> list[ListPlace]:
    """The waiting lists `mentee` is on, the one joined first first, with their place in
    each; only their own entries (nobody sees who else waits)."""
    ahead = _ahead(Entry.mentor_id, Entry.joined_at, Entry.id).scalar_subquery()
    rows = db.session.execute(
        select(Entry, User, ahead)
        .join(User, User.id == Entry.mentor_id)
        .where(Entry.mentee_id == mentee.id)
        .order_by(Entry.joined_at, Entry.id)
    ).all()
    return [
        ListPlace(mentor, entry, 0 if _has_asked(entry) else before + 1)
        for entry, mentor, before in rows
    ]


def _has_asked(entry: WaitingListEntry) -> bool:
    """In Python, what ASKED says in SQL."""
    return entry.offered_at is not None and entry.offer_expires_at is None


@dataclass(frozen=True)
class Holds:
    """Places of a mentor held for people on their waiting list, other than one person."""

    count: int = 0
    until: datetime | None = None  # the soonest an open offer ends, if one is open


def held_for_others(mentor_id: int, mentee_id: int | None) -> Holds:
    """The places held for others than `mentee_id`. Read it after `_lock_places` when it
    decides whether a place may be taken."""
    where = [Entry.mentor_id == mentor_id, HOLDING]
    if mentee_id is not None:
        where.append(Entry.mentee_id != mentee_id)
    count, until = db.session.execute(
        select(func.count(Entry.id), func.min(Entry.offer_expires_at)).where(*where)
    ).one()
    return Holds(count or 0, until)


def held_message(mentor: User, holds: Holds) -> str:
    until = f" until {holds.until:%d %B}" if holds.until and holds.until > utcnow() else ""
    return (
        f"{mentor.display_name}'s free place is being offered to someone on the waiting "
        f"list{until}; join the waiting list and we tell you when a place is yours to ask for."
    )


def held_for_you(holds: Holds, then: str) -> str:
    """What a mentor is told when their free place is held for their waiting list."""
    until = f" until {holds.until:%d %B}" if holds.until and holds.until > utcnow() else ""
    return (
        f"Your free place is held for someone on your waiting list{until}: you can {then} "
        "once they have answered, or raise your capacity."
    )


def free_places_for(profile: MentorProfile, viewer_id: int | None) -> int:
    """The places this viewer could ask for now: free ones not held for someone else."""
    held = held_for_others(profile.user_id, viewer_id).count
    return profile.capacity - profile.apprentice_count - held


def is_full(profile: MentorProfile, mentee_id: int | None = None) -> bool:
    """No place this mentee can ask for now: every place taken or held for someone on
    the list, not accepting, or on a pause."""
    return (
        profile.paused_until is not None
        or not profile.accepting
        or free_places_for(profile, mentee_id) <= 0
    )


# A mentee's own moves


def join(mentee: User, mentor_id: int, now: datetime | None = None) -> WaitingListEntry:
    """Put the mentee on a full mentor's waiting list (twice is once)."""
    from mentorapp.apprenticeships.services import open_pair

    if not mentee.is_mentee or mentee.mentee_profile is None:
        raise NotAllowed("Fill in your apprentice profile before joining a waiting list.")
    mentor = db.session.get(User, mentor_id)
    if mentor is None or mentor.id == mentee.id or not mentor.is_mentor:
        raise NotAllowed("There is no mentor here.")
    profile = mentor.mentor_profile
    if profile is None or mentor.suspended_at is not None or not is_vetted(mentor):
        raise NotAllowed("There is no waiting list here.")
    if blocks.between(mentee.id, mentor.id):
        raise Conflict(blocks.not_available(mentor.display_name))
    problem = minors.pair_problem(mentor, mentee, acting=mentee)
    if problem:
        raise NotAllowed(problem)
    if open_pair(mentor.id, mentee.id) is not None:
        raise Conflict("You already asked, or work together.")
    existing = entry_of(mentor.id, mentee.id)
    if existing is not None:
        return existing
    _lock_places(mentor.id)
    db.session.refresh(profile, ["apprentice_count", "capacity", "accepting", "paused_until"])
    if not is_full(profile, mentee.id):
        raise Conflict(f"{mentor.display_name} has a free place: ask them now.")
    entry = Entry(mentor_id=mentor.id, mentee_id=mentee.id, joined_at=_now(now))
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:  # a double click
        found = entry_of(mentor.id, mentee.id)
        if found is None:
            raise
        return found
    return entry


def leave(mentee: User, mentor_id: int, now: datetime | None = None) -> bool:
    """Off the list; a place held for them goes to the next."""
    _lock_places(mentor_id)
    gone = db.session.execute(
        delete(Entry)
        .where(Entry.mentor_id == mentor_id, Entry.mentee_id == mentee.id)
        .returning(Entry.offered_at)
    ).all()
    if not gone:
        return False
    if gone[0].offered_at is not None:
        update_offers(mentor_id, now)
    return True


def asked(mentor_id: int, mentee_id: int) -> None:
    """A request (or an invitation) between the two is now open. Someone who was
    offered a place keeps it held while it waits for an answer; anyone else on the list
    is off it (their place in line became a request). The caller holds the mentor's lock."""
    db.session.execute(
        update(Entry)
        .where(Entry.mentor_id == mentor_id, Entry.mentee_id == mentee_id, HOLDING)
        .values(offer_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Entry).where(
            Entry.mentor_id == mentor_id, Entry.mentee_id == mentee_id, Entry.offered_at.is_(None)
        )
    )


# The one function every change to a mentor's places goes through


def update_offers(mentor_id: int, now: datetime | None = None) -> int:
    """Bring the mentor's waiting list in line with their places; returns how many
    people were offered a place. Call it after anything that may free, take, add or
    remove a place. Safe twice or at once (each step is a conditional statement under
    the mentor's row lock)."""
    now = _now(now)
    _lock_places(mentor_id)
    if not db.session.scalar(select(exists().where(Entry.mentor_id == mentor_id))):
        return 0
    mentor = db.session.get(User, mentor_id)
    # Suggestions count a held place as taken (suggestions.records): they look again.
    note_matching_change({mentor_id})
    _tidy(mentor_id, now, mentor)
    status = db.session.execute(
        select(
            MentorProfile.capacity,
            MentorProfile.apprentice_count,
            MentorProfile.accepting,
            MentorProfile.paused_until,
            User.suspended_at,
            MentorApplication.vetted_at,
        )
        .join(User, User.id == MentorProfile.user_id)
        .outerjoin(MentorApplication, MentorApplication.user_id == MentorProfile.user_id)
        .where(MentorProfile.user_id == mentor_id)
    ).first()
    taking = (
        status is not None
        and status.accepting
        and status.paused_until is None
        and status.suspended_at is None
        and status.vetted_at is not None
    )
    offers = _count(mentor_id, OFFERED)
    if not taking:
        if offers:
            _take_back(mentor_id, offers, mentor)  # every open offer
        return 0
    # Held places come before requests from anyone else: an offer goes back only when
    # the holds outnumber the places (a lower capacity), never for someone's request.
    over = status.apprentice_count + _count(mentor_id, HOLDING) - status.capacity
    if over > 0 and offers:
        _take_back(mentor_id, min(over, offers), mentor)
        return 0
    # A new offer only for a place no request claims yet (requests came first).
    requests = db.session.scalar(
        select(func.count(Apprenticeship.id)).where(
            Apprenticeship.mentor_id == mentor_id, Apprenticeship.state == State.REQUESTED
        )
    )
    room = status.capacity - status.apprentice_count - (requests or 0) - offers
    return _offer(mentor_id, room, now, mentor) if room > 0 else 0


def _count(mentor_id: int, state) -> int:
    return (
        db.session.scalar(select(func.count(Entry.id)).where(Entry.mentor_id == mentor_id, state))
        or 0
    )


def _tidy(mentor_id: int, now: datetime, mentor: User | None) -> None:
    """What is over: an asked request answered (accepted: the place is theirs; declined,
    withdrawn or expired: the chance was used), someone now working with the mentor, a
    suspended apprentice (skipped and removed), an offer whose three days passed."""
    request_open = exists().where(
        Apprenticeship.mentor_id == Entry.mentor_id,
        Apprenticeship.mentee_id == Entry.mentee_id,
        Apprenticeship.state == State.REQUESTED,
    )
    working = exists().where(
        Apprenticeship.mentor_id == Entry.mentor_id,
        Apprenticeship.mentee_id == Entry.mentee_id,
        Apprenticeship.state == State.ACCEPTED,
    )
    suspended = exists().where(User.id == Entry.mentee_id, User.suspended_at.is_not(None))
    db.session.execute(
        delete(Entry)
        .where(Entry.mentor_id == mentor_id, (ASKED & ~request_open) | working | suspended)
        .execution_options(synchronize_session=False)
    )
    lapsed = db.session.scalars(
        delete(Entry)
        .where(Entry.mentor_id == mentor_id, OFFERED, Entry.offer_expires_at <= now)
        .returning(Entry.mentee_id)
        .execution_options(synchronize_session=False)
    ).all()
    name = mentor.display_name if mentor else "the mentor"
    for mentee_id in sorted(lapsed):
        notify(
            db.session.get(User, mentee_id),
            KIND,
            f"The place you were offered with {name} went to the next person on the "
            "waiting list: three days passed without a request. You can join the list again.",
            link=public_url("profiles.show", user_id=mentor_id),
        )


def _take_back(mentor_id: int, how_many: int, mentor: User | None) -> None:
    """The newest open offers go back to waiting, their place in line kept."""
    newest = db.session.scalars(
        select(Entry.mentee_id)
        .where(Entry.mentor_id == mentor_id, OFFERED)
        .order_by(Entry.joined_at.desc(), Entry.id.desc())
        .limit(how_many)
    ).all()
    db.session.execute(
        update(Entry)
        .where(Entry.mentor_id == mentor_id, OFFERED, Entry.mentee_id.in_(newest))
        .values(offered_at=None, offer_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    name = mentor.display_name if mentor else "The mentor"
    for mentee_id in sorted(newest):
        notify(
            db.session.get(User, mentee_id),
            KIND,
            f"Sorry: {name} cannot take anyone new on for now, so the place you were "
            "offered is no longer free. You keep your place on the waiting list, and we "
            "tell you again when a place is yours to ask for.",
            link=public_url("profiles.show", user_id=mentor_id),
        )


def _offer(mentor_id: int, room: int, now: datetime, mentor: User | None) -> int:
    """Offer `room` places to the next in line who can still take one."""
    nxt = db.session.scalars(
        select(Entry.id)
        .join(User, User.id == Entry.mentee_id)
        .where(Entry.mentor_id == mentor_id, Entry.offered_at.is_(None))
        .where(User.suspended_at.is_(None))
        .order_by(Entry.joined_at, Entry.id)
        .limit(room)
    ).all()
    told = 0
    until = now + OFFER_FOR
    for entry_id in nxt:
        offered = db.session.execute(
            update(Entry)
            .where(Entry.id == entry_id, Entry.offered_at.is_(None))
            .values(offered_at=now, offer_expires_at=until)
            .returning(Entry.mentee_id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if offered is None:
            continue
        told += 1
        notify(
            db.session.get(User, offered),
            KIND,
            f"A place is free with {mentor.display_name if mentor else 'a mentor'}, whose "
            f"waiting list you are on. It is held for you until {until:%d %B}: ask before "
            "then, or the next person is told.",
            subject=f"A place is free with {mentor.display_name if mentor else 'a mentor'}",
            link=public_url("profiles.show", user_id=mentor_id),
        )
    return told


# When people come and go


def close_list(mentor: User, why: str) -> int:
    """The mentor is suspended or closes their account: their waiting list goes, and
    each person on it is told, kindly. Returns how many were on it."""
    _lock_places(mentor.id)
    people = db.session.scalars(
        delete(Entry)
        .where(Entry.mentor_id == mentor.id)
        .returning(Entry.mentee_id)
        .execution_options(synchronize_session=False)
    ).all()
    for mentee_id in sorted(people):
        notify(
            db.session.get(User, mentee_id),
            KIND,
            f"{mentor.display_name} {why}, so their waiting list is closed and you are no "
            "longer on it. This says nothing about you: the mentors in your suggestions "
            "may have a free place.",
        )
    return len(people)


def off_every_list(mentee: User, now: datetime | None = None) -> list[int]:
    """The mentee is suspended or closes their account: off every waiting list, and a
    place held for them goes to the next. Returns the mentors whose lists changed."""
    mentors = sorted(
        db.session.scalars(select(Entry.mentor_id).where(Entry.mentee_id == mentee.id))
    )
    for mentor_id in mentors:  # in id order, like every taker of several mentors' locks
        _lock_places(mentor_id)
        db.session.execute(
            delete(Entry).where(Entry.mentor_id == mentor_id, Entry.mentee_id == mentee.id)
        )
        update_offers(mentor_id, now)
    return mentors


def forget_pair(person: User, other: User) -> None:
    """A block between the two: neither stays on the other's waiting list (the caller
    then updates both lists' offers)."""
    for mentor_id, mentee_id in sorted(((person.id, other.id), (other.id, person.id))):
        if entry_of(mentor_id, mentee_id) is None:
            continue
        _lock_places(mentor_id)
        db.session.execute(
            delete(Entry).where(Entry.mentor_id == mentor_id, Entry.mentee_id == mentee_id)
        )


def pass_lapsed_offers(now: datetime | None = None) -> int:
    """Offers not taken up in time: off the list, and the place goes to the next.
    Returns how many mentors' lists moved on."""
    now = _now(now)
    mentors = sorted(
        set(
            db.session.scalars(
                select(Entry.mentor_id).where(OFFERED, Entry.offer_expires_at <= now)
            )
        )
    )
    for mentor_id in mentors:
        update_offers(mentor_id, now)
    return len(mentors)
