"""Filters and hard limits at their edges: exactly at a reach or a max_km, the first
archetype of the vocabulary, names the vocabulary does not know, ids outside the pool."""

from dataclasses import replace

import numpy as np
import pytest

from mentorapp.matching import (
    Filters,
    ListingFilters,
    ListingPool,
    ListingRecord,
    MenteePool,
    MentorPool,
    Seeker,
    rank_listings,
    rank_mentees,
    rank_mentors,
    score_pair,
)
from mentorapp.matching.engine import Ranking, pair_parts
from mentorapp.profiles.vocabulary import TOOLS
from tests.unit.matching.strategies import ARCHETYPES, VOCAB
from tests.unit.matching.test_engine import LONDON, base_mentee, base_mentor

NORTH = (LONDON[0] + 0.27, LONDON[1])  # 30.02 km


def test_the_first_archetype_of_the_vocabulary_is_a_filter_like_any_other():
    assert ARCHETYPES[0] == "engineer"  # position 0: bit 1 << 0
    pool = MentorPool.build(
        [
            base_mentor(100, archetypes=frozenset({"engineer"})),
            base_mentor(101, archetypes=frozenset({"phenom"})),
            base_mentor(102, archetypes=frozenset({"engineer", "phenom"})),
        ],
        VOCAB,
    )
    engineers = rank_mentors(base_mentee(), pool, filters=Filters(archetype="engineer"))
    assert [m.id for m in engineers.matches] == [100, 102] and engineers.total == 2
    students = MenteePool.build(
        [
            base_mentee(id=1, aspirations=("engineer",)),
            base_mentee(id=2, aspirations=("phenom",)),
            base_mentee(id=3, aspirations=("phenom", "artist_producer", "engineer")),
        ],
        VOCAB,
    )
    wanting = rank_mentees(base_mentor(), students, filters=Filters(archetype="engineer"))
    assert sorted(m.id for m in wanting.matches) == [1, 3] and wanting.total == 2


def test_an_unknown_name_as_a_filter_finds_nobody():
    pool = MentorPool.build([base_mentor(100), base_mentor(101)], VOCAB)
    for filters in (
        Filters(specialty="nonsense"),
        Filters(archetype="nonsense"),
        Filters(genre="nonsense"),
        Filters(tool="nonsense"),
    ):
        assert rank_mentors(base_mentee(), pool, filters=filters).total == 0, filters
    # Mentees with fewer than five wishes and three aspirations: the unused places are
    # padding, which an unknown name must not match.
    students = MenteePool.build(
        [base_mentee(id=1, wants=("s1",), aspirations=()), base_mentee(id=2)], VOCAB
    )
    for filters in (
        Filters(specialty="nonsense"),
        Filters(archetype="nonsense"),
        Filters(genre="nonsense"),
        Filters(tool="nonsense"),
    ):
        assert rank_mentees(base_mentor(), students, filters=filters).total == 0, filters


def test_specialty_filters_pick_the_right_row():
    pool = MentorPool.build(
        [
            base_mentor(100, specialties=frozenset({"s0"})),
            base_mentor(101, specialties=frozenset({"s1"})),
            base_mentor(102, specialties=frozenset({"s16"})),
        ],
        VOCAB,
    )
    for slug, expected in (("s0", [100]), ("s1", [101]), ("s16", [102]), ("s2", [])):
        ranking = rank_mentors(base_mentee(), pool, filters=Filters(specialty=slug))
        assert [m.id for m in ranking.matches] == expected, slug
    students = MenteePool.build(
        [base_mentee(id=1, wants=("s0",)), base_mentee(id=2, wants=("s2", "s16"))], VOCAB
    )
    for slug, expected in (("s0", [1]), ("s16", [2]), ("s2", [2]), ("s1", [])):
        ranking = rank_mentees(base_mentor(), students, filters=Filters(specialty=slug))
        assert [m.id for m in ranking.matches] == expected, slug


def test_genre_and_free_time_filters_both_ways():
    pool = MentorPool.build(
        [
            base_mentor(100, genres=frozenset({"g0"}), availability=0b001),
            base_mentor(101, genres=frozenset({"g22"}), availability=0b100),
        ],
        VOCAB,
    )
    assert [
        m.id for m in rank_mentors(base_mentee(), pool, filters=Filters(genre="g0")).matches
    ] == [100]
    assert [
        m.id for m in rank_mentors(base_mentee(), pool, filters=Filters(genre="g22")).matches
    ] == [101]
    assert [
        m.id for m in rank_mentors(base_mentee(), pool, filters=Filters(free_at=0b110)).matches
    ] == [101]
    both = Filters(genre="g0", free_at=0b100)
    assert rank_mentors(base_mentee(), pool, filters=both).total == 0
    students = MenteePool.build(
        [base_mentee(id=1, genres=frozenset({"g0"})), base_mentee(id=2, availability=0b1000)],
        VOCAB,
    )
    assert [
        m.id for m in rank_mentees(base_mentor(), students, filters=Filters(genre="g0")).matches
    ] == [1]
    assert [
        m.id for m in rank_mentees(base_mentor(), students, filters=Filters(free_at=0b1000)).matches
    ] == [2]


def test_taking_now_keeps_only_mentors_with_a_free_place():
    pool = MentorPool.build(
        [base_mentor(100), base_mentor(101, free_places=0), base_mentor(102, accepting=False)],
        VOCAB,
    )
    assert [
        m.id for m in rank_mentors(base_mentee(), pool, filters=Filters(taking_now=True)).matches
    ] == [100]


def test_a_pair_exactly_at_the_in_person_reach_can_meet():
    """Both in the same place with a reach of zero: the distance equals the limit."""
    here = {"latitude": LONDON[0], "longitude": LONDON[1]}
    assert score_pair(base_mentee(**here, travel_km=0), base_mentor(**here), VOCAB) is not None
    assert score_pair(base_mentee(**here), base_mentor(**here, travel_km=0), VOCAB) is not None
    pool = MentorPool.build([base_mentor(100, **here, travel_km=0)], VOCAB)
    assert rank_mentors(base_mentee(**here, travel_km=0), pool).total == 1


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_either_side_of_a_reach_of_thirty_km(side):
    """The pair is 30.02 km apart: a reach of 30.1 km meets, 29.9 km does not."""
    there = {"latitude": NORTH[0], "longitude": NORTH[1]}
    for reach, meets in ((30.1, True), (29.9, False)):
        mentee = base_mentee(travel_km=reach if side == "mentee" else 100)
        mentor = base_mentor(**there, travel_km=reach if side == "mentor" else 100)
        assert (score_pair(mentee, mentor, VOCAB) is not None) == meets, reach


def test_a_mentor_exactly_at_max_km_is_kept():
    pool = MentorPool.build(
        [base_mentor(100, latitude=NORTH[0], longitude=NORTH[1]), base_mentor(101)], VOCAB
    )
    mentee = base_mentee()
    km = pair_parts(MenteePool.build([mentee], VOCAB), pool).km[0, 0]  # float32, as compared
    below = float(np.nextafter(km, np.float32(0)))
    km = float(km)
    at = rank_mentors(mentee, pool, filters=Filters(max_km=km))
    assert sorted(m.id for m in at.matches) == [100, 101]
    short = rank_mentors(mentee, pool, filters=Filters(max_km=below))
    assert [m.id for m in short.matches] == [101]
    assert rank_mentors(mentee, pool, filters=Filters(max_km=0)).total == 1  # 101 is here
    students = MenteePool.build([base_mentee(id=1, latitude=NORTH[0], longitude=NORTH[1])], VOCAB)
    assert rank_mentees(base_mentor(), students, filters=Filters(max_km=km)).total == 1
    short = Filters(max_km=below)
    assert rank_mentees(base_mentor(), students, filters=short).total == 0


def test_remote_only_keeps_the_pairs_who_can_work_remotely():
    pool = MentorPool.build([base_mentor(100), base_mentor(101, remote=True)], VOCAB)
    mentee = base_mentee(remote_ok=True)
    assert [
        m.id for m in rank_mentors(mentee, pool, filters=Filters(remote_only=True)).matches
    ] == [101]
    students = MenteePool.build([base_mentee(id=1), base_mentee(id=2, remote_ok=True)], VOCAB)
    mentor = base_mentor(remote=True)
    assert [
        m.id for m in rank_mentees(mentor, students, filters=Filters(remote_only=True)).matches
    ] == [2]


def test_a_listing_exactly_at_the_reach_or_max_km_is_kept():
    seeker = Seeker(latitude=LONDON[0], longitude=LONDON[1], travel_km=100)
    pool = ListingPool.build(
        [
            ListingRecord(1, "recording_studio", NORTH[0], NORTH[1]),
            ListingRecord(2, "recording_studio", LONDON[0], LONDON[1]),
        ],
        VOCAB,
    )
    km = next(m.distance_km for m in rank_listings(seeker, pool).matches if m.id == 1)
    below = float(np.nextafter(km, 0))
    for travel, max_km, expected in (
        (km, None, {1, 2}),
        (below, None, {2}),
        (100, km, {1, 2}),
        (100, below, {2}),
        (below, km, {2}),  # the nearer of the two limits counts
        (km, below, {2}),
        (0, None, {2}),  # exactly here, with no reach at all
    ):
        person = Seeker(latitude=LONDON[0], longitude=LONDON[1], travel_km=travel)
        ranking = rank_listings(person, pool, filters=ListingFilters(max_km=max_km))
        assert {m.id for m in ranking.matches} == expected, (travel, max_km)


IDS = [40, 10, 30, 20]  # not in order: the pool keeps the order it was built in


@pytest.mark.parametrize(
    ("exclude", "left"),
    [
        ([], [10, 20, 30, 40]),
        ([1_000_000], [10, 20, 30, 40]),  # larger than every id
        ([1], [10, 20, 30, 40]),  # smaller than every id
        ([25, 35], [10, 20, 30, 40]),  # between ids
        ([40], [10, 20, 30]),  # the largest, first in the pool
        ([10, 1_000_000], [20, 30, 40]),
        ([20, 30, 25], [10, 40]),
        ((10, 20, 30, 40), []),  # every one
    ],
)
def test_excluded_ids_in_and_outside_the_pool(exclude, left):
    exclude = list(exclude)
    mentors = MentorPool.build([base_mentor(i) for i in IDS], VOCAB)
    ranking = rank_mentors(base_mentee(id=1), mentors, exclude=iter(exclude))
    assert [m.id for m in ranking.matches] == left and ranking.total == len(left)
    mentees = MenteePool.build([base_mentee(id=i) for i in IDS], VOCAB)
    ranking = rank_mentees(base_mentor(1), mentees, exclude=exclude)
    assert [m.id for m in ranking.matches] == left and ranking.total == len(left)


def test_excluding_from_an_empty_pool():
    empty = MentorPool.build([], VOCAB)
    assert rank_mentors(base_mentee(), empty, exclude=[5]).matches == []


def test_the_first_tool_of_the_vocabulary_is_a_filter_like_any_other():
    vocab = replace(VOCAB, tools=dict(TOOLS))
    first, second = list(vocab.tools)[:2]
    pool = MentorPool.build(
        [
            base_mentor(100, tools=frozenset({first})),
            base_mentor(101, tools=frozenset({second})),
            base_mentor(102),
        ],
        vocab,
    )
    for tool, expected in ((first, [100]), (second, [101])):
        ranking = rank_mentors(base_mentee(), pool, filters=Filters(tool=tool))
        assert [m.id for m in ranking.matches] == expected, tool
    students = MenteePool.build(
        [base_mentee(id=1, tools=frozenset({first})), base_mentee(id=2)], vocab
    )
    ranking = rank_mentees(base_mentor(), students, filters=Filters(tool=first))
    assert [m.id for m in ranking.matches] == [1]


def test_listing_filters_keep_the_hard_rules_and_know_no_unknown_offer():
    seeker = Seeker(latitude=LONDON[0], longitude=LONDON[1], travel_km=50)
    pool = ListingPool.build(
        [
            ListingRecord(1, "music_school", LONDON[0], LONDON[1], offers=frozenset({"jobs"})),
            ListingRecord(
                2, "music_school", LONDON[0], LONDON[1], offers=frozenset({"jobs"}), approved=False
            ),
            ListingRecord(3, "music_school", 48.8566, 2.3522, offers=frozenset({"jobs"})),
        ],
        VOCAB,
    )
    for filters in (ListingFilters(kind="music_school"), ListingFilters(offer="jobs")):
        assert [m.id for m in rank_listings(seeker, pool, filters=filters).matches] == [1]
    assert rank_listings(seeker, pool, filters=ListingFilters(offer="nonsense")).total == 0


def test_listings_show_ten_by_default_and_none_without_a_place():
    many = ListingPool.build(
        [ListingRecord(i, "recording_studio", LONDON[0], LONDON[1]) for i in range(1, 13)], VOCAB
    )
    seeker = Seeker(latitude=LONDON[0], longitude=LONDON[1])
    ranking = rank_listings(seeker, many)
    assert ranking.total == 12 and [m.id for m in ranking.matches] == list(range(1, 11))
    for nowhere in (Seeker(latitude=None, longitude=None), Seeker(LONDON[0], None)):
        assert rank_listings(nowhere, many) == Ranking(0, [])
    assert rank_listings(seeker, ListingPool.build([], VOCAB)) == Ranking(0, [])


def test_filters_combine_all_of_them():
    pool = MentorPool.build(
        [
            base_mentor(100, archetypes=frozenset({"phenom"}), genres=frozenset({"g2"})),
            base_mentor(101, archetypes=frozenset({"phenom"}), remote=True),
            base_mentor(102, specialties=frozenset({"s3"}), availability=0b100, remote=True),
            base_mentor(103, latitude=NORTH[0], longitude=NORTH[1], remote=True),
        ],
        VOCAB,
    )
    mentee = base_mentee(remote_ok=True)
    for filters, expected in (
        (Filters(archetype="phenom", specialty="s1"), [100, 101]),
        (Filters(archetype="phenom", genre="g1"), [101]),
        (Filters(specialty="s3", genre="g1"), [102]),
        (Filters(specialty="s1", free_at=0b100), []),
        (Filters(genre="g1", free_at=0b100), [102]),
        (Filters(archetype="phenom", remote_only=True), [101]),
        (Filters(max_km=10, remote_only=True), [101, 102]),
        (Filters(archetype="engineer", max_km=10), [102]),
        (Filters(tool="nonsense", max_km=10), []),
    ):
        ranking = rank_mentors(mentee, pool, filters=filters, limit=10)
        assert sorted(m.id for m in ranking.matches) == expected, filters
    students = MenteePool.build(
        [
            base_mentee(id=1, aspirations=("phenom",), remote_ok=True),
            base_mentee(id=2, wants=("s4",), genres=frozenset({"g2"})),
            base_mentee(id=3, latitude=NORTH[0], longitude=NORTH[1], remote_ok=True),
        ],
        VOCAB,
    )
    mentor = base_mentor(remote=True)
    for filters, expected in (
        (Filters(archetype="engineer", specialty="s1"), [3]),
        (Filters(archetype="engineer", genre="g2"), [2]),
        (Filters(specialty="s1", tool="nonsense"), []),
        (Filters(specialty="s1", max_km=10), [1]),
        (Filters(genre="g1", remote_only=True), [1, 3]),
        (Filters(archetype="engineer", remote_only=True), [3]),
    ):
        ranking = rank_mentees(mentor, students, filters=filters, limit=10)
        assert sorted(m.id for m in ranking.matches) == expected, filters


def test_unknown_names_match_no_position_of_the_vocabulary():
    pool = MentorPool.build(
        [
            base_mentor(100, archetypes=frozenset({"mentor_producer", "musician_producer"})),
            base_mentor(101, specialties=frozenset({"s16", "s2"})),
        ],
        VOCAB,
    )
    for filters in (Filters(archetype="nonsense"), Filters(specialty="nonsense")):
        assert rank_mentors(base_mentee(), pool, filters=filters).total == 0, filters
    students = MenteePool.build(
        [base_mentee(id=1, aspirations=("a", "b", "musician_producer"), wants=("s0", "s2"))],
        VOCAB,
    )
    for filters in (Filters(archetype="nonsense"), Filters(specialty="nonsense")):
        assert rank_mentees(base_mentor(), students, filters=filters).total == 0, filters
