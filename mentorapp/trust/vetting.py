"""Vetted mentors, the mentor's side: a mentor's application (the credits, portfolio
links and studio of their profile, and links where their work can be checked) waits in
an admin queue (`trust.vetting_review`) and is decided like a listing.

Until an admin approves it, a mentor is not suggested, not in cohorts, and cannot take
anyone on (`apprenticeships.services` asks `models.vetting.is_vetted`). An approved
mentor who changes their credits, portfolio links or studio is checked again; they stay
vetted meanwhile, so their running apprenticeships and waiting apprentices are not
broken by a typo fixed in their credits. A rejection at a re-check takes the mark away:
running apprenticeships go on, new ones wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import MentorApplication, MentorProfile, User, Vetting
from mentorapp.models.types import utcnow
from mentorapp.models.vetting import is_vetted

__all__ = ["is_vetted", "note_profile_change", "status_of", "submit"]

# What the admins judge, from the profile: a change to any of them is checked again.
CHECKED = ("credits", "portfolio_links", "studio_id")
CHECKED_NAMES = {
    "credits": "credits",
    "portfolio_links": "portfolio links",
    "studio_id": "studio",
    "evidence_links": "links to check",
    "note": "note to the admins",
}
MAX_EVIDENCE_LINKS = 5
NOTE_MAX = 1000
SENDABLE = (Vetting.DRAFT, Vetting.PENDING, Vetting.CHANGES_REQUESTED, Vetting.APPROVED)


# The mentor's side


@dataclass(frozen=True)
class Status:
    """Where a mentor's application stands, in words for their own pages."""

    state: str
    title: str
    detail: str
    note: str = ""  # the admin's reason or note, when there is one
    vetted_at: datetime | None = None


def status_of(mentor: User) -> Status | None:
    """What a mentor's own pages say about their application (None: not a mentor)."""
    if not mentor.is_mentor:
        return None
    application = mentor.mentor_application
    state = application.state if application else Vetting.DRAFT
    vetted_at = application.vetted_at if application else None
    note = application.review_note if application else ""
    if application is not None and application.is_recheck:
        return Status(
            state,
            "Your changes are being checked",
            "You changed your credits, portfolio links or studio, so an admin checks them "
            "again. You stay vetted meanwhile.",
            vetted_at=vetted_at,
        )
    texts = {
        Vetting.DRAFT: (
            "Apply to be a vetted mentor",
            "Apprentices can find you, ask you and be invited by you once an admin has "
            "checked your credits, portfolio and studio. Send your application when your "
            "profile says what you have worked on.",
        ),
        Vetting.PENDING: (
            "Your application is waiting for an admin",
            "An admin checks your credits, portfolio links, studio and the links you gave. "
            "Until it is approved you are not suggested to apprentices, nobody can ask you, "
            "and you cannot invite or accept anyone.",
        ),
        Vetting.CHANGES_REQUESTED: (
            "An admin asks for changes to your application",
            "Correct what the note says, then send your application again."
            if vetted_at is None
            else "You stay vetted meanwhile. Correct what the note says, then send it again.",
        ),
        Vetting.REJECTED: (
            "Your mentor application was not approved",
            "You are not suggested to apprentices and cannot take anyone on. Apprenticeships "
            "already running go on.",
        ),
        Vetting.APPROVED: ("Vetted mentor", "An admin checked your credits, portfolio and studio."),
    }
    title, detail = texts[Vetting(state)]
    return Status(state, title, detail, note, vetted_at)


def _links(lines: list[str]) -> list[str]:
    links = [line.strip() for line in lines if line.strip()]
    if not links:
        raise DomainError(
            "Give at least one link where an admin can check your work (a credits "
            "database, a label's page, a release).",
            field="evidence_links",
        )
    if len(links) > MAX_EVIDENCE_LINKS:
        raise DomainError(f"Give at most {MAX_EVIDENCE_LINKS} links.", field="evidence_links")
    for number, link in enumerate(links, start=1):
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 300:
            raise DomainError(
                f"Link {number} is not a web address starting with http:// or https://.",
                field="evidence_links",
            )
        if any(ch.isspace() or ord(ch) < 32 for ch in link):
            raise DomainError(f"Link {number} has a space in it.", field="evidence_links")
    return links


def application_data(profile: MentorProfile | None, evidence_links: list[str], note: str) -> dict:
    """The version of an application an admin judges: from the profile, and the links."""
    return {
        "credits": (profile.credits if profile else "") or "",
        "portfolio_links": list((profile.portfolio_links if profile else None) or []),
        "studio_id": profile.studio_id if profile else None,
        "evidence_links": list(evidence_links),
        "note": note,
    }


def submit(
    mentor: User, evidence_links: list[str], note: str = "", now: datetime | None = None
) -> MentorApplication:
    """A mentor sends their application (again, after changes were asked for, or with
    new links): it waits for an admin, who judges this version."""
    profile = mentor.mentor_profile
    if not mentor.is_mentor or profile is None:
        raise NotAllowed("Fill in your mentor profile before applying.")
    links = _links(evidence_links)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"Keep the note under {NOTE_MAX:,} characters.", field="note")
    if not (profile.credits or "").strip():
        raise DomainError(
            "Add your credits to your mentor profile first: they are what an admin checks."
        )
    application = mentor.mentor_application
    if application is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(MentorApplication).values(user_id=mentor.id))
        except IntegrityError:
            pass  # sent from another tab at the same moment: the row is there now
        db.session.refresh(mentor, ["mentor_application"])
        application = mentor.mentor_application
    if application.state not in SENDABLE:
        raise Conflict("Your application was not approved, so it cannot be sent again.")
    _send(application, application_data(profile, links, note), now, evidence_links=links, note=note)
    return application


def _send(application: MentorApplication, data: dict, now: datetime | None, **values) -> None:
    """Put this version in the queue, from the state and version the row holds: an
    admin's decision landing first wins, and the mentor is told to look again."""
    moved = db.session.execute(
        update(MentorApplication)
        .where(
            MentorApplication.user_id == application.user_id,
            MentorApplication.state == application.state,
            (
                MentorApplication.submitted_at.is_(None)
                if application.submitted_at is None
                else MentorApplication.submitted_at == application.submitted_at
            ),
        )
        .values(
            state=Vetting.PENDING,
            data=data,
            submitted_at=now or utcnow(),
            review_note="",
            **values,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(application)
    if moved != 1:
        raise Conflict("An admin decided on your application just now: read it below first.")


def note_profile_change(mentor: User | None, now: datetime | None = None) -> None:
    """After a mentor's profile is saved: changed credits, portfolio links or studio go
    to the admins again (a waiting application is corrected; an approved one is
    checked again, the mentor staying vetted meanwhile)."""
    # The application's row is written before the profile's change is flushed: a
    # decision locks the application, then the matching version (which a profile's flush
    # bumps); taking them in the same order here keeps the two from deadlocking.
    with db.session.no_autoflush:
        if mentor is None or mentor.mentor_profile is None:
            return
        application = mentor.mentor_application
        if application is None or application.state not in (Vetting.PENDING, Vetting.APPROVED):
            return
        profile = mentor.mentor_profile
        fresh = application_data(profile, application.evidence_links, application.note)
        if all(application.data.get(name) == fresh[name] for name in CHECKED):
            return
        try:
            _send(application, fresh, now)
        except Conflict:
            # An admin decided at this very moment: the profile change still saves, and
            # it is checked again if that decision was an approval.
            if application.state == Vetting.APPROVED:
                _send(application, fresh, now)
