"""Ranking studios and schools for a person, tested alone (no database, no Flask)."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorapp.matching import (
    ListingFilters,
    ListingPool,
    ListingRecord,
    Seeker,
    rank_listings,
)
from mentorapp.matching.engine import great_circle_km
from mentorapp.matching.listings import OFFERS, SOUGHT_BY_PATH
from mentorapp.matching.pool import unit_vectors
from tests.unit.matching.strategies import SPECIALTIES, VOCAB, examples

LONDON = (51.5074, -0.1278)
CROYDON = (51.3762, -0.0982)  # about 15 km from central London
READING = (51.4543, -0.9781)  # about 59 km
PARIS = (48.8566, 2.3522)

KINDS = ["recording_studio", "music_school", "audio_engineering_school", "trade_school", "other"]


def listing(id, place, specialties=(), offers=(), kind="recording_studio", approved=True):
    return ListingRecord(
        id=id,
        kind=kind,
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        specialties=frozenset(specialties),
        offers=frozenset(offers),
        approved=approved,
    )


def seeker(place=LONDON, specialties=("s1", "s2", "s3"), path="apprenticeship", travel=50.0):
    return Seeker(
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        travel_km=travel,
        specialties=specialties,
        sought=SOUGHT_BY_PATH[path],
    )


def ranked(person, records, **kwargs):
    return rank_listings(person, ListingPool.build(records, VOCAB), **kwargs)


def test_a_near_studio_teaching_what_you_want_comes_first_with_its_reasons():
    records = [
        listing(1, READING, ["s1", "s2"], ["apprenticeship"]),
        listing(2, CROYDON, ["s1", "s2"], ["apprenticeship", "studio_visits"]),
        listing(3, CROYDON, [], ["jobs"]),
    ]
    ranking = ranked(seeker(travel=100), records)
    assert [m.id for m in ranking.matches] == [2, 1, 3]
    best = ranking.matches[0]
    texts = [r.text for r in best.reasons]
    assert "15 km from you" in texts
    assert "Covers specialty 1 and specialty 2, 2 of the 3 things you want to learn" in texts
    assert "Offers apprenticeships and studio visits" in texts
    assert best.distance_km == pytest.approx(15, abs=1)


def test_hard_rules_unapproved_placeless_and_out_of_reach_listings_never_show():
    records = [
        listing(1, CROYDON, approved=False),
        listing(2, None),
        listing(3, PARIS),
        listing(4, READING),
        listing(5, LONDON),
    ]
    assert [m.id for m in ranked(seeker(travel=50), records).matches] == [5]
    assert ranked(seeker(travel=50), records).total == 1
    assert ranked(seeker(place=None), records).matches == []


def test_the_path_decides_which_offers_count():
    records = [
        listing(1, CROYDON, offers=["courses"], kind="music_school"),
        listing(2, CROYDON, offers=["apprenticeship"]),
    ]
    assert ranked(seeker(path="school"), records).matches[0].id == 1
    assert ranked(seeker(path="apprenticeship"), records).matches[0].id == 2
    school = ranked(seeker(path="school"), records).matches[1]
    assert "Offers none of what you are looking for" in [r.text for r in school.reasons]


def test_filters_narrow_by_kind_specialty_offer_and_distance():
    records = [
        listing(1, CROYDON, ["s1"], ["courses"], kind="music_school"),
        listing(2, LONDON, ["s2"], ["jobs"]),
        listing(3, READING, ["s1"], ["jobs"]),
    ]
    person = seeker(travel=100)
    assert [
        m.id for m in ranked(person, records, filters=ListingFilters(kind="music_school")).matches
    ] == [1]
    assert {
        m.id for m in ranked(person, records, filters=ListingFilters(specialty="s1")).matches
    } == {1, 3}
    assert {
        m.id for m in ranked(person, records, filters=ListingFilters(offer="jobs")).matches
    } == {2, 3}
    assert {m.id for m in ranked(person, records, filters=ListingFilters(max_km=20)).matches} == {
        1,
        2,
    }
    assert ranked(person, records, filters=ListingFilters(specialty="unknown")).total == 0


def test_paging_and_ties_are_deterministic():
    records = [listing(i, CROYDON, ["s1"], ["apprenticeship"]) for i in range(30, 0, -1)]
    first = ranked(seeker(), records, limit=10)
    second = ranked(seeker(), records, limit=10, offset=10)
    assert first.total == 30
    assert [m.id for m in first.matches] == list(range(1, 11))
    assert [m.id for m in second.matches] == list(range(11, 21))


# --- Properties ---------------------------------------------------------------------

places = st.one_of(st.none(), st.tuples(st.floats(-60, 60), st.floats(-179, 179)))


@st.composite
def listings(draw, listing_id):
    return listing(
        listing_id,
        draw(places),
        draw(st.sets(st.sampled_from(SPECIALTIES), max_size=6)),
        draw(st.sets(st.sampled_from(list(OFFERS)), max_size=5)),
        kind=draw(st.sampled_from(KINDS)),
        approved=draw(st.booleans()),
    )


@st.composite
def seekers(draw):
    return seeker(
        place=draw(st.tuples(st.floats(-60, 60), st.floats(-179, 179))),
        specialties=tuple(draw(st.lists(st.sampled_from(SPECIALTIES), max_size=5, unique=True))),
        path=draw(st.sampled_from(list(SOUGHT_BY_PATH))),
        travel=draw(st.floats(0, 3000)),
    )


@st.composite
def populations(draw):
    size = draw(st.integers(0, 25))
    return [draw(listings(i + 1)) for i in range(size)]


@examples(150)
@given(seekers(), populations())
def test_scores_are_in_range_reasons_add_up_and_hard_rules_hold(person, records):
    ranking = ranked(person, records, limit=len(records) + 1)
    by_id = {r.id: r for r in records}
    for match in ranking.matches:
        record = by_id[match.id]
        assert 0.0 <= match.score <= 1.0 + 1e-9
        assert sum(r.contribution for r in match.reasons) == pytest.approx(match.score, abs=1e-6)
        assert record.approved and record.latitude is not None
        a, b = unit_vectors(
            [person.latitude, record.latitude], [person.longitude, record.longitude]
        )[0]
        assert great_circle_km(a, b) <= person.travel_km + 0.01
    scores = [m.score for m in ranking.matches]
    assert scores == sorted(scores, reverse=True)


@examples(150)
@given(seekers(), listings(1), st.sampled_from(SPECIALTIES))
def test_covering_one_more_wanted_specialty_never_lowers_a_score(person, record, extra):
    record = replace(record, approved=True, latitude=person.latitude, longitude=person.longitude)
    before = ranked(person, [record]).matches[0].score
    more = replace(record, specialties=record.specialties | {extra})
    after = ranked(person, [more]).matches[0].score
    assert after >= before - 1e-9
