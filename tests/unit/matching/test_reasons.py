"""The reasons on a card: largest contribution first, and their exact words from both
sides (the mentee reading about a mentor, the mentor about a mentee), listings too."""

from dataclasses import replace

import pytest

from mentorapp.matching import (
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
from tests.unit.matching.strategies import VOCAB
from tests.unit.matching.test_engine import LONDON, PARIS, base_mentee, base_mentor


def texts(match) -> dict[str, str]:
    return {r.part: r.text for r in match.reasons}


def both_views(mentee, mentor, vocabulary=VOCAB):
    return (
        texts(score_pair(mentee, mentor, vocabulary)),
        texts(score_pair(mentee, mentor, vocabulary, viewer="mentor")),
    )


def test_reasons_come_largest_first():
    match = score_pair(base_mentee(), base_mentor(), VOCAB)
    parts = [r.part for r in match.reasons]
    # specialty 0.25, archetype 0.19, distance 0.14, genre = experience 0.095 (in the
    # order they are written), availability 0.063
    assert parts == ["specialty", "archetype", "distance", "genre", "experience", "availability"]
    contributions = [r.contribution for r in match.reasons]
    assert contributions == sorted(contributions, reverse=True)
    for ranking in (
        rank_mentors(base_mentee(), MentorPool.build([base_mentor(100)], VOCAB)),
        rank_mentees(base_mentor(), MenteePool.build([base_mentee()], VOCAB)),
    ):
        assert [r.part for r in ranking.matches[0].reasons] == parts


def test_a_mentor_producer_reason_from_both_sides():
    mine, theirs = both_views(
        base_mentee(aspirations=("phenom",)),
        base_mentor(archetypes=frozenset({"mentor_producer"})),
    )
    assert mine["archetype"] == "A mentor producer: coaches apprentices of every kind"
    assert theirs["archetype"] == "You coach as a mentor producer, which suits any apprentice"


def test_archetype_reasons_name_the_choice():
    for aspirations, word in (
        (("engineer",), "first"),
        (("phenom", "engineer"), "second"),
        (("phenom", "artist_producer", "engineer"), "third"),
    ):
        mine, theirs = both_views(base_mentee(aspirations=aspirations), base_mentor())
        assert mine["archetype"] == f"Is the engineer, your {word} choice of who to become"
        assert theirs["archetype"] == "Wants to become the engineer, as you are"
    mine, theirs = both_views(base_mentee(aspirations=("phenom",)), base_mentor())
    assert mine["archetype"] == "Not the kind of producer you want to become"
    assert theirs["archetype"] == "Wants to become a different kind of producer"


@pytest.mark.parametrize(
    ("level", "years", "mine", "theirs"),
    [
        ("starting_out", 10, "10 years producing, well ahead of you", "You are well ahead of them"),
        (
            "some_experience",
            7,
            "7 years producing, well ahead of you",
            "You are well ahead of them",
        ),
        ("some_experience", 6, "6 years producing", "You are a little ahead of them"),
        ("working", 6, "6 years producing", "You are a little ahead of them"),
        ("working", 5, "Not much further along than you", "About as experienced as you"),
        ("working", 2, "Not much further along than you", "About as experienced as you"),
    ],
)
def test_experience_reasons_from_both_sides(level, years, mine, theirs):
    """Exactly 5 years ahead is well ahead; exactly level is not further along."""
    seen = both_views(base_mentee(experience=level), base_mentor(years=years))
    assert (seen[0]["experience"], seen[1]["experience"]) == (mine, theirs)


def test_specialty_reasons_from_both_sides():
    mine, theirs = both_views(base_mentee(), base_mentor())
    assert mine["specialty"] == (
        "Teaches specialty 1 and specialty 2, 2 of the 3 things you want to learn"
    )
    assert theirs["specialty"] == (
        "Wants to learn specialty 1 and specialty 2, which you teach (2 of their 3 wishes)"
    )
    mine, theirs = both_views(base_mentee(wants=("s9",)), base_mentor())
    assert mine["specialty"] == "Teaches none of what you want to learn"
    assert theirs["specialty"] == "Wants to learn things you do not teach"
    mine, theirs = both_views(base_mentee(wants=()), base_mentor())
    assert mine["specialty"] == "No specialties chosen yet to compare"
    assert theirs["specialty"] == "Has not said what they want to learn yet"
    three = base_mentor(specialties=frozenset({"s1", "s2", "s3"}))
    assert texts(score_pair(base_mentee(), three, VOCAB))["specialty"] == (
        "Teaches specialty 1, specialty 2 and specialty 3, 3 of the 3 things you want to learn"
    )


def test_distance_reasons():
    assert texts(score_pair(base_mentee(), base_mentor(), VOCAB))["distance"] == "In your city"
    both = texts(score_pair(base_mentee(remote_ok=True), base_mentor(remote=True), VOCAB))
    assert both["distance"] == "In your city, and can also work remotely"
    far = base_mentor(remote=True, latitude=PARIS[0], longitude=PARIS[1])
    assert texts(score_pair(base_mentee(remote_ok=True), far, VOCAB))["distance"] == (
        "You can work together remotely (344 km apart)"
    )
    nowhere = base_mentor(remote=True, latitude=None, longitude=None)
    assert texts(score_pair(base_mentee(remote_ok=True), nowhere, VOCAB))["distance"] == (
        "You can work together remotely"
    )
    reach = {"latitude": PARIS[0], "longitude": PARIS[1], "travel_km": 2000}
    assert (
        texts(score_pair(base_mentee(travel_km=2000), base_mentor(**reach), VOCAB))["distance"]
        == "344 km from you"
    )
    madrid = {"latitude": 40.4168, "longitude": -3.7038, "travel_km": 2000}
    assert (
        texts(score_pair(base_mentee(travel_km=2000), base_mentor(**madrid), VOCAB))["distance"]
        == "1,263 km from you"
    )


def test_free_time_and_genre_reasons():
    mine = texts(score_pair(base_mentee(), base_mentor(), VOCAB))
    assert mine["availability"] == "Free at the same times: slot 0 and slot 1"
    assert mine["genre"] == "Shares 1 genre: Genre 1"
    apart = base_mentor(availability=0b1000, genres=frozenset({"g2"}))
    mine = texts(score_pair(base_mentee(), apart, VOCAB))
    assert mine["availability"] == "No free time in common"
    assert mine["genre"] == "No genres in common"
    many = base_mentor(genres=frozenset({"g1", "g2", "g3"}))
    three = base_mentee(genres=frozenset({"g1", "g2", "g3"}))
    assert texts(score_pair(three, many, VOCAB))["genre"] == (
        "Shares 3 genres: Genre 1, Genre 2 and Genre 3"
    )
    unnamed = replace(VOCAB, slots={})  # no names for the slots: the plain sentence
    assert texts(score_pair(base_mentee(), base_mentor(), unnamed))["availability"] == (
        "Free at the same times"
    )


# Listings ---------------------------------------------------------------------------


def listing_reasons(seeker, record):
    match = rank_listings(seeker, ListingPool.build([record], VOCAB)).matches[0]
    return match, [r.text for r in match.reasons]


def test_listing_reasons_largest_first_and_their_words():
    seeker = Seeker(
        latitude=LONDON[0],
        longitude=LONDON[1],
        specialties=("s1", "s2"),
        sought=("apprenticeship", "courses"),
    )
    studio = ListingRecord(
        1, "recording_studio", LONDON[0], LONDON[1], frozenset({"s1", "s2"}), frozenset()
    )
    match, words = listing_reasons(seeker, studio)
    assert (match.in_person, match.remote) == (True, False)  # a place is visited in person
    # distance 0.40, specialty 0.35, offers 0
    assert [r.part for r in match.reasons] == ["distance", "specialty", "offers"]
    assert words == [
        "In your city",
        "Covers specialty 1 and specialty 2, 2 of the 2 things you want to learn",
        "Offers none of what you are looking for",
    ]
    school = replace(studio, specialties=frozenset(), offers=frozenset({"courses"}))
    match, words = listing_reasons(replace(seeker, role="mentor"), school)
    assert [r.part for r in match.reasons] == ["distance", "offers", "specialty"]
    assert words == ["In your city", "Offers courses", "Covers none of the things you teach"]
    match, words = listing_reasons(replace(seeker, specialties=(), sought=()), studio)
    assert words[1:] == [
        "Add your specialties to compare what it covers",
        "Say which path you consider to compare what it offers",
    ]
    both = replace(studio, offers=frozenset({"apprenticeship", "courses"}))
    match, words = listing_reasons(replace(seeker, role="mentor"), both)
    assert words == [
        "In your city",
        "Covers specialty 1 and specialty 2, 2 of the 2 things you teach",
        "Offers apprenticeships and courses",
    ]


def test_rankings_read_from_each_side_and_name_the_other_person():
    mentors = MentorPool.build([base_mentor(100)], VOCAB)
    match = rank_mentors(base_mentee(id=1), mentors).matches[0]
    assert match.id == 100 and texts(match)["specialty"].startswith("Teaches ")
    mentees = MenteePool.build([base_mentee(id=1)], VOCAB)
    match = rank_mentees(base_mentor(100), mentees).matches[0]
    assert match.id == 1 and texts(match)["specialty"].startswith("Wants to learn ")
    assert score_pair(base_mentee(id=1), base_mentor(100), VOCAB).id == 100
    assert score_pair(base_mentee(id=1), base_mentor(100), VOCAB, viewer="mentor").id == 1


def test_a_choice_later_in_the_vocabulary_and_the_first_specialty_are_named():
    mine = texts(
        score_pair(
            base_mentee(aspirations=("engineer", "phenom"), wants=("s0",)),
            base_mentor(archetypes=frozenset({"phenom"}), specialties=frozenset({"s0"})),
            VOCAB,
        )
    )
    assert mine["archetype"] == "Is the hit maker, your second choice of who to become"
    assert mine["specialty"] == "Teaches specialty 0, 1 of the 1 things you want to learn"


def test_in_your_city_means_under_a_kilometre():
    for km_north, text in ((0.008, "In your city"), (0.0135, "2 km from you")):
        there = {"latitude": LONDON[0] + km_north, "longitude": LONDON[1]}
        assert texts(score_pair(base_mentee(), base_mentor(**there), VOCAB))["distance"] == text
