"""The matching engine: plain records in, ranked pairs with reasons out.

No Flask and no SQLAlchemy here, so it can be tested, benchmarked and reused alone.
"""

from mentorapp.matching.engine import Filters, Match, Reason, rank_mentees, rank_mentors, score_pair
from mentorapp.matching.listings import (
    ListingFilters,
    ListingPool,
    ListingRecord,
    ListingWeights,
    Seeker,
    rank_listings,
)
from mentorapp.matching.pool import MenteePool, MentorPool
from mentorapp.matching.records import MenteeRecord, MentorRecord, Vocabulary
from mentorapp.matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "Filters",
    "ListingFilters",
    "ListingPool",
    "ListingRecord",
    "ListingWeights",
    "Match",
    "MenteePool",
    "MenteeRecord",
    "MentorPool",
    "MentorRecord",
    "Reason",
    "Seeker",
    "Vocabulary",
    "Weights",
    "rank_listings",
    "rank_mentees",
    "rank_mentors",
    "score_pair",
]
