"""Synthetic producers for the benchmarks: real cities, weighted by population.

Shared by the bench scripts (its name starts with an underscore, so `make bench` does
not run it on its own). Fast enough to make a million mentors in a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mentorapp.matching import MenteeRecord, MentorRecord, Vocabulary
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.profiles.vocabulary import AVAILABILITY_SLOTS, GENRES, TOOLS

ARCHETYPES = {
    "engineer": "The engineer",
    "mentor_producer": "The mentor producer",
    "musician_producer": "The musician producer",
    "artist_producer": "The artist producer",
    "phenom": "The phenom",
}
SPECIALTIES = [
    "recording",
    "mixing",
    "mastering",
    "editing",
    "sound-design",
    "beat-making",
    "songwriting",
    "arrangement",
    "orchestration",
    "vocal-production",
    "live-sound",
    "synthesis",
    "sampling",
    "film-and-game-audio",
    "music-business",
    "marketing-and-release",
    "artist-development",
]
VOCABULARY = Vocabulary(
    archetypes=ARCHETYPES,
    specialties={slug: slug.replace("-", " ").capitalize() for slug in SPECIALTIES},
    genres=dict(GENRES),
    slots=dict(AVAILABILITY_SLOTS),
    tools=dict(TOOLS),
)
CITIES = 3000  # people live in the 3,000 largest cities, more in the larger ones


@dataclass(frozen=True)
class Town:
    geonameid: int
    latitude: float
    longitude: float


def towns(count: int = CITIES) -> tuple[list[Town], np.ndarray]:
    """The largest cities and the chance of a person living in each."""
    cities = Gazetteer.load().largest(count)
    weights = np.array([c.population for c in cities], dtype=np.float64) ** 0.7
    return (
        [Town(c.geonameid, c.latitude, c.longitude) for c in cities],
        weights / weights.sum(),
    )


def place_rows() -> list[dict]:
    """The towns as rows of the places table."""
    gazetteer = Gazetteer.load()
    cities = (gazetteer.get(t.geonameid) for t in towns()[0])
    return [
        {
            "id": c.geonameid,
            "name": c.name,
            "region": c.region,
            "country_code": c.country_code,
            "country": c.country,
            "latitude": c.latitude,
            "longitude": c.longitude,
            "population": c.population,
        }
        for c in cities
        if c is not None
    ]


def _picks(rng: np.random.Generator, options: list, low: int, high: int, n: int) -> list[list]:
    sizes = rng.integers(low, high + 1, size=n)
    keys = rng.random((n, len(options)))
    order = np.argsort(keys, axis=1)
    return [[options[k] for k in order[i, : sizes[i]]] for i in range(n)]


def mentors(n: int, seed: int = 1, first_id: int = 1) -> list[MentorRecord]:
    rng = np.random.default_rng(seed)
    places, chance = towns()
    where = rng.choice(len(places), size=n, p=chance)
    archetypes = _picks(rng, list(ARCHETYPES), 1, 2, n)
    specialties = _picks(rng, SPECIALTIES, 2, 5, n)
    genres = _picks(rng, [slug for slug, _ in GENRES], 2, 4, n)
    in_person = rng.random(n) < 0.85
    remote = ~in_person | (rng.random(n) < 0.5)
    travel = rng.choice([15, 25, 40, 60, 100], size=n)
    years = rng.integers(2, 31, size=n)
    capacity = rng.integers(1, 6, size=n)
    accepting = rng.random(n) < 0.9
    slots = rng.integers(1, 64, size=n)
    tools = _picks(rng, [slug for slug, _ in TOOLS], 1, 3, n)  # drawn last: the rest stays put
    return [
        MentorRecord(
            id=first_id + i,
            archetypes=frozenset(archetypes[i]),
            specialties=frozenset(specialties[i]),
            genres=frozenset(genres[i]),
            availability=int(slots[i]),
            latitude=places[where[i]].latitude,
            longitude=places[where[i]].longitude,
            in_person=bool(in_person[i]),
            remote=bool(remote[i]),
            travel_km=float(travel[i]),
            years=float(years[i]),
            free_places=int(capacity[i]),
            accepting=bool(accepting[i]),
            tools=frozenset(tools[i]),
        )
        for i in range(n)
    ]


def mentees(n: int, seed: int = 2, first_id: int = 10_000_001) -> list[MenteeRecord]:
    rng = np.random.default_rng(seed)
    places, chance = towns()
    where = rng.choice(len(places), size=n, p=chance)
    aspirations = _picks(rng, list(ARCHETYPES), 1, 3, n)
    wants = _picks(rng, SPECIALTIES, 2, 4, n)
    genres = _picks(rng, [slug for slug, _ in GENRES], 1, 3, n)
    travel = rng.choice([10, 25, 50, 80], size=n)
    remote_ok = rng.random(n) < 0.7
    levels = rng.choice(["starting_out", "some_experience", "working"], size=n)
    slots = rng.integers(1, 64, size=n)
    tools = _picks(rng, [slug for slug, _ in TOOLS], 0, 2, n)
    return [
        MenteeRecord(
            id=first_id + i,
            aspirations=tuple(aspirations[i]),
            wants=tuple(wants[i]),
            genres=frozenset(genres[i]),
            availability=int(slots[i]),
            latitude=places[where[i]].latitude,
            longitude=places[where[i]].longitude,
            travel_km=float(travel[i]),
            remote_ok=bool(remote_ok[i]),
            experience=str(levels[i]),
            tools=frozenset(tools[i]),
        )
        for i in range(n)
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]
