"""Fixed lists a profile chooses from. Plain data, shared by forms, the quiz and matching."""

from __future__ import annotations

from enum import StrEnum

GENRES: list[tuple[str, str]] = [
    ("hip-hop", "Hip-hop"),
    ("rnb", "R&B"),
    ("pop", "Pop"),
    ("rock", "Rock"),
    ("indie", "Indie"),
    ("electronic", "Electronic"),
    ("house", "House"),
    ("techno", "Techno"),
    ("drum-and-bass", "Drum & bass"),
    ("ambient", "Ambient"),
    ("jazz", "Jazz"),
    ("soul-funk", "Soul & funk"),
    ("classical", "Classical"),
    ("film-score", "Film & game score"),
    ("folk", "Folk"),
    ("country", "Country"),
    ("metal", "Metal"),
    ("punk", "Punk"),
    ("reggae", "Reggae & dancehall"),
    ("latin", "Latin"),
    ("afrobeats", "Afrobeats"),
    ("gospel", "Gospel"),
    ("world", "World & traditional"),
]
GENRE_NAMES = dict(GENRES)
MAX_GENRES = 8

# The DAW and tools a producer works in (both profiles, a filter, a soft part of the match).
TOOLS: list[tuple[str, str]] = [
    ("pro-tools", "Pro Tools"),
    ("logic-pro", "Logic Pro"),
    ("ableton-live", "Ableton Live"),
    ("fl-studio", "FL Studio"),
    ("cubase", "Cubase"),
    ("reaper", "Reaper"),
    ("bitwig", "Bitwig"),
    ("studio-one", "Studio One"),
    ("hardware", "Hardware and analog"),
]
TOOL_NAMES = dict(TOOLS)


class Experience(StrEnum):
    STARTING_OUT = "starting_out"
    SOME_EXPERIENCE = "some_experience"
    WORKING = "working"


EXPERIENCE_LABELS = {
    Experience.STARTING_OUT: "Starting out: I have made a few tracks, or none yet",
    Experience.SOME_EXPERIENCE: "Some experience: I finish tracks and know my tools",
    Experience.WORKING: "Working: I already get paid for some production work",
}


class Path(StrEnum):
    APPRENTICESHIP = "apprenticeship"
    SCHOOL = "school"
    BOTH = "both"
    SELF_TAUGHT = "self_taught"


PATH_LABELS = {
    Path.APPRENTICESHIP: "An apprenticeship with a working producer",
    Path.SCHOOL: "A music or audio-engineering school",
    Path.BOTH: "Both: school and an apprenticeship",
    Path.SELF_TAUGHT: "Teaching myself, with a mentor to check in with",
}

# Weekly availability: one bit a slot, so overlap is a bitwise AND.
AVAILABILITY_SLOTS: list[tuple[str, str]] = [
    ("weekday_morning", "Weekday mornings"),
    ("weekday_afternoon", "Weekday afternoons"),
    ("weekday_evening", "Weekday evenings"),
    ("weekend_morning", "Weekend mornings"),
    ("weekend_afternoon", "Weekend afternoons"),
    ("weekend_evening", "Weekend evenings"),
]
SLOT_BITS = {slug: 1 << i for i, (slug, _) in enumerate(AVAILABILITY_SLOTS)}


def availability_mask(slots: list[str]) -> int:
    return sum(SLOT_BITS[slot] for slot in set(slots) if slot in SLOT_BITS)


def availability_slots(mask: int) -> list[str]:
    return [slug for slug, bit in SLOT_BITS.items() if mask & bit]


def availability_labels(mask: int) -> list[str]:
    return [label for slug, label in AVAILABILITY_SLOTS if mask & SLOT_BITS[slug]]


MAX_TRAVEL_KM = 500
MAX_CAPACITY = 20
MAX_PORTFOLIO_LINKS = 5
MAX_ASPIRATIONS = 3
MAX_WANTED_SPECIALTIES = 5
MAX_TAUGHT_SPECIALTIES = 8

# The terms of an apprenticeship, as a mentor states them (models.storefront.Terms).
TERMS_LABELS = {
    "free": "Free: the apprentice pays nothing",
    "paid": "Paid: the apprentice pays a rate I state",
    "work_for_learning": "Work for learning: the apprentice assists on my sessions in return",
}
RATE_MAX = 200
WEEK_MAX = 1000
