"""Scores worked out by hand from the default weights and distance scales.

Every other test compares the engine with itself; these compare it with arithmetic on
the numbers of weights.py and listings.py written out here. Changing a default weight,
a rank weight or a distance scale makes one of them fail: update the figures on purpose.
"""

import math
from dataclasses import replace

import pytest

from mentorapp.matching import (
    ListingFilters,
    ListingPool,
    ListingRecord,
    ListingWeights,
    MenteeRecord,
    MentorPool,
    MentorRecord,
    Seeker,
    Weights,
    rank_listings,
    rank_mentors,
    score_pair,
)
from mentorapp.profiles.vocabulary import TOOLS
from tests.unit.matching.strategies import VOCAB

LONDON = (51.5074, -0.1278)
PARIS = (48.8566, 2.3522)
NORTH = 0.27  # degrees of latitude: along a meridian, R * 0.27° ...
KM_NORTH = 6371.0088 * math.radians(NORTH)  # ... = 30.02 km

# The default weights, written out: they sum to 1.05 and are normalised by it.
SPECIALTY, ARCHETYPE, DISTANCE, AVAILABILITY, GENRE, EXPERIENCE, TOOL = (
    0.35 / 1.05,
    0.20 / 1.05,
    0.15 / 1.05,
    0.10 / 1.05,
    0.10 / 1.05,
    0.10 / 1.05,
    0.05 / 1.05,
)


def contributions_are(match, expected: dict[str, float]) -> None:
    # The engine measures in float32: the distance part is good to about 1e-3 of itself.
    for part, value in expected.items():
        tolerance = 2e-3 if part == "distance" else 1e-5
        assert match.contributions[part] == pytest.approx(value, rel=tolerance, abs=1e-7), part
    assert set(match.contributions) == set(expected)
    assert match.score == pytest.approx(sum(expected.values()), abs=1e-4)


def mentee(**values) -> MenteeRecord:
    return MenteeRecord(**{"id": 1, "latitude": LONDON[0], "longitude": LONDON[1], **values})


def mentor(**values) -> MentorRecord:
    return MentorRecord(**{"id": 2, "latitude": LONDON[0], "longitude": LONDON[1], **values})


def test_a_neighbour_who_teaches_two_of_three_wishes():
    match = score_pair(
        mentee(
            aspirations=("engineer",),
            wants=("s1", "s2", "s3"),  # ranked 1.0, 0.8, 0.6
            genres=frozenset({"g1", "g2"}),
            availability=0b111,
            travel_km=50,
            experience="some_experience",  # 2 years
        ),
        mentor(
            archetypes=frozenset({"engineer"}),
            specialties=frozenset({"s1", "s3"}),
            genres=frozenset({"g1"}),
            availability=0b011,
            travel_km=100,
            years=4,
        ),
        VOCAB,
    )
    contributions_are(
        match,
        {
            "specialty": SPECIALTY * (1.0 + 0.6) / (1.0 + 0.8 + 0.6),
            "archetype": ARCHETYPE * 1.0,  # the first choice
            "distance": DISTANCE * 1.0,  # the same street: e^0
            "availability": AVAILABILITY * 2 / 3,  # two of the mentee's three slots
            "genre": GENRE * 1 / 2,  # one of the mentee's two genres
            "experience": EXPERIENCE * (4 - 2) / 5,  # full marks from 5 years ahead
        },
    )


def test_thirty_km_away_a_second_choice_and_the_last_two_of_five_wishes():
    match = score_pair(
        mentee(
            aspirations=("phenom", "engineer"),
            wants=("s1", "s2", "s3", "s4", "s5"),  # ranked 1.0, 0.8, 0.6, 0.45, 0.35
            genres=frozenset({"g1"}),
            availability=0b01,
            travel_km=50,
        ),
        mentor(
            latitude=LONDON[0] + NORTH,
            archetypes=frozenset({"engineer"}),
            specialties=frozenset({"s4", "s5"}),
            availability=0b10,
            travel_km=100,
            years=3,
        ),
        VOCAB,
    )
    assert match.distance_km == pytest.approx(KM_NORTH, abs=1e-6)
    contributions_are(
        match,
        {
            "specialty": SPECIALTY * (0.45 + 0.35) / (1.0 + 0.8 + 0.6 + 0.45 + 0.35),
            "archetype": ARCHETYPE * 0.7,  # the second choice
            "distance": DISTANCE * math.exp(-KM_NORTH / 60),  # 1/e at 60 km
            "availability": 0.0,
            "genre": 0.0,
            "experience": EXPERIENCE * 3 / 5,
        },
    )


def test_a_third_choice_remotely_and_a_coach_remotely():
    student = mentee(
        aspirations=("phenom", "artist_producer", "musician_producer"),
        wants=("s1",),
        remote_ok=True,
        experience="working",  # 5 years
    )
    far = {"latitude": PARIS[0], "longitude": PARIS[1], "in_person": False, "remote": True}
    third = score_pair(
        student,
        mentor(**far, archetypes=frozenset({"musician_producer"}), specialties={"s1"}, years=12),
        VOCAB,
    )
    contributions_are(
        third,
        {
            "specialty": SPECIALTY,
            "archetype": ARCHETYPE * 0.45,  # the third choice
            "distance": DISTANCE * 0.6,  # the remote floor, however far
            "availability": 0.0,
            "genre": 0.0,
            "experience": EXPERIENCE * 1.0,  # 7 years ahead: capped at full marks
        },
    )
    coach = score_pair(student, mentor(**far, archetypes=frozenset({"mentor_producer"})), VOCAB)
    contributions_are(
        coach,
        {
            "specialty": 0.0,
            "archetype": ARCHETYPE * 0.3,  # a mentor producer fits anyone a little
            "distance": DISTANCE * 0.6,
            "availability": 0.0,
            "genre": 0.0,
            "experience": 0.0,  # behind the mentee counts nothing
        },
    )


def test_half_the_mentees_tools():
    vocab = replace(VOCAB, tools=dict(TOOLS))
    match = score_pair(
        mentee(wants=("s1",), tools=frozenset({"reaper", "bitwig"})),
        mentor(specialties={"s1"}, tools=frozenset({"bitwig", "cubase"})),
        vocab,
    )
    contributions_are(
        match,
        {
            "specialty": SPECIALTY,
            "archetype": 0.0,
            "distance": DISTANCE,
            "availability": 0.0,
            "genre": 0.0,
            "experience": 0.0,
            "tools": TOOL * 1 / 2,
        },
    )


def test_the_same_figures_from_a_pool_large_enough_for_lookup_tables():
    """From 64 mentors on, archetype, availability and tools are read from tables."""
    student = mentee(aspirations=("phenom", "engineer"), wants=("s1",), availability=0b111)
    pair = mentor(archetypes=frozenset({"engineer"}), availability=0b011, specialties={"s1"})
    others = [replace(pair, id=100 + k, archetypes=frozenset()) for k in range(70)]
    ranking = rank_mentors(student, MentorPool.build([pair, *others], VOCAB), limit=1)
    assert [m.id for m in ranking.matches] == [2] and ranking.total == 71
    contributions_are(
        ranking.matches[0],
        {
            "specialty": SPECIALTY,
            "archetype": ARCHETYPE * 0.7,
            "distance": DISTANCE,
            "availability": AVAILABILITY * 2 / 3,
            "genre": 0.0,
            "experience": 0.0,
        },
    )


@pytest.mark.parametrize(
    "weights",
    [
        Weights(specialty=2.0),  # weights are shares, whatever they add up to
        Weights(distance_scale_km=20.0, remote_floor=0.5),
        Weights(experience_full_gap_years=2.0, mentor_producer_fit=0.9),
    ],
)
def test_weights_given_by_the_caller_count(weights):
    student = mentee(
        aspirations=("phenom",), wants=("s1",), experience="some_experience", travel_km=50
    )
    near = mentor(latitude=LONDON[0] + NORTH, specialties={"s1"}, years=3.0, travel_km=50)
    coach = mentor(archetypes=frozenset({"mentor_producer"}), years=3.0)
    total = 1.05 - 0.35 + weights.specialty  # the defaults but one
    near_match = score_pair(student, near, VOCAB, weights)
    assert near_match.contributions["specialty"] == pytest.approx(weights.specialty / total)
    assert near_match.contributions["distance"] == pytest.approx(
        0.15 / total * math.exp(-KM_NORTH / weights.distance_scale_km), rel=2e-3
    )
    gap_share = min(1.0, 1.0 / weights.experience_full_gap_years)
    assert near_match.contributions["experience"] == pytest.approx(0.10 / total * gap_share)
    coach_match = score_pair(student, coach, VOCAB, weights)
    assert coach_match.contributions["archetype"] == pytest.approx(
        0.20 / total * weights.mentor_producer_fit
    )
    remote = score_pair(
        replace(student, remote_ok=True),
        mentor(latitude=PARIS[0], longitude=PARIS[1], in_person=False, remote=True),
        VOCAB,
        weights,
    )
    assert remote.contributions["distance"] == pytest.approx(0.15 / total * weights.remote_floor)


# Listings: distance 0.40, specialty 0.35, offers 0.25 (sum 1), 1/e at 30 km.


def test_a_studio_thirty_km_away_by_hand():
    seeker = Seeker(
        latitude=LONDON[0],
        longitude=LONDON[1],
        travel_km=50,
        specialties=("s1", "s2", "s3"),
        sought=("apprenticeship", "internship", "studio_visits"),
    )
    studio = ListingRecord(
        id=7,
        kind="recording_studio",
        latitude=LONDON[0] + NORTH,
        longitude=LONDON[1],
        specialties=frozenset({"s2"}),
        offers=frozenset({"apprenticeship", "jobs"}),
    )
    match = rank_listings(seeker, ListingPool.build([studio], VOCAB)).matches[0]
    expected = {
        "distance": 0.40 * math.exp(-KM_NORTH / 30),
        "specialty": 0.35 * 0.8 / (1.0 + 0.8 + 0.6),  # the second wish
        "offers": 0.25 * 1 / 3,  # one of the three offers sought
    }
    assert match.distance_km == pytest.approx(KM_NORTH, rel=1e-9)
    assert match.contributions == pytest.approx(expected, rel=1e-9)
    assert match.score == pytest.approx(sum(expected.values()), rel=1e-9)
    heavier = ListingWeights(distance=0.2, specialty=0.2, offers=0.6, distance_scale_km=10.0)
    match = rank_listings(seeker, ListingPool.build([studio], VOCAB), weights=heavier).matches[0]
    assert match.contributions == pytest.approx(
        {"distance": 0.2 * math.exp(-KM_NORTH / 10), "specialty": 0.2 / 3, "offers": 0.6 / 3},
        rel=1e-9,
    )
    filtered = rank_listings(
        seeker, ListingPool.build([studio], VOCAB), filters=ListingFilters(offer="jobs")
    )
    assert filtered.matches[0].score == pytest.approx(sum(expected.values()), rel=1e-9)
