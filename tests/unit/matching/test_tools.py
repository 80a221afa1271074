"""The DAW and tools part of a match: a small soft part, with its reason."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorapp.matching import (
    Filters,
    MenteePool,
    MentorPool,
    Weights,
    rank_mentees,
    rank_mentors,
    score_pair,
)
from mentorapp.matching.engine import pair_parts, pair_scores
from mentorapp.profiles.vocabulary import TOOLS
from tests.unit.matching.strategies import VOCAB as BASE_VOCAB
from tests.unit.matching.strategies import examples, mentees, mentors
from tests.unit.matching.test_engine import base_mentee, base_mentor

VOCAB = replace(BASE_VOCAB, tools=dict(TOOLS))
TOOL_SLUGS = list(VOCAB.tools)
tool_sets = st.frozensets(st.sampled_from(TOOL_SLUGS), max_size=4)


def reasons_of(match) -> dict[str, str]:
    return {r.part: r.text for r in match.reasons}


def test_a_shared_daw_adds_to_the_score_with_its_reason():
    mentee = base_mentee(tools=frozenset({"ableton-live"}))
    same = score_pair(mentee, base_mentor(tools=frozenset({"ableton-live", "pro-tools"})), VOCAB)
    other = score_pair(mentee, base_mentor(tools=frozenset({"pro-tools"})), VOCAB)
    assert reasons_of(same)["tools"] == "Works in Ableton Live, like you"
    assert reasons_of(other)["tools"] == "Works in Pro Tools, none of the tools you use"
    assert same.contributions["tools"] == pytest.approx(Weights().normalised()["tools"], rel=1e-5)
    assert other.contributions["tools"] == 0
    assert same.score > other.score


def test_the_reason_names_every_shared_tool_and_counts_a_share_of_the_mentees():
    mentee = base_mentee(tools=frozenset({"ableton-live", "logic-pro"}))
    match = score_pair(mentee, base_mentor(tools=frozenset({"logic-pro", "ableton-live"})), VOCAB)
    assert reasons_of(match)["tools"] == "Works in Logic Pro and Ableton Live, like you"
    half = score_pair(mentee, base_mentor(tools=frozenset({"logic-pro"})), VOCAB)
    assert half.contributions["tools"] == pytest.approx(match.contributions["tools"] / 2)


def test_the_mentor_reads_the_same_sentence_and_the_same_score():
    mentee = base_mentee(tools=frozenset({"fl-studio"}))
    mentor = base_mentor(tools=frozenset({"fl-studio"}))
    theirs = score_pair(mentee, mentor, VOCAB, viewer="mentor")
    assert reasons_of(theirs)["tools"] == "Works in FL Studio, like you"
    assert theirs.score == score_pair(mentee, mentor, VOCAB).score
    apart = score_pair(mentee, base_mentor(tools=frozenset({"cubase"})), VOCAB, viewer="mentor")
    assert reasons_of(apart)["tools"] == "Works in FL Studio, none of the tools you use"


def test_no_tools_reason_until_both_sides_named_theirs():
    assert "tools" not in reasons_of(score_pair(base_mentee(), base_mentor(), VOCAB))
    named = base_mentee(tools=frozenset({"reaper"}))
    assert "tools" not in reasons_of(score_pair(named, base_mentor(), VOCAB))
    assert "tools" not in reasons_of(
        score_pair(base_mentee(), base_mentor(tools=frozenset({"reaper"})), VOCAB)
    )


def test_tools_are_a_small_part_and_never_a_rule():
    weights = Weights().normalised()
    assert 0 < weights["tools"] < min(weights[p] for p in weights if p != "tools")
    mentee = base_mentee(tools=frozenset({"bitwig"}))
    pool = MentorPool.build(
        [
            # Teaches all three wishes, no shared tool...
            base_mentor(100, specialties=frozenset({"s1", "s2", "s3"})),
            # ...beats one who teaches one wish fewer but works in Bitwig.
            base_mentor(101, tools=frozenset({"bitwig"})),
            base_mentor(102, tools=frozenset({"hardware"})),
        ],
        VOCAB,
    )
    ranking = rank_mentors(mentee, pool)
    assert [m.id for m in ranking.matches][:2] == [100, 101]
    assert ranking.total == 3  # nobody is left out for their tools


def test_filter_by_tool_both_ways():
    pool = MentorPool.build(
        [
            base_mentor(100, tools=frozenset({"pro-tools", "logic-pro"})),
            base_mentor(101, tools=frozenset({"ableton-live"})),
            base_mentor(102),
        ],
        VOCAB,
    )
    only = rank_mentors(base_mentee(), pool, filters=Filters(tool="logic-pro"))
    assert [m.id for m in only.matches] == [100] and only.total == 1
    assert rank_mentors(base_mentee(), pool, filters=Filters(tool="nonsense")).total == 0
    students = MenteePool.build(
        [base_mentee(id=1, tools=frozenset({"reaper"})), base_mentee(id=2)], VOCAB
    )
    wanting = rank_mentees(base_mentor(), students, filters=Filters(tool="reaper"))
    assert [m.id for m in wanting.matches] == [1]


def test_the_candidate_pool_keeps_tools_through_a_patch():
    pool = MentorPool.build([base_mentor(100), base_mentor(101)], VOCAB)
    patched = pool.replaced([101], [base_mentor(101, tools=frozenset({"studio-one"}))])
    mentee = base_mentee(tools=frozenset({"studio-one"}))
    assert [m.id for m in rank_mentors(mentee, patched).matches] == [101, 100]
    assert [m.id for m in rank_mentors(mentee, patched.rows([1])).matches] == [101]


@examples(200)
@given(mentees(), mentors(), tool_sets, tool_sets)
def test_with_tools_the_reasons_still_add_up_to_a_score_in_0_1(mentee, mentor, mine, theirs):
    match = score_pair(replace(mentee, tools=mine), replace(mentor, tools=theirs), VOCAB)
    if match is not None:
        assert 0.0 <= match.score <= 1.0 + 1e-6
        assert sum(r.contribution for r in match.reasons) == pytest.approx(match.score, abs=1e-5)
        assert ("tools" in {r.part for r in match.reasons}) == bool(mine and theirs)


@examples(30)
@given(
    st.lists(st.tuples(mentees(), tool_sets), min_size=1, max_size=5),
    st.lists(st.tuples(mentors(), tool_sets), min_size=1, max_size=80),
)
def test_every_shape_scores_tools_the_same(students, teachers):
    """The table for many mentors, the popcount for few, and bulk mode's matrix product."""
    people = [replace(m, id=k, tools=t) for k, (m, t) in enumerate(students)]
    producers = [replace(m, id=1000 + k, tools=t) for k, (m, t) in enumerate(teachers)]
    block = pair_parts(MenteePool.build(people, VOCAB), MentorPool.build(producers, VOCAB))
    fused = pair_scores(MenteePool.build(people, VOCAB), MentorPool.build(producers, VOCAB))
    assert fused == pytest.approx(block.score, abs=1e-5)
    for i, person in enumerate(people):
        row = pair_parts(MenteePool.build([person], VOCAB), MentorPool.build(producers, VOCAB))
        assert row.parts["tools"][0] == pytest.approx(block.parts["tools"][i], abs=1e-6)
        one = pair_parts(MenteePool.build([person], VOCAB), MentorPool.build(producers[:1], VOCAB))
        assert one.parts["tools"][0, 0] == pytest.approx(block.parts["tools"][i, 0], abs=1e-6)


def test_many_mentors_read_the_same_tools_part_as_few():
    """From 64 mentors on, the part is read from a per-mentee table: the same numbers."""
    producers = [
        base_mentor(100 + k, tools=frozenset(TOOL_SLUGS[k % 9 : k % 9 + 1 + k % 4]))
        for k in range(70)
    ]
    mentee = base_mentee(tools=frozenset({"pro-tools", "logic-pro", "reaper"}))
    many = pair_parts(MenteePool.build([mentee], VOCAB), MentorPool.build(producers, VOCAB))
    for j, producer in enumerate(producers):
        one = pair_parts(MenteePool.build([mentee], VOCAB), MentorPool.build([producer], VOCAB))
        assert many.parts["tools"][0, j] == pytest.approx(one.parts["tools"][0, 0], abs=1e-6)
    assert len({round(float(v), 4) for v in many.parts["tools"][0]}) >= 3
