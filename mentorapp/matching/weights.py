"""How much each part of a match counts. One place, sensible defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields

PARTS = ("specialty", "archetype", "distance", "availability", "genre", "experience", "tools")


@dataclass(frozen=True)
class Weights:
    """Weights of the parts of a score; they are normalised to sum to 1."""

    specialty: float = 0.35
    archetype: float = 0.20
    distance: float = 0.15
    availability: float = 0.10
    genre: float = 0.10
    experience: float = 0.10
    # Working in the same DAW makes the first sessions easier, but anyone can learn a
    # new one: a small nudge, never a rule (about 5% of the score once normalised).
    tools: float = 0.05

    # Shaping constants, kept beside the weights they shape.
    distance_scale_km: float = 60.0  # an in-person pair this far apart scores 1/e
    remote_floor: float = 0.6  # what distance is worth when both can work remotely
    mentor_producer_fit: float = 0.3  # a coach fits any apprentice a little
    experience_full_gap_years: float = 5.0  # this much further along counts fully

    def normalised(self) -> dict[str, float]:
        raw = {name: getattr(self, name) for name in PARTS}
        if any(v < 0 for v in raw.values()) or sum(raw.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        total = sum(raw.values())
        return {name: value / total for name, value in raw.items()}

    def __post_init__(self) -> None:
        self.normalised()  # validate early
        for f in fields(self):
            if getattr(self, f.name) != getattr(self, f.name):  # NaN
                raise ValueError(f"{f.name} is not a number")
        for name in ("distance_scale_km", "experience_full_gap_years"):  # both divide
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be above zero")


DEFAULT_WEIGHTS = Weights()

# How much each ranked wish counts: the first wanted thing matters most.
RANK_WEIGHTS = (1.0, 0.8, 0.6, 0.45, 0.35)
ASPIRATION_WEIGHTS = (1.0, 0.7, 0.45)
