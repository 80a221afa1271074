"""Hypothesis strategies for matching records over a small vocabulary."""

import os
import random

from hypothesis import settings
from hypothesis import strategies as st

from mentorapp.matching import MenteeRecord, MentorRecord, Vocabulary

VOCAB = Vocabulary(
    archetypes={
        "engineer": "The engineer",
        "mentor_producer": "The mentor producer",
        "musician_producer": "The musician producer",
        "artist_producer": "The artist producer",
        "phenom": "The hit maker",
    },
    specialties={f"s{i}": f"Specialty {i}" for i in range(17)},
    genres={f"g{i}": f"Genre {i}" for i in range(23)},
    slots={f"t{i}": f"Slot {i}" for i in range(6)},
)
ARCHETYPES = list(VOCAB.archetypes)
SPECIALTIES = list(VOCAB.specialties)
GENRES = list(VOCAB.genres)

latitudes = st.one_of(st.none(), st.floats(-80, 80))
longitudes = st.floats(-179, 179)


@st.composite
def mentors(draw, mentor_id=None):
    lat = draw(latitudes)
    return MentorRecord(
        id=mentor_id if mentor_id is not None else draw(st.integers(1, 10_000)),
        archetypes=frozenset(draw(st.sets(st.sampled_from(ARCHETYPES), max_size=3))),
        specialties=frozenset(draw(st.sets(st.sampled_from(SPECIALTIES), max_size=8))),
        genres=frozenset(draw(st.sets(st.sampled_from(GENRES), max_size=8))),
        availability=draw(st.integers(0, 63)),
        latitude=lat,
        longitude=None if lat is None else draw(longitudes),
        in_person=draw(st.booleans()),
        remote=draw(st.booleans()),
        travel_km=draw(st.floats(0, 500)),
        years=draw(st.one_of(st.none(), st.integers(0, 60))),
        free_places=draw(st.integers(0, 5)),
        accepting=draw(st.booleans()),
        active=draw(st.booleans()),
    )


@st.composite
def mentees(draw, mentee_id=None):
    lat = draw(latitudes)
    return MenteeRecord(
        id=mentee_id if mentee_id is not None else draw(st.integers(1, 10_000)),
        aspirations=tuple(draw(st.lists(st.sampled_from(ARCHETYPES), max_size=3, unique=True))),
        wants=tuple(draw(st.lists(st.sampled_from(SPECIALTIES), max_size=5, unique=True))),
        genres=frozenset(draw(st.sets(st.sampled_from(GENRES), max_size=8))),
        availability=draw(st.integers(0, 63)),
        latitude=lat,
        longitude=None if lat is None else draw(longitudes),
        travel_km=draw(st.floats(0, 500)),
        remote_ok=draw(st.booleans()),
        experience=draw(st.sampled_from([None, "starting_out", "some_experience", "working"])),
        active=draw(st.booleans()),
    )


def random_mentors(rng: random.Random, count: int, first_id: int = 1) -> list[MentorRecord]:
    """`count` varied mentors around London, cheaply: pools of thousands in milliseconds."""
    return [
        MentorRecord(
            id=first_id + k,
            archetypes=frozenset(rng.sample(ARCHETYPES, rng.randint(0, 3))),
            specialties=frozenset(rng.sample(SPECIALTIES, rng.randint(0, 6))),
            genres=frozenset(rng.sample(GENRES, rng.randint(0, 5))),
            availability=rng.randint(0, 63),
            latitude=51.5 + rng.uniform(-1, 1) if rng.random() > 0.05 else None,
            longitude=-0.13 + rng.uniform(-1.5, 1.5),
            in_person=rng.random() > 0.2,
            remote=rng.random() > 0.6,
            travel_km=rng.choice([0.0, 10.0, 40.0, 80.0, 200.0]),
            years=rng.choice([None, 0, 1, 3, 5, 8, 20]),
            free_places=rng.randint(0, 3),
            accepting=rng.random() > 0.1,
        )
        for k in range(count)
    ]


def random_mentees(rng: random.Random, count: int, first_id: int = 1) -> list[MenteeRecord]:
    return [
        MenteeRecord(
            id=first_id + k,
            aspirations=tuple(rng.sample(ARCHETYPES, rng.randint(0, 3))),
            wants=tuple(rng.sample(SPECIALTIES, rng.randint(0, 5))),
            genres=frozenset(rng.sample(GENRES, rng.randint(0, 5))),
            availability=rng.randint(0, 63),
            latitude=51.5 + rng.uniform(-0.5, 0.5),
            longitude=-0.13 + rng.uniform(-0.5, 0.5),
            travel_km=rng.choice([5.0, 30.0, 60.0, 150.0]),
            remote_ok=rng.random() > 0.5,
            experience=rng.choice([None, "starting_out", "some_experience", "working"]),
        )
        for k in range(count)
    ]


# Pool sizes either side of the engine's thresholds: per-mentee look-up tables from 64
# mentors on, and the top-k shortcut once a pool holds more chunks of 64 than are asked for.
POOL_SIZES = st.one_of(
    st.integers(1, 8), st.sampled_from([63, 64, 65, 129, 700, 3000]), st.integers(64, 1500)
)


@st.composite
def mentor_pools(draw, first_id=1):
    """Lists of mentors, small or large (up to several thousand), built from one seed."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    return random_mentors(rng, draw(POOL_SIZES), first_id)


def examples(count: int) -> settings:
    """Settings for a property of `count` examples; a tenth as many under `make mutation`
    (tests/unit/matching/conftest.py), where each mutant runs the tests again."""
    mutation = "MUTANT_UNDER_TEST" in os.environ
    return settings(max_examples=max(3, count // 20) if mutation else count, deadline=None)
