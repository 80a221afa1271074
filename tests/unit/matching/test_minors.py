"""The engine's rule for apprentices under 18: paired only with mentors who take them,
in rankings both ways, in one pair's score and in bulk pairing."""

from dataclasses import replace

from hypothesis import given

from mentorapp.matching import (
    MenteePool,
    MenteeRecord,
    MentorPool,
    MentorRecord,
    rank_mentees,
    rank_mentors,
    score_pair,
)
from mentorapp.matching.bulk import pair_cohort
from tests.unit.matching.strategies import VOCAB, examples, mentees, mentors

LONDON = (51.5074, -0.1278)


def mentor(id_: int, takes_minors: bool) -> MentorRecord:
    return MentorRecord(
        id=id_,
        specialties=frozenset({"mixing"}),
        latitude=LONDON[0],
        longitude=LONDON[1],
        free_places=2,
        takes_minors=takes_minors,
    )


def mentee(id_: int, minor: bool) -> MenteeRecord:
    return MenteeRecord(
        id=id_, wants=("mixing",), latitude=LONDON[0], longitude=LONDON[1], minor=minor
    )


def test_a_minor_is_ranked_only_mentors_who_take_minors():
    pool = MentorPool.build([mentor(1, False), mentor(2, True), mentor(3, False)], VOCAB)
    ranking = rank_mentors(mentee(10, minor=True), pool)
    assert [m.id for m in ranking.matches] == [2] and ranking.total == 1
    assert {m.id for m in rank_mentors(mentee(11, minor=False), pool).matches} == {1, 2, 3}


def test_a_mentor_for_adults_only_is_never_ranked_a_minor():
    pool = MenteePool.build([mentee(10, True), mentee(11, False), mentee(12, True)], VOCAB)
    assert [m.id for m in rank_mentees(mentor(1, False), pool).matches] == [11]
    assert {m.id for m in rank_mentees(mentor(2, True), pool).matches} == {10, 11, 12}


@examples(200)
@given(mentees(), mentors())
def test_the_rule_only_removes_pairs(some_mentee, some_mentor):
    adult_score = score_pair(some_mentee, some_mentor, VOCAB)
    young = replace(some_mentee, minor=True)
    assert score_pair(young, replace(some_mentor, takes_minors=False), VOCAB) is None
    taken = score_pair(young, replace(some_mentor, takes_minors=True), VOCAB)
    with_takes = score_pair(some_mentee, replace(some_mentor, takes_minors=True), VOCAB)
    assert (taken is None) == (with_takes is None)
    if taken is not None:
        assert taken.score == with_takes.score
    if adult_score is not None and with_takes is not None:
        assert adult_score.score == with_takes.score


def test_bulk_pairing_never_puts_a_minor_with_a_mentor_for_adults():
    mentors_ = MentorPool.build([mentor(1, False), replace(mentor(2, True), free_places=1)], VOCAB)
    intake = MenteePool.build([mentee(10, True), mentee(11, True), mentee(12, False)], VOCAB)
    for strategy in ("optimal", "stable"):
        result = pair_cohort(intake, mentors_, strategy=strategy)
        pairs = {(a, b) for a, b, _ in result.pairs}
        assert all(b == 2 for a, b in pairs if a in (10, 11)), pairs
        assert sum(1 for a, _ in pairs if a in (10, 11)) == 1  # one place for the two minors
