"""Typed models, one module per part of the domain. Models never commit."""

from mentorapp.models.admin_role import AdminStepDown
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
from mentorapp.models.feedback import Feedback
from mentorapp.models.guardian import ConsentState, GuardianConsent
from mentorapp.models.listing import (
    AuditEntry,
    FlagKind,
    Listing,
    ListingEdit,
    ListingFlag,
    ListingKind,
    Review,
    listing_specialties,
)
from mentorapp.models.listing_import import ImportJob, ImportRow, ImportState
from mentorapp.models.outbox import OutboundEmail
from mentorapp.models.photo import PhotoRemoval
from mentorapp.models.place import Place
from mentorapp.models.profile import (
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorProfile,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.programme import (
    Cohort,
    CohortMember,
    CohortPlacement,
    CohortRun,
    DashboardSnapshot,
    RunState,
)
from mentorapp.models.search import MentorSearchEntry
from mentorapp.models.storefront import MentorCredit, Terms
from mentorapp.models.suggestion import MarkKind, MatchingChange, SuggestionMark
from mentorapp.models.task import TaskRun
from mentorapp.models.taxonomy import Archetype, Specialty
from mentorapp.models.trust import Block, Report, ReportState, ReportSubject
from mentorapp.models.user import Role, User
from mentorapp.models.vetting import MentorApplication, Vetting
from mentorapp.models.waiting import WaitingListEntry

__all__ = [
    "EXPIRED_REASON",
    "OPEN_STATES",
    "AdminStepDown",
    "Apprenticeship",
    "Archetype",
    "AuditEntry",
    "Block",
    "Cohort",
    "CohortMember",
    "CohortPlacement",
    "CohortRun",
    "ConsentState",
    "DashboardSnapshot",
    "Feedback",
    "FlagKind",
    "Goal",
    "GuardianConsent",
    "ImportJob",
    "ImportRow",
    "ImportState",
    "Listing",
    "ListingEdit",
    "ListingFlag",
    "ListingKind",
    "MarkKind",
    "MatchingChange",
    "MenteeAspiration",
    "MenteeProfile",
    "MenteeWant",
    "MentorApplication",
    "MentorCredit",
    "MentorProfile",
    "MentorSearchEntry",
    "Notification",
    "OutboundEmail",
    "PhotoRemoval",
    "Place",
    "Reference",
    "Report",
    "ReportState",
    "ReportSubject",
    "Review",
    "Role",
    "RunState",
    "Specialty",
    "State",
    "SuggestionMark",
    "TaskRun",
    "Terms",
    "ThreadMessage",
    "User",
    "Vetting",
    "WaitingListEntry",
    "WorkSession",
    "listing_specialties",
    "mentor_archetypes",
    "mentor_specialties",
]
