"""Telling people what happened: an in-app inbox, and email for what they chose to get."""

from __future__ import annotations

from sqlalchemy import func, select, update

from mentorapp.extensions import db
from mentorapp.mail import public_url, queue_email
from mentorapp.models import Apprenticeship, Notification, User
from mentorapp.models.types import utcnow

# The kinds of event a person may get by email, as the settings page lists them.
EMAIL_KINDS: dict[str, str] = {
    "request": "Someone asks you for an apprenticeship or invites you to one",
    "answer": "Your request or invitation is answered",
    "waiting_list": "A place frees up with a mentor whose waiting list you are on",
    "reminder": "A request has waited a week for your answer",
    "expiry": "A request expired without an answer",
    "message": "A new message in one of your apprenticeships",
    "feedback": "An apprenticeship is over and we ask how it went",
    "listing": "A studio or school you listed is approved, refused or sent back for changes",
    "queue": "Admins: a daily note when listings, mentor applications or reports wait",
}

INBOX_SIZE = 50

# The page each kind of note is about, for notes not about an apprenticeship: opening
# one (or its email's link) leads there, never back to the inbox.
KIND_PAGES: dict[str, str] = {
    "listing": "directory.mine",
    "vetting": "vetting.application",
    "warning": "conduct.show",
    "queue": "admin.dashboard",
}


def page_of(kind: str, apprenticeship_id: int | None) -> tuple[str, dict]:
    """The endpoint and its arguments that a note of this kind opens."""
    if apprenticeship_id:
        return "apprenticeships.show", {"apprenticeship_id": apprenticeship_id}
    return KIND_PAGES.get(kind, "notifications.inbox"), {}


def notify(
    person: User | None,
    kind: str,
    text: str,
    apprenticeship: Apprenticeship | None = None,
    *,
    subject: str | None = None,
    link: str | None = None,
    emails: list | None = None,
) -> Notification | None:
    """Put `text` in the person's inbox; email it too when the kind is one they get.
    Nobody (a mentor whose account is gone) gets nothing. With `emails`, the email joins
    that batch for `mail.deliver_after_commit` (many notes, one flush)."""
    if person is None:
        return None
    note = Notification(
        user_id=person.id,
        kind=kind,
        text=text[:300],
        apprenticeship_id=apprenticeship.id if apprenticeship else None,
    )
    db.session.add(note)
    wants_email = kind in EMAIL_KINDS and kind not in (person.muted_emails or [])
    if wants_email and person.is_active:
        if link is None:
            endpoint, values = page_of(kind, apprenticeship.id if apprenticeship else None)
            link = public_url(endpoint, **values)
        queue_email(
            person.email,
            subject or text[:120],
            "notification",
            person=person,
            text=text,
            link=link,
            settings=public_url("account.emails"),
            batch=emails,
        )
    return note


def unread_count(person: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == person.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def inbox(person: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == person.id)
            .order_by(Notification.id.desc())
            .limit(INBOX_SIZE)
        )
    )


def mark_all_read(person: User) -> int:
    return db.session.execute(
        update(Notification)
        .where(Notification.user_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount


def open_notification(person: User, notification_id: int) -> Notification | None:
    """Mark one of the person's notifications read; None when it is not theirs."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != person.id:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def set_muted_emails(person: User, wanted: set[str]) -> None:
    person.muted_emails = sorted(set(EMAIL_KINDS) - wanted)
