"""Pools as large as real ones: from 64 mentors the engine reads archetype, availability
and tools from per-mentee tables, and with more than `limit` chunks of 64 scores the top-k
search cuts most scores off before sorting. Both must agree with the plain way."""

import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorapp.matching import (
    Filters,
    MenteePool,
    MenteeRecord,
    MentorPool,
    MentorRecord,
    Weights,
    rank_mentees,
    rank_mentors,
    score_pair,
)
from mentorapp.matching.engine import CHUNK, TABLE_MIN_MENTORS, _top, pair_parts, pair_scores
from tests.unit.matching.strategies import (
    VOCAB,
    examples,
    mentees,
    mentor_pools,
    random_mentees,
    random_mentors,
)


def direct_parts(mentee_pool: MenteePool, mentor_pool: MentorPool) -> dict[str, np.ndarray]:
    """The parts computed without tables: in slices of fewer than 64 mentors."""
    step = TABLE_MIN_MENTORS - 1
    slices = [
        pair_parts(mentee_pool, mentor_pool.rows(np.arange(k, min(k + step, len(mentor_pool)))))
        for k in range(0, len(mentor_pool), step)
    ]
    names = slices[0].parts
    return {name: np.hstack([s.parts[name] for s in slices]) for name in names} | {
        "score": np.hstack([s.score for s in slices])
    }


def plain_ranking(scores: np.ndarray, ids: np.ndarray) -> list[int]:
    """Every feasible position, best first, equal scores by the smaller id."""
    feasible = [j for j in range(len(scores)) if scores[j] >= 0]
    return sorted(feasible, key=lambda j: (-scores[j], ids[j]))


@pytest.mark.parametrize("size", [63, 64, 65, 1000])
def test_tables_and_direct_scoring_agree_pair_by_pair(size):
    rng = random.Random(size)
    mentor_pool = MentorPool.build(random_mentors(rng, size, first_id=1000), VOCAB)
    students = [
        replace(student, aspirations=aspirations, availability=0b10101)
        for student, aspirations in zip(
            random_mentees(rng, 3),
            [("phenom", "engineer", "artist_producer"), ("engineer",), ("musician_producer",)],
            strict=True,
        )
    ]
    for mentee_pool in (
        MenteePool.build(students[:1], VOCAB),
        MenteePool.build(students, VOCAB),  # a block: tables of several rows
    ):
        block = pair_parts(mentee_pool, mentor_pool)
        plain = direct_parts(mentee_pool, mentor_pool)
        for name, values in block.parts.items():
            assert values == pytest.approx(plain[name], abs=1e-6), name
            assert values.shape == (len(mentee_pool), size)
        assert block.score == pytest.approx(plain["score"], abs=1e-5)
        assert pair_scores(mentee_pool, mentor_pool) == pytest.approx(block.score, abs=1e-5)
        # Several archetype fits and several availability shares occur: not all zeros.
        assert len(np.unique(np.round(block.parts["archetype"], 4))) >= 3
        assert len(np.unique(np.round(block.parts["availability"], 4))) >= 3


@pytest.mark.parametrize("size", [64, 65, 640, 641, 3000])
@pytest.mark.parametrize(("offset", "limit"), [(0, 1), (0, 10), (7, 10), (40, 25)])
def test_the_top_of_a_large_pool_is_the_top_of_a_full_sort(size, offset, limit):
    rng = random.Random(size + offset)
    mentee = random_mentees(rng, 1)[0]
    pool = MentorPool.build(random_mentors(rng, size, first_id=1), VOCAB)
    scores = pair_parts(MenteePool.build([mentee], VOCAB), pool).score[0]
    expected = plain_ranking(scores, pool.ids)
    ranking = rank_mentors(mentee, pool, offset=offset, limit=limit)
    assert ranking.total == len(expected)
    assert [m.id for m in ranking.matches] == [
        int(pool.ids[j]) for j in expected[offset : offset + limit]
    ]
    assert [m.score for m in ranking.matches] == [
        float(scores[j]) for j in expected[offset : offset + limit]
    ]


def test_a_large_pool_with_many_equal_scores_breaks_ties_by_id():
    rng = random.Random(5)
    twins = random_mentors(rng, 1, first_id=1)[0]
    mentee = random_mentees(rng, 1, first_id=0)[0]
    # 3000 copies of one mentor, their ids shuffled: every score is equal.
    ids = list(range(1, 3001))
    rng.shuffle(ids)
    twins = replace(twins, latitude=mentee.latitude, longitude=mentee.longitude, free_places=1)
    twins = replace(twins, accepting=True, in_person=True, travel_km=200.0)
    pool = MentorPool.build([replace(twins, id=i) for i in ids], VOCAB)
    ranking = rank_mentors(mentee, pool, offset=5, limit=10)
    assert ranking.total == 3000
    assert [m.id for m in ranking.matches] == list(range(6, 16))


def test_scores_of_exactly_zero_are_feasible_and_counted():
    """With no weight on distance, a pair that shares nothing scores 0 and still counts."""
    weights = Weights(distance=0.0)
    rng = random.Random(3)
    mentee = random_mentees(rng, 1)[0]
    pool = MentorPool.build(random_mentors(rng, 2000), VOCAB)
    scores = pair_parts(MenteePool.build([mentee], VOCAB), pool, weights).score[0]
    assert (scores == 0).sum() > 0
    ranking = rank_mentors(mentee, pool, weights=weights, limit=3000)
    assert ranking.total == int((scores >= 0).sum()) == len(ranking.matches)


score_values = st.sampled_from([-2.0, -1.5, -1.0, 0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])


@examples(150)
@given(
    st.sampled_from([0, 1, 5, CHUNK - 1, CHUNK, CHUNK + 1, 10 * CHUNK, 10 * CHUNK + 3, 4000]),
    st.integers(0, 2**32 - 1),
    st.integers(0, 60),
    st.integers(0, 60),
    st.booleans(),
)
def test_top_is_a_full_sort_cut_to_the_page(size, seed, start, length, sparse):
    """Scores with many ties and many infeasible (< 0) ones, the way rankings see them."""
    rng = np.random.default_rng(seed)
    values = np.array([-2.0, -1.0, 0.0, 0.1, 0.5, 0.9, 1.0], dtype=np.float32)
    weights = [0.5, 0.3, 0.04, 0.04, 0.04, 0.04, 0.04] if sparse else None
    scores = rng.choice(values, size=size, p=weights).astype(np.float32)
    scores += rng.integers(0, 3, size=size).astype(np.float32) * np.float32(0.001)
    ids = rng.permutation(size * 3)[:size].astype(np.int64)
    chosen, count = _top(scores, ids, start, start + length)
    expected = plain_ranking(scores, ids)
    assert count == len(expected)
    assert chosen.tolist() == expected[start : start + length]


@examples(40)
@given(mentees(mentee_id=0), mentor_pools(first_id=1), st.integers(0, 30), st.integers(1, 12))
def test_rankings_of_pools_small_and_large_match_a_full_sort(mentee, records, offset, limit):
    pool = MentorPool.build(records, VOCAB)
    scores = pair_parts(MenteePool.build([mentee], VOCAB), pool).score[0]
    expected = plain_ranking(scores, pool.ids)
    ranking = rank_mentors(mentee, pool, offset=offset, limit=limit)
    assert ranking.total == len(expected)
    assert [m.id for m in ranking.matches] == [
        int(pool.ids[j]) for j in expected[offset : offset + limit]
    ]
    # The same mentors again once filtered to in-person ones within 60 km.
    near = rank_mentors(mentee, pool, filters=Filters(max_km=60), limit=len(pool))
    assert all(m.in_person and m.distance_km <= 60.1 for m in near.matches)
    assert {m.id for m in near.matches} <= {int(pool.ids[j]) for j in expected}


@examples(25)
@given(st.lists(mentees(), min_size=1, max_size=3, unique_by=lambda m: m.id), mentor_pools())
def test_every_shape_agrees_on_pools_small_and_large(students, records):
    mentee_pool = MenteePool.build(students, VOCAB)
    mentor_pool = MentorPool.build(records, VOCAB)
    block = pair_parts(mentee_pool, mentor_pool)
    plain = direct_parts(mentee_pool, mentor_pool)
    for name, values in block.parts.items():
        assert values == pytest.approx(plain[name], abs=1e-6), name
    assert pair_scores(mentee_pool, mentor_pool) == pytest.approx(block.score, abs=1e-5)


def test_rankings_use_the_weights_given_and_show_ten_by_default():
    rng = random.Random(8)
    mentee = replace(random_mentees(rng, 1, first_id=0)[0], travel_km=150.0, remote_ok=True)
    records = random_mentors(rng, 200, first_id=1)
    mentors = MentorPool.build(records, VOCAB)
    weights = Weights(distance=0.0)
    ranking = rank_mentors(mentee, mentors, weights=weights)
    assert len(ranking.matches) == 10 < ranking.total
    first = ranking.matches[0]
    assert first.score == pytest.approx(
        score_pair(mentee, next(r for r in records if r.id == first.id), VOCAB, weights).score
    )
    mentor = records[0]
    mentees = MenteePool.build(random_mentees(rng, 40, first_id=1000), VOCAB)
    ranking = rank_mentees(mentor, mentees, weights=weights, limit=40)
    assert all(m.contributions["distance"] == 0 for m in ranking.matches)
    assert len(rank_mentees(mentor, mentees).matches) == min(10, ranking.total)


def test_a_pair_that_scores_exactly_zero_is_still_a_pair():
    weights = Weights(distance=0.0)
    nothing = MentorRecord(id=2, latitude=51.5, longitude=-0.1)
    match = score_pair(MenteeRecord(id=1, latitude=51.5, longitude=-0.1), nothing, VOCAB, weights)
    assert match is not None and match.score == 0
