"""The career-path quiz: answers in, the five archetypes ranked with reasons out.

Plain Python: no Flask, no database. Each question is answered on a scale of 1 to 5.
An archetype's fit is the weighted mean of how much each answer points towards it.
One last question, optional, asks for the DAW and tools: they rank nothing here, they
travel with the result into the mentee's profile (the matching weighs them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mentorapp.profiles.vocabulary import TOOLS

SCALE = range(1, 6)
TOOL_SLUGS = [slug for slug, _ in TOOLS]


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    low: str  # what answering 1 means
    high: str  # what answering 5 means


QUESTIONS: list[Question] = [
    Question(
        "technical",
        "How much does the technical side draw you in: microphones, signal "
        "flow, compression, EQ, the gear itself?",
        "Not at all",
        "It is what I love most",
    ),
    Question(
        "control",
        "How much does it matter to you to have full creative control over the music?",
        "I am happy to serve someone else's vision",
        "It has to be my vision",
    ),
    Question(
        "people",
        "How much do you enjoy working closely with people: coaching, "
        "encouraging, getting the best out of them?",
        "I prefer working alone",
        "It is the best part",
    ),
    Question(
        "playing",
        "How much do you want to play instruments and write or arrange parts yourself?",
        "Not really",
        "Very much",
    ),
    Question(
        "spotlight",
        "Is your dream to be the artist yourself, or to help other musicians succeed?",
        "Help other musicians",
        "Be the artist",
    ),
    Question(
        "network",
        "How much do you enjoy meeting people, building a network and "
        "following what audiences love?",
        "Not my thing",
        "I thrive on it",
    ),
    Question(
        "readiness",
        "How ready are you for irregular income, long hours and the business side of the work?",
        "Not ready yet",
        "Ready for all of it",
    ),
]
QUESTION_KEYS = [q.key for q in QUESTIONS]

# (question, weight, direction): direction +1 means a high answer points to the archetype,
# -1 means a low answer does.
PROFILES: dict[str, list[tuple[str, float, int]]] = {
    "engineer": [("technical", 3, +1), ("spotlight", 1, -1), ("control", 1, -1)],
    "mentor_producer": [("people", 3, +1), ("spotlight", 2, -1), ("technical", 1, -1)],
    "musician_producer": [("playing", 3, +1), ("people", 1, +1), ("technical", 1, +1)],
    "artist_producer": [("control", 3, +1), ("spotlight", 2, +1), ("playing", 1, +1)],
    "phenom": [("network", 3, +1), ("readiness", 2, +1), ("people", 1, +1)],
}
ARCHETYPE_ORDER = list(PROFILES)

# Why an answer points somewhere, said to the person.
REASONS: dict[tuple[str, int], str] = {
    ("technical", +1): "you are drawn to the technical side",
    ("technical", -1): "you care more about the music than the gear",
    ("control", +1): "creative control matters a lot to you",
    ("control", -1): "you are happy to serve someone else's vision",
    ("people", +1): "you enjoy bringing out the best in people",
    ("playing", +1): "you want to play and arrange the parts yourself",
    ("spotlight", +1): "you want to be the artist",
    ("spotlight", -1): "you want to help other musicians succeed",
    ("network", +1): "you thrive on networking and reading audiences",
    ("readiness", +1): "you are ready for the business side and irregular income",
}

STARTING_SPECIALTIES: dict[str, list[str]] = {
    "engineer": ["recording", "mixing", "editing", "mastering"],
    "mentor_producer": ["vocal-production", "artist-development", "songwriting"],
    "musician_producer": ["arrangement", "songwriting", "orchestration", "synthesis"],
    "artist_producer": ["beat-making", "songwriting", "sound-design", "marketing-and-release"],
    "phenom": ["music-business", "marketing-and-release", "artist-development"],
}


class InvalidAnswers(ValueError):
    """Answers missing, unknown or outside 1-5."""


@dataclass(frozen=True)
class Fit:
    archetype: str
    score: float  # 0..1
    reasons: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass(frozen=True)
class QuizResult:
    ranking: list[Fit]
    specialties: list[str]
    advice: str
    # The DAW and tools answered, in the vocabulary's order; None: the question was not
    # asked (a result code from before it was).
    tools: tuple[str, ...] | None = ()


def check_answers(answers: dict[str, int]) -> dict[str, int]:
    missing = [k for k in QUESTION_KEYS if k not in answers]
    if missing:
        raise InvalidAnswers(f"Unanswered: {', '.join(missing)}")
    clean = {}
    for key in QUESTION_KEYS:
        value = answers[key]
        if not isinstance(value, int) or value not in SCALE:
            raise InvalidAnswers(f"{key} must be a whole number from 1 to 5")
        clean[key] = value
    return clean


def _lean(answer: int, direction: int) -> float:
    """How far an answer points one way, from 0 (not at all) to 1 (fully)."""
    x = (answer - 1) / 4
    return x if direction > 0 else 1 - x


def check_tools(tools: Sequence[str] | None) -> tuple[str, ...] | None:
    if tools is None:
        return None
    unknown = set(tools) - set(TOOL_SLUGS)
    if unknown:
        raise InvalidAnswers(f"Unknown tools: {', '.join(sorted(unknown))}")
    return tuple(slug for slug in TOOL_SLUGS if slug in tools)


def score(answers: dict[str, int], tools: Sequence[str] | None = ()) -> QuizResult:
    """Rank the archetypes for these answers, each with the reasons behind it."""
    answers = check_answers(answers)
    chosen_tools = check_tools(tools)
    fits = []
    for archetype in ARCHETYPE_ORDER:
        parts = PROFILES[archetype]
        total_weight = sum(weight for _, weight, _ in parts)
        leans = [
            (key, weight, direction, _lean(answers[key], direction))
            for key, weight, direction in parts
        ]
        value = sum(weight * lean for _, weight, _, lean in leans) / total_weight
        strong = sorted(
            (lean * weight, key, direction)
            for key, weight, direction, lean in leans
            if lean >= 0.75 and (key, direction) in REASONS
        )
        reasons = [REASONS[(key, direction)] for _, key, direction in reversed(strong)]
        fits.append(Fit(archetype, round(value, 4), reasons))
    # Highest fit first; ties keep the archetypes' usual order.
    ranking = sorted(fits, key=lambda f: (-f.score, ARCHETYPE_ORDER.index(f.archetype)))
    return QuizResult(ranking, _starting_specialties(ranking), _advice(answers), chosen_tools)


def _starting_specialties(ranking: list[Fit]) -> list[str]:
    first, second = ranking[0].archetype, ranking[1].archetype
    picks = STARTING_SPECIALTIES[first][:3] + STARTING_SPECIALTIES[second][:1]
    return list(dict.fromkeys(picks))


def _advice(answers: dict[str, int]) -> str:
    if answers["readiness"] <= 2:
        return (
            "The first years in production often mean uneven pay and long hours. An "
            "apprenticeship or a school gives you structure, references and contacts "
            "while you find your feet."
        )
    if answers["readiness"] >= 4:
        return (
            "You sound ready for the freelance side of the work. Visit studios near you, "
            "ask to sit in on sessions, and look for a producer who will take you on."
        )
    return (
        "Try it before you commit: visit a local studio or school, and ask a working "
        "producer what a normal week looks like for them."
    )


def encode(answers: dict[str, int], tools: Sequence[str] = ()) -> str:
    """Answers as a short string, to carry through a link or a hidden field: a digit a
    question, then "-" and the tools as bits in hex ("5132122-4": Ableton Live only)."""
    bits = sum(1 << TOOL_SLUGS.index(slug) for slug in set(tools))
    return "".join(str(answers[k]) for k in QUESTION_KEYS) + f"-{bits:x}"


def decode(text: str) -> tuple[dict[str, int], list[str] | None]:
    """The answers and the tools of a code; the tools are None in a code from before the
    quiz asked for them (seven digits alone)."""
    scale, dash, hex_bits = (text or "").partition("-")
    if len(scale) != len(QUESTION_KEYS) or not (scale.isascii() and scale.isdigit()):
        raise InvalidAnswers("not a quiz answer code")
    tools = None
    if dash:
        if not 0 < len(hex_bits) <= 3 or not all(ch in "0123456789abcdef" for ch in hex_bits):
            raise InvalidAnswers("not a quiz answer code")
        bits = int(hex_bits, 16)
        if bits >> len(TOOL_SLUGS):
            raise InvalidAnswers("not a quiz answer code")
        tools = [slug for n, slug in enumerate(TOOL_SLUGS) if bits >> n & 1]
    answers = check_answers({k: int(ch) for k, ch in zip(QUESTION_KEYS, scale, strict=True)})
    return answers, tools


def result_of(code: str) -> QuizResult:
    """The result a code carries (InvalidAnswers if it is not one)."""
    answers, tools = decode(code)
    return score(answers, tools)
