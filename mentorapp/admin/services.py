"""What admins do to keep the community safe."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from mentorapp.apprenticeships.services import close_all_of
from mentorapp.audit import record
from mentorapp.directory import review, search
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Listing, Specialty, User
from mentorapp.models.apprenticeship import State
from mentorapp.models.types import utcnow
from mentorapp.places.gazetteer import fold
from mentorapp.trust import moderation, vetting_review


@dataclass(frozen=True)
class Overview:
    people: int
    mentors: int
    mentees: int
    admins: int
    unverified: int
    suspended: int
    requests_open: int
    apprenticeships_running: int
    apprenticeships_completed: int
    listings_public: int
    listings_waiting: int
    mentors_waiting: int
    reports_open: int


def overview() -> Overview:
    """Counts for the admin dashboard: the community, its apprenticeships, the directory,
    and what waits for an admin (listings, mentor applications, reports)."""
    row = db.session.execute(
        select(
            func.count(User.id),
            func.count(User.id).filter(User.is_mentor),
            func.count(User.id).filter(User.is_mentee),
            func.count(User.id).filter(User.is_admin),
            func.count(User.id).filter(User.email_verified_at.is_(None)),
            func.count(User.id).filter(User.suspended_at.is_not(None)),
        )
    ).one()
    states = dict(
        db.session.execute(
            select(Apprenticeship.state, func.count(Apprenticeship.id)).group_by(
                Apprenticeship.state
            )
        ).all()
    )
    public = db.session.scalar(select(func.count(Listing.id)).where(search.public())) or 0
    return Overview(
        *row,
        requests_open=states.get(State.REQUESTED, 0),
        apprenticeships_running=states.get(State.ACCEPTED, 0),
        apprenticeships_completed=states.get(State.COMPLETED, 0),
        listings_public=public,
        listings_waiting=review.queue_size(),
        mentors_waiting=vetting_review.waiting_count(),
        reports_open=moderation.open_count(),
    )


def suspend_account(admin: User, person: User, reason: str) -> None:
    """Stop a person from logging in and end their sessions."""
    if person.id == admin.id:
        raise DomainError("You cannot suspend your own account.")
    if person.is_admin:
        raise DomainError("Admins cannot be suspended here; remove the admin role first.")
    if person.suspended_at is not None:
        raise DomainError("This account is already suspended.")
    person.suspended_at = utcnow()
    person.suspension_reason = reason.strip()
    person.end_all_sessions()
    close_all_of(person, suspended=True)
    record(admin, "account_suspended", "user", person.id, person.display_name, reason.strip())


def reinstate_account(admin: User, person: User) -> None:
    if person.suspended_at is None:
        raise DomainError("This account is not suspended.")
    person.suspended_at = None
    person.suspension_reason = None
    record(admin, "account_reinstated", "user", person.id, person.display_name)


def slugify(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in fold(name)).split())


def add_specialty(admin: User, name: str, summary: str) -> Specialty:
    """Extend the taxonomy; mentors and mentees can choose it at once."""
    name = " ".join(name.split())
    slug = slugify(name)
    if not slug:
        raise DomainError("Use letters or digits in the name.", field="name")
    clash = db.session.scalar(
        select(Specialty).where(
            or_(func.lower(Specialty.name) == name.lower(), Specialty.slug == slug)
        )
    )
    if clash is not None:
        raise DomainError(f"“{clash.name}” already exists.", field="name")
    specialty = Specialty(slug=slug, name=name, summary=summary.strip())
    db.session.add(specialty)
    db.session.flush()
    record(admin, "specialty_added", "specialty", specialty.id, specialty.name)
    return specialty
