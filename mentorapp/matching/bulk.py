"""Pairing a whole intake at once, under mentor capacities.

Two strategies over each mentee's best candidates:
- optimal: the largest number placed, then the best total score (min-cost flow);
- stable: mentee-proposing deferred acceptance, so no mentee and mentor would both
  rather be together than with whom they got (no blocking pair).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from mentorapp.matching.engine import pair_scores
from mentorapp.matching.pool import MenteePool, MentorPool
from mentorapp.matching.weights import DEFAULT_WEIGHTS, Weights

SCORE_SCALE = 1_000_000  # min-cost flow works in integers


@dataclass(frozen=True)
class Candidates:
    """Each mentee's best mentors: positions into the mentor pool, best first, -1 padding."""

    mentors: np.ndarray  # (m, k) int32
    scores: np.ndarray  # (m, k) float32


@dataclass(frozen=True)
class BulkResult:
    strategy: str
    pairs: list[tuple[int, int, float]]  # (mentee id, mentor id, score)
    mentees: int
    places: int
    blocking_pairs: int
    seconds: float

    @property
    def placed(self) -> int:
        return len(self.pairs)

    @property
    def total_score(self) -> float:
        return float(sum(score for _, _, score in self.pairs))

    @property
    def mean_score(self) -> float:
        return self.total_score / self.placed if self.pairs else 0.0


WIDEN = 30  # extra candidates per mentee among mentors few others list
CROWDED = 3.0  # a mentor listed by this many mentees per free place is sought enough
RUN = 16  # the top-k search reads the maxima of runs of this many scores first


def candidates(
    mentees: MenteePool,
    mentors: MentorPool,
    top: int = 50,
    widen: int = WIDEN,
    block: int = 512,
    weights: Weights = DEFAULT_WEIGHTS,
    forbidden: Iterable[tuple[int, int]] = (),
) -> Candidates:
    """Each mentee's `top` best feasible mentors, plus their `widen` best among the
    mentors whom few mentees list, best first (equal scores by mentor position).

    Top lists alone crowd onto the same popular mentors: with places scarce, pairing on
    them leaves thousands unplaced whom a mentor further down their list would take.
    Widening each list among the uncrowded mentors brings the optimal strategy within
    a fraction of a percent of pairing on every feasible pair, at a tenth of its cost.
    Holds every score of the intake at once: 4 bytes a pair (80 MB for 10,000 x 2,000).
    `forbidden` (mentee id, mentor id) pairs are never candidates (a block between them).
    """
    m = len(mentees)
    k = min(top, len(mentors))
    # A mentor with no open place is feasible for no one: leave them out of the scoring.
    open_positions = np.flatnonzero(mentors.open)
    n = len(open_positions)
    if k == 0 or n == 0 or m == 0:
        return Candidates(np.full((m, k), -1, dtype=np.int32), np.full((m, k), -1, np.float32))
    pool = mentors.rows(open_positions) if n < len(mentors) else mentors
    scores = np.empty((m, n), dtype=np.float32)
    for start in range(0, m, block):
        rows = np.arange(start, min(start + block, m))
        scores[rows] = pair_scores(mentees.rows(rows), pool, weights)
    _forbid(scores, mentees.ids, pool.ids, forbidden)
    best, best_scores = _best(scores, min(k, n), block)
    if widen and n > k:
        listed = best[best >= 0]
        crowded = np.bincount(listed, minlength=n) >= pool.free * CROWDED
        scores[:, crowded] = -1.0
        np.put_along_axis(scores, np.maximum(best, 0), np.float32(-1.0), axis=1)
        extra, extra_scores = _best(scores, min(widen, n), block)
        best = np.hstack([best, extra])
        best_scores = np.hstack([best_scores, extra_scores])
        order = np.lexsort((np.where(best >= 0, best, n), -best_scores), axis=1)
        best = np.take_along_axis(best, order, axis=1)
        best_scores = np.take_along_axis(best_scores, order, axis=1)
    mapped = np.where(best >= 0, open_positions[np.maximum(best, 0)], -1).astype(np.int32)
    return Candidates(mapped, best_scores)


def _forbid(scores: np.ndarray, mentee_ids, mentor_ids, forbidden) -> None:
    """Strike the forbidden pairs below zero, in place: no strategy takes them."""
    if not forbidden:
        return
    rows = {int(person): i for i, person in enumerate(mentee_ids)}
    cols = {int(person): j for j, person in enumerate(mentor_ids)}
    for mentee, mentor in forbidden:
        i, j = rows.get(mentee), cols.get(mentor)
        if i is not None and j is not None:
            scores[i, j] = -1.0


def _best(scores: np.ndarray, k: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k best non-negative scores: positions and scores, -1 padded."""
    m, n = scores.shape
    best = np.full((m, k), -1, dtype=np.int64)
    best_scores = np.full((m, k), -1.0, dtype=np.float32)
    for start in range(0, m, block):
        chunk = scores[start : start + block]
        # A cut that at least k scores of the row reach: the k-th best of the maxima of
        # short runs (k runs have a score at or above it). Then everything at or above
        # it, sorted; ties at the cut stay in the running. A full partition of the row
        # is several times slower, most of all with the many -1s of infeasible pairs.
        runs = n // RUN
        if runs > k:
            maxima = chunk[:, : runs * RUN].reshape(len(chunk), runs, RUN).max(axis=2)
            cut = np.partition(maxima, runs - k, axis=1)[:, runs - k]
            np.maximum(cut, 0.0, out=cut)
        else:
            cut = np.zeros(len(chunk), dtype=np.float32)
        rows, cols = np.nonzero(chunk >= cut[:, None])
        values = chunk[rows, cols]
        order = np.lexsort((cols, -values, rows))
        rows, cols, values = rows[order], cols[order], values[order]
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
        kept = rank < k
        best[start + rows[kept], rank[kept]] = cols[kept]
        best_scores[start + rows[kept], rank[kept]] = values[kept]
    return best, best_scores


def pair_optimal(mentees: MenteePool, mentors: MentorPool, cands: Candidates) -> BulkResult:
    """Place as many mentees as possible, then maximise the total score."""
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    m, n = len(mentees), len(mentors)
    rows, cols = np.nonzero(cands.mentors >= 0)
    mentor_pos = cands.mentors[rows, cols].astype(np.int64)
    scores = cands.scores[rows, cols]
    source, sink = m + n, m + n + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    # source -> mentee (1), mentee -> mentor (1, cost = scale - score), mentor -> sink (free).
    # Every placed mentee uses exactly one middle arc, so the constant keeps costs >= 0
    # without changing which of the largest placements is cheapest.
    starts = np.concatenate([np.full(m, source), rows, m + np.arange(n)])
    ends = np.concatenate([np.arange(m), m + mentor_pos, np.full(n, sink)])
    capacities = np.concatenate([np.ones(m), np.ones(len(rows)), mentors.free]).astype(np.int64)
    costs = np.concatenate(
        [np.zeros(m), SCORE_SCALE - np.rint(scores * SCORE_SCALE), np.zeros(n)]
    ).astype(np.int64)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        starts.astype(np.int32), ends.astype(np.int32), capacities, costs
    )
    flow.set_node_supply(source, m)
    flow.set_node_supply(sink, -m)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = flow.flows(np.asarray(arcs)[m : m + len(rows)]) > 0
    assignment = np.full(m, -1, dtype=np.int64)
    assignment[rows[used]] = mentor_pos[used]
    return _result("optimal", mentees, mentors, cands, assignment, started)


def pair_stable(mentees: MenteePool, mentors: MentorPool, cands: Candidates) -> BulkResult:
    """Mentee-proposing deferred acceptance; mentors keep their best proposals up to capacity."""
    started = time.perf_counter()
    m = len(mentees)
    capacity = mentors.free.tolist()
    lists = cands.mentors.tolist()
    score_lists = cands.scores.tolist()
    next_choice = [0] * m
    held: dict[int, list[tuple[float, int, int]]] = {}  # mentor -> heap of (score, -i, i)
    free = list(range(m - 1, -1, -1))
    while free:
        i = free.pop()
        choices = lists[i]
        while next_choice[i] < len(choices):
            j = choices[next_choice[i]]
            s = score_lists[i][next_choice[i]]
            next_choice[i] += 1
            if j < 0:
                break
            if capacity[j] <= 0:
                continue
            heap = held.setdefault(j, [])
            offer = (s, -i, i)
            if len(heap) < capacity[j]:
                heapq.heappush(heap, offer)
                break
            if offer > heap[0]:
                dropped = heapq.heapreplace(heap, offer)[2]
                free.append(dropped)
                break
    assignment = np.full(m, -1, dtype=np.int64)
    for j, heap in held.items():
        for _, _, i in heap:
            assignment[i] = j
    return _result("stable", mentees, mentors, cands, assignment, started)


def count_blocking_pairs(
    cands: Candidates,
    assignment: np.ndarray,
    capacities: np.ndarray,
) -> int:
    """Pairs (on the candidate lists) who would both rather be together than as assigned.

    A mentee prefers a higher score; a mentor too, and between equal scores the mentee
    with the lower position (the order deferred acceptance uses)."""
    m = len(assignment)
    assigned = assignment >= 0
    matched_rows = np.flatnonzero(assigned)
    hit = cands.mentors[matched_rows] == assignment[matched_rows][:, None]
    own = np.full(m, -np.inf)
    own[matched_rows] = np.where(hit, cands.scores[matched_rows], -np.inf).max(
        axis=1, initial=-np.inf
    )
    n = len(capacities)
    held = np.bincount(assignment[assigned], minlength=n)
    # Each mentor's least wanted apprentice: the lowest score, then the highest position.
    worst_score = np.full(n, np.inf)
    worst_row = np.full(n, -1)
    order = np.lexsort((-matched_rows, own[matched_rows]))
    for i in matched_rows[order][::-1]:  # the last write per mentor is the least wanted
        worst_score[assignment[i]] = own[i]
        worst_row[assignment[i]] = i
    mentors, scores = cands.mentors, cands.scores
    rows = np.broadcast_to(np.arange(m)[:, None], mentors.shape)
    listed = mentors >= 0
    j = np.where(listed, mentors, 0)
    better_for_mentee = listed & (scores > own[:, None])
    room = held[j] < capacities[j]
    preferred = (scores > worst_score[j]) | ((scores == worst_score[j]) & (rows < worst_row[j]))
    blocking = better_for_mentee & (capacities[j] > 0) & (room | preferred)
    return int(blocking.sum())


def _result(strategy, mentees, mentors, cands, assignment, started) -> BulkResult:
    pairs = []
    for i in np.flatnonzero(assignment >= 0):
        j = int(assignment[i])
        row = np.flatnonzero(cands.mentors[i] == j)
        pairs.append((int(mentees.ids[i]), int(mentors.ids[j]), float(cands.scores[i, row[0]])))
    seconds = time.perf_counter() - started
    blocking = count_blocking_pairs(cands, assignment, mentors.free)
    return BulkResult(
        strategy, pairs, len(mentees), int(mentors.free[mentors.open].sum()), blocking, seconds
    )


def pair_cohort(
    mentees: MenteePool,
    mentors: MentorPool,
    strategy: str = "optimal",
    top: int = 50,
    weights: Weights = DEFAULT_WEIGHTS,
    widen: int = WIDEN,
    forbidden: Iterable[tuple[int, int]] = (),
) -> BulkResult:
    """Score, shortlist and pair a whole intake with one strategy; never a forbidden
    (mentee id, mentor id) pair."""
    started = time.perf_counter()
    cands = candidates(mentees, mentors, top=top, widen=widen, weights=weights, forbidden=forbidden)
    pairing = {"optimal": pair_optimal, "stable": pair_stable}[strategy]
    result = pairing(mentees, mentors, cands)
    return BulkResult(
        result.strategy,
        result.pairs,
        result.mentees,
        result.places,
        result.blocking_pairs,
        time.perf_counter() - started,
    )
