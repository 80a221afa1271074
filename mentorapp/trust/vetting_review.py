"""Vetting mentors, the admins' side: the queue of applications and re-checks, and the
decisions on them, with the listings' version check and audit (`directory.review`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from mentorapp.audit import record
from mentorapp.directory import review
from mentorapp.errors import NotAllowed
from mentorapp.extensions import db
from mentorapp.mail import public_url, queue_email
from mentorapp.mentors.index import reindex_mentors
from mentorapp.models import Listing, MentorApplication, MentorProfile, User, Vetting
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.paging import Page
from mentorapp.suggestions.index import note_matching_change
from mentorapp.trust.vetting import CHECKED_NAMES

SECTIONS = ("new", "rechecks")


def _need_admin(person: User) -> None:
    if not person.is_admin:
        raise NotAllowed("Only admins vet mentors.")


DECIDED_TEXT = {
    ("approve", False): "Your mentor application is approved: you carry the vetted mark, "
    "apprentices find you in their suggestions, and you can take them on.",
    ("approve", True): "Your changed credits, portfolio or studio are checked: you stay vetted.",
    ("reject", False): "Your mentor application was not approved: {reason}",
    ("reject", True): "After your changes, your vetted mark is withdrawn: {reason} "
    "Running apprenticeships go on; you cannot take on anyone new.",
    ("request_changes", False): "An admin asks for changes to your mentor application: {reason}",
    ("request_changes", True): "An admin asks for changes after your edit: {reason} "
    "You stay vetted meanwhile.",
}


def decide(
    admin: User,
    mentor_id: int,
    decision: str,
    reason: str = "",
    now: datetime | None = None,
    seen: str | None = None,
) -> MentorApplication:
    """Approve, reject (with a reason) or ask for changes to a waiting application or
    re-check; with `seen`, only the version the admin saw."""
    _need_admin(admin)
    reason = review.checked_reason(decision, reason)
    now = now or utcnow()
    application = db.session.get(MentorApplication, mentor_id)
    if application is None or application.state == Vetting.DRAFT:
        raise NotAllowed("There is no such application.")
    recheck = application.is_recheck
    values: dict = {
        "state": review.STATE_AFTER[decision],
        "review_note": reason,
        "decided_at": now,
    }
    if decision == "approve":
        values |= {"vetted_at": now, "approved_data": application.data}
    elif decision == "reject":
        values["vetted_at"] = None
    review.decide_once(application, [MentorApplication.user_id == mentor_id], values, seen)
    note_matching_change({mentor_id})
    # The UPDATE above passes by the flush events that keep the search rows.
    reindex_mentors([mentor_id])
    mentor = application.user
    action = f"mentor_{'recheck_' if recheck else ''}{decision}"
    record(admin, action, "mentor", mentor.id, mentor.display_name, reason)
    if decision == "reject" and recheck:
        # No new apprentice for a mentor who lost the mark; the running ones go on.
        from mentorapp.apprenticeships.services import answer_open_requests

        answer_open_requests(mentor, "not_accepting", now)
    _tell(mentor, DECIDED_TEXT[decision, recheck].format(reason=reason))
    return application


def _tell(mentor: User, text: str) -> None:
    """In the inbox, and by email whatever the email settings: it is about the account."""
    notify(mentor, "vetting", text)
    if mentor.is_active:
        queue_email(
            mentor.email,
            "Your mentor application",
            "notification",
            person=mentor,
            text=text,
            link=public_url("vetting.application"),
            settings=public_url("account.emails"),
        )


def _waiting() -> dict[str, Select]:
    waiting = (
        select(MentorApplication)
        .join(User, User.id == MentorApplication.user_id)
        .where(MentorApplication.state == Vetting.PENDING)
        .options(
            selectinload(MentorApplication.user)
            .selectinload(User.mentor_profile)
            .selectinload(MentorProfile.place)
        )
        .order_by(MentorApplication.submitted_at, MentorApplication.user_id)
    )
    return {
        "new": waiting.where(MentorApplication.vetted_at.is_(None)),
        "rechecks": waiting.where(MentorApplication.vetted_at.is_not(None)),
    }


def waiting_count() -> int:
    """Applications and re-checks waiting for an admin, both sections together."""
    return sum(review.section_counts(_waiting()).values())


def queue(section: str | None = None, page: int = 1) -> review.Queue:
    """Applications and re-checks waiting, oldest first, paged like the listings queue."""
    return review.paged_queue(_waiting(), section, page)


def studios_named(pages: dict[str, Page]) -> dict[int, Listing]:
    """The studios the shown applications name (and named when approved), in one query."""
    ids = {
        data.get("studio_id")
        for page in pages.values()
        for application in page.items
        for data in (application.data, application.approved_data or {})
    } - {None}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Listing).where(Listing.id.in_(ids)))}


def changed_since_approval(application: MentorApplication) -> list[str]:
    """What a re-check is about: the fields that differ from the approved version."""
    approved = application.approved_data or {}
    return [
        label
        for name, label in CHECKED_NAMES.items()
        if application.data.get(name) != approved.get(name)
    ]
