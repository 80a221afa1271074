"""Hypothesis strategies for matching records over a small vocabulary."""

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
