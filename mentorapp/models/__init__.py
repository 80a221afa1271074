"""Typed models, one module per part of the domain. Models never commit."""

from mentorapp.models.apprenticeship import (
    EXPIRED_REASON,
    OPEN_STATES,
    Apprenticeship,
    Goal,
    Notification,
    Reference,
    State,
    ThreadMessage,
    WorkSession,
)
from mentorapp.models.listing import (
    AuditEntry,
    FlagKind,
    ImportJob,
    Listing,
    ListingEdit,
    ListingFlag,
    ListingKind,
    Review,
    listing_specialties,
)
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
    "EXPIRED_REASON",
    "OPEN_STATES",
    "Apprenticeship",
    "Archetype",
    "AuditEntry",
    "FlagKind",
    "Goal",
    "ImportJob",
    "Listing",
    "ListingEdit",
    "ListingFlag",
    "ListingKind",
    "MarkKind",
    "MatchingChange",
    "MatchingState",
    "MenteeAspiration",
    "MenteeProfile",
    "MenteeWant",
    "MentorProfile",
    "Notification",
    "OutboundEmail",
    "Place",
    "Reference",
    "Review",
    "Role",
    "Specialty",
    "State",
    "SuggestionMark",
    "ThreadMessage",
    "User",
    "WorkSession",
    "listing_specialties",
    "mentor_archetypes",
    "mentor_specialties",
]
