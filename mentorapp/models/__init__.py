"""Typed models, one module per part of the domain. Models never commit."""

from mentorapp.models.outbox import OutboundEmail
from mentorapp.models.place import Place
from mentorapp.models.profile import (
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorProfile,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.suggestion import MarkKind, MatchingChange, MatchingState, SuggestionMark
from mentorapp.models.taxonomy import Archetype, Specialty
from mentorapp.models.user import Role, User

__all__ = [
    "Archetype",
    "MarkKind",
    "MatchingChange",
    "MatchingState",
    "MenteeAspiration",
    "MenteeProfile",
    "MenteeWant",
    "MentorProfile",
    "OutboundEmail",
    "Place",
    "Role",
    "Specialty",
    "SuggestionMark",
    "User",
    "mentor_archetypes",
    "mentor_specialties",
]
