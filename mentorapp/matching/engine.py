"""Scoring and ranking pairs of mentee and mentor.

A pair's score is in [0, 1]: the weighted sum of seven parts, each in [0, 1]. The parts'
weighted values are the reasons shown to people, so the reasons add up to the score.
Hard rules (not oneself, open places, reachable in person or both remote, not an
excluded pair, a mentee under 18 only with a mentor who takes minors) remove a pair
before any score counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from mentorapp.matching.pool import EARTH_RADIUS_KM, MenteePool, MentorPool, chord_sq
from mentorapp.matching.records import MenteeRecord, MentorRecord, Vocabulary
from mentorapp.matching.weights import ASPIRATION_WEIGHTS, DEFAULT_WEIGHTS, PARTS, Weights

GENRE_BITS = 32  # genres are uint32 masks
SLOT_BITS = 8  # weekly time slots are 8-bit masks
TOOL_TABLE_BITS = 12  # up to this many tools, a mentee's overlap with any mask is a table

__all__ = ["EARTH_RADIUS_KM", "Filters", "Match", "Ranking", "Reason", "pair_parts", "pair_scores"]
MENTOR_PRODUCER = "mentor_producer"


@dataclass(frozen=True)
class Filters:
    """What a person narrowed the list to."""

    archetype: str | None = None
    specialty: str | None = None
    max_km: float | None = None
    remote_only: bool = False
    genre: str | None = None
    free_at: int = 0  # weekly slot bits: free at any of them
    taking_now: bool = False  # mentors accepting with a free place (suggested ones are)
    tool: str | None = None  # works in this DAW or tool


class Reason(NamedTuple):  # a tuple: ten cards make sixty of these per page
    part: str
    contribution: float  # this part's share of the score
    text: str


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    distance_km: float | None
    in_person: bool
    remote: bool
    reasons: tuple[Reason, ...]

    @property
    def contributions(self) -> dict[str, float]:
        return {reason.part: reason.contribution for reason in self.reasons}


@dataclass(frozen=True)
class Ranking:
    total: int  # how many pairs pass the hard rules and the filters
    matches: list[Match]


@dataclass
class PairParts:
    """Everything computed for a block of pairs, shape (mentees, mentors)."""

    parts: dict[str, np.ndarray]  # each part times its weight: its contribution to the score
    score: np.ndarray  # below 0 where a hard rule fails
    km: np.ndarray  # straight-line distance; see great_circle_km for what people see
    in_person: np.ndarray
    remote: np.ndarray


def pair_parts(
    mentees: MenteePool, mentors: MentorPool, weights: Weights = DEFAULT_WEIGHTS
) -> PairParts:
    """Score every mentee of one pool against every mentor of the other, part by part.

    Built for two shapes: one mentee against 1,000,000 mentors (small sets are read from
    per-mentee tables indexed by the mentor's bit mask, each specialty is one contiguous
    boolean row), and many mentees against one mentor. Blocks of many against many, in
    bulk mode, need only the scores: see `pair_scores`.
    """
    w = weights.normalised()
    where = _where(mentees, mentors, weights, w["distance"])
    # Each part comes out already multiplied by its weight (folded into its tables or
    # constants, so for free): it is the part's contribution to the score.
    parts = {
        "specialty": _coverage(mentees, mentors, w["specialty"]),
        "archetype": _archetype_fit(mentees, mentors, weights, w["archetype"]),
        "distance": where.distance,
        "availability": _availability(mentees, mentors, w["availability"]),
        "genre": _overlap(mentees.genres, mentors.genres, w["genre"]),
        "experience": _experience(mentees, mentors, weights, w["experience"]),
        "tools": _tools(mentees, mentors, w["tools"]),
    }
    # Most people name no tools: their part is all zeros, not worth a pass to add.
    idle = () if mentees.tools.any() else ("tools",)
    score = parts[PARTS[0]].copy()
    for name in PARTS[1:]:
        if name not in idle:
            score += parts[name]
    _strike(score, where.feasible)
    return PairParts(parts, score, where.km, where.in_person, where.remote)


def pair_scores(
    mentees: MenteePool, mentors: MentorPool, weights: Weights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """Only the scores, for blocks of many mentees against many mentors (bulk mode).

    Specialty, genre, availability and tools are each linear in the mentor's yes/no features,
    so together they are one matrix product; the rest is added in place. Equal to
    `pair_parts(...).score`, in fewer passes over the block.
    """
    w = weights.normalised()
    where = _where(mentees, mentors, weights, w["distance"])
    score = _features(mentees, w) @ _mentor_features(mentors).T
    score += where.distance
    score += _archetype_fit(mentees, mentors, weights, w["archetype"])
    score += _experience(mentees, mentors, weights, w["experience"])
    _strike(score, where.feasible)
    return score


def _strike(score: np.ndarray, keep: np.ndarray) -> None:
    """Push the pairs not kept below zero, in place (a hard rule fails, or a filter).

    Arithmetic, not a masked assignment: with feasible pairs scattered at random, a
    masked write mispredicts its branches and costs seven times as much."""
    score -= (~keep) * np.float32(2.0)


@dataclass
class _Where:
    km: np.ndarray
    in_person: np.ndarray
    remote: np.ndarray
    feasible: np.ndarray
    distance: np.ndarray  # the distance part's contribution, in [0, its weight]


def _where(mentees: MenteePool, mentors: MentorPool, weights: Weights, scale: float) -> _Where:
    """Distances, who can meet in person or remotely, and the distance part.

    Unit vectors make the straight-line chord a dot product away. The hard rule compares
    chords exactly (a chord grows with the arc); the score's decay uses the chord as the
    distance, which differs from the arc by under 0.05% within the 500 km that in-person
    pairs can be apart. Shown distances are exact great circles. Row and column
    conditions are folded into vectors before broadcasting, and arithmetic is done in
    place: at these sizes every pass over the (mentees, mentors) block counts.
    """
    f32 = np.float32
    if len(mentees) == 1:  # one row: a contiguous matrix-vector product
        dot = (mentees.xyz[0] @ mentors.xyz_columns)[None, :]
    else:
        dot = mentees.xyz @ mentors.xyz.T
    chords = np.maximum(f32(2.0) - f32(2.0) * dot.astype(f32), f32(0.0))
    # A side that cannot meet in person gets a reach below zero, so no pair is "near".
    mentee_ok = mentees.has_place & mentees.active
    reach_row = np.where(mentee_ok, chord_sq(mentees.travel_km), f32(-1.0))
    in_person = chords <= np.minimum(reach_row[:, None], mentors.reach[None, :])
    remote_row = mentees.remote_ok & mentees.active
    remote = remote_row[:, None] & mentors.remote_open[None, :]
    feasible = in_person | remote
    if mentees.minor.any():  # one pass more, only for blocks that hold a minor
        feasible &= ~(mentees.minor[:, None] & ~mentors.takes_minors[None, :])
    for i, j in _same_people(mentees.ids, mentors.ids):
        feasible[i, j] = in_person[i, j] = remote[i, j] = False
    # The decay in person; the floor remotely; whichever is better.
    km = np.sqrt(chords, out=chords)
    km *= f32(EARTH_RADIUS_KM)
    distance = np.multiply(km, f32(-1.0 / weights.distance_scale_km))
    distance += f32(math.log(scale)) if scale > 0 else f32(-np.inf)  # exp(x + ln w) = w e^x
    np.exp(distance, out=distance)
    distance *= in_person
    np.maximum(distance, f32(weights.remote_floor * scale) * remote, out=distance)
    return _Where(km, in_person, remote, feasible, distance)


def _bit_columns(masks: np.ndarray, bits: int) -> np.ndarray:
    """(n, bits) float32 of 0 and 1 from bit masks."""
    return ((masks.astype(np.int64)[:, None] >> np.arange(bits)) & 1).astype(np.float32)


def _shares(masks: np.ndarray, bits: int) -> np.ndarray:
    """Each set bit as a share of the row's set bits (so a dot product is an overlap)."""
    columns = _bit_columns(masks, bits)
    return columns / np.maximum(columns.sum(axis=1, keepdims=True), np.float32(1.0))


def _features(mentees: MenteePool, w: dict[str, float]) -> np.ndarray:
    """Per mentee: weighted wishes, genre shares and time-slot shares, side by side."""
    f32 = np.float32
    specialties = len(mentees.vocabulary.specialties)
    wish = np.zeros((len(mentees), specialties), dtype=f32)
    rows = np.arange(len(mentees))
    for rank in range(mentees.wants.shape[1]):
        wish[rows, np.maximum(mentees.wants[:, rank], 0)] += mentees.want_share[:, rank]
    return np.hstack(
        [
            wish * f32(w["specialty"]),
            _shares(mentees.genres, GENRE_BITS) * f32(w["genre"]),
            _shares(mentees.availability, SLOT_BITS) * f32(w["availability"]),
            _shares(mentees.tools, len(mentees.vocabulary.tools)) * f32(w["tools"]),
        ]
    )


def _mentor_features(mentors: MentorPool) -> np.ndarray:
    """Per mentor, the same columns as `_features`: taught, genres, time slots, tools."""
    return np.hstack(
        [
            mentors.taught.T.astype(np.float32),
            _bit_columns(mentors.genres, GENRE_BITS),
            _bit_columns(mentors.availability, SLOT_BITS),
            _bit_columns(mentors.tools, len(mentors.vocabulary.tools)),
        ]
    )


TABLE_MIN_MENTORS = 64  # below this, per-mentee tables of 256 entries cost more than they save


def _same_people(mentee_ids: np.ndarray, mentor_ids: np.ndarray) -> list[tuple[int, int]]:
    """(row, column) of every person on both sides: never suggested to themselves."""
    if len(mentee_ids) == 1:
        return [(0, int(j)) for j in np.flatnonzero(mentor_ids == mentee_ids[0])]
    if len(mentor_ids) == 1:
        return [(int(i), 0) for i in np.flatnonzero(mentee_ids == mentor_ids[0])]
    _, rows, cols = np.intersect1d(mentee_ids, mentor_ids, return_indices=True)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def _coverage(mentees: MenteePool, mentors: MentorPool, scale: float) -> np.ndarray:
    """How much of what each mentee wants each mentor teaches, first wishes counting most."""
    f32 = np.float32
    weights = mentees.want_share * f32(scale)  # (mentees, ranks), 0 where none
    if len(mentees) == 1:
        # One mentee: add up the few wanted specialties' rows, nothing else is read.
        coverage = np.zeros((1, len(mentors)), dtype=f32)
        for position, weight in zip(mentees.wants[0], weights[0], strict=True):
            if position >= 0:
                coverage[0] += weight * mentors.taught[position]
        return coverage
    if len(mentors) == 1:
        # One mentor: look each wish up in their column.
        column = mentors.taught[:, 0]
        covered = np.zeros(len(mentees), dtype=f32)
        for rank in range(mentees.wants.shape[1]):
            covered += weights[:, rank] * column[np.maximum(mentees.wants[:, rank], 0)]
        return covered[:, None]
    # A block: one product of (mentees, specialties) by (specialties, mentors).
    wish = np.zeros((len(mentees), mentors.taught.shape[0]), dtype=f32)
    rows = np.arange(len(mentees))
    for rank in range(mentees.wants.shape[1]):
        wish[rows, np.maximum(mentees.wants[:, rank], 0)] += weights[:, rank]
    return wish @ mentors.taught.astype(f32)


def _archetype_fit(
    mentees: MenteePool, mentors: MentorPool, weights: Weights, scale: float
) -> np.ndarray:
    if len(mentors) >= TABLE_MIN_MENTORS:
        return _lookup(_archetype_tables(mentees, weights) * np.float32(scale), mentors.archetypes)
    # Few mentors: test each aspiration against each mentor directly.
    fit = np.zeros((len(mentees), len(mentors)), dtype=np.float32)
    for rank, value in enumerate(ASPIRATION_WEIGHTS):
        position = mentees.aspirations[:, rank].astype(np.intp)
        has = (mentors.archetypes[None, :] >> np.maximum(position, 0)[:, None]) & 1
        has &= (position >= 0)[:, None]
        np.maximum(fit, np.float32(value) * has, out=fit)
    coach = mentees.vocabulary.index("archetypes").get(MENTOR_PRODUCER)
    if coach is not None:
        is_coach = (mentors.archetypes >> coach) & 1
        np.maximum(fit, np.float32(weights.mentor_producer_fit) * is_coach[None, :], out=fit)
    fit *= np.float32(scale)
    return fit


def _availability(mentees: MenteePool, mentors: MentorPool, scale: float) -> np.ndarray:
    if len(mentors) >= TABLE_MIN_MENTORS:
        table = _overlap_table(mentees.availability) * np.float32(scale)
        return _lookup(table, mentors.availability)
    return _overlap(mentees.availability.astype(np.intp), mentors.availability, scale)


def _tools(mentees: MenteePool, mentors: MentorPool, scale: float) -> np.ndarray:
    """The share of the mentee's DAW and tools the mentor works in too, like genres."""
    if not mentees.tools.any():
        return np.zeros((len(mentees), len(mentors)), dtype=np.float32)
    bits = len(mentees.vocabulary.tools)
    if len(mentors) >= TABLE_MIN_MENTORS and bits <= TOOL_TABLE_BITS:
        table = _overlap_table(mentees.tools, bits) * np.float32(scale)
        return _lookup(table, mentors.tools)
    return _overlap(mentees.tools, mentors.tools, scale)


def _experience(
    mentees: MenteePool, mentors: MentorPool, weights: Weights, scale: float
) -> np.ndarray:
    """How much further along the mentor is, full marks from a gap of some years."""
    per_year = np.float32(scale / weights.experience_full_gap_years)
    gap = np.subtract(mentors.years[None, :] * per_year, (mentees.level * per_year)[:, None])
    return np.clip(gap, np.float32(0.0), np.float32(scale), out=gap)


def _lookup(tables: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """tables (b, 2^bits) read at keys (n,) for every row: shape (b, n)."""
    if len(tables) == 1:
        return np.take(tables[0], keys)[None, :]
    return tables[:, keys]


def _archetype_tables(mentees: MenteePool, weights: Weights) -> np.ndarray:
    """For each mentee, the archetype fit of every possible mentor archetype mask."""
    masks = np.arange(256, dtype=np.int64)
    table = np.zeros((len(mentees), 256), dtype=np.float32)
    for rank, value in enumerate(ASPIRATION_WEIGHTS):
        position = mentees.aspirations[:, rank].astype(np.int64)
        has = ((masks[None, :] >> np.maximum(position, 0)[:, None]) & 1).astype(bool)
        has &= (position >= 0)[:, None]
        table = np.maximum(table, np.float32(value) * has)
    coach = mentees.vocabulary.index("archetypes").get(MENTOR_PRODUCER)
    if coach is not None:
        is_coach = ((masks >> coach) & 1).astype(bool)
        table = np.maximum(table, np.float32(weights.mentor_producer_fit) * is_coach[None, :])
    return table


def _overlap_table(mine: np.ndarray, bits: int = SLOT_BITS) -> np.ndarray:
    """For each row, the share of its bits present in every possible mask of `bits` bits."""
    masks = np.arange(1 << bits, dtype=mine.dtype)
    shared = np.bitwise_count(mine[:, None] & masks[None, :]).astype(np.float32)
    own = np.maximum(np.bitwise_count(mine).astype(np.float32), np.float32(1))
    return shared / own[:, None]


def great_circle_km(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle distance between two unit vectors."""
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(math.dist(a, b) / 2.0, 1.0))


def _overlap(mine: np.ndarray, theirs: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Share of my bits that the other side also has (times scale)."""
    shared = np.bitwise_count(mine[:, None] & theirs[None, :]).astype(np.float32)
    own = np.maximum(np.bitwise_count(mine).astype(np.float32), np.float32(1))
    return shared * (np.float32(scale) / own)[:, None]


def _positions(ids: np.ndarray, wanted: Iterable[int]) -> np.ndarray:
    wanted = np.fromiter(wanted, dtype=np.int64)
    if wanted.size == 0 or ids.size == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    found = np.searchsorted(ids, wanted, sorter=order)
    found = np.clip(found, 0, len(ids) - 1)
    hits = ids[order[found]] == wanted
    return order[found[hits]]


CHUNK = 64  # the top-k search reads chunk maxima first


def _top(scores: np.ndarray, ids: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, int]:
    """Positions of ranks start..stop by score, ties broken by the smaller id.

    A full argpartition reads and shuffles every score. Instead, the k best chunks' maxima
    give a cut that at least k scores reach, so every one of the k best is at or above
    it; only the few scores above the cut are then sorted. Ties at the cut are kept.
    Also returns how many scores are feasible (at or above zero).
    """
    count = int(np.count_nonzero(scores >= 0))
    stop = min(stop, count)
    if start >= stop:
        return np.empty(0, dtype=np.int64), count
    chunks = len(scores) // CHUNK
    if chunks > stop:
        maxima = scores[: chunks * CHUNK].reshape(chunks, CHUNK).max(axis=1)
        cut = max(float(np.partition(maxima, chunks - stop)[chunks - stop]), 0.0)
    else:
        cut = 0.0
    candidates = np.flatnonzero(scores >= np.float32(cut))
    order = np.lexsort((ids[candidates], -scores[candidates]))
    return candidates[order][start:stop], count


def rank_mentors(
    mentee: MenteeRecord,
    pool: MentorPool,
    *,
    limit: int = 10,
    offset: int = 0,
    exclude: Iterable[int] = (),
    filters: Filters = Filters(),
    weights: Weights = DEFAULT_WEIGHTS,
) -> Ranking:
    """The best mentors for one mentee, with reasons, best first."""
    me = MenteePool.build([mentee], pool.vocabulary)
    pp = pair_parts(me, pool, weights)
    scores = pp.score[0]  # a view: what is struck out here is never shown
    scores[_positions(pool.ids, exclude)] = -1
    keep = _filter_mentors(pool, pp, filters)
    if keep is not None:
        _strike(scores, keep)
    chosen, total = _top(scores, pool.ids, offset, offset + limit)
    words = _Words.of(pool.vocabulary)
    matches = [_match(pp, 0, int(j), int(pool.ids[j]), "mentee", me, pool, words) for j in chosen]
    return Ranking(total, matches)


def rank_mentees(
    mentor: MentorRecord,
    pool: MenteePool,
    *,
    limit: int = 10,
    offset: int = 0,
    exclude: Iterable[int] = (),
    filters: Filters = Filters(),
    weights: Weights = DEFAULT_WEIGHTS,
) -> Ranking:
    """The most promising mentees for one mentor, by the same score, best first."""
    them = MentorPool.build([mentor], pool.vocabulary)
    pp = pair_parts(pool, them, weights)
    scores = np.ascontiguousarray(pp.score[:, 0])
    scores[_positions(pool.ids, exclude)] = -1
    keep = _filter_mentees(pool, pp, filters)
    if keep is not None:
        _strike(scores, keep)
    chosen, total = _top(scores, pool.ids, offset, offset + limit)
    words = _Words.of(pool.vocabulary)
    matches = [_match(pp, int(i), 0, int(pool.ids[i]), "mentor", pool, them, words) for i in chosen]
    return Ranking(total, matches)


def score_pair(
    mentee: MenteeRecord,
    mentor: MentorRecord,
    vocabulary: Vocabulary,
    weights: Weights = DEFAULT_WEIGHTS,
    viewer: str = "mentee",
) -> Match | None:
    """One pair's score and reasons, or None when a hard rule keeps them apart."""
    me = MenteePool.build([mentee], vocabulary)
    them = MentorPool.build([mentor], vocabulary)
    pp = pair_parts(me, them, weights)
    if pp.score[0, 0] < 0:
        return None
    other = mentor.id if viewer == "mentee" else mentee.id
    return _match(pp, 0, 0, other, viewer, me, them, _Words.of(vocabulary))


def _filter_mentors(pool: MentorPool, pp: PairParts, f: Filters) -> np.ndarray | None:
    keep = None

    def both(mask):
        return mask if keep is None else keep & mask

    vocab = pool.vocabulary
    if f.archetype:
        position = vocab.index("archetypes").get(f.archetype, -1)
        keep = both(
            (pool.archetypes & (1 << position)) != 0 if position >= 0 else np.zeros(len(pool), bool)
        )
    if f.specialty:
        position = vocab.index("specialties").get(f.specialty, -1)
        keep = both(pool.taught[position] if position >= 0 else np.zeros(len(pool), bool))
    if f.tool:
        keep = both(_works_in(pool.tools, vocab, f.tool))
    if f.taking_now:
        keep = both(pool.open)
    keep = _shared_filters(keep, pool, f)
    return _distance_filters(keep, pp.km[0], pp.in_person[0], pp.remote[0], f)


def _filter_mentees(pool: MenteePool, pp: PairParts, f: Filters) -> np.ndarray | None:
    keep = None
    vocab = pool.vocabulary
    if f.archetype:
        position = vocab.index("archetypes").get(f.archetype, -2)
        keep = (pool.aspirations == position).any(axis=1)
    if f.specialty:
        position = vocab.index("specialties").get(f.specialty, -2)
        mask = (pool.wants == position).any(axis=1)
        keep = mask if keep is None else keep & mask
    if f.tool:
        mask = _works_in(pool.tools, vocab, f.tool)
        keep = mask if keep is None else keep & mask
    keep = _shared_filters(keep, pool, f)
    return _distance_filters(keep, pp.km[:, 0], pp.in_person[:, 0], pp.remote[:, 0], f)


def _works_in(tools: np.ndarray, vocab: Vocabulary, tool: str) -> np.ndarray:
    """Who works in this tool (nobody, for a tool the vocabulary does not know)."""
    position = vocab.index("tools").get(tool, -1)
    if position < 0:
        return np.zeros(len(tools), dtype=bool)
    return (tools & (1 << position)) != 0


def _shared_filters(keep, pool, f: Filters):
    """Genre and free times read the same columns on either pool."""
    if f.genre:
        position = pool.vocabulary.index("genres").get(f.genre, -1)
        mask = (
            (pool.genres & np.uint32(1 << position)) != 0
            if position >= 0
            else np.zeros(len(pool), bool)
        )
        keep = mask if keep is None else keep & mask
    if f.free_at:
        mask = (pool.availability & f.free_at) != 0
        keep = mask if keep is None else keep & mask
    return keep


def _distance_filters(keep, km, in_person, remote, f: Filters):
    if f.max_km is not None:
        mask = in_person & (km <= f.max_km)
        keep = mask if keep is None else keep & mask
    if f.remote_only:
        keep = remote if keep is None else keep & remote
    return keep


# Reasons ----------------------------------------------------------------------------


def _names(vocab: Vocabulary, kind: str) -> list[str]:
    return list(getattr(vocab, kind).values())


def and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def near_text(km: float) -> str:
    return "In your city" if km < 1 else f"{km:,.0f} km from you"


def tools_text(mentor_tools: int, mentee_tools: int, you_mentee: bool, words: _Words) -> str:
    """The tools reason, the same sentence from either side when they share a tool."""
    shared = _bits(mentor_tools & mentee_tools, words.tools)
    if shared:
        return f"Works in {and_list(shared)}, like you"
    other = _bits(mentor_tools if you_mentee else mentee_tools, words.tools)
    return f"Works in {and_list(other)}, none of the tools you use"


def _bits(mask: int, names: list[str]) -> list[str]:
    """The names of the set bits, lowest first (visits only the set bits)."""
    found = []
    while mask:
        low = mask & -mask
        found.append(names[low.bit_length() - 1])
        mask ^= low
    return found


@dataclass(frozen=True)
class _Words:
    """What reasons are written with, gathered once per ranking rather than per match."""

    specialties: list[str]
    archetypes: list[str]
    genres: list[str]
    slots: list[str]
    tools: list[str]

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> _Words:
        return cls(
            _names(vocabulary, "specialties"),
            _names(vocabulary, "archetypes"),
            _names(vocabulary, "genres"),
            list(vocabulary.slots.values()),
            _names(vocabulary, "tools"),
        )


def _match(
    pp: PairParts,
    i: int,
    j: int,
    other_id: int,
    viewer: str,
    mentees: MenteePool,
    mentors: MentorPool,
    words: _Words,
) -> Match:
    specialties, archetypes = words.specialties, words.archetypes
    genres, slots = words.genres, words.slots
    you_mentee = viewer == "mentee"
    km = (
        great_circle_km(mentees.xyz[i].tolist(), mentors.xyz[j].tolist())
        if mentees.has_place[i] and mentors.has_place[j]
        else None
    )
    in_person, remote = bool(pp.in_person[i, j]), bool(pp.remote[i, j])

    def part(name: str) -> float:
        return float(pp.parts[name][i, j])

    reasons: list[Reason] = []
    # Specialties
    wanted = [int(p) for p in mentees.wants[i] if p >= 0]
    taught = [specialties[p] for p in wanted if mentors.taught[p, j]]
    if not wanted:
        text = (
            "No specialties chosen yet to compare"
            if you_mentee
            else "Has not said what they want to learn yet"
        )
    elif taught:
        if you_mentee:
            text = (
                f"Teaches {and_list(taught).lower()}, {len(taught)} of the "
                f"{len(wanted)} things you want to learn"
            )
        else:
            text = (
                f"Wants to learn {and_list(taught).lower()}, which you teach "
                f"({len(taught)} of their {len(wanted)} wishes)"
            )
    else:
        text = (
            "Teaches none of what you want to learn"
            if you_mentee
            else "Wants to learn things you do not teach"
        )
    reasons.append(Reason("specialty", part("specialty"), text))
    # Archetype
    aspired = [int(p) for p in mentees.aspirations[i] if p >= 0]
    rank = next((r for r, p in enumerate(aspired) if int(mentors.archetypes[j]) >> p & 1), -1)
    if rank >= 0:
        kind = archetypes[int(mentees.aspirations[i, rank])].lower()
        order = ["first", "second", "third"][rank]
        text = (
            f"Is {kind}, your {order} choice of who to become"
            if you_mentee
            else f"Wants to become {kind}, as you are"
        )
    elif pp.parts["archetype"][i, j] > 0:
        text = (
            "A mentor producer: coaches apprentices of every kind"
            if you_mentee
            else "You coach as a mentor producer, which suits any apprentice"
        )
    else:
        text = (
            "Not the kind of producer you want to become"
            if you_mentee
            else "Wants to become a different kind of producer"
        )
    reasons.append(Reason("archetype", part("archetype"), text))
    # Distance
    if in_person and km is not None:
        text = near_text(km) + (", and can also work remotely" if remote else "")
    elif remote:
        text = "You can work together remotely" + (f" ({km:,.0f} km apart)" if km else "")
    else:
        text = "Too far to meet"
    reasons.append(Reason("distance", part("distance"), text))
    # Availability
    shared = int(mentees.availability[i]) & int(mentors.availability[j])
    text = (
        f"Free at the same times: {and_list(_bits(shared, slots)).lower()}"
        if shared and slots
        else ("Free at the same times" if shared else "No free time in common")
    )
    reasons.append(Reason("availability", part("availability"), text))
    # Genres
    common = _bits(int(mentees.genres[i]) & int(mentors.genres[j]), genres)
    text = (
        f"Shares {len(common)} genre{'s' if len(common) != 1 else ''}: {and_list(common)}"
        if common
        else "No genres in common"
    )
    reasons.append(Reason("genre", part("genre"), text))
    # Experience
    years = float(mentors.years[j])
    gap = years - float(mentees.level[i])
    if you_mentee:
        text = (
            f"{years:.0f} years producing, well ahead of you"
            if gap >= 5
            else f"{years:.0f} years producing"
            if gap > 0
            else "Not much further along than you"
        )
    else:
        text = (
            "You are well ahead of them"
            if gap >= 5
            else "You are a little ahead of them"
            if gap > 0
            else "About as experienced as you"
        )
    reasons.append(Reason("experience", part("experience"), text))
    # Tools: said only when both sides named theirs (otherwise the part is zero).
    theirs, mine = int(mentors.tools[j]), int(mentees.tools[i])
    if theirs and mine:
        reasons.append(Reason("tools", part("tools"), tools_text(theirs, mine, you_mentee, words)))

    reasons.sort(key=lambda r: -r.contribution)
    return Match(
        id=other_id,
        score=float(pp.score[i, j]),
        distance_km=km,
        in_person=in_person,
        remote=remote,
        reasons=tuple(reasons),
    )
