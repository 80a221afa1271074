"""Pools patched and joined as the candidate cache does, and the numbers a whole
intake's pairing reports."""

import random

import numpy as np
import pytest

from mentorapp.matching import MenteePool, MentorPool, Weights
from mentorapp.matching.bulk import WIDEN, candidates, pair_cohort, pair_optimal, pair_stable
from mentorapp.matching.engine import pair_parts
from tests.unit.matching.strategies import VOCAB, random_mentees, random_mentors
from tests.unit.matching.test_engine import base_mentee, base_mentor


def same_pool(a, b) -> None:
    for name in vars(a):
        if name != "vocabulary":
            assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_a_mentee_pool_patched_or_joined_is_the_pool_built_again():
    rng = random.Random(1)
    records = random_mentees(rng, 6)
    pool = MenteePool.build(records, VOCAB)
    changed = base_mentee(id=3, wants=("s9",))
    patched = pool.replaced([3, 5], [changed])
    rebuilt = MenteePool.build([r for r in records if r.id not in (3, 5)] + [changed], VOCAB)
    same_pool(patched, rebuilt)
    assert patched.vocabulary is VOCAB
    same_pool(MenteePool.joined([pool.rows([0, 1]), pool.rows([2, 3, 4, 5])], VOCAB), pool)
    same_pool(MenteePool.joined([pool], VOCAB), pool)
    assert len(MenteePool.joined([], VOCAB)) == 0
    assert MenteePool.joined([], VOCAB).vocabulary is VOCAB


def test_a_mentor_pool_patched_or_joined_is_the_pool_built_again():
    rng = random.Random(2)
    records = random_mentors(rng, 6)
    pool = MentorPool.build(records, VOCAB)
    changed = base_mentor(4, specialties=frozenset({"s9"}))
    patched = pool.replaced(iter([4, 6]), [changed])
    rebuilt = MentorPool.build([r for r in records if r.id not in (4, 6)] + [changed], VOCAB)
    same_pool(patched, rebuilt)
    same_pool(MentorPool.joined([pool.rows([0]), pool.rows([1, 2, 3, 4, 5])], VOCAB), pool)
    assert MentorPool.joined([pool], VOCAB) is pool
    empty = MentorPool.joined([], VOCAB)
    assert len(empty) == 0 and empty.vocabulary is VOCAB and empty.taught.shape == (17, 0)
    student = MenteePool.build(random_mentees(rng, 1), VOCAB)
    assert pair_parts(student, patched).score == pytest.approx(pair_parts(student, rebuilt).score)


def test_a_cohort_reports_its_strategy_places_and_blocking_pairs():
    mentees = MenteePool.build([base_mentee(id=i) for i in range(1, 6)], VOCAB)
    mentors = MentorPool.build(
        [base_mentor(100, free_places=2), base_mentor(101, free_places=3, accepting=False)],
        VOCAB,
    )
    for strategy in ("optimal", "stable"):
        result = pair_cohort(mentees, mentors, strategy)
        assert result.strategy == strategy
        assert result.places == 2  # the closed mentor's places do not count
        assert result.blocking_pairs == 0
        assert 0 <= result.seconds < 60
    assert pair_cohort(mentees, mentors).strategy == "optimal"  # the default


def test_a_cohort_never_takes_a_forbidden_pair_and_uses_the_weights_given():
    mentees = MenteePool.build([base_mentee(id=1), base_mentee(id=2)], VOCAB)
    mentors = MentorPool.build(
        [base_mentor(100, free_places=1), base_mentor(101, free_places=1, genres=frozenset())],
        VOCAB,
    )
    result = pair_cohort(mentees, mentors, forbidden=[(1, 100), (2, 100)])
    assert [(a, b) for a, b, _ in result.pairs] == [(1, 101)]
    only_genre = Weights(
        specialty=0, archetype=0, distance=0, availability=0, experience=0, tools=0, genre=1
    )
    scored = pair_cohort(mentees, mentors, weights=only_genre)
    assert sorted(score for _, _, score in scored.pairs) == pytest.approx([0.0, 1.0])


def test_the_default_shortlist_is_fifty_plus_the_widening():
    rng = random.Random(4)
    mentors = MentorPool.build(random_mentors(rng, 400, first_id=1000), VOCAB)
    mentees = MenteePool.build(random_mentees(rng, 3), VOCAB)
    default = candidates(mentees, mentors)
    assert default.mentors.shape == (3, 50 + WIDEN) == (3, 80)
    explicit = candidates(mentees, mentors, top=50, widen=30)
    assert np.array_equal(default.mentors, explicit.mentors)
    many = MenteePool.build(random_mentees(rng, 60), VOCAB)
    assert pair_cohort(many, mentors).pairs == pair_cohort(many, mentors, top=50, widen=30).pairs


def test_candidate_lists_are_padded_with_minus_one():
    mentees = MenteePool.build([base_mentee(id=1), base_mentee(id=2, latitude=None)], VOCAB)
    mentors = MentorPool.build([base_mentor(100), base_mentor(101, free_places=0)], VOCAB)
    cands = candidates(mentees, mentors, top=3, widen=2)
    # 101 has no free place, mentee 2 no city: one list of one, one empty list.
    assert cands.mentors.tolist() == [[0], [-1]]
    assert cands.scores[0, 0] > 0 and cands.scores[1, 0] == -1
    assert cands.mentors.dtype == np.int32 and cands.scores.dtype == np.float32
    nobody = candidates(mentees, MentorPool.build([base_mentor(101, free_places=0)], VOCAB))
    assert nobody.mentors.tolist() == [[-1], [-1]] and nobody.scores.tolist() == [[-1], [-1]]
    none = candidates(MenteePool.build([], VOCAB), mentors)
    assert none.mentors.shape == (0, 2)


def test_candidates_are_the_same_whatever_the_block_size():
    rng = random.Random(6)
    mentors = MentorPool.build(random_mentors(rng, 300, first_id=1000), VOCAB)
    mentees = MenteePool.build(random_mentees(rng, 7), VOCAB)
    whole = candidates(mentees, mentors, top=5, widen=3)
    for block in (1, 2, 3):
        parts = candidates(mentees, mentors, top=5, widen=3, block=block)
        assert np.array_equal(parts.mentors, whole.mentors), block
        assert parts.scores == pytest.approx(whole.scores, abs=1e-6), block


def test_a_forbidden_pair_of_unknown_people_changes_nothing():
    rng = random.Random(7)
    mentors = MentorPool.build(random_mentors(rng, 40, first_id=1000), VOCAB)
    mentees = MenteePool.build(random_mentees(rng, 4), VOCAB)
    plain = candidates(mentees, mentors, top=5)
    for forbidden in ([(999, 1000)], [(1, 99_999)], [(999, 99_999)]):
        other = candidates(mentees, mentors, top=5, forbidden=forbidden)
        assert np.array_equal(other.mentors, plain.mentors), forbidden


def test_each_strategy_times_itself():
    mentees = MenteePool.build([base_mentee(id=i) for i in range(1, 4)], VOCAB)
    mentors = MentorPool.build([base_mentor(100)], VOCAB)
    cands = candidates(mentees, mentors)
    for pairing in (pair_optimal, pair_stable):
        assert 0 <= pairing(mentees, mentors, cands).seconds < 60
