"""Turning the search form into a query: the city typed, and which sorts are on offer."""

from __future__ import annotations

from dataclasses import dataclass, field

from mentorapp.models import User
from mentorapp.parsing import whole_number
from mentorapp.places.gazetteer import City, Gazetteer, fold

CHOICES_SHOWN = 8


@dataclass(frozen=True)
class PlaceAnswer:
    """The city meant, or the cities to choose from, or what is wrong."""

    city: City | None = None
    choices: list[City] = field(default_factory=list)
    error: str | None = None


def resolve_city(typed: str, chosen: str | None) -> PlaceAnswer:
    """The city a person means by what they typed (or picked from the offered list).
    Same-named cities are never guessed between: the person chooses, as on the profile."""
    gazetteer = Gazetteer.load()
    picked = whole_number(chosen)
    if picked:
        city = gazetteer.get(picked)
        if city is not None:
            return PlaceAnswer(city=city)
    typed = (typed or "").strip()
    if not typed:
        return PlaceAnswer()
    name = typed.split(",")[0]
    named = gazetteer.named(name)
    exact = [c for c in named if fold(c.label) == fold(typed)]
    if exact:
        return PlaceAnswer(city=exact[0])
    if len(named) == 1 and "," not in typed:
        return PlaceAnswer(city=named[0])
    if len(named) > 1:
        return PlaceAnswer(
            choices=named[:CHOICES_SHOWN],
            error=f"Several cities are called {named[0].name}: choose the one you mean.",
        )
    starting = gazetteer.search(name, limit=CHOICES_SHOWN)
    if starting:
        return PlaceAnswer(
            choices=starting,
            error="No city has exactly that name: choose one, or check the spelling.",
        )
    return PlaceAnswer(
        error="No city by that name. Check the spelling, or try the nearest larger city."
    )


def sorts_for(viewer: User | None) -> list[str]:
    """Best fit needs the engine's view of the viewer: signed-in apprentices only."""
    sorts = ["relevance", "newest", "distance", "taught"]
    if viewer is not None and viewer.is_authenticated and viewer.is_mentee:
        sorts.insert(1, "best_fit")
    return sorts
