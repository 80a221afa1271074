"""Columns of NumPy arrays, one row per person, built once and scored many times.

Sets become bit masks so an overlap is a bitwise AND and a popcount; places become
unit vectors so a great-circle distance is a dot product and one arcsine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from mentorapp.matching.records import MenteeRecord, MentorRecord, Vocabulary
from mentorapp.matching.weights import ASPIRATION_WEIGHTS, RANK_WEIGHTS

EARTH_RADIUS_KM = 6371.0088
MAX_WANTS = len(RANK_WEIGHTS)
MAX_ASPIRATIONS = len(ASPIRATION_WEIGHTS)


def unit_vectors(latitudes: Sequence[float | None], longitudes: Sequence[float | None]):
    """(n, 3) float64 points on the unit sphere, and which rows have a place at all.

    float64: in float32 two people in the same street would seem kilometres apart."""
    lat = np.array([math.nan if v is None else v for v in latitudes], dtype=np.float64)
    lon = np.array([math.nan if v is None else v for v in longitudes], dtype=np.float64)
    has_place = ~(np.isnan(lat) | np.isnan(lon))
    lat, lon = np.radians(np.nan_to_num(lat)), np.radians(np.nan_to_num(lon))
    xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    return np.ascontiguousarray(xyz.reshape(-1, 3)), has_place


def chord_sq(km: np.ndarray) -> np.ndarray:
    """Squared chord length on the unit sphere for a great-circle distance in km."""
    half_angle = np.minimum(km.astype(np.float32) / np.float32(2 * EARTH_RADIUS_KM), np.pi / 2)
    return (np.float32(2.0) * np.sin(half_angle)) ** 2


def _mask(slugs: Iterable[str], index: dict[str, int]) -> int:
    value = 0
    for slug in slugs:
        position = index.get(slug)
        if position is not None:
            value |= 1 << position
    return value


def _masks(sets: Sequence[Iterable[str]], index: dict[str, int]) -> np.ndarray:
    """One bit mask per row, as intp (a table look-up needs no conversion)."""
    return np.array([_mask(slugs, index) for slugs in sets], dtype=np.intp)


@dataclass
class MentorPool:
    """Every candidate mentor as columns."""

    vocabulary: Vocabulary
    ids: np.ndarray  # int64
    archetypes: np.ndarray  # intp bit masks (intp: table look-ups need no conversion)
    taught: np.ndarray  # (specialties, n) bool: one contiguous row per specialty
    genres: np.ndarray  # uint32 bits
    availability: np.ndarray  # intp bit masks of weekly slots
    xyz: np.ndarray  # (n, 3) float64 unit vectors
    has_place: np.ndarray  # bool
    in_person: np.ndarray  # bool
    remote: np.ndarray  # bool
    travel_km: np.ndarray  # float32
    years: np.ndarray  # float32 (0 when unknown)
    open: np.ndarray  # bool: active, accepting and with a free place
    free: np.ndarray  # int32 free places
    takes_minors: np.ndarray  # bool
    tools: np.ndarray  # intp bit masks of the DAW and tools they work in

    @classmethod
    def build(cls, records: Sequence[MentorRecord], vocabulary: Vocabulary) -> MentorPool:
        arch, spec, genre = (vocabulary.index(k) for k in ("archetypes", "specialties", "genres"))
        taught = np.zeros((len(spec), len(records)), dtype=bool)
        for row, record in enumerate(records):
            for slug in record.specialties:
                position = spec.get(slug)
                if position is not None:
                    taught[position, row] = True
        xyz, has_place = unit_vectors([r.latitude for r in records], [r.longitude for r in records])
        return cls(
            vocabulary=vocabulary,
            ids=np.array([r.id for r in records], dtype=np.int64),
            archetypes=np.array([_mask(r.archetypes, arch) for r in records], dtype=np.intp),
            taught=taught,
            genres=np.array([_mask(r.genres, genre) for r in records], dtype=np.uint32),
            availability=np.array([r.availability & 0xFF for r in records], dtype=np.intp),
            xyz=xyz,
            has_place=has_place,
            in_person=np.array([r.in_person for r in records], dtype=bool),
            remote=np.array([r.remote for r in records], dtype=bool),
            travel_km=np.array([r.travel_km for r in records], dtype=np.float32),
            years=np.array([r.years or 0 for r in records], dtype=np.float32),
            open=np.array(
                [r.active and r.accepting and r.free_places > 0 for r in records], dtype=bool
            ),
            free=np.array([max(0, r.free_places) for r in records], dtype=np.int32),
            takes_minors=np.array([r.takes_minors for r in records], dtype=bool),
            tools=_masks([r.tools for r in records], vocabulary.index("tools")),
        )

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def reach(self) -> np.ndarray:
        """How far apprentices may live, as a squared chord; -1 when no one can meet them
        in person (remote only, no place, or not open)."""
        can_meet = self.in_person & self.has_place & self.open
        return np.where(can_meet, chord_sq(self.travel_km), np.float32(-1.0))

    @cached_property
    def xyz_columns(self) -> np.ndarray:
        """(3, n) the same unit vectors, a row per axis: a vector times this streams."""
        return np.ascontiguousarray(self.xyz.T)

    @cached_property
    def remote_open(self) -> np.ndarray:
        return self.remote & self.open

    def rows(self, positions) -> MentorPool:
        """A pool of just these rows (a view for one mentor, or a block)."""
        pick = np.asarray(positions)
        columns = {name: getattr(self, name)[pick] for name in _MENTOR_COLUMNS if name != "taught"}
        return MentorPool(self.vocabulary, taught=self.taught[:, pick], **columns)

    def replaced(self, ids: Iterable[int], records: Sequence[MentorRecord]) -> MentorPool:
        """This pool without the people `ids`, plus `records` (their new state, if any)."""
        keep = self.rows(np.flatnonzero(~np.isin(self.ids, np.fromiter(ids, dtype=np.int64))))
        fresh = MentorPool.build(records, self.vocabulary)
        return MentorPool.joined([keep, fresh], self.vocabulary)

    @classmethod
    def joined(cls, pools: Iterable[MentorPool], vocabulary: Vocabulary) -> MentorPool:
        """One pool of these pools' rows, in order: a large pool built a block at a time
        (its records need never be in memory all at once)."""
        parts = list(pools)
        if not parts:
            return cls.build([], vocabulary)
        if len(parts) == 1:
            return parts[0]
        columns = {
            name: np.concatenate([getattr(part, name) for part in parts])
            for name in _MENTOR_COLUMNS
            if name != "taught"
        }
        taught = np.concatenate([part.taught for part in parts], axis=1)
        return cls(vocabulary, taught=taught, **columns)


_MENTOR_COLUMNS = (
    "ids",
    "archetypes",
    "taught",
    "genres",
    "availability",
    "xyz",
    "has_place",
    "in_person",
    "remote",
    "travel_km",
    "years",
    "open",
    "free",
    "takes_minors",
    "tools",
)


@dataclass
class MenteePool:
    """Every candidate mentee as columns."""

    vocabulary: Vocabulary
    ids: np.ndarray  # int64
    aspirations: np.ndarray  # (n, 3) int8 archetype positions, -1 for none
    wants: np.ndarray  # (n, 5) int16 specialty positions, -1 for none
    want_share: np.ndarray  # (n, 5) float32 each wish's share of the mentee's wishes, 0 for none
    genres: np.ndarray  # uint32 bits
    availability: np.ndarray  # uint8 bits
    xyz: np.ndarray
    has_place: np.ndarray
    travel_km: np.ndarray  # float32
    remote_ok: np.ndarray  # bool
    level: np.ndarray  # float32 years of experience, roughly
    active: np.ndarray  # bool
    minor: np.ndarray  # bool: under 18
    tools: np.ndarray  # intp bit masks of the DAW and tools they work in

    @classmethod
    def build(cls, records: Sequence[MenteeRecord], vocabulary: Vocabulary) -> MenteePool:
        arch, spec, genre = (vocabulary.index(k) for k in ("archetypes", "specialties", "genres"))
        n = len(records)
        aspirations = np.full((n, MAX_ASPIRATIONS), -1, dtype=np.int8)
        wants = np.full((n, MAX_WANTS), -1, dtype=np.int16)
        weights = np.zeros((n, MAX_WANTS), dtype=np.float32)
        for row, record in enumerate(records):
            known = [arch[s] for s in record.aspirations if s in arch][:MAX_ASPIRATIONS]
            aspirations[row, : len(known)] = known
            wanted = [spec[s] for s in record.wants if s in spec][:MAX_WANTS]
            wants[row, : len(wanted)] = wanted
            weights[row, : len(wanted)] = RANK_WEIGHTS[: len(wanted)]
        xyz, has_place = unit_vectors([r.latitude for r in records], [r.longitude for r in records])
        return cls(
            vocabulary=vocabulary,
            ids=np.array([r.id for r in records], dtype=np.int64),
            aspirations=aspirations,
            wants=wants,
            want_share=weights / np.maximum(weights.sum(axis=1), np.float32(1e-9))[:, None],
            genres=np.array([_mask(r.genres, genre) for r in records], dtype=np.uint32),
            availability=np.array([r.availability & 0xFF for r in records], dtype=np.uint8),
            xyz=xyz,
            has_place=has_place,
            travel_km=np.array([r.travel_km for r in records], dtype=np.float32),
            remote_ok=np.array([r.remote_ok for r in records], dtype=bool),
            level=np.array([r.experience_years for r in records], dtype=np.float32),
            active=np.array([r.active for r in records], dtype=bool),
            minor=np.array([r.minor for r in records], dtype=bool),
            tools=_masks([r.tools for r in records], vocabulary.index("tools")),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, positions) -> MenteePool:
        pick = np.asarray(positions)
        return MenteePool(self.vocabulary, *(getattr(self, name)[pick] for name in _MENTEE_COLUMNS))

    def replaced(self, ids: Iterable[int], records: Sequence[MenteeRecord]) -> MenteePool:
        """This pool without the people `ids`, plus `records` (their new state, if any)."""
        keep = self.rows(np.flatnonzero(~np.isin(self.ids, np.fromiter(ids, dtype=np.int64))))
        fresh = MenteePool.build(records, self.vocabulary)
        return MenteePool.joined([keep, fresh], self.vocabulary)

    @classmethod
    def joined(cls, pools: Iterable[MenteePool], vocabulary: Vocabulary) -> MenteePool:
        """One pool of these pools' rows, in order (see MentorPool.joined)."""
        parts = list(pools)
        if not parts:
            return cls.build([], vocabulary)
        if len(parts) == 1:
            return parts[0]
        return cls(
            vocabulary,
            *(np.concatenate([getattr(part, name) for part in parts]) for name in _MENTEE_COLUMNS),
        )


_MENTEE_COLUMNS = (
    "ids",
    "aspirations",
    "wants",
    "want_share",
    "genres",
    "availability",
    "xyz",
    "has_place",
    "travel_km",
    "remote_ok",
    "level",
    "active",
    "minor",
    "tools",
)
