"""Finding places: the public directory's search, and "near you" ranked by the engine."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

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
from mentorapp.paging import Page
from mentorapp.places.gazetteer import Gazetteer, distance_km
from mentorapp.suggestions.records import load_vocabulary

PER_PAGE = 12
SORTS = ("relevance", "distance", "name")


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


def search(query: Query, page: int = 1) -> ResultPage:
    """Approved listings matching the query, a page at a time.

    The database narrows by text, kind and specialty; distance and what a place offers
    (a JSON list) are checked here, over the few columns needed, before loading a page."""
    rows = select(Listing.id, Listing.name, Listing.offers, Place.latitude, Place.longitude).join(
        Place, Place.id == Listing.place_id
    )
    rows = rows.where(public())
    words = query.text.strip().lower().split()[:8]
    # SQLite's lower() knows only ASCII ("École" stays "École"): such words match here.
    in_python = [w for w in words if not w.isascii()] if db.engine.dialect.name == "sqlite" else []
    if in_python:
        rows = rows.add_columns(Listing.description, Place.name.label("city"))
    for word in words:
        if word in in_python:
            continue
        pattern = f"%{_escape_like(word)}%"
        rows = rows.where(
            or_(
                func.lower(Listing.name).like(pattern, escape="\\"),
                func.lower(Listing.description).like(pattern, escape="\\"),
                func.lower(Place.name).like(pattern, escape="\\"),
            )
        )
    if query.kind:
        rows = rows.where(Listing.kind == query.kind)
    if query.specialty:
        rows = rows.where(
            Listing.id.in_(
                select(listing_specialties.c.listing_id)
                .join(Specialty, Specialty.id == listing_specialties.c.specialty_id)
                .where(Specialty.slug == query.specialty)
            )
        )
    found: list[tuple[int, str, float | None, int]] = []
    for row in db.session.execute(rows):
        if query.offer and query.offer not in (row.offers or []):
            continue
        texts = (row.name.lower(), row.description.lower(), row.city.lower()) if in_python else ()
        if not all(any(word in t for t in texts) for word in in_python):
            continue
        km = (
            distance_km(query.near[0], query.near[1], row.latitude, row.longitude)
            if query.near
            else None
        )
        if query.within_km is not None and (km is None or km > query.within_km):
            continue
        in_name = sum(word in row.name.lower() for word in words)
        found.append((row.id, row.name, km, in_name))
    if query.sort == "distance" and query.near:
        found.sort(key=lambda f: (f[2], f[1].lower(), f[0]))
    elif query.sort == "name":
        found.sort(key=lambda f: (f[1].lower(), f[0]))
    else:  # relevance: words found in the name first, then the nearest, then by name
        found.sort(key=lambda f: (-f[3], f[2] if f[2] is not None else 0.0, f[1].lower(), f[0]))
    start = (page - 1) * PER_PAGE
    chosen = found[start : start + PER_PAGE]
    listings = {
        listing.id: listing
        for listing in db.session.scalars(
            select(Listing)
            .where(Listing.id.in_([f[0] for f in chosen]))
            .options(selectinload(Listing.place), selectinload(Listing.specialties))
        )
    }
    return ResultPage([Found(listings[f[0]], f[2]) for f in chosen], len(found), page, PER_PAGE)


def place_coordinates(geonameid: int | None) -> tuple[float, float] | None:
    city = Gazetteer.load().get(geonameid) if geonameid else None
    return (city.latitude, city.longitude) if city else None


def public_listing(listing_id: int) -> Listing | None:
    return db.session.scalar(
        select(Listing)
        .where(Listing.id == listing_id, public())
        .options(selectinload(Listing.place), selectinload(Listing.specialties))
    )


def mentors_at(listing_id: int) -> list[User]:
    from mentorapp.models import MentorProfile

    return list(
        db.session.scalars(
            select(User)
            .join(MentorProfile, MentorProfile.user_id == User.id)
            .where(
                MentorProfile.studio_id == listing_id,
                User.is_mentor.is_(True),
                User.suspended_at.is_(None),
            )
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
    reach = seeker.travel_km
    dlat = reach / 111.0
    dlon = reach / max(1.0, 111.0 * math.cos(math.radians(seeker.latitude or 0.0)))
    rows = db.session.execute(
        select(Listing.id, Listing.kind, Listing.offers, Place.latitude, Place.longitude)
        .join(Place, Place.id == Listing.place_id)
        .where(
            public(),
            Place.latitude.between(seeker.latitude - dlat, seeker.latitude + dlat),
            or_(
                Place.longitude.between(seeker.longitude - dlon, seeker.longitude + dlon),
                dlon >= 180,
            ),
        )
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
