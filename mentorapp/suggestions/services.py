"""Suggested mentors for a mentee, suggested mentees for a mentor; hiding and saving them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mentorapp.apprenticeships.services import paired_recently
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.matching import (
    Filters,
    Match,
    MenteePool,
    MenteeRecord,
    MentorPool,
    MentorRecord,
    Vocabulary,
    rank_mentees,
    rank_mentors,
)
from mentorapp.models import (
    MarkKind,
    MenteeProfile,
    MentorProfile,
    Role,
    SuggestionMark,
    User,
)
from mentorapp.paging import Page
from mentorapp.profiles import services as profiles
from mentorapp.suggestions.index import Snapshot, candidate_index
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records

PER_PAGE = 10


@dataclass(frozen=True)
class Suggestion:
    person: User
    match: Match
    favourite: bool


# A page of suggestions.
SuggestionPage = Page[Suggestion]


def own_record(user: User, role: Role) -> MenteeRecord | MentorRecord | None:
    """The person's own matching record on that side (None without a profile)."""
    load = load_mentee_records if role is Role.MENTEE else load_mentor_records
    return next(iter(load([user.id])), None)


def _ready(me: MenteeRecord | MentorRecord) -> bool:
    """What missing_for_matching asks, answered from the record: what the person wants
    to learn (or teaches), and their city."""
    learning = me.wants if isinstance(me, MenteeRecord) else me.specialties
    return bool(learning) and me.latitude is not None


def missing_for_matching(
    user: User, role: Role, me: MenteeRecord | MentorRecord | None = None
) -> list[profiles.Check]:
    """What must be filled in before suggestions can mean anything. With the person's
    record at hand (`me`), a complete one answers without reading the profile again."""
    if me is not None and _ready(me):
        return []
    needed = {"What you want to learn", "What you teach", "Your city"}
    return [c for c in profiles.checks_for(user, role) if c.label in needed and not c.done]


def _marks(user: User) -> dict[str, set[int]]:
    rows = db.session.execute(
        select(SuggestionMark.kind, SuggestionMark.other_id).where(
            SuggestionMark.user_id == user.id
        )
    ).all()
    marks: dict[str, set[int]] = {MarkKind.DISMISSED: set(), MarkKind.FAVOURITE: set()}
    for kind, other in rows:
        marks[kind].add(other)
    return marks


def _people(ids: list[int], role: Role) -> dict[int, User]:
    """The people on the cards with what the cards show: one row each for the person,
    their profile, its city (and the vetted mark), then one query per list on it."""
    if not ids:
        return {}
    if role is Role.MENTOR:
        profile = joinedload(User.mentor_profile, innerjoin=True)
        options = [
            profile.joinedload(MentorProfile.place),
            profile.selectinload(MentorProfile.archetypes),
            profile.selectinload(MentorProfile.specialties),
            joinedload(User.mentor_application),  # the vetted mark on the card
        ]
    else:
        profile = joinedload(User.mentee_profile, innerjoin=True)
        options = [
            profile.joinedload(MenteeProfile.place),
            profile.selectinload(MenteeProfile.aspirations),
            profile.selectinload(MenteeProfile.wants),
        ]
    people = db.session.scalars(select(User).where(User.id.in_(ids)).options(*options))
    return {person.id: person for person in people}


def current_snapshot() -> Snapshot:
    """The candidate arrays as they stand (one query on the change log)."""
    return candidate_index().current()


def filter_choices(vocabulary: Vocabulary) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The kinds of producer (in their order) and the specialties (by name) to filter by,
    as (slug, name), from the arrays' vocabulary: no query of the taxonomy per page."""
    return list(vocabulary.archetypes.items()), sorted(
        vocabulary.specialties.items(), key=lambda item: item[1]
    )


def suggestions(
    user: User,
    viewer: Role,
    filters: Filters,
    page: int = 1,
    saved_only: bool = False,
    *,
    me: MenteeRecord | MentorRecord | None = None,
    snapshot: Snapshot | None = None,
) -> SuggestionPage:
    """A page of ranked suggestions for a mentee (viewer=MENTEE) or a mentor (MENTOR).
    `me` (own_record) and `snapshot` (current_snapshot), when the caller has them."""
    page = max(1, page)
    marks = _marks(user)
    snapshot = snapshot or candidate_index().current()
    me = me or own_record(user, viewer)
    shown_role = Role.MENTOR if viewer is Role.MENTEE else Role.MENTEE
    if me is None:
        return SuggestionPage([], 0, page, PER_PAGE)
    offset = (page - 1) * PER_PAGE
    rank = rank_mentors if viewer is Role.MENTEE else rank_mentees
    pool = snapshot.mentors if viewer is Role.MENTEE else snapshot.mentees
    if saved_only:  # the same ranking, filters and hard rules over the saved people alone
        saved = sorted(marks[MarkKind.FAVOURITE])
        if viewer is Role.MENTEE:
            pool = MentorPool.build(load_mentor_records(saved), snapshot.vocabulary)
        else:
            pool = MenteePool.build(load_mentee_records(saved), snapshot.vocabulary)
    ranking = rank(
        me,
        pool,
        limit=PER_PAGE,
        offset=offset,
        exclude=marks[MarkKind.DISMISSED] | paired_recently(user),  # and blocks
        filters=filters,
    )
    total, matches = ranking.total, ranking.matches
    people = _people([m.id for m in matches], shown_role)
    items = [
        Suggestion(people[m.id], m, m.id in marks[MarkKind.FAVOURITE])
        for m in matches
        if m.id in people
    ]
    return SuggestionPage(items, total, page, PER_PAGE)


def mark(user: User, other_id: int, kind: MarkKind) -> None:
    """Hide or save a suggestion; doing it twice changes nothing."""
    if other_id == user.id:
        raise DomainError("That is you.")
    other = db.session.get(User, other_id)
    if other is None or not (other.is_mentor or other.is_mentee):
        raise DomainError("That person is not on mentorapp any more.")
    if kind is MarkKind.DISMISSED:
        unmark(user, other_id, MarkKind.FAVOURITE)
    try:
        with db.session.begin_nested():
            db.session.add(SuggestionMark(user_id=user.id, other_id=other_id, kind=kind))
    except IntegrityError:
        pass  # already marked: a double click


def unmark(user: User, other_id: int, kind: MarkKind) -> None:
    db.session.execute(
        delete(SuggestionMark).where(
            SuggestionMark.user_id == user.id,
            SuggestionMark.other_id == other_id,
            SuggestionMark.kind == kind,
        )
    )


def dismissed_people(user: User) -> list[User]:
    ids = select(SuggestionMark.other_id).where(
        SuggestionMark.user_id == user.id, SuggestionMark.kind == MarkKind.DISMISSED
    )
    return list(
        db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name))
    )
