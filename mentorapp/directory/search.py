"""Finding places: the public directory's search, and "near you" ranked by the engine."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from mentorapp.extensions import db
from mentorapp.matching.engine import Match
from mentorapp.matching.listings import (
    SOUGHT_BY_PATH,
    ListingFilters,
    ListingPool,
    ListingRecord,
    Seeker,
    rank_listings,
)
from mentorapp.models import Listing, Place, Review, Specialty, User, listing_specialties
from mentorapp.paging import Page, capped
from mentorapp.places.gazetteer import Gazetteer, distances_km, fold
from mentorapp.suggestions.records import load_vocabulary

PER_PAGE = 12
# SQLite's FTS5 index of the listings' search_text (made by a migration, not a model).
LISTINGS_SEARCH = table("listings_search", column("rowid", Integer), column("listings_search"))
SORTS = ("relevance", "distance", "name")
_BY_NAME = (Listing.sort_name, Listing.id)  # code-point order on both databases
# The same order for public listings, spelled as ix_listings_public_by_name reads: with
# state and unpublished_at first (fixed by public()), PostgreSQL walks the index and
# stops at the page; ordered by sort_name alone it sorted every row (IS NULL is not an
# equality to its planner).
_NAME_WALK = (Listing.state, Listing.unpublished_at, *_BY_NAME)


@dataclass(frozen=True)
class Query:
    text: str = ""
    kind: str | None = None
    specialty: str | None = None
    offer: str | None = None
    near: tuple[float, float] | None = None  # latitude, longitude
    within_km: float | None = None
    sort: str = "relevance"


@dataclass(frozen=True)
class Found:
    listing: Listing
    km: float | None


ResultPage = Page[Found]


def public():
    return (Listing.state == Review.APPROVED) & Listing.unpublished_at.is_(None)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column, text: str):
    """Whether the column holds the text, as is (the search columns are lower case)."""
    return column.like(f"%{_escape_like(text)}%", escape="\\")


TRIGRAM = 3  # words this long or longer are looked up in the text index


def _matching(query: Query, words: list[str], indexed: bool = True) -> Select:
    """The public listings the query's words and filters choose; every word is in the
    name, the description or the city (a substring, as typed, folded).

    On an index on both databases: PostgreSQL answers LIKE '%word%' from the pg_trgm
    GIN index on search_text; SQLite from listings_search, an FTS5 table of trigrams
    kept by triggers (see the migration), joined from it so that SQLite reads its
    matches as they come and a LIMIT stops it (as `id IN (...)` it collected every
    match first). Words shorter than a trigram are checked on the rows the long words
    left. Not `indexed`: LIKE on SQLite too, for a walk in name order that checks each
    row it passes (the FTS5 table would hand SQLite every match to sort)."""
    matching = select(Listing.id).where(public())
    long_words = [w for w in words if len(w) >= TRIGRAM]
    if long_words and indexed and db.engine.dialect.name == "sqlite":
        phrase = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        matching = matching.select_from(
            LISTINGS_SEARCH.join(Listing, Listing.id == LISTINGS_SEARCH.c.rowid)
        ).where(LISTINGS_SEARCH.c.listings_search.op("MATCH")(phrase))
        words = [w for w in words if len(w) < TRIGRAM]
    for word in words:
        matching = matching.where(_contains(Listing.search_text, word))
    if query.kind:
        matching = matching.where(Listing.kind == query.kind)
    if query.specialty:
        matching = matching.where(
            Listing.id.in_(
                select(listing_specialties.c.listing_id)
                .join(Specialty, Specialty.id == listing_specialties.c.specialty_id)
                .where(Specialty.slug == query.specialty)
            )
        )
    if query.offer:  # a JSON list of slugs: its text holds the slug in quotes
        matching = matching.where(_contains(cast(Listing.offers, String), f'"{query.offer}"'))
    return matching


def search(query: Query, page: int = 1) -> ResultPage:
    """Approved listings matching the query, a page at a time.

    The database filters, orders and counts. Only a search near a place reads the
    matching rows' coordinates (those within a box around it when a distance is
    given) to measure and order them here, exactly."""
    words = fold(query.text).split()[:8]
    matching = _matching(query, words)
    # Relevance: how many of the words the name holds, then (near a place) the
    # nearest, then by name.
    in_name = sum((case((_contains(Listing.sort_name, w), 1), else_=0) for w in words), literal(0))
    by_relevance = bool(words) and query.sort != "name"
    offset = (page - 1) * PER_PAGE
    if query.near is None:
        # A capped count: the database stops at the first cap + 1 matches, and the
        # pages stop at the cap (a common word would otherwise touch every match).
        cap = current_app.config["DIRECTORY_SEARCH_CAP"]
        sample = matching.add_columns(in_name.label("in_name")).limit(cap + 1).subquery()
        counted, named = db.session.execute(
            select(func.count(), func.coalesce(func.sum(sample.c.in_name), 0)).select_from(sample)
        ).one()
        total, more = capped(counted, cap)
        # Many matches: walk the name index, checking each row, to the page. By
        # relevance, for one word, when the matches counted have it in the name and
        # not in the name alike (a walk for a kind of row nearly absent would pass
        # every listing); otherwise the matches are ranked whole, as under the cap.
        mixed = min(named, counted - named) * 20 >= counted
        walk = more and (not by_relevance or (len(words) == 1 and mixed))
        if walk:
            matching = _matching(query, words, indexed=False)
        if offset >= total:
            ids = []
        elif by_relevance and walk:
            ids = _most_relevant(matching, words[0], offset)
        else:  # at most the cap to order, or in name order an index walk
            order = [in_name.desc(), *_BY_NAME] if by_relevance else [*_NAME_WALK]
            ids = list(db.session.scalars(matching.order_by(*order).offset(offset).limit(PER_PAGE)))
        return _page(ids, {}, total, page, more)
    matching = matching.join(Place, Place.id == Listing.place_id)
    if query.within_km is not None:
        matching = matching.where(*_box(query.near, query.within_km))
    # No ORDER BY: a database ordering by name would walk the name index through every
    # listing instead of the few in the box.
    rows = db.session.execute(
        matching.add_columns(in_name, Listing.sort_name, Place.latitude, Place.longitude)
    ).all()
    if not rows:
        return _page([], {}, 0, page)
    lat = np.array([row[3] for row in rows], dtype=float)
    lon = np.array([row[4] for row in rows], dtype=float)
    km = distances_km(query.near, lat, lon).tolist()
    found = [
        (row[0], row[1], row[2], d)
        for row, d in zip(rows, km, strict=True)
        if query.within_km is None or d <= query.within_km
    ]
    if query.sort == "distance":
        found.sort(key=lambda f: (f[3], f[2], f[0]))
    elif query.sort == "name":
        found.sort(key=lambda f: (f[2], f[0]))
    else:
        found.sort(key=lambda f: (-f[1], f[3], f[2], f[0]))
    chosen = found[offset : offset + PER_PAGE]
    return _page([f[0] for f in chosen], {f[0]: f[3] for f in chosen}, len(found), page)


def _most_relevant(matching: Select, word: str, offset: int) -> list[int]:
    """A page of the matches of one word in relevance order (the word in the name
    first, then by name) without ranking every match: the rows with the word in the
    name and those without, each walked in name order (an index does it) and stopped
    at offset + a page. The page's rows are among those, since each is preceded only
    by rows of its own kind with an earlier name, or (without the word in the name) by
    rows with it."""
    enough = offset + PER_PAGE
    in_name = _contains(Listing.sort_name, word)
    tiers = [
        matching.add_columns(literal(hits).label("hits"), Listing.sort_name)
        .where(in_name if hits else ~in_name)  # estimated from the names' statistics
        .order_by(*_NAME_WALK)
        .limit(enough)
        .subquery()
        for hits in (1, 0)
    ]
    ranked = union_all(*(select(tier) for tier in tiers)).subquery()
    return list(
        db.session.scalars(
            select(ranked.c.id)
            .order_by(ranked.c.hits.desc(), ranked.c.sort_name, ranked.c.id)
            .offset(offset)
            .limit(PER_PAGE)
        )
    )


def _box(near: tuple[float, float], km: float):
    """A latitude and longitude box holding every point within km of near."""
    latitude, longitude = near
    dlat = km / 111.0
    dlon = km / max(1.0, 111.0 * math.cos(math.radians(min(89.0, abs(latitude) + dlat))))
    conditions = [Place.latitude.between(latitude - dlat, latitude + dlat)]
    if dlon < 180:
        west, east = longitude - dlon, longitude + dlon
        if west < -180:  # across the antimeridian
            conditions.append(or_(Place.longitude >= west + 360, Place.longitude <= east))
        elif east > 180:
            conditions.append(or_(Place.longitude >= west, Place.longitude <= east - 360))
        else:
            conditions.append(Place.longitude.between(west, east))
    return conditions


def _page(
    ids: list[int], km: dict[int, float], total: int, page: int, more: bool = False
) -> ResultPage:
    listings = {
        listing.id: listing
        for listing in db.session.scalars(
            select(Listing)
            .where(Listing.id.in_(ids))
            .options(joinedload(Listing.place))  # a card shows its city, not its specialties
        )
    }
    return ResultPage([Found(listings[i], km.get(i)) for i in ids], total, page, PER_PAGE, more)


def place_coordinates(geonameid: int | None) -> tuple[float, float] | None:
    city = Gazetteer.load().get(geonameid) if geonameid else None
    return (city.latitude, city.longitude) if city else None


def public_listing(listing_id: int) -> Listing | None:
    return db.session.scalar(
        select(Listing)
        .where(Listing.id == listing_id, public())
        .options(selectinload(Listing.place), selectinload(Listing.specialties))
    )


def mentors_at(listing_id: int, viewer_id: int | None = None) -> list[User]:
    """The mentors who say they work here; for a signed-in viewer, none with a block
    between them and the viewer."""
    from mentorapp.models import Block, MentorProfile

    apart = (
        select(Block.id)
        .where(
            ((Block.blocker_id == User.id) & (Block.blocked_id == viewer_id))
            | ((Block.blocker_id == viewer_id) & (Block.blocked_id == User.id))
        )
        .exists()
    )
    return list(
        db.session.scalars(
            select(User)
            .join(MentorProfile, MentorProfile.user_id == User.id)
            .where(
                MentorProfile.studio_id == listing_id,
                User.is_mentor.is_(True),
                User.suspended_at.is_(None),
                ~apart if viewer_id is not None else true(),
            )
            .options(joinedload(User.mentor_application))  # the vetted mark
            .order_by(User.display_name)
        )
    )


# Near you


@dataclass(frozen=True)
class Nearby:
    listing: Listing
    match: Match


def seeker_for(person: User) -> Seeker | None:
    """The signed-in person as the engine sees them: where, how far, what craft."""
    mentee, mentor = person.mentee_profile, person.mentor_profile
    if person.is_mentee and mentee is not None and mentee.place is not None:
        return Seeker(
            latitude=mentee.place.latitude,
            longitude=mentee.place.longitude,
            travel_km=max(float(mentee.travel_km), 25.0),
            specialties=tuple(w.specialty.slug for w in mentee.wants),
            sought=SOUGHT_BY_PATH.get(mentee.path or "both", SOUGHT_BY_PATH["both"]),
            role="mentee",
        )
    if person.is_mentor and mentor is not None and mentor.place is not None:
        return Seeker(
            latitude=mentor.place.latitude,
            longitude=mentor.place.longitude,
            travel_km=max(float(mentor.travel_km), 25.0),
            specialties=tuple(s.slug for s in mentor.specialties),
            sought=SOUGHT_BY_PATH["mentor"],
            role="mentor",
        )
    return None


def near(person: User, limit: int = 6, filters: ListingFilters | None = None) -> list[Nearby]:
    """Approved listings near the person, ranked by the matching engine with reasons."""
    seeker = seeker_for(person)
    if seeker is None:
        return []
    # A box around the person narrows the rows before the engine measures exactly.
    rows = db.session.execute(
        select(Listing.id, Listing.kind, Listing.offers, Place.latitude, Place.longitude)
        .join(Place, Place.id == Listing.place_id)
        .where(public(), *_box((seeker.latitude, seeker.longitude), seeker.travel_km))
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    covers: dict[int, set[str]] = {}
    for listing_id, slug in db.session.execute(
        select(listing_specialties.c.listing_id, Specialty.slug)
        .join(Specialty, Specialty.id == listing_specialties.c.specialty_id)
        .where(listing_specialties.c.listing_id.in_(ids))
    ):
        covers.setdefault(listing_id, set()).add(slug)
    records = [
        ListingRecord(
            id=r.id,
            kind=r.kind,
            latitude=r.latitude,
            longitude=r.longitude,
            specialties=frozenset(covers.get(r.id, ())),
            offers=frozenset(r.offers or ()),
        )
        for r in rows
    ]
    pool = ListingPool.build(records, load_vocabulary())
    ranking = rank_listings(seeker, pool, limit=limit, filters=filters or ListingFilters())
    listings = {
        listing.id: listing
        for listing in db.session.scalars(
            select(Listing)
            .where(Listing.id.in_([m.id for m in ranking.matches]))
            .options(selectinload(Listing.place))
        )
    }
    return [Nearby(listings[m.id], m) for m in ranking.matches if m.id in listings]
