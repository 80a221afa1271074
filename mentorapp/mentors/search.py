"""Finding vetted mentors: full-text search, filters, sorting and pages.

`text_matches` is the one place that knows each database's full-text search; the rest
is plain SQL on both."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, String, and_, case, cast, func, literal_column, or_, select, table
from sqlalchemy.orm import joinedload, selectinload

from mentorapp.apprenticeships.services import paired_recently
from mentorapp.availability import waiting
from mentorapp.extensions import db
from mentorapp.matching import Match, rank_mentors
from mentorapp.mentors.index import search_words
from mentorapp.models import (
    Archetype,
    Block,
    MentorApplication,
    MentorProfile,
    MentorSearchEntry,
    Place,
    Specialty,
    User,
    WaitingListEntry,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.types import utcnow
from mentorapp.paging import Page
from mentorapp.places.gazetteer import distances_km
from mentorapp.suggestions.index import candidate_index
from mentorapp.suggestions.records import load_mentee_records
from mentorapp.trust.ages import is_minor_on

PER_PAGE = 12
MAX_WORDS = 8
SORTS = ("relevance", "best_fit", "distance", "newest", "taught")


@dataclass(frozen=True)
class MentorQuery:
    text: str = ""
    archetype: str | None = None
    specialty: str | None = None
    genre: str | None = None
    tool: str | None = None
    near: tuple[float, float] | None = None  # latitude, longitude
    within_km: float | None = None
    remote: bool = False
    taking: bool = False  # accepting, with a free place
    free_at: int = 0  # availability bits: free at any of these
    sort: str = "relevance"


@dataclass(frozen=True)
class FoundMentor:
    person: User
    km: float | None = None
    match: Match | None = None  # best fit only: the engine's score and reasons
    held: int = 0  # places held for others on the waiting list

    @property
    def free_places(self) -> int:
        """Places the viewer could ask for: neither taken nor held for someone else."""
        return self.profile.capacity - self.profile.apprentice_count - self.held

    @property
    def profile(self) -> MentorProfile:
        return self.person.mentor_profile


@dataclass(frozen=True)
class MentorPage(Page[FoundMentor]):
    # Best fit: mentors the search found that the engine cannot pair with the viewer
    # now (full, out of reach, already asked).
    not_for_you: int = 0


# The database's full-text search


def text_matches(text: str):
    """Mentors whose name or text holds every word typed (each as a prefix), as a
    subquery of (user_id, score), higher scores first; None when nothing searchable
    was typed. Accents and case are folded on both sides."""
    words = search_words(text)[:MAX_WORDS]
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        query = func.to_tsquery(literal_column("'simple'"), " & ".join(f"{w}:*" for w in words))
        vector = MentorSearchEntry.vector
        return (
            select(
                MentorSearchEntry.user_id.label("user_id"),
                func.ts_rank(vector, query).label("score"),
            )
            .where(vector.op("@@")(query))
            .subquery("matched")
        )
    fts = literal_column("mentor_search_fts")
    # bm25 is lower for a better match; the name weighs ten times the rest.
    return (
        select(
            literal_column("rowid").label("user_id"),
            (-func.bm25(fts, 10.0, 1.0)).label("score"),
        )
        .select_from(table("mentor_search_fts"))
        .where(fts.op("MATCH")(" ".join(f'"{w}"*' for w in words)))
        .subquery("matched")
    )


def vetted():
    """Shown to anyone: a mentor an admin vetted, not suspended (deleted ones are gone)."""
    return and_(
        User.is_mentor.is_(True),
        User.suspended_at.is_(None),
        MentorApplication.vetted_at.is_not(None),
    )


def _json_holds(column, slug: str):
    """A JSON list of slugs holds this one (its text has it in quotes)."""
    escaped = slug.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, String).like(f'%"{escaped}"%', escape="\\")


def _apart_from(viewer_id: int):
    return (
        select(Block.id)
        .where(
            or_(
                (Block.blocker_id == viewer_id) & (Block.blocked_id == MentorProfile.user_id),
                (Block.blocker_id == MentorProfile.user_id) & (Block.blocked_id == viewer_id),
            )
        )
        .exists()
    )


def _approx_km(near: tuple[float, float]):
    """Distance in km on a flat map around `near`: exact enough to order and to bound by a
    radius of a few hundred km, and plain arithmetic on both databases."""
    latitude, longitude = near
    squeeze = math.cos(math.radians(latitude))
    dlat = Place.latitude - latitude
    dlon = (Place.longitude - longitude) * squeeze
    return (dlat * dlat + dlon * dlon) * (111.195 * 111.195)


def _filtered(query: MentorQuery, viewer: User | None) -> tuple[Select, object]:
    """The matching mentors' ids (and the text score column, or None)."""
    matching = (
        select(MentorProfile.user_id)
        .join(User, User.id == MentorProfile.user_id)
        .join(MentorApplication, MentorApplication.user_id == MentorProfile.user_id)
        .where(vetted())
    )
    score = None
    matched = text_matches(query.text)
    if matched is not None:
        matching = matching.join(matched, matched.c.user_id == MentorProfile.user_id)
        score = matched.c.score
    if query.archetype:
        matching = matching.where(
            MentorProfile.user_id.in_(
                select(mentor_archetypes.c.mentor_id)
                .join(Archetype, Archetype.id == mentor_archetypes.c.archetype_id)
                .where(Archetype.slug == query.archetype)
            )
        )
    if query.specialty:
        matching = matching.where(
            MentorProfile.user_id.in_(
                select(mentor_specialties.c.mentor_id)
                .join(Specialty, Specialty.id == mentor_specialties.c.specialty_id)
                .where(Specialty.slug == query.specialty)
            )
        )
    if query.genre:
        matching = matching.where(_json_holds(MentorProfile.genres, query.genre))
    if query.tool:
        matching = matching.where(_json_holds(MentorProfile.tools, query.tool))
    if query.remote:
        matching = matching.where(MentorProfile.works_remotely.is_(True))
    if query.taking:
        held = (
            select(func.count(WaitingListEntry.id))
            .where(
                WaitingListEntry.mentor_id == MentorProfile.user_id,
                waiting.HOLDING,
                WaitingListEntry.mentee_id != (viewer.id if viewer else None),
            )
            .scalar_subquery()
        )
        matching = matching.where(
            MentorProfile.accepting.is_(True),
            MentorProfile.apprentice_count + held < MentorProfile.capacity,
        )
    if query.free_at:
        matching = matching.where(MentorProfile.availability.op("&")(query.free_at) != 0)
    if query.near is not None and (query.within_km is not None or query.sort == "distance"):
        matching = matching.outerjoin(Place, Place.id == MentorProfile.place_id)
        if query.within_km is not None:
            matching = matching.where(_approx_km(query.near) <= query.within_km**2)
    if viewer is not None:
        matching = matching.where(~_apart_from(viewer.id))
        if is_minor_on(viewer.date_of_birth, utcnow().date()):
            # The adults-only rule, as suggestions apply it.
            matching = matching.where(MentorProfile.takes_minors.is_(True))
    return matching, score


def search_mentors(query: MentorQuery, viewer: User | None = None, page: int = 1) -> MentorPage:
    """A page of vetted mentors for this query, seen by `viewer` (None: a visitor)."""
    page = max(1, page)
    offset = (page - 1) * PER_PAGE
    matching, score = _filtered(query, viewer)
    if query.sort == "best_fit" and viewer is not None and viewer.is_mentee:
        return _best_fit(matching, viewer, page)
    newest = [MentorProfile.created_at.desc(), MentorProfile.user_id.desc()]
    if query.sort == "distance" and query.near is not None:
        order = [
            case((Place.id.is_(None), 1), else_=0),
            _approx_km(query.near),
            MentorProfile.user_id,
        ]
    elif query.sort == "taught":
        order = [MentorProfile.apprentice_count.desc(), *newest]
    elif query.sort == "relevance" and score is not None:
        order = [score.desc(), MentorProfile.user_id]
    else:
        order = newest
    # One pass over the matching rows counts them and picks the page.
    rows = db.session.execute(
        matching.add_columns(func.count().over()).order_by(*order).offset(offset).limit(PER_PAGE)
    ).all()
    if rows:
        total = rows[0][1]
    else:
        total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    return _page([row[0] for row in rows], {}, total, page, query.near, viewer)


def _best_fit(matching: Select, viewer: User, page: int) -> MentorPage:
    """The engine's ranking (score and reasons) over the mentors the search found."""
    ids = np.fromiter(db.session.scalars(matching), dtype=np.int64)
    [me] = load_mentee_records([viewer.id]) or [None]
    if me is None or not len(ids):
        return MentorPage([], 0, page, PER_PAGE, not_for_you=len(ids))
    pool = candidate_index().current().mentors
    among = pool.rows(np.flatnonzero(np.isin(pool.ids, ids)))
    ranking = rank_mentors(
        me,
        among,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        exclude=paired_recently(viewer),
    )
    matches = {m.id: m for m in ranking.matches}
    found = _page([m.id for m in ranking.matches], matches, ranking.total, page, None, viewer)
    return MentorPage(
        found.items, found.total, page, PER_PAGE, not_for_you=len(ids) - ranking.total
    )


def _page(
    ids: list[int],
    matches: dict[int, Match],
    total: int,
    page: int,
    near: tuple[float, float] | None,
    viewer: User | None = None,
) -> MentorPage:
    people = {
        person.id: person
        for person in db.session.scalars(
            select(User)
            .where(User.id.in_(ids))
            .options(
                selectinload(User.mentor_profile).selectinload(MentorProfile.archetypes),
                selectinload(User.mentor_profile).selectinload(MentorProfile.specialties),
                selectinload(User.mentor_profile).selectinload(MentorProfile.place),
                joinedload(User.mentor_application),
            )
        )
    }
    shown = [people[i] for i in ids if i in people]
    km: dict[int, float] = {}
    if near is not None:
        placed = [p for p in shown if p.mentor_profile.place is not None]
        if placed:
            lat = np.array([p.mentor_profile.place.latitude for p in placed], dtype=float)
            lon = np.array([p.mentor_profile.place.longitude for p in placed], dtype=float)
            km = dict(
                zip((p.id for p in placed), distances_km(near, lat, lon).tolist(), strict=True)
            )
    held = waiting.held_places([p.id for p in shown], viewer.id if viewer else None)
    items = [
        FoundMentor(
            p,
            km.get(p.id, matches[p.id].distance_km if p.id in matches else None),
            matches.get(p.id),
            held.get(p.id, 0),
        )
        for p in shown
    ]
    return MentorPage(items, total, page, PER_PAGE)
