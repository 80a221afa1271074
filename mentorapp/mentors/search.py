"""Finding vetted mentors: full-text search, filters, sorting and pages.

`text_matches` is the one place that knows each database's full-text search; the rest
is plain SQL on both."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import (
    Select,
    String,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from mentorapp.apprenticeships.services import paired_recently
from mentorapp.extensions import db
from mentorapp.matching import Match, rank_mentors
from mentorapp.mentors.cards import MentorCard, load_cards
from mentorapp.mentors.index import search_words
from mentorapp.models import (
    Archetype,
    Block,
    MentorProfile,
    MentorSearchEntry,
    Place,
    Specialty,
    User,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.types import utcnow
from mentorapp.models.waiting import held_count
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
    card: MentorCard
    km: float | None = None
    match: Match | None = None  # best fit only: the engine's score and reasons

    @property
    def free_places(self) -> int:
        return self.card.free_places


@dataclass(frozen=True)
class MentorPage(Page[FoundMentor]):
    # Best fit: mentors the search found that the engine cannot pair with the viewer
    # now (full, out of reach, already asked).
    not_for_you: int = 0


# The database's full-text search


def _fts_match(words: list[str], named: bool = False) -> str:
    """An FTS5 query: every word as a prefix; `named`: and the name holds one of them."""
    every = " AND ".join(f'"{w}"*' for w in words)
    if not named:
        return every
    in_name = "{name} : (" + " OR ".join(f'"{w}"*' for w in words) + ")"
    # One word in the name is a match already, and the name's doclist is short.
    return in_name if len(words) == 1 else f"{in_name} AND {every}"


def _tsquery(words: list[str], joiner: str = " & "):
    return func.to_tsquery(literal_column("'simple'"), joiner.join(f"{w}:*" for w in words))


def _name_holds_one(words: list[str]):
    """PostgreSQL: the name alone holds one of the words (ix_mentor_search_name)."""
    names = func.to_tsvector(literal_column("'simple'"), MentorSearchEntry.name)
    return names.op("@@")(_tsquery(words, " | "))


def _listed():
    # "= true", not "IS true": PostgreSQL uses an index for the one only.
    return MentorSearchEntry.listed == true()


def _holding(words: list[str]):
    """The search rows holding every word (as prefixes): a condition on mentor_search."""
    if db.engine.dialect.name == "postgresql":
        return MentorSearchEntry.vector.op("@@")(_tsquery(words))
    return MentorSearchEntry.user_id.in_(
        select(_ROWID)
        .select_from(table("mentor_search_fts"))
        .where(_FTS.op("MATCH")(_fts_match(words)))
    )


_FTS = literal_column("mentor_search_fts")
_ROWID = literal_column("mentor_search_fts.rowid")


def text_matches(text: str):
    """Mentors whose name or text holds every word typed (each as a prefix), as a
    subquery of (user_id, named, score): `named` when the name holds one of the words,
    higher scores first; None when nothing searchable was typed. Accents and case are
    folded on both sides. Every match: the exact path, for what the bounded one
    (`first_matches`) cannot answer."""
    words = search_words(text)[:MAX_WORDS]
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        query = _tsquery(words)
        vector = MentorSearchEntry.vector
        return (
            select(
                MentorSearchEntry.user_id.label("user_id"),
                _name_holds_one(words).label("named"),
                func.ts_rank(vector, query).label("score"),
            )
            .where(vector.op("@@")(query))
            .subquery("matched")
        )
    named = select(_ROWID).select_from(table("mentor_search_fts"))
    named = named.where(_FTS.op("MATCH")(_fts_match(words, named=True)))
    # bm25 is lower for a better match; the name weighs ten times the rest.
    return (
        select(
            _ROWID.label("user_id"),
            _ROWID.in_(named.scalar_subquery()).label("named"),
            (-func.bm25(_FTS, 10.0, 1.0)).label("score"),
        )
        .select_from(table("mentor_search_fts"))
        .where(_FTS.op("MATCH")(_fts_match(words)))
        .subquery("matched")
    )


def first_matches(
    words: list[str], limit: int, narrow: Callable[[Select], Select] | None = None
) -> list[int]:
    """The ids of the listed mentors the index finds for these words, ranked, without ranking every
    match: the index hands its matches over newest first (its own order, so it stops
    early), `narrow` filters them as they come (a select joined to mentor_profiles), and
    the first `limit` kept are ranked, with the first `limit` whose name holds a word,
    so a name is never lost behind bios. Fewer than `limit` of either: every match was
    seen, and the ranking is the database's over all of them."""
    listed = _listed()
    if db.engine.dialect.name == "postgresql":
        query, vector = _tsquery(words), MentorSearchEntry.vector
        matching = select(
            MentorSearchEntry.user_id.label("user_id"), func.ts_rank(vector, query).label("score")
        ).where(vector.op("@@")(query), listed)
        # The names' index finds the few whose name holds a word; their vectors are
        # checked one by one (ts_match_vq: @@ as a call, which no index serves) rather
        # than every word's posting list read again. One word in the name is in the
        # vector already (it holds the name): nothing to check.
        named = select(
            MentorSearchEntry.user_id.label("user_id"),
            func.ts_rank(vector, query).label("score"),
        ).where(_name_holds_one(words), listed)
        if len(words) > 1:
            named = named.where(func.ts_match_vq(vector, query))
        lists = [matching, named]
        newest, user_id = None, MentorSearchEntry.user_id
        plans = _planned_for(tuple(words), lists)
    else:
        lists = [
            select(_ROWID.label("user_id"), (-func.bm25(_FTS, 10.0, 1.0)).label("score"))
            .select_from(table("mentor_search_fts"))
            .join(MentorSearchEntry, MentorSearchEntry.user_id == _ROWID)
            .where(_FTS.op("MATCH")(_fts_match(words, named)), listed)
            for named in (False, True)
        ]
        newest, user_id = _ROWID.desc(), MentorSearchEntry.user_id
        plans = []
    # user_id -> the sort key (not named, -score, user_id): plain tuples, as 1,001
    # objects would cost more than the rows do.
    found: dict[int, tuple[bool, float, int]] = {}
    for named, chosen in ((True, lists[1]), (False, lists[0])):
        planned = plans[int(named)] if newest is None else None
        if narrow is not None:
            chosen = narrow(chosen.join(MentorProfile, MentorProfile.user_id == user_id))
        rows = (
            _rows(chosen.order_by(newest).limit(limit))
            if planned is None
            else _newest_matches(chosen, limit, planned)
        )
        for found_id, score in rows:
            if found_id not in found:
                found[found_id] = (not named, -score, found_id)
        if len(found) >= limit:
            break  # as many names as the page can count: they rank above any bio
    return [key[2] for key in sorted(found.values())]


def _connection():
    """The session's connection: plain rows of ids and scores, without the ORM's
    per-row work (some milliseconds over 1,001 rows)."""
    return db.session.connection()


def _rows(chosen: Select) -> list:
    return list(_connection().execute(chosen).all())


def _newest_matches(chosen: Select, limit: int, planned: tuple[float, float]) -> list:
    """PostgreSQL: the first `limit` rows of `chosen` (a select of mentor_search
    matches) by user_id, newest first, the same rows whichever way they are found.

    Walking the rows newest first (the primary key backwards) reads limit / share of
    them, each ~1.6 KB with its vector: cheap for a common word, but a word in 5% of
    the rows reads 20,000 rows for 1,001 matches. So a rarer word (by the planner's
    estimate) goes through the GIN index instead: "ORDER BY
    user_id + 0" keeps the planner off the primary key's order, it reads the index's
    matches as a bitmap and sorts them. Only those in the newest rows that should hold
    MENTOR_SEARCH_WINDOW times `limit` matches are fetched (the primary key's range
    ANDed into the bitmap); when they hold fewer than `limit`, the older rest follows.
    `planned`: matches expected for the words and rows in all (`_planned`, before the
    filters, whose estimates are guesses: a genre is a LIKE on JSON text)."""
    config = current_app.config
    user_id = MentorSearchEntry.user_id
    expected, rows = planned
    if expected >= float(config["MENTOR_SEARCH_WALK_SHARE"]) * rows:
        return _rows(chosen.order_by(user_id.desc()).limit(limit))
    by_newest = (user_id + 0).desc()
    # The newest rows that should hold MENTOR_SEARCH_WINDOW x limit matches; past half
    # the table, every match costs no more than the window would.
    window = float(config["MENTOR_SEARCH_WINDOW"]) * limit * rows / max(expected, 1.0)
    if window * 2 >= rows:
        return _rows(chosen.order_by(by_newest).limit(limit))
    # The window's oldest id, in the same statement (0: the table is shorter).
    skip, newer = max(0, math.ceil(window) - 1), aliased(MentorSearchEntry).user_id
    oldest = select(newer).order_by(newer.desc()).offset(skip).limit(1)
    start = func.coalesce(oldest.correlate(None).scalar_subquery(), 0)
    found = _rows(chosen.where(user_id >= start).order_by(by_newest).limit(limit))
    if len(found) < limit:
        older = chosen.where(user_id < start).order_by(by_newest).limit(limit - len(found))
        found += _rows(older)
    return found


# The planner's estimates per set of words, for a while: they change only when ANALYZE
# runs (autovacuum, after a tenth of the rows changed), and an EXPLAIN costs more than a
# rare word's search. Per process; the oldest go first past PLAN_CACHE_SIZE.
PLAN_CACHE_SIZE = 2048
PLAN_CACHE_SECONDS = 600.0
_plans: dict[tuple[str, ...], tuple[float, list[tuple[float, float]]]] = {}


def _planned_for(words: tuple[str, ...], lists: list[Select]) -> list[tuple[float, float]]:
    now = time.monotonic()
    kept = _plans.get(words)
    if kept is not None and now - kept[0] < PLAN_CACHE_SECONDS:
        return kept[1]
    plans = _planned(lists)
    _plans.pop(words, None)
    while len(_plans) >= PLAN_CACHE_SIZE:
        del _plans[next(iter(_plans))]
    _plans[words] = (now, plans)
    return plans


def _planned(lists: list[Select]) -> list[tuple[float, float]]:
    """PostgreSQL: for each select of matches, how many the planner expects, and how
    many rows mentor_search has (one EXPLAIN for all, planning only: from the
    statistics ANALYZE keeps, the GIN index's word frequencies among them)."""
    every = union_all(
        *(select(chosen.subquery().c.user_id) for chosen in lists),
        select(MentorSearchEntry.user_id),
    ).compile(db.engine, compile_kwargs={"render_postcompile": True})
    [[plan]] = _connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {every}", every.params).one()
    *matches, rows = (float(part["Plan Rows"]) for part in plan["Plan"]["Plans"])
    return [(expected, rows) for expected in matches]


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
    # The short way round: 178°E to 179°W is 3 degrees, not 357.
    apart = func.abs(Place.longitude - longitude)
    dlon = case((apart > 180, 360 - apart), else_=apart) * squeeze
    return (dlat * dlat + dlon * dlon) * (111.195 * 111.195)


def _narrows(query: MentorQuery, viewer: User | None) -> bool:
    """Whether anything past the search row (the profile, blocks, age) decides."""
    return viewer is not None or bool(
        query.archetype
        or query.specialty
        or query.genre
        or query.tool
        or query.remote
        or query.taking
        or query.free_at
        or (query.near is not None and query.within_km is not None)
    )


def _narrowed(matching: Select, query: MentorQuery, viewer: User | None) -> Select:
    """`matching` (a select from mentor_profiles) with the filters and the viewer's limits."""
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
        held = held_count(MentorProfile.user_id, viewer.id if viewer else None)
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
    return matching


def _filtered(query: MentorQuery, viewer: User | None) -> tuple[Select, object, object]:
    """Every matching mentor's id (and the text's named and score columns, or None)."""
    matching = (
        select(MentorProfile.user_id)
        .join(MentorSearchEntry, MentorSearchEntry.user_id == MentorProfile.user_id)
        .where(_listed())
    )
    named = score = None
    matched = text_matches(query.text)
    if matched is not None:
        matching = matching.join(matched, matched.c.user_id == MentorProfile.user_id)
        named, score = matched.c.named, matched.c.score
    return _narrowed(matching, query, viewer), named, score


def _cap() -> int:
    return int(current_app.config["MENTOR_SEARCH_CAP"])


def search_mentors(query: MentorQuery, viewer: User | None = None, page: int = 1) -> MentorPage:
    """A page of vetted mentors for this query, seen by `viewer` (None: a visitor).

    At most MENTOR_SEARCH_CAP mentors are ranked and counted: past it the page is
    `capped` ("more than 1,000") and offers no further pages. Relevance (with words)
    and newest first walk the index newest first with the filters applied, and stop
    at cap + 1 kept; the other orders need every match, then cut to cap + 1."""
    page = max(1, page)
    cap = _cap()
    if query.sort == "best_fit" and viewer is not None and viewer.is_mentee:
        return _best_fit(_filtered(query, viewer)[0], viewer, page)
    if query.sort in ("relevance", "newest"):
        ids = _bounded(query, viewer, search_words(query.text)[:MAX_WORDS], cap)
    else:
        ids = _exact(query, viewer, cap)
    capped = len(ids) > cap
    ids = ids[:cap]
    offset = (page - 1) * PER_PAGE
    found = _page(ids[offset : offset + PER_PAGE], {}, len(ids), page, query.near, viewer)
    return MentorPage(found.items, found.total, page, PER_PAGE, more=capped)


def _bounded(query: MentorQuery, viewer: User | None, words: list[str], cap: int) -> list[int]:
    """Up to cap + 1 ids in the page's order, the filters applied as the index hands
    its matches over, newest first: it stops at cap + 1 kept."""
    narrows = _narrows(query, viewer)
    if query.sort == "newest" or not words:
        # Down ix_mentor_search_listed_newest, filters as it goes: stops at cap + 1.
        newest = select(MentorSearchEntry.user_id).where(
            _listed(), *([_holding(words)] if words else [])
        )
        if narrows:
            newest = _narrowed(
                newest.join(MentorProfile, MentorProfile.user_id == MentorSearchEntry.user_id),
                query,
                viewer,
            )
        order = [MentorSearchEntry.created_at.desc(), MentorSearchEntry.user_id.desc()]
        return list(_connection().scalars(newest.order_by(*order).limit(cap + 1)).all())
    narrow = (lambda chosen: _narrowed(chosen, query, viewer)) if narrows else None
    return first_matches(words, cap + 1, narrow)[: cap + 1]


def _exact(query: MentorQuery, viewer: User | None, cap: int) -> list[int]:
    """Up to cap + 1 ids in the page's order, from every match."""
    matching, named, score = _filtered(query, viewer)
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
        order = [named.desc(), score.desc(), MentorProfile.user_id]
    else:
        order = newest
    return list(_connection().scalars(matching.order_by(*order).limit(cap + 1)).all())


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
    cards = load_cards(ids, viewer.id if viewer else None)
    shown = [cards[i] for i in ids if i in cards]
    km: dict[int, float] = {}
    if near is not None:
        placed = [c for c in shown if c.latitude is not None]
        if placed:
            lat = np.array([c.latitude for c in placed], dtype=float)
            lon = np.array([c.longitude for c in placed], dtype=float)
            km = dict(
                zip((c.id for c in placed), distances_km(near, lat, lon).tolist(), strict=True)
            )
    items = [
        FoundMentor(
            c,
            km.get(c.id, matches[c.id].distance_km if c.id in matches else None),
            matches.get(c.id),
        )
        for c in shown
    ]
    return MentorPage(items, total, page, PER_PAGE)
