from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorapp.matching import MenteePool, MentorPool
from mentorapp.matching.bulk import (
    Candidates,
    candidates,
    count_blocking_pairs,
    pair_cohort,
    pair_optimal,
    pair_stable,
)
from tests.unit.matching.strategies import VOCAB, examples, mentees, mentors

cohorts = st.tuples(
    st.lists(mentees(), min_size=0, max_size=25, unique_by=lambda m: m.id),
    st.lists(mentors(), min_size=0, max_size=10, unique_by=lambda m: m.id),
)


def pools(cohort):
    students, teachers = cohort
    # Keep the two sides' ids apart so nobody is paired with themselves by accident.
    teachers = [replace(t, id=t.id + 100_000) for t in teachers]
    return MenteePool.build(students, VOCAB), MentorPool.build(teachers, VOCAB)


def check(result, mentee_pool, mentor_pool, cands):
    placed = [pair[1] for pair in result.pairs]
    for mentor_id, free in zip(mentor_pool.ids.tolist(), mentor_pool.free.tolist(), strict=True):
        assert placed.count(mentor_id) <= free  # capacity never exceeded
    assert len({pair[0] for pair in result.pairs}) == len(result.pairs)  # one mentor each
    allowed = {
        (int(mentee_pool.ids[i]), int(mentor_pool.ids[j]))
        for i, row in enumerate(cands.mentors)
        for j in row
        if j >= 0
    }
    assert {(a, b) for a, b, _ in result.pairs} <= allowed  # only feasible pairs


@examples(80)
@given(cohorts)
def test_both_strategies_respect_capacity_and_hard_rules(cohort):
    mentee_pool, mentor_pool = pools(cohort)
    cands = candidates(mentee_pool, mentor_pool, top=3, widen=3)
    for pairing in (pair_optimal, pair_stable):
        check(pairing(mentee_pool, mentor_pool, cands), mentee_pool, mentor_pool, cands)


@examples(80)
@given(cohorts)
def test_the_stable_strategy_leaves_no_blocking_pair(cohort):
    mentee_pool, mentor_pool = pools(cohort)
    cands = candidates(mentee_pool, mentor_pool, top=3, widen=3)
    assert pair_stable(mentee_pool, mentor_pool, cands).blocking_pairs == 0


@examples(80)
@given(cohorts)
def test_optimal_places_at_least_as_many_as_stable_and_scores_at_least_as_high(cohort):
    mentee_pool, mentor_pool = pools(cohort)
    cands = candidates(mentee_pool, mentor_pool, top=3, widen=3)
    optimal = pair_optimal(mentee_pool, mentor_pool, cands)
    stable = pair_stable(mentee_pool, mentor_pool, cands)
    assert optimal.placed >= stable.placed
    if optimal.placed == stable.placed:
        assert optimal.total_score >= stable.total_score - 1e-3


def test_blocking_pairs_are_counted():
    # Two mentees, one mentor with one place; both like the mentor.
    cands = Candidates(
        np.array([[0], [0]], dtype=np.int32), np.array([[0.9], [0.5]], dtype=np.float32)
    )
    capacity = np.array([1])
    assert count_blocking_pairs(cands, np.array([-1, 0]), capacity) == 1
    assert count_blocking_pairs(cands, np.array([0, -1]), capacity) == 0
    assert count_blocking_pairs(cands, np.array([-1, -1]), capacity) == 2


def test_a_cohort_reports_its_numbers():
    from tests.unit.matching.test_engine import base_mentee, base_mentor

    mentee_pool = MenteePool.build([base_mentee(id=i) for i in range(1, 6)], VOCAB)
    mentor_pool = MentorPool.build(
        [base_mentor(100, free_places=2), base_mentor(101, free_places=1)], VOCAB
    )
    for strategy in ("optimal", "stable"):
        result = pair_cohort(mentee_pool, mentor_pool, strategy)
        assert result.placed == 3 == result.places
        assert result.mentees == 5
        assert 0 < result.mean_score <= 1
        assert result.total_score == sum(score for _, _, score in result.pairs)


@examples(80)
@given(cohorts, st.integers(1, 4), st.integers(0, 4))
def test_candidate_lists_are_feasible_sorted_and_hold_each_best(cohort, top, widen):
    from mentorapp.matching.engine import pair_scores

    mentee_pool, mentor_pool = pools(cohort)
    cands = candidates(mentee_pool, mentor_pool, top=top, widen=widen)
    if len(mentee_pool) == 0:
        return
    scores = pair_scores(mentee_pool, mentor_pool)
    for i, (row, row_scores) in enumerate(zip(cands.mentors, cands.scores, strict=True)):
        listed = row[row >= 0]
        assert len(set(listed.tolist())) == len(listed)  # no mentor twice
        assert list(row_scores[: len(listed)]) == sorted(row_scores[: len(listed)], reverse=True)
        for n, j in enumerate(listed):  # a matrix product may round the last bit differently
            assert row_scores[n] >= 0
            assert scores[i, j] == pytest.approx(row_scores[n], abs=1e-6)
        feasible = int((scores[i] >= 0).sum())
        assert len(listed) >= min(top, feasible)
        if feasible:
            assert row_scores[0] == pytest.approx(scores[i].max(), abs=1e-6)  # the best is listed


@examples(80)
@given(cohorts)
def test_widening_the_lists_never_places_fewer(cohort):
    mentee_pool, mentor_pool = pools(cohort)
    narrow = pair_optimal(
        mentee_pool, mentor_pool, candidates(mentee_pool, mentor_pool, top=1, widen=0)
    )
    wide = pair_optimal(
        mentee_pool, mentor_pool, candidates(mentee_pool, mentor_pool, top=1, widen=3)
    )
    assert wide.placed >= narrow.placed
    if wide.placed == narrow.placed:
        assert wide.total_score >= narrow.total_score - 1e-3
