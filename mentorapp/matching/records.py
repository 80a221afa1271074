"""Plain records the engine reads: what matching needs to know of each person."""

from __future__ import annotations

from dataclasses import dataclass, field

EXPERIENCE_YEARS = {"starting_out": 0.0, "some_experience": 2.0, "working": 5.0}


@dataclass(frozen=True, slots=True)
class MentorRecord:
    id: int
    archetypes: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    genres: frozenset[str] = frozenset()
    availability: int = 0  # bit mask of weekly slots
    latitude: float | None = None
    longitude: float | None = None
    in_person: bool = True
    remote: bool = False
    travel_km: float = 25.0  # how far apprentices may live from them
    years: float | None = None
    free_places: int = 1
    accepting: bool = True
    active: bool = True  # False when suspended
    takes_minors: bool = False  # takes apprentices under 18
    tools: frozenset[str] = frozenset()  # the DAW and tools they work in


@dataclass(frozen=True, slots=True)
class MenteeRecord:
    id: int
    aspirations: tuple[str, ...] = ()  # ranked archetype slugs
    wants: tuple[str, ...] = ()  # ranked specialty slugs
    genres: frozenset[str] = frozenset()
    availability: int = 0
    latitude: float | None = None
    longitude: float | None = None
    travel_km: float = 25.0
    remote_ok: bool = False
    experience: str | None = None
    active: bool = True
    minor: bool = False  # under 18: paired only with mentors who take minors
    tools: frozenset[str] = frozenset()  # the DAW and tools they work in

    @property
    def experience_years(self) -> float:
        return EXPERIENCE_YEARS.get(self.experience or "", 0.0)


@dataclass(frozen=True)
class Vocabulary:
    """Slugs and names of archetypes, specialties, genres, time slots and tools, in a
    fixed order."""

    archetypes: dict[str, str]
    specialties: dict[str, str]
    genres: dict[str, str]
    slots: dict[str, str] = field(default_factory=dict)  # label per bit, in bit order
    tools: dict[str, str] = field(default_factory=dict)  # DAWs and tools, at most 16

    def index(self, kind: str) -> dict[str, int]:
        return {slug: i for i, slug in enumerate(getattr(self, kind))}
