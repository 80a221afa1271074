from dataclasses import replace

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
from mentorapp.matching.engine import great_circle_km
from mentorapp.matching.pool import unit_vectors
from tests.unit.matching.strategies import SPECIALTIES, VOCAB, examples, mentees, mentors

LONDON = (51.5074, -0.1278)
BRIGHTON = (50.8225, -0.1372)  # about 76 km from London
PARIS = (48.8566, 2.3522)


def breaks_a_hard_rule(mentee: MenteeRecord, mentor: MentorRecord) -> bool | None:
    """The hard rules, written out plainly. None when a pair sits on the distance limit."""
    if mentee.id == mentor.id or not mentor.active or not mentee.active:
        return True
    if not mentor.accepting or mentor.free_places <= 0:
        return True
    remote = mentor.remote and mentee.remote_ok
    in_person = False
    if None not in (mentee.latitude, mentee.longitude, mentor.latitude, mentor.longitude):
        a, b = unit_vectors(
            [mentee.latitude, mentor.latitude], [mentee.longitude, mentor.longitude]
        )[0]
        km, limit = great_circle_km(a, b), min(mentee.travel_km, mentor.travel_km)
        if mentor.in_person and not remote and abs(km - limit) < 0.01:
            return None  # the engine compares in float32: too close to the edge to call
        in_person = mentor.in_person and km <= limit
    return not (in_person or remote)


@examples(300)
@given(mentees(), mentors())
def test_scores_stay_in_0_1_and_no_hard_rule_is_broken(mentee, mentor):
    match = score_pair(mentee, mentor, VOCAB)
    verdict = breaks_a_hard_rule(mentee, mentor)
    if verdict is None:
        return
    assert (match is None) == verdict
    if match is not None:
        assert 0.0 <= match.score <= 1.0


@examples(300)
@given(mentees(), mentors())
def test_the_reasons_add_up_to_the_score(mentee, mentor):
    match = score_pair(mentee, mentor, VOCAB)
    if match is not None:
        assert sum(r.contribution for r in match.reasons) == pytest.approx(match.score, abs=1e-5)
        assert {r.part for r in match.reasons} == {
            "specialty",
            "archetype",
            "distance",
            "availability",
            "genre",
            "experience",
        }
        assert all(r.text for r in match.reasons)


@examples(300)
@given(mentees(), mentors(), st.sampled_from(SPECIALTIES))
def test_teaching_one_more_wanted_specialty_never_lowers_a_score(mentee, mentor, extra):
    before = score_pair(mentee, mentor, VOCAB)
    after = score_pair(mentee, replace(mentor, specialties=mentor.specialties | {extra}), VOCAB)
    if before is not None:
        assert after is not None and after.score >= before.score - 1e-6


def base_mentee(**changes) -> MenteeRecord:
    values = {
        "id": 1,
        "aspirations": ("engineer",),
        "wants": ("s1", "s2", "s3"),
        "genres": frozenset({"g1"}),
        "availability": 0b000111,
        "latitude": LONDON[0],
        "longitude": LONDON[1],
        "travel_km": 50,
        "remote_ok": False,
        "experience": "starting_out",
    }
    return MenteeRecord(**{**values, **changes})


def base_mentor(mentor_id=100, **changes) -> MentorRecord:
    values = {
        "id": mentor_id,
        "archetypes": frozenset({"engineer"}),
        "specialties": frozenset({"s1", "s2"}),
        "genres": frozenset({"g1"}),
        "availability": 0b000011,
        "latitude": LONDON[0],
        "longitude": LONDON[1],
        "in_person": True,
        "remote": False,
        "travel_km": 100,
        "years": 10,
        "free_places": 2,
        "accepting": True,
    }
    return MentorRecord(**{**values, **changes})


def test_reasons_read_like_sentences():
    match = score_pair(base_mentee(), base_mentor(latitude=51.6), VOCAB)
    texts = {r.part: r.text for r in match.reasons}
    assert texts["specialty"] == (
        "Teaches specialty 1 and specialty 2, 2 of the 3 things you want to learn"
    )
    assert texts["archetype"] == "Is the engineer, your first choice of who to become"
    assert texts["distance"] == "10 km from you"
    assert texts["availability"] == "Free at the same times: slot 0 and slot 1"
    assert texts["genre"] == "Shares 1 genre: Genre 1"
    assert texts["experience"] == "10 years producing, well ahead of you"


def test_the_mentor_sees_the_same_score_with_reasons_from_their_side():
    mentee, mentor = base_mentee(), base_mentor()
    theirs = score_pair(mentee, mentor, VOCAB, viewer="mentor")
    assert theirs.score == score_pair(mentee, mentor, VOCAB).score
    texts = {r.part: r.text for r in theirs.reasons}
    assert texts["specialty"].startswith("Wants to learn specialty 1 and specialty 2")


@pytest.mark.parametrize(
    ("mentee_changes", "mentor_changes"),
    [
        ({}, {"accepting": False}),
        ({}, {"free_places": 0}),
        ({}, {"active": False}),
        ({"active": False}, {}),
        ({"id": 100}, {}),  # oneself
        ({}, {"latitude": BRIGHTON[0], "longitude": BRIGHTON[1]}),  # 76 km > 50 km
        (
            {"travel_km": 200},
            {"latitude": BRIGHTON[0], "longitude": BRIGHTON[1], "travel_km": 30},
        ),  # beyond the mentor's radius
        ({"remote_ok": True}, {"latitude": PARIS[0], "longitude": PARIS[1]}),  # mentor not remote
        ({"latitude": None}, {}),
    ],
)
def test_hard_rules_keep_pairs_apart(mentee_changes, mentor_changes):
    assert score_pair(base_mentee(**mentee_changes), base_mentor(**mentor_changes), VOCAB) is None


def test_a_pair_either_side_of_180_degrees_is_as_close_as_it_looks():
    """Labasa (179.36°E) and Waiyevo (179.98°W) on Fiji: about 80 km the short way."""
    labasa, waiyevo = (-16.4332, 179.36451), (-16.79, -179.98)
    match = score_pair(
        base_mentee(latitude=labasa[0], longitude=labasa[1], travel_km=100),
        base_mentor(latitude=waiyevo[0], longitude=waiyevo[1], travel_km=100),
        VOCAB,
    )
    assert match is not None  # within both people's 100 km
    a, b = unit_vectors([labasa[0], waiyevo[0]], [labasa[1], waiyevo[1]])[0]
    assert 70 < great_circle_km(a, b) < 90


def test_both_remote_makes_distance_irrelevant_beyond_a_floor():
    far = score_pair(
        base_mentee(remote_ok=True),
        base_mentor(remote=True, latitude=PARIS[0], longitude=PARIS[1]),
        VOCAB,
    )
    near = score_pair(base_mentee(remote_ok=True), base_mentor(remote=True), VOCAB)
    assert far is not None and near.score > far.score
    assert far.contributions["distance"] == pytest.approx(
        Weights().normalised()["distance"] * Weights().remote_floor, rel=1e-5
    )
    assert "remotely" in {r.part: r.text for r in far.reasons}["distance"]


def test_a_mentor_producer_fits_any_mentee_a_little():
    coach = score_pair(
        base_mentee(aspirations=("phenom",)),
        base_mentor(archetypes=frozenset({"mentor_producer"})),
        VOCAB,
    )
    other = score_pair(
        base_mentee(aspirations=("phenom",)), base_mentor(archetypes=frozenset({"engineer"})), VOCAB
    )
    assert coach.contributions["archetype"] > 0 == other.contributions["archetype"]


def test_the_mentor_must_know_more():
    ahead = score_pair(base_mentee(experience="working"), base_mentor(years=12), VOCAB)
    behind = score_pair(base_mentee(experience="working"), base_mentor(years=3), VOCAB)
    assert ahead.contributions["experience"] > 0 == behind.contributions["experience"]


def test_rank_mentors_orders_by_score_then_id_and_pages():
    pool = MentorPool.build(
        [
            base_mentor(100),
            base_mentor(101),
            base_mentor(102, specialties=frozenset({"s9"})),
            base_mentor(103, accepting=False),
            base_mentor(104, specialties=frozenset({"s1"})),
        ],
        VOCAB,
    )
    ranking = rank_mentors(base_mentee(), pool, limit=2)
    assert ranking.total == 4
    assert [m.id for m in ranking.matches] == [100, 101]  # equal scores: lower id first
    second = rank_mentors(base_mentee(), pool, limit=2, offset=2)
    assert [m.id for m in second.matches] == [104, 102]
    assert rank_mentors(base_mentee(), pool, limit=2, offset=4).matches == []


def test_excluded_pairs_and_filters():
    pool = MentorPool.build(
        [
            base_mentor(100),
            base_mentor(101, archetypes=frozenset({"phenom"})),
            base_mentor(102, remote=True, latitude=PARIS[0], longitude=PARIS[1]),
        ],
        VOCAB,
    )
    mentee = base_mentee(remote_ok=True)
    # The remote engineer in Paris beats the hit maker next door: archetype weighs more.
    assert [m.id for m in rank_mentors(mentee, pool, exclude=[100]).matches] == [102, 101]
    only = rank_mentors(mentee, pool, filters=Filters(archetype="phenom"))
    assert [m.id for m in only.matches] == [101] and only.total == 1
    assert [
        m.id for m in rank_mentors(mentee, pool, filters=Filters(remote_only=True)).matches
    ] == [102]
    assert 102 not in [
        m.id for m in rank_mentors(mentee, pool, filters=Filters(max_km=100)).matches
    ]
    assert rank_mentors(mentee, pool, filters=Filters(specialty="s9")).total == 0
    assert rank_mentors(mentee, pool, filters=Filters(archetype="nonsense")).total == 0


def test_rank_mentees_is_the_same_engine_the_other_way_round():
    mentor = base_mentor()
    students = [
        base_mentee(id=1),
        base_mentee(id=2, wants=("s9",)),
        base_mentee(id=3, active=False),
    ]
    ranking = rank_mentees(mentor, MenteePool.build(students, VOCAB))
    assert [m.id for m in ranking.matches] == [1, 2]
    assert ranking.matches[0].score == score_pair(students[0], mentor, VOCAB).score
    wanting = rank_mentees(
        mentor, MenteePool.build(students, VOCAB), filters=Filters(specialty="s9")
    )
    assert [m.id for m in wanting.matches] == [2]


@examples(60)
@given(mentees(mentee_id=0), st.lists(mentors(), min_size=1, max_size=30, unique_by=lambda m: m.id))
def test_ranking_agrees_with_pair_by_pair_scores(mentee, candidates):
    ranking = rank_mentors(mentee, MentorPool.build(candidates, VOCAB), limit=len(candidates))
    expected = sorted(
        ((s.score, m.id) for m in candidates if (s := score_pair(mentee, m, VOCAB))),
        key=lambda pair: (-pair[0], pair[1]),
    )
    assert [m.id for m in ranking.matches] == [mentor_id for _, mentor_id in expected]


@examples(40)
@given(
    st.lists(mentees(), min_size=1, max_size=6, unique_by=lambda m: m.id),
    st.lists(mentors(), min_size=1, max_size=80, unique_by=lambda m: m.id),
)
def test_every_shape_scores_a_pair_the_same(students, teachers):
    """One mentee, a block of mentees, one mentor, many mentors: each takes its own
    fast path through the engine, and all of them agree pair by pair."""
    from mentorapp.matching.engine import pair_parts, pair_scores

    block = pair_parts(MenteePool.build(students, VOCAB), MentorPool.build(teachers, VOCAB))
    fused = pair_scores(MenteePool.build(students, VOCAB), MentorPool.build(teachers, VOCAB))
    assert fused == pytest.approx(block.score, abs=1e-5)
    for i, student in enumerate(students):
        row = pair_parts(MenteePool.build([student], VOCAB), MentorPool.build(teachers, VOCAB))
        assert row.score[0] == pytest.approx(block.score[i], abs=1e-5)
        for j, teacher in enumerate(teachers[:5]):
            one = pair_parts(MenteePool.build([student], VOCAB), MentorPool.build([teacher], VOCAB))
            assert one.score[0, 0] == pytest.approx(block.score[i, j], abs=1e-5)
            for name, values in one.parts.items():
                assert values[0, 0] == pytest.approx(block.parts[name][i, j], abs=1e-5), name
