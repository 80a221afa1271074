"""Managing people: finding them, seeing everything about one, the admin role, and a
new verification link. Every change is in the audit log with who, when and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from mentorapp.audit import record
from mentorapp.auth.services import send_verification
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.models import (
    AdminStepDown,
    Apprenticeship,
    AuditEntry,
    MenteeProfile,
    MentorProfile,
    Place,
    Report,
    State,
    User,
    WaitingListEntry,
)
from mentorapp.models.types import utcnow
from mentorapp.paging import Page

ROLES = ("mentee", "mentor", "admin")
# What the "show" filter offers, in the order of the page's menu.
SHOWS = {
    "unverified": "Email not confirmed",
    "suspended": "Suspended",
    "mentor_full": "Mentors with every place taken",
    "waiting": "Mentees waiting for a mentor",
}
RESEND_INTERVAL = timedelta(minutes=10)
RECORD_LIMIT = 50  # rows of each kind on a person's page

MentorPlace = aliased(Place, name="mentor_place")
MenteePlace = aliased(Place, name="mentee_place")


@dataclass(frozen=True)
class PeopleFilter:
    """What the admin searches for: name or email words, a city, a role, a state."""

    q: str = ""
    place: str = ""
    role: str = ""
    show: str = ""

    def used(self) -> dict[str, str]:
        """The filters given, as query-string arguments (for links and the audit log)."""
        return {k: v for k, v in vars(self).items() if v}

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.used().items()) or "everyone"


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _place_matches(profile, pattern: str):
    # The few places that match first (a scan of the places chosen, a few thousand),
    # then their people by the profiles' place index: not a probe for each person.
    places = select(Place.id).where(func.lower(Place.name).like(pattern, escape="\\"))
    return User.id.in_(
        select(profile.user_id)
        .where(profile.place_id.in_(places))
        .correlate(None)  # the list's own query joins the profiles too
    )


def _waiting_for_a_mentor():
    """A mentee with no running apprenticeship who has asked a mentor or joined a
    waiting list: someone the programme has not placed yet."""
    running = select(Apprenticeship.mentee_id).where(Apprenticeship.state == State.ACCEPTED)
    asking = select(Apprenticeship.mentee_id).where(Apprenticeship.state == State.REQUESTED)
    return and_(
        User.is_mentee,
        or_(User.id.in_(asking), User.id.in_(select(WaitingListEntry.mentee_id))),
        User.id.not_in(running),
    )


def conditions(wanted: PeopleFilter) -> list:
    """The WHERE clauses on users for these filters (the list and the export share them).

    Name and email are matched as LIKE '%word%' (PostgreSQL answers from the trigram
    indexes of migration e1f0a0000022); the city through the profiles' places."""
    where = []
    term = wanted.q.strip().lower()
    if term:
        pattern = _like(term)
        where.append(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    city = wanted.place.strip().lower()
    if city:
        pattern = _like(city)
        where.append(
            or_(_place_matches(MentorProfile, pattern), _place_matches(MenteeProfile, pattern))
        )
    if wanted.role in ROLES:
        where.append(getattr(User, f"is_{wanted.role}"))
    if wanted.show == "unverified":
        where.append(User.email_verified_at.is_(None))
    elif wanted.show == "suspended":
        where.append(User.suspended_at.is_not(None))
    elif wanted.show == "mentor_full":
        where.append(
            User.id.in_(
                select(MentorProfile.user_id)
                .where(MentorProfile.apprentice_count >= MentorProfile.capacity)
                .correlate(None)
            )
        )
    elif wanted.show == "waiting":
        where.append(_waiting_for_a_mentor())
    return where


def place_name():
    """The person's city as the list shows it: the mentor profile's, else the mentee's."""
    return func.coalesce(MentorPlace.name, MenteePlace.name)


def with_places(query):
    return (
        query.outerjoin(MentorProfile, MentorProfile.user_id == User.id)
        .outerjoin(MentorPlace, MentorPlace.id == MentorProfile.place_id)
        .outerjoin(MenteeProfile, MenteeProfile.user_id == User.id)
        .outerjoin(MenteePlace, MenteePlace.id == MenteeProfile.place_id)
    )


@dataclass(frozen=True)
class Listed:
    person: User
    place: str | None


def find_people(wanted: PeopleFilter, page: int, per_page: int) -> Page[Listed]:
    """One page of people, newest first: one query for the page, one for the count."""
    where = conditions(wanted)
    total = db.session.scalar(select(func.count(User.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        with_places(select(User, place_name()))
        .where(*where)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page([Listed(p, city) for p, city in rows], total, page, per_page)


# --- One person's page --------------------------------------------------------------


@dataclass
class PersonRecord:
    """Everything an admin sees about one person, newest first."""

    requests: list[Apprenticeship] = field(default_factory=list)
    apprenticeships: list[Apprenticeship] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    step_down: AdminStepDown | None = None
    last_resent_at: datetime | None = None


REQUEST_STATES = (State.REQUESTED, State.DECLINED, State.WITHDRAWN)


def person_record(person: User) -> PersonRecord:
    found = PersonRecord()
    both_roles = or_(Apprenticeship.mentor_id == person.id, Apprenticeship.mentee_id == person.id)
    for a in db.session.scalars(
        select(Apprenticeship)
        .where(both_roles)
        .options(joinedload(Apprenticeship.mentor), joinedload(Apprenticeship.mentee))
        .order_by(Apprenticeship.created_at.desc(), Apprenticeship.id.desc())
        .limit(2 * RECORD_LIMIT)
    ):
        (found.requests if a.state in REQUEST_STATES else found.apprenticeships).append(a)
    found.reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.reported_id == person.id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(RECORD_LIMIT)
        )
    )
    found.audit = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject == "user", AuditEntry.subject_id == person.id)
            .order_by(AuditEntry.id.desc())
            .limit(RECORD_LIMIT)
        )
    )
    found.step_down = pending_step_down(person)
    found.last_resent_at = _last_resent_at(person)
    return found


# --- The admin role ------------------------------------------------------------------


def _lock_admins() -> set[int]:
    """Lock every admin's row, in id order (the same order everywhere, so two changes
    never deadlock), and return who is an admin now.

    On PostgreSQL a second change waits here for the first to commit, then sees its
    result (a row that stopped being an admin drops out). SQLite drops FOR UPDATE, but a
    POST's transaction there is BEGIN IMMEDIATE: a second writer waits at its start."""
    admins = db.session.scalars(
        select(User)
        .where(User.is_admin)
        .order_by(User.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {a.id for a in admins}


def _check_can_lose_an_admin(actor: User, person: User, admins: set[int]) -> None:
    if actor.id not in admins:
        raise DomainError("You are no longer an admin.")
    if person.id not in admins:
        raise DomainError(f"{person.display_name} is not an admin.")
    if len(admins) <= 1:
        raise DomainError(
            "The community needs at least one admin: make someone else an admin first."
        )


def make_admin(actor: User, person: User, reason: str) -> None:
    """Give someone the admin role."""
    if person.is_admin:
        raise DomainError(f"{person.display_name} is already an admin.")
    if person.suspended_at is not None:
        raise DomainError("A suspended account cannot be an admin; reinstate it first.")
    if not person.is_verified:
        raise DomainError("Their email is not confirmed yet: an admin must have a working email.")
    person.is_admin = True
    record(actor, "admin_granted", "user", person.id, person.display_name, reason.strip())


def remove_admin(actor: User, person: User, reason: str) -> None:
    """Take the admin role from another admin, never leaving the community without one."""
    if person.id == actor.id:
        raise DomainError("To stop being an admin yourself, ask a second admin to confirm.")
    _check_can_lose_an_admin(actor, person, _lock_admins())
    person.is_admin = False
    _close_step_down(person, "cancelled", actor)
    record(actor, "admin_removed", "user", person.id, person.display_name, reason.strip())


def pending_step_down(person: User) -> AdminStepDown | None:
    return db.session.scalar(
        select(AdminStepDown).where(
            AdminStepDown.person_id == person.id, AdminStepDown.decided_at.is_(None)
        )
    )


def pending_step_downs(exclude: User) -> list[AdminStepDown]:
    """Requests waiting for a second admin, except the one this admin made."""
    return list(
        db.session.scalars(
            select(AdminStepDown)
            .where(AdminStepDown.decided_at.is_(None), AdminStepDown.person_id != exclude.id)
            .options(joinedload(AdminStepDown.person))
            .order_by(AdminStepDown.id)
        )
    )


def ask_to_step_down(actor: User, reason: str) -> AdminStepDown:
    """An admin asks to give up their own role: it waits for a different admin."""
    if not actor.is_admin:
        raise DomainError("You are not an admin.")
    if len(_lock_admins()) <= 1:
        raise DomainError(
            "You are the only admin: make someone else an admin before you step down."
        )
    step_down = AdminStepDown(person_id=actor.id, reason=reason.strip())
    try:
        with db.session.begin_nested():
            db.session.add(step_down)
    except IntegrityError:
        raise DomainError("Your request already waits for a second admin.") from None
    record(actor, "admin_step_down_asked", "user", actor.id, actor.display_name, reason.strip())
    return step_down


def _decide(step_down_id: int, outcome: str, by: User) -> bool:
    """Close a waiting request once: a conditional UPDATE, so a confirmation and a
    cancellation at the same moment cannot both happen."""
    changed = db.session.execute(
        update(AdminStepDown)
        .where(AdminStepDown.id == step_down_id, AdminStepDown.decided_at.is_(None))
        .values(decided_at=utcnow(), decided_by_id=by.id, outcome=outcome)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def _close_step_down(person: User, outcome: str, by: User) -> None:
    waiting = pending_step_down(person)
    if waiting is not None:
        _decide(waiting.id, outcome, by)


def confirm_step_down(actor: User, step_down: AdminStepDown) -> None:
    """A second admin confirms that another admin stops being one."""
    person = step_down.person
    if person.id == actor.id:
        raise DomainError("A different admin must confirm your request.")
    _check_can_lose_an_admin(actor, person, _lock_admins())
    if not _decide(step_down.id, "confirmed", actor):
        raise DomainError("This request was already confirmed or cancelled.")
    person.is_admin = False
    why = f"Confirmed their own request: {step_down.reason}"
    record(actor, "admin_removed", "user", person.id, person.display_name, why)


def cancel_step_down(actor: User, step_down: AdminStepDown) -> None:
    if step_down.person_id != actor.id:
        raise DomainError("Only the admin who asked can cancel the request.")
    if not _decide(step_down.id, "cancelled", actor):
        raise DomainError("This request was already confirmed or cancelled.")
    record(actor, "admin_step_down_cancelled", "user", actor.id, actor.display_name)


# --- Verification --------------------------------------------------------------------


def _last_resent_at(person: User) -> datetime | None:
    return db.session.scalar(
        select(AuditEntry.created_at)
        .where(
            AuditEntry.subject == "user",
            AuditEntry.subject_id == person.id,
            AuditEntry.action == "verification_resent",
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def resend_verification(actor: User, person: User, now: datetime | None = None) -> None:
    """Send a new confirmation link, through the outbox as at sign-up; at most one
    every ten minutes per person, whichever admin asks (counted in the audit log, so
    every worker sees the same count)."""
    if person.is_verified:
        raise DomainError(f"{person.display_name} has already confirmed their email.")
    if person.suspended_at is not None:
        raise DomainError("The account is suspended: reinstate it before sending a link.")
    now = now or utcnow()
    last = _last_resent_at(person)
    if last is not None and now - last < RESEND_INTERVAL:
        minutes = max(1, int((RESEND_INTERVAL - (now - last)).total_seconds() // 60) + 1)
        raise DomainError(
            f"A link was sent less than ten minutes ago; try again in {minutes} minutes."
        )
    send_verification(person)
    record(
        actor,
        "verification_resent",
        "user",
        person.id,
        person.display_name,
        f"Sent to {person.email}",
    )
