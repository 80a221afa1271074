"""Ranking studios and schools for one person: near, covering their craft, offering what they seek.

A listing's score is in [0, 1]: the weighted sum of three parts (distance, specialty
coverage, what it offers), and those weighted parts are the reasons shown. Hard rules:
only approved listings with a place, within the distance the person can travel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mentorapp.matching.engine import EARTH_RADIUS_KM, Match, Ranking, Reason, and_list, near_text
from mentorapp.matching.pool import unit_vectors
from mentorapp.matching.records import Vocabulary
from mentorapp.matching.weights import RANK_WEIGHTS

OFFERS = {
    "apprenticeship": "apprenticeships",
    "internship": "internships",
    "jobs": "jobs",
    "courses": "courses",
    "studio_visits": "studio visits",
}

# What each path into production looks for in a place; a mentor looks for work and a room.
SOUGHT_BY_PATH = {
    "apprenticeship": ("apprenticeship", "internship", "studio_visits"),
    "school": ("courses",),
    "both": ("apprenticeship", "internship", "courses", "studio_visits"),
    "self_taught": ("courses", "studio_visits"),
    "mentor": ("jobs", "studio_visits"),
}


@dataclass(frozen=True)
class ListingWeights:
    distance: float = 0.40
    specialty: float = 0.35
    offers: float = 0.25
    distance_scale_km: float = 30.0  # a place this far away scores 1/e on distance

    def normalised(self) -> dict[str, float]:
        raw = {"distance": self.distance, "specialty": self.specialty, "offers": self.offers}
        total = sum(raw.values())
        if any(v < 0 for v in raw.values()) or total <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return {name: value / total for name, value in raw.items()}

    def __post_init__(self) -> None:
        self.normalised()  # validate early
        if not self.distance_scale_km > 0:  # it divides
            raise ValueError("distance_scale_km must be above zero")


DEFAULT_LISTING_WEIGHTS = ListingWeights()


@dataclass(frozen=True, slots=True)
class ListingRecord:
    id: int
    kind: str
    latitude: float | None
    longitude: float | None
    specialties: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()
    approved: bool = True


@dataclass(frozen=True, slots=True)
class Seeker:
    """The person listings are ranked for."""

    latitude: float | None
    longitude: float | None
    travel_km: float = 50.0
    specialties: tuple[str, ...] = ()  # ranked: what a mentee wants to learn, or a mentor teaches
    sought: tuple[str, ...] = ()  # offers looked for, see SOUGHT_BY_PATH
    role: str = "mentee"


@dataclass(frozen=True)
class ListingFilters:
    kind: str | None = None
    specialty: str | None = None
    offer: str | None = None
    max_km: float | None = None


@dataclass
class ListingPool:
    vocabulary: Vocabulary
    ids: np.ndarray
    kinds: np.ndarray  # object: kind slugs
    covers: np.ndarray  # (specialties, n) bool
    offers: np.ndarray  # (offers, n) bool, in OFFERS order
    xyz: np.ndarray
    has_place: np.ndarray
    approved: np.ndarray

    @classmethod
    def build(cls, records: Sequence[ListingRecord], vocabulary: Vocabulary) -> ListingPool:
        spec = vocabulary.index("specialties")
        offer_index = {slug: i for i, slug in enumerate(OFFERS)}
        covers = np.zeros((len(spec), len(records)), dtype=bool)
        offers = np.zeros((len(OFFERS), len(records)), dtype=bool)
        for row, record in enumerate(records):
            for slug in record.specialties:
                if slug in spec:
                    covers[spec[slug], row] = True
            for slug in record.offers:
                if slug in offer_index:
                    offers[offer_index[slug], row] = True
        xyz, has_place = unit_vectors([r.latitude for r in records], [r.longitude for r in records])
        return cls(
            vocabulary=vocabulary,
            ids=np.array([r.id for r in records], dtype=np.int64),
            kinds=np.array([r.kind for r in records], dtype=object),
            covers=covers,
            offers=offers,
            xyz=xyz,
            has_place=has_place,
            approved=np.array([r.approved for r in records], dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.ids)


def rank_listings(
    seeker: Seeker,
    pool: ListingPool,
    *,
    limit: int = 10,
    offset: int = 0,
    filters: ListingFilters = ListingFilters(),
    weights: ListingWeights = DEFAULT_LISTING_WEIGHTS,
) -> Ranking:
    """Approved listings within the seeker's reach, best first (then nearest, then by id)."""
    if len(pool) == 0 or seeker.latitude is None or seeker.longitude is None:
        return Ranking(0, [])
    w = weights.normalised()
    me, _ = unit_vectors([seeker.latitude], [seeker.longitude])
    chord = np.linalg.norm(pool.xyz - me[0], axis=1)  # exact near zero, unlike an arccos
    km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / 2.0, 1.0))
    reach = seeker.travel_km if filters.max_km is None else min(seeker.travel_km, filters.max_km)
    keep = pool.approved & pool.has_place & (km <= reach)

    spec = pool.vocabulary.index("specialties")
    offer_index = {slug: i for i, slug in enumerate(OFFERS)}
    if filters.kind:
        keep &= pool.kinds == filters.kind
    if filters.specialty:
        keep &= pool.covers[spec[filters.specialty]] if filters.specialty in spec else False
    if filters.offer:
        keep &= pool.offers[offer_index[filters.offer]] if filters.offer in offer_index else False

    wanted = [spec[s] for s in seeker.specialties if s in spec][: len(RANK_WEIGHTS)]
    rank_weights = np.array(RANK_WEIGHTS[: len(wanted)])
    coverage = np.zeros(len(pool))
    for weight, position in zip(rank_weights, wanted, strict=True):
        coverage += weight * pool.covers[position]
    specialty = coverage / rank_weights.sum() if wanted else coverage

    sought = [offer_index[s] for s in seeker.sought if s in offer_index]
    offers = pool.offers[sought].mean(axis=0) if sought else np.zeros(len(pool))
    distance = np.exp(-km / weights.distance_scale_km)

    parts = {"distance": distance, "specialty": specialty, "offers": offers}
    score = sum(w[name] * value for name, value in parts.items())
    score = np.where(keep, score, -1.0)

    total = int(keep.sum())
    chosen = np.flatnonzero(keep)
    order = np.lexsort((pool.ids[chosen], km[chosen], -np.round(score[chosen], 9)))
    chosen = chosen[order][offset : offset + limit]
    matches = [
        _listing_match(
            int(j), seeker, pool, parts, w, float(km[j]), float(score[j]), wanted, sought
        )
        for j in chosen
    ]
    return Ranking(total, matches)


def _listing_match(j, seeker, pool, parts, w, km, score, wanted, sought) -> Match:
    names = list(pool.vocabulary.specialties.values())
    offer_slugs = list(OFFERS)
    reasons = [Reason("distance", w["distance"] * parts["distance"][j], near_text(km))]

    covered = [names[p].lower() for p in wanted if pool.covers[p, j]]
    learn = "you want to learn" if seeker.role == "mentee" else "you teach"
    if not wanted:
        text = "Add your specialties to compare what it covers"
    elif covered:
        text = f"Covers {and_list(covered)}, {len(covered)} of the {len(wanted)} things {learn}"
    else:
        text = f"Covers none of the things {learn}"
    reasons.append(Reason("specialty", w["specialty"] * parts["specialty"][j], text))

    offered = [OFFERS[offer_slugs[p]] for p in sought if pool.offers[p, j]]
    if not sought:
        text = "Say which path you consider to compare what it offers"
    elif offered:
        text = f"Offers {and_list(offered)}"
    else:
        text = "Offers none of what you are looking for"
    reasons.append(Reason("offers", w["offers"] * parts["offers"][j], text))

    reasons.sort(key=lambda r: -r.contribution)
    return Match(
        id=int(pool.ids[j]),
        score=score,
        distance_km=km,
        in_person=True,
        remote=False,
        reasons=tuple(reasons),
    )
