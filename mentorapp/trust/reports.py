"""Reports: a person tells the admins about another person, their profile, a message in
a workspace or a reference, from where they met it.

A report keeps a snapshot of the reported text, so a later edit or deletion hides
nothing from the admins. The reported person never learns who reported them: nothing
they can open shows a report."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    Reference,
    Report,
    ReportState,
    ReportSubject,
    ThreadMessage,
    User,
)
from mentorapp.models.trust import REPORT_REASONS

REASON_LABELS: dict[str, str] = dict(
    zip(
        REPORT_REASONS,
        (
            "Harassment or bullying",
            "Inappropriate content",
            "Spam or a scam",
            "A safety concern about working in person",
            "Pretending to be someone else",
            "Something else",
        ),
        strict=True,
    )
)
SUBJECT_LABELS: dict[str, str] = {
    ReportSubject.PERSON: "a person",
    ReportSubject.PROFILE: "a profile",
    ReportSubject.MESSAGE: "a message",
    ReportSubject.REFERENCE: "a reference",
}
DESCRIPTION_MAX = 2000
SNAPSHOT_MAX = 20_000


@dataclass(frozen=True)
class Reportable:
    """Something a person may report, as the report form and the snapshot need it."""

    subject: str
    subject_id: int
    person: User  # whom the report is about
    snapshot: str
    apprenticeship_id: int | None = None
    # Where the reporter came from, to go back to after reporting.
    back_endpoint: str = "profiles.show"
    back_args: dict | None = None

    @property
    def what(self) -> str:
        return SUBJECT_LABELS[self.subject]


def profile_text(person: User) -> str:
    """Everything a person wrote about themselves on their public page, as plain text."""
    parts = [f"Name: {person.display_name}"]
    mentor = person.mentor_profile if person.is_mentor else None
    mentee = person.mentee_profile if person.is_mentee else None
    if mentor is not None:
        parts += [
            f"Headline: {mentor.headline}" if mentor.headline else "",
            f"About (mentor): {mentor.bio}" if mentor.bio else "",
            f"Credits: {mentor.credits}" if mentor.credits else "",
            ("Links: " + ", ".join(mentor.portfolio_links)) if mentor.portfolio_links else "",
        ]
    if mentee is not None:
        parts += [
            f"About (apprentice): {mentee.about}" if mentee.about else "",
            f"Hopes to learn: {mentee.goals}" if mentee.goals else "",
        ]
    return "\n".join(p for p in parts if p)


def _in_pair(person: User, apprenticeship: Apprenticeship) -> bool:
    return person.id in (apprenticeship.mentor_id, apprenticeship.mentee_id)


def reportable(reporter: User, subject: str, subject_id: int) -> Reportable:
    """What `reporter` wants to report, if they can see it; NotAllowed otherwise
    (the same answer for what does not exist and what they may not see)."""
    if subject in (ReportSubject.PERSON, ReportSubject.PROFILE):
        person = db.session.get(User, subject_id)
        if person is None or not person.is_active:
            raise NotAllowed("There is nothing to report here.")
        found = Reportable(
            subject,
            person.id,
            person,
            profile_text(person),
            None,
            "profiles.show",
            {"user_id": person.id},
        )
    elif subject == ReportSubject.MESSAGE:
        message = db.session.get(ThreadMessage, subject_id)
        if message is None or message.author is None:
            raise NotAllowed("There is nothing to report here.")
        if not _in_pair(reporter, message.apprenticeship):
            raise NotAllowed("There is nothing to report here.")
        found = Reportable(
            subject,
            message.id,
            message.author,
            f"Written {message.created_at:%d %B %Y, %H:%M} UTC:\n{message.body}",
            message.apprenticeship_id,
            "apprenticeships.show",
            {"apprenticeship_id": message.apprenticeship_id},
        )
    elif subject == ReportSubject.REFERENCE:
        from mentorapp.apprenticeships.workspace import reference_to_read

        reference: Reference = reference_to_read(reporter, subject_id)
        if reference.author is None:
            raise NotAllowed("There is nothing to report here.")
        found = Reportable(
            subject,
            reference.id,
            reference.author,
            f"What they learned: {reference.learned}\nWhat they worked on: {reference.work}",
            reference.apprenticeship_id,
            "apprenticeships.reference",
            {"reference_id": reference.id},
        )
    else:
        raise NotAllowed("There is nothing to report here.")
    if found.person.id == reporter.id:
        raise DomainError("You cannot report yourself.")
    return found


def open_report_by(reporter: User, subject: str, subject_id: int) -> Report | None:
    return db.session.scalar(
        select(Report).where(
            Report.reporter_id == reporter.id,
            Report.subject == subject,
            Report.subject_id == subject_id,
            Report.state == ReportState.OPEN,
        )
    )


ALREADY = (
    "You reported this already, and your report is still open. Thank you: an admin "
    "will look at it, and you will hear from us when they have."
)


def report(reporter: User, subject: str, subject_id: int, reason: str, description: str) -> Report:
    """File a report with a snapshot of what is reported, as it reads now."""
    found = reportable(reporter, subject, subject_id)
    if reason not in REASON_LABELS:
        raise DomainError("Choose a reason from the list.", field="reason")
    description = (description or "").strip()
    if not description:
        raise DomainError("Say in a few words what happened.", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(f"At most {DESCRIPTION_MAX:,} characters, please.", field="description")
    if open_report_by(reporter, found.subject, found.subject_id) is not None:
        raise Conflict(ALREADY)
    filed = Report(
        reporter_id=reporter.id,
        reported_id=found.person.id,
        subject=found.subject,
        subject_id=found.subject_id,
        apprenticeship_id=found.apprenticeship_id,
        reason=reason,
        description=description,
        reported_name=found.person.display_name[:80],
        snapshot=found.snapshot[:SNAPSHOT_MAX],
    )
    try:
        with db.session.begin_nested():
            db.session.add(filed)
            db.session.flush()
    except IntegrityError:  # the same report sent twice at the same moment
        raise Conflict(ALREADY) from None
    return filed


# What admins hid: the message or reference no longer shows, a profile's text is hidden.


def hidden_message_ids(apprenticeship_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Report.subject_id).where(
                Report.apprenticeship_id == apprenticeship_id,
                Report.subject == ReportSubject.MESSAGE,
                Report.state == ReportState.HIDDEN,
            )
        )
    )


def reference_hidden(reference_id: int) -> bool:
    return _hidden(
        (Report.subject == ReportSubject.REFERENCE) & (Report.subject_id == reference_id)
    )


def profile_text_hidden(user_id: int) -> bool:
    return _hidden(
        Report.subject.in_((ReportSubject.PERSON, ReportSubject.PROFILE))
        & (Report.subject_id == user_id)
    )


def _hidden(where) -> bool:
    return (
        db.session.scalar(
            select(Report.id).where(where, Report.state == ReportState.HIDDEN).limit(1)
        )
        is not None
    )
