"""What the admins' CSV downloads hold: each a header and rows read from a streamed
query in batches (`yield_per`: a server-side cursor on PostgreSQL), as plain tuples, so
100,000 rows pass through a worker without its memory growing (bench/exports.py)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import aliased

from mentorapp.admin.people import PeopleFilter, conditions, place_name, with_places
from mentorapp.database import read_only
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Listing, Place, Review, State, User

BATCH = 1000

PEOPLE_HEADER = (
    "id",
    "name",
    "email",
    "mentee",
    "mentor",
    "admin",
    "email_confirmed_at",
    "suspended_at",
    "city",
    "joined_at",
    "last_login_at",
)
APPRENTICESHIP_HEADER = (
    "id",
    "state",
    "requested_by",
    "mentor_id",
    "mentor",
    "mentee_id",
    "mentee",
    "requested_at",
    "decided_at",
    "ended_at",
    "reason",
)
LISTING_HEADER = (
    "id",
    "kind",
    "name",
    "state",
    "city",
    "country",
    "address",
    "website",
    "contact_email",
    "submitted_at",
    "vetted_at",
)
APPRENTICESHIP_STATES = tuple(State)
LISTING_STATES = tuple(Review)


def _streamed(query) -> Iterator[tuple]:
    # Read when the response is sent, after the request committed: a read-only
    # transaction, so SQLite does not hold the write lock for the whole download.
    with read_only():
        for row in db.session.execute(query.execution_options(yield_per=BATCH)):
            yield tuple(row)
    db.session.rollback()


def people_rows(wanted: PeopleFilter) -> Iterator[tuple]:
    query = (
        with_places(
            select(
                User.id,
                User.display_name,
                User.email,
                User.is_mentee,
                User.is_mentor,
                User.is_admin,
                User.email_verified_at,
                User.suspended_at,
                place_name(),
                User.created_at,
                User.last_login_at,
            )
        )
        .where(*conditions(wanted))
        .order_by(User.id)
    )
    return _streamed(query)


def apprenticeship_rows(state: str = "") -> Iterator[tuple]:
    mentor, mentee = aliased(User, name="mentor"), aliased(User, name="mentee")
    query = (
        select(
            Apprenticeship.id,
            Apprenticeship.state,
            Apprenticeship.requested_by,
            Apprenticeship.mentor_id,
            mentor.display_name,
            Apprenticeship.mentee_id,
            mentee.display_name,
            Apprenticeship.created_at,
            Apprenticeship.decided_at,
            Apprenticeship.ended_at,
            Apprenticeship.reason,
        )
        .outerjoin(mentor, mentor.id == Apprenticeship.mentor_id)
        .join(mentee, mentee.id == Apprenticeship.mentee_id)
        .order_by(Apprenticeship.id)
    )
    if state in APPRENTICESHIP_STATES:
        query = query.where(Apprenticeship.state == state)
    return _streamed(query)


def listing_rows(state: str = "") -> Iterator[tuple]:
    query = (
        select(
            Listing.id,
            Listing.kind,
            Listing.name,
            Listing.state,
            Place.name,
            Place.country,
            Listing.address,
            Listing.website,
            Listing.contact_email,
            Listing.submitted_at,
            Listing.vetted_at,
        )
        .join(Place, Place.id == Listing.place_id)
        .order_by(Listing.id)
    )
    if state in LISTING_STATES:
        query = query.where(Listing.state == state)
    return _streamed(query)


COHORT_RUN_HEADER = (
    "mentee_id",
    "mentee",
    "mentor_id",
    "mentor",
    "score",
    "reasons",
    "not placed because",
    "pinned",
    "outcome",
)


def cohort_run_rows(run_id: int) -> Iterator[tuple]:
    """A cohort run's proposals: its pairs best first, then the mentees left out."""
    from mentorapp.models.programme import CohortPlacement

    mentee, mentor = aliased(User), aliased(User)
    placement = CohortPlacement
    query = (
        select(
            placement.mentee_id,
            mentee.display_name,
            placement.mentor_id,
            mentor.display_name,
            placement.score,
            placement.reasons,
            placement.why,
            placement.pinned,
            placement.outcome,
        )
        .join(mentee, mentee.id == placement.mentee_id)
        .outerjoin(mentor, mentor.id == placement.mentor_id)
        .where(placement.run_id == run_id)
        .order_by(placement.mentor_id.is_(None), placement.score.desc(), placement.mentee_id)
    )
    for row in _streamed(query):
        *head, score, reasons, why, pinned, outcome = row
        yield (
            *head,
            "" if score is None else f"{score:.3f}",
            "; ".join(reasons or ()),
            why,
            "yes" if pinned else "",
            outcome or "",
        )
