"""The admins' side of reports: the queue, the whole context of one report, and the
decisions on it (dismiss, warn, hide the content, suspend), each with a reason and in
the audit log. Opening a report is in the audit log too: admins see reports only here.

A decision is a conditional UPDATE on an open report, so two admins deciding at once
get one decision and a message for the second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import selectinload

from mentorapp.audit import record
from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.mail import public_url, queue_email
from mentorapp.models import Apprenticeship, Report, ReportState, ReportSubject, User
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.paging import Page

PER_PAGE = 20
RISE_AT = 3  # open reports on one person from this many reporters go to the top
REASON_MAX = 2000
ACTIONS: dict[str, str] = {
    "dismiss": ReportState.DISMISSED,
    "warn": ReportState.WARNED,
    "hide": ReportState.HIDDEN,
    "suspend": ReportState.SUSPENDED,
}
ACTION_LABELS = {
    "dismiss": "Dismiss",
    "warn": "Warn the person",
    "hide": "Hide the content",
    "suspend": "Suspend the account",
}
LOOKED = (
    "We looked at your report. Thank you for telling us: reports like yours keep mentorapp safe."
)


def _need_admin(person: User) -> None:
    if not person.is_admin:
        raise NotAllowed("Only admins handle reports.")


def _reporters_per_person():
    """How many different people have an open report on each reported person."""
    return (
        select(
            Report.reported_id.label("person_id"),
            func.count(func.distinct(Report.reporter_id)).label("reporters"),
        )
        .where(Report.state == ReportState.OPEN, Report.reported_id.is_not(None))
        .group_by(Report.reported_id)
        .subquery()
    )


def queue(page: int = 1) -> Page[Report]:
    """Open reports, oldest first, except that a person reported by RISE_AT or more
    different people comes first (their reports together, oldest first)."""
    counts = _reporters_per_person()
    rises = case((func.coalesce(counts.c.reporters, 0) >= RISE_AT, 0), else_=1)
    waiting = Report.state == ReportState.OPEN
    total = db.session.scalar(select(func.count(Report.id)).where(waiting)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = db.session.scalars(
        select(Report)
        .outerjoin(counts, counts.c.person_id == Report.reported_id)
        .where(waiting)
        .options(selectinload(Report.reporter), selectinload(Report.reported))
        .order_by(rises, Report.created_at, Report.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return Page(list(rows), total, page, PER_PAGE)


def rising_people() -> set[int]:
    """People with open reports from RISE_AT or more different reporters."""
    counts = _reporters_per_person()
    return set(db.session.scalars(select(counts.c.person_id).where(counts.c.reporters >= RISE_AT)))


def open_count() -> int:
    return (
        db.session.scalar(select(func.count(Report.id)).where(Report.state == ReportState.OPEN))
        or 0
    )


@dataclass(frozen=True)
class Case:
    """One report with everything an admin needs to decide on it."""

    report: Report
    history: list[Apprenticeship]  # between the reporter and the reported person
    earlier: list[Report]  # other reports on the same person, newest first
    content_exists: bool  # the message or reference is still there


def open_report(admin: User, report_id: int) -> Case:
    """An admin opens a report: audited, for reports are private."""
    _need_admin(admin)
    found = db.session.scalar(
        select(Report)
        .where(Report.id == report_id)
        .options(
            selectinload(Report.reporter),
            selectinload(Report.reported),
            selectinload(Report.decided_by),
        )
    )
    if found is None:
        raise NotAllowed("There is no such report.")
    record(admin, "report_opened", "report", found.id, found.reported_name)
    return Case(found, _history(found), _earlier(found), _content_exists(found))


def _history(found: Report) -> list[Apprenticeship]:
    one, other = found.reporter_id, found.reported_id
    if one is None or other is None:
        return []
    return list(
        db.session.scalars(
            select(Apprenticeship)
            .where(
                or_(
                    (Apprenticeship.mentor_id == one) & (Apprenticeship.mentee_id == other),
                    (Apprenticeship.mentor_id == other) & (Apprenticeship.mentee_id == one),
                )
            )
            .options(selectinload(Apprenticeship.mentor), selectinload(Apprenticeship.mentee))
            .order_by(Apprenticeship.created_at.desc(), Apprenticeship.id.desc())
        )
    )


def _earlier(found: Report) -> list[Report]:
    if found.reported_id is None:
        return []
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.reported_id == found.reported_id, Report.id != found.id)
            .options(selectinload(Report.reporter))
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(50)
        )
    )


def _content_exists(found: Report) -> bool:
    from mentorapp.models import Reference, ThreadMessage

    model = {ReportSubject.MESSAGE: ThreadMessage, ReportSubject.REFERENCE: Reference}.get(
        found.subject, User
    )
    return db.session.get(model, found.subject_id) is not None


def decide(
    admin: User, report_id: int, action: str, reason: str, now: datetime | None = None
) -> Report:
    """Dismiss, warn, hide or suspend, with a reason for the record. Every open report on
    the same thing gets the same decision; each reporter hears that we looked."""
    _need_admin(admin)
    if action not in ACTIONS:
        raise DomainError("Choose what to do.", field="action")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give a reason: it stays in the record.", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"At most {REASON_MAX:,} characters, please.", field="reason")
    now = now or utcnow()
    found = db.session.get(Report, report_id)
    if found is None:
        raise NotAllowed("There is no such report.")
    if not found.is_open:
        raise Conflict("This report was already decided.")
    person = found.reported
    with db.session.begin_nested():  # a refusal below leaves nothing behind
        decided = db.session.execute(
            update(Report)
            .where(
                Report.subject == found.subject,
                Report.subject_id == found.subject_id,
                Report.state == ReportState.OPEN,
            )
            .values(
                state=ACTIONS[action],
                decided_at=now,
                decided_by_id=admin.id,
                decision_reason=reason,
            )
            .returning(Report.id, Report.reporter_id)
            .execution_options(synchronize_session=False)
        ).all()
        if found.id not in {row.id for row in decided}:
            raise Conflict("Another admin decided this report meanwhile.")
        if action == "warn":
            _warn(person, reason)
        elif action == "suspend":
            from mentorapp.admin.services import suspend_account

            if person is None:
                raise DomainError("That account is gone already.")
            suspend_account(admin, person, reason)
        elif action == "hide" and found.subject == ReportSubject.PERSON and person is None:
            raise DomainError("That account is gone already.")
    for report_id_, _ in decided:
        record(
            admin, f"report_{ACTIONS[action]}", "report", report_id_, found.reported_name, reason
        )
    for reporter_id in {row.reporter_id for row in decided if row.reporter_id is not None}:
        notify(db.session.get(User, reporter_id), "report", LOOKED)
    db.session.refresh(found)
    return found


def _warn(person: User | None, reason: str) -> None:
    if person is None:
        raise DomainError("That account is gone already.")
    text = (
        "A message from the mentorapp admins: something you did or wrote was reported, "
        f"and we looked at it. {reason} Please keep to the code of conduct; another "
        "report like this may close your account."
    )
    notify(person, "warning", text)
    if person.is_active:
        queue_email(
            person.email,
            "A message from the mentorapp admins",
            "notification",
            person=person,
            text=text,
            link=public_url("notifications.inbox"),
            settings=public_url("account.emails"),
        )
