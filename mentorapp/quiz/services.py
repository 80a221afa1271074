"""Saving a quiz result into a mentee's profile."""

from __future__ import annotations

from mentorapp.models import Role, User
from mentorapp.models.types import utcnow
from mentorapp.profiles import services as profiles
from mentorapp.quiz.scoring import QuizResult

SAVED_ARCHETYPES = 3


def save_quiz_result(user: User, result: QuizResult) -> bool:
    """Rank the mentee's aspirations by the quiz and keep the DAW and tools it was told.
    Specialties they already chose are kept; with none chosen yet, the quiz's suggestions
    are used. Returns whether they were."""
    profile = profiles.profile_to_edit(user, Role.MENTEE)
    wants = [w.specialty.slug for w in profile.wants]
    use_suggestions = not wants
    profiles.save_mentee_craft(
        profile,
        aspirations=[fit.archetype for fit in result.ranking[:SAVED_ARCHETYPES]],
        wants=result.specialties if use_suggestions else wants,
        genres=list(profile.genres or []),
        experience=profile.experience,
        path=profile.path,
    )
    if result.tools is not None:  # None: a code from before the quiz asked
        profiles.save_tools(profile, list(result.tools))
    profile.quiz_taken_at = utcnow()
    return use_suggestions
