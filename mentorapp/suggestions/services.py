"""Suggested mentors for a mentee, suggested mentees for a mentor; hiding and saving them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mentorapp.apprenticeships.services import paired_recently
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.matching import Filters, Match, MenteePool, MentorPool, rank_mentees, rank_mentors
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
from mentorapp.suggestions.index import candidate_index
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records

PER_PAGE = 10


@dataclass(frozen=True)
class Suggestion:
    person: User
    match: Match
    favourite: bool


# A page of suggestions.
SuggestionPage = Page[Suggestion]


def missing_for_matching(user: User, role: Role) -> list[profiles.Check]:
    """What must be filled in before suggestions can mean anything."""
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
    if not ids:
        return {}
    if role is Role.MENTOR:
        options = [
            selectinload(User.mentor_profile).selectinload(MentorProfile.archetypes),
            selectinload(User.mentor_profile).selectinload(MentorProfile.specialties),
            selectinload(User.mentor_profile).selectinload(MentorProfile.place),
            joinedload(User.mentor_application),  # the vetted mark on the card
        ]
    else:
        options = [
            selectinload(User.mentee_profile).selectinload(MenteeProfile.aspirations),
            selectinload(User.mentee_profile).selectinload(MenteeProfile.wants),
            selectinload(User.mentee_profile).selectinload(MenteeProfile.place),
        ]
    people = db.session.scalars(select(User).where(User.id.in_(ids)).options(*options))
    return {person.id: person for person in people}


def suggestions(
    user: User, viewer: Role, filters: Filters, page: int = 1, saved_only: bool = False
) -> SuggestionPage:
    """A page of ranked suggestions for a mentee (viewer=MENTEE) or a mentor (MENTOR)."""
    page = max(1, page)
    marks = _marks(user)
    snapshot = candidate_index().current()
    if viewer is Role.MENTEE:
        [me] = load_mentee_records([user.id]) or [None]
        shown_role = Role.MENTOR
    else:
        [me] = load_mentor_records([user.id]) or [None]
        shown_role = Role.MENTEE
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
