"""A full mentor's waiting list: join, leave, and who is told when a place frees up.

Whenever a place may have freed (an apprenticeship ends, a request is declined,
withdrawn or expires, capacity is raised, a pause ends), `offer_free_places` tells the
first on the list not yet told, who has OFFER_FOR to ask. Places already claimed (open
requests, offers still running) are not offered twice. Two callers for one mentor at
once queue on the row locks of that mentor's entries (PostgreSQL; SQLite's write
transactions are serial), and each offer is a conditional UPDATE on a row not yet
offered, checked to have changed exactly one row: nobody is told twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from mentorapp.errors import Conflict, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MentorProfile, State, User, WaitingListEntry
from mentorapp.models.types import utcnow
from mentorapp.models.vetting import is_vetted
from mentorapp.notifications.services import notify
from mentorapp.trust import blocks, minors

OFFER_FOR = timedelta(days=3)


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def entry_of(mentor_id: int, mentee_id: int) -> WaitingListEntry | None:
    return db.session.scalar(
        select(WaitingListEntry).where(
            WaitingListEntry.mentor_id == mentor_id, WaitingListEntry.mentee_id == mentee_id
        )
    )


def position(entry: WaitingListEntry) -> int:
    """1 for the first on the list."""
    ahead = db.session.scalar(
        select(func.count(WaitingListEntry.id)).where(
            WaitingListEntry.mentor_id == entry.mentor_id,
            (WaitingListEntry.joined_at < entry.joined_at)
            | ((WaitingListEntry.joined_at == entry.joined_at) & (WaitingListEntry.id < entry.id)),
        )
    )
    return (ahead or 0) + 1


def is_full(profile: MentorProfile) -> bool:
    """No place to ask for now: every place taken, not accepting, or on a pause."""
    return (
        profile.paused_until is not None
        or not profile.accepting
        or profile.apprentice_count >= profile.capacity
    )


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
    db.session.refresh(profile, ["apprentice_count", "capacity", "accepting", "paused_until"])
    if not is_full(profile):
        raise Conflict(f"{mentor.display_name} has a free place: ask them now.")
    entry = WaitingListEntry(mentor_id=mentor.id, mentee_id=mentee.id, joined_at=_now(now))
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
    """Off the list; a place they were offered goes to the next."""
    entry = entry_of(mentor_id, mentee.id)
    if entry is None:
        return False
    was_offered = entry.offered_at is not None
    db.session.execute(delete(WaitingListEntry).where(WaitingListEntry.id == entry.id))
    if was_offered:
        offer_free_places(mentor_id, now)
    return True


def asked(mentor_id: int, mentee_id: int) -> None:
    """A request from someone on the list takes them off it (its place is now a request)."""
    db.session.execute(
        delete(WaitingListEntry).where(
            WaitingListEntry.mentor_id == mentor_id, WaitingListEntry.mentee_id == mentee_id
        )
    )


def offer_free_places(mentor_id: int, now: datetime | None = None) -> int:
    """Tell the next on the list about each free place nobody claims yet. Returns how
    many were told."""
    now = _now(now)
    # The lock: every caller for this mentor takes their entries' rows in id order.
    ids = list(
        db.session.scalars(
            select(WaitingListEntry.id)
            .where(WaitingListEntry.mentor_id == mentor_id)
            .order_by(WaitingListEntry.id)
            .with_for_update()
        )
    )
    if not ids:
        return 0
    told = 0
    while _unclaimed_places(mentor_id, now) > 0:
        nxt = db.session.execute(
            select(WaitingListEntry.id, WaitingListEntry.mentee_id)
            .where(WaitingListEntry.mentor_id == mentor_id, WaitingListEntry.offered_at.is_(None))
            .order_by(WaitingListEntry.joined_at, WaitingListEntry.id)
            .limit(1)
        ).first()
        if nxt is None:
            break
        moved = db.session.execute(
            update(WaitingListEntry)
            .where(WaitingListEntry.id == nxt.id, WaitingListEntry.offered_at.is_(None))
            .values(offered_at=now, offer_expires_at=now + OFFER_FOR)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            continue  # told by someone else meanwhile
        told += 1
        mentor = db.session.get(User, mentor_id)
        notify(
            db.session.get(User, nxt.mentee_id),
            "answer",
            f"A place is free with {mentor.display_name if mentor else 'a mentor'}, whose "
            f"waiting list you are on. It is yours to ask for until "
            f"{now + OFFER_FOR:%d %B}; then the next person is told.",
        )
    return told


def _unclaimed_places(mentor_id: int, now: datetime) -> int:
    row = db.session.execute(
        select(
            MentorProfile.capacity,
            MentorProfile.apprentice_count,
            MentorProfile.accepting,
            MentorProfile.paused_until,
            User.suspended_at,
        )
        .join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.user_id == mentor_id)
    ).first()
    if row is None or not row.accepting or row.paused_until or row.suspended_at:
        return 0
    requests = db.session.scalar(
        select(func.count(Apprenticeship.id)).where(
            Apprenticeship.mentor_id == mentor_id, Apprenticeship.state == State.REQUESTED
        )
    )
    offers = db.session.scalar(
        select(func.count(WaitingListEntry.id)).where(
            WaitingListEntry.mentor_id == mentor_id,
            WaitingListEntry.offered_at.is_not(None),
            WaitingListEntry.offer_expires_at > now,
        )
    )
    return row.capacity - row.apprentice_count - (requests or 0) - (offers or 0)


def pass_lapsed_offers(now: datetime | None = None) -> int:
    """Offers not taken up in time: off the list, and the place goes to the next."""
    now = _now(now)
    lapsed = db.session.execute(
        select(WaitingListEntry.id, WaitingListEntry.mentor_id, WaitingListEntry.mentee_id).where(
            WaitingListEntry.offered_at.is_not(None), WaitingListEntry.offer_expires_at <= now
        )
    ).all()
    mentors = set()
    for entry_id, mentor_id, mentee_id in lapsed:
        gone = db.session.execute(
            delete(WaitingListEntry).where(
                WaitingListEntry.id == entry_id, WaitingListEntry.offer_expires_at <= now
            )
        ).rowcount
        if gone == 1:
            mentors.add(mentor_id)
            notify(
                db.session.get(User, mentee_id),
                "update",
                "The place you were offered went to the next person on the waiting list: "
                "three days passed without a request. You can join the list again.",
            )
    for mentor_id in sorted(mentors):
        offer_free_places(mentor_id, now)
    return len(mentors)
