"""Vetting: the admins' queue of new listings, proposed edits, flags and re-checks, the
decisions on them, and the audit log that records every decision.

Each decision is a conditional UPDATE on the state it starts from, so when two admins
decide the same thing at once, the second is told it was already decided."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from mentorapp.audit import record
from mentorapp.directory.listings import RECHECK_AFTER, _apply
from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    FlagKind,
    Listing,
    ListingEdit,
    ListingFlag,
    Review,
    User,
)
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.paging import Page
from mentorapp.places.gazetteer import fold

FLAG_LABELS: dict[str, str] = {
    FlagKind.CLOSED: "It has closed",
    FlagKind.WRONG_DETAILS: "Some details are wrong",
    FlagKind.NOT_REAL: "It is not a real place",
    FlagKind.ABUSE: "It is abusive or a scam",
}
DECISIONS = ("approve", "reject", "request_changes")
CHANGED = "The submitter changed it since you opened it: look at it again."


def _need_admin(person: User) -> None:
    if not person.is_admin:
        raise NotAllowed("Only admins vet listings.")


def _reason_for(decision: str, reason: str) -> str:
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise DomainError("Say why it is rejected: the submitter reads this.", field="reason")
    if decision == "request_changes" and not reason:
        raise DomainError("Say what should change: the submitter reads this.", field="reason")
    if len(reason) > 2000:
        raise DomainError("At most 2,000 characters, please.", field="reason")
    return reason


def _already(state: str) -> str:
    return {
        Review.APPROVED: "Another admin already approved this.",
        Review.REJECTED: "Another admin already rejected this.",
        Review.CHANGES_REQUESTED: "Another admin already asked for changes.",
    }.get(state, "This was already decided.")


def version(submitted_at: datetime) -> str:
    """What a decision form carries of the version the admin saw."""
    return submitted_at.isoformat()


STATE_AFTER = {
    "approve": Review.APPROVED,
    "reject": Review.REJECTED,
    "request_changes": Review.CHANGES_REQUESTED,
}


def checked_reason(decision: str, reason: str) -> str:
    """The reason a decision carries: required to reject or ask for changes."""
    if decision not in DECISIONS:
        raise DomainError("Choose a decision.", field="decision")
    return _reason_for(decision, reason)


def decide_once(row, where: list, values: dict, seen: str | None) -> None:
    """Move a waiting row (a listing, an edit, a mentor's application: anything with a
    `state` and a `submitted_at`) by one conditional UPDATE from the version it holds.
    With `seen`, only the version the admin saw: a correction arriving meanwhile, or a
    second admin deciding first, is a Conflict that says which."""
    model = type(row)
    pending = row.state == Review.PENDING
    if seen is not None and pending and seen != version(row.submitted_at):
        raise Conflict(CHANGED)
    moved = db.session.execute(
        update(model)
        .where(*where, model.state == Review.PENDING, model.submitted_at == row.submitted_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    if moved != 1:
        raise Conflict(CHANGED if row.state == Review.PENDING else _already(row.state))


def decide_listing(
    admin: User,
    listing_id: int,
    decision: str,
    reason: str = "",
    now: datetime | None = None,
    seen: str | None = None,
) -> Listing:
    """Approve, reject (with a reason) or ask for changes to a new listing; with `seen`,
    only the version the admin saw (the submitter may have corrected it meanwhile)."""
    _need_admin(admin)
    reason = checked_reason(decision, reason)
    now = now or utcnow()
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotAllowed("There is no such listing.")
    values: dict = {"review_note": reason}
    if decision == "approve":
        values |= {
            "state": Review.APPROVED,
            "vetted_at": now,
            "recheck_due_at": now + RECHECK_AFTER,
        }
    elif decision == "reject":
        values |= {"state": Review.REJECTED}
    else:
        values |= {"state": Review.CHANGES_REQUESTED}
    decide_once(listing, [Listing.id == listing_id], values, seen)
    record(admin, f"listing_{decision}", "listing", listing.id, listing.name, reason)
    _tell_submitter(admin, listing, decision, reason)
    return listing


def decide_edit(
    admin: User,
    edit_id: int,
    decision: str,
    reason: str = "",
    now: datetime | None = None,
    seen: str | None = None,
) -> ListingEdit:
    """Approve (the public sees it from now), reject, or ask for changes to an edit."""
    _need_admin(admin)
    reason = checked_reason(decision, reason)
    now = now or utcnow()
    edit = db.session.get(ListingEdit, edit_id)
    if edit is None:
        raise NotAllowed("There is no such edit.")
    values = {"state": STATE_AFTER[decision], "review_note": reason, "decided_at": now}
    decide_once(edit, [ListingEdit.id == edit_id], values, seen)
    listing = edit.listing
    if decision == "approve":
        _apply(listing, edit.data)
        listing.vetted_at = now
        listing.recheck_due_at = now + RECHECK_AFTER
    record(admin, f"edit_{decision}", "listing", listing.id, listing.name, reason)
    _tell_submitter(admin, listing, decision, reason, edit=True)
    return edit


def _tell_submitter(
    admin: User, listing: Listing, decision: str, reason: str, edit: bool = False
) -> None:
    submitter = listing.submitted_by
    # An admin deciding on their own listing (or on each row of their CSV import)
    # needs no message about it.
    if submitter is None or submitter.id == admin.id:
        return
    what = f"Your changes to {listing.name}" if edit else f"Your listing {listing.name}"
    text = {
        "approve": f"{what} {'are' if edit else 'is'} approved and public now.",
        "reject": f"{what} {'were' if edit else 'was'} not approved: {reason}",
        "request_changes": f"An admin asks for changes to {listing.name}: {reason}",
    }[decision]
    notify(submitter, "listing", text)


def recheck(admin: User, listing_id: int, still_valid: bool, reason: str = "") -> Listing:
    """A listing a year after vetting: confirm it again, or take it off the directory."""
    _need_admin(admin)
    now = utcnow()
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.state != Review.APPROVED:
        raise NotAllowed("There is no such approved listing.")
    if still_valid:
        moved = db.session.execute(
            update(Listing)
            .where(Listing.id == listing_id, Listing.recheck_due_at <= now)
            .values(vetted_at=now, recheck_due_at=now + RECHECK_AFTER)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise Conflict("Another admin already checked this listing.")
        db.session.refresh(listing)
        record(admin, "listing_rechecked", "listing", listing.id, listing.name, reason)
    else:
        unpublish(admin, listing_id, reason or "Not confirmed at its yearly check.")
    return listing


def unpublish(admin: User, listing_id: int, reason: str) -> Listing:
    _need_admin(admin)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why it comes off the directory.", field="reason")
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.state != Review.APPROVED:
        raise NotAllowed("There is no such approved listing.")
    moved = db.session.execute(
        update(Listing)
        .where(Listing.id == listing_id, Listing.unpublished_at.is_(None))
        .values(unpublished_at=utcnow(), unpublish_reason=reason[:2000])
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(listing)
    if moved != 1:
        raise Conflict("Another admin already took this listing off the directory.")
    record(admin, "listing_unpublished", "listing", listing.id, listing.name, reason)
    return listing


def republish(admin: User, listing_id: int, reason: str = "") -> Listing:
    _need_admin(admin)
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.state != Review.APPROVED:
        raise NotAllowed("There is no such approved listing.")
    moved = db.session.execute(
        update(Listing)
        .where(Listing.id == listing_id, Listing.unpublished_at.is_not(None))
        .values(unpublished_at=None, unpublish_reason="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(listing)
    if moved != 1:
        raise Conflict("This listing is on the directory already.")
    record(admin, "listing_republished", "listing", listing.id, listing.name, reason)
    return listing


# Flags


def flag_listing(person: User, listing_id: int, kind: str, note: str) -> ListingFlag:
    if kind not in FLAG_LABELS:
        raise DomainError("Choose what is wrong.", field="kind")
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError("At most 2,000 characters, please.", field="note")
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_public:
        raise NotAllowed("There is no such listing.")
    mine = db.session.scalar(
        select(ListingFlag).where(
            ListingFlag.listing_id == listing_id,
            ListingFlag.reporter_id == person.id,
            ListingFlag.resolved_at.is_(None),
        )
    )
    if mine is not None:
        raise Conflict("You flagged this listing already; an admin will look at it.")
    flag = ListingFlag(listing_id=listing_id, reporter_id=person.id, kind=kind, note=note)
    db.session.add(flag)
    db.session.flush()
    return flag


def resolve_flag(admin: User, flag_id: int, unpublish_it: bool, reason: str = "") -> ListingFlag:
    """Close a flag: dismiss it, or act on it by taking the listing off the directory."""
    _need_admin(admin)
    reason = (reason or "").strip()
    if unpublish_it and not reason:
        raise DomainError("Say why it comes off the directory.", field="reason")
    flag = db.session.get(ListingFlag, flag_id)
    if flag is None:
        raise NotAllowed("There is no such flag.")
    moved = db.session.execute(
        update(ListingFlag)
        .where(ListingFlag.id == flag_id, ListingFlag.resolved_at.is_(None))
        .values(
            resolved_at=utcnow(),
            resolved_by_id=admin.id,
            resolution="unpublished" if unpublish_it else "dismissed",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(flag)
    if moved != 1:
        raise Conflict("Another admin already dealt with this flag.")
    if unpublish_it and flag.listing.unpublished_at is None:
        # Another admin may take it off meanwhile: this flag is upheld all the same.
        with suppress(Conflict):
            unpublish(admin, flag.listing_id, reason)
    record(
        admin,
        "flag_upheld" if unpublish_it else "flag_dismissed",
        "listing",
        flag.listing_id,
        flag.listing.name,
        reason or FLAG_LABELS[flag.kind],
    )
    return flag


# The queue

SECTIONS = ("new", "edits", "flags", "rechecks")
PREVIEW = 5  # of each section on the queue's overview
PER_PAGE = 20  # on a section's own pages


@dataclass(frozen=True)
class Queue:
    counts: dict[str, int]  # what waits, by section
    pages: dict[str, Page]  # what is shown, by section: the oldest first
    section: str | None = None  # one section, page by page; None: the overview

    @property
    def size(self) -> int:
        return sum(self.counts.values())


def _waiting(now: datetime) -> dict[str, Select]:
    return {
        "new": select(Listing)
        .where(Listing.state == Review.PENDING)
        .options(
            selectinload(Listing.place),
            selectinload(Listing.specialties),
            selectinload(Listing.submitted_by),
        )
        .order_by(Listing.submitted_at, Listing.id),
        "edits": select(ListingEdit)
        .where(ListingEdit.state == Review.PENDING)
        .options(
            selectinload(ListingEdit.listing).selectinload(Listing.specialties),
            selectinload(ListingEdit.submitted_by),
        )
        .order_by(ListingEdit.submitted_at, ListingEdit.id),
        "flags": select(ListingFlag)
        .where(ListingFlag.resolved_at.is_(None))
        .options(selectinload(ListingFlag.listing), selectinload(ListingFlag.reporter))
        .order_by(ListingFlag.created_at, ListingFlag.id),
        "rechecks": select(Listing)
        .where(
            Listing.state == Review.APPROVED,
            Listing.unpublished_at.is_(None),
            Listing.recheck_due_at <= now,
        )
        .options(selectinload(Listing.place))
        .order_by(Listing.recheck_due_at, Listing.id),
    }


def queue(section: str | None = None, page: int = 1, now: datetime | None = None) -> Queue:
    """What waits for an admin, oldest first: the first few of each section, or one
    section a page at a time (a large CSV import can leave thousands)."""
    return paged_queue(_waiting(now or utcnow()), section, page)


def paged_queue(waiting: dict[str, Select], section: str | None, page: int) -> Queue:
    """A queue of sections (`waiting`: each one's query, oldest first, in page order):
    the first few of each, or one section a page at a time."""
    counts = section_counts(waiting)
    shown = [section] if section in waiting else list(waiting)
    size = PER_PAGE if len(shown) == 1 else PREVIEW
    pages = {}
    for name in shown:
        number = min(page, max(1, -(-counts[name] // size))) if len(shown) == 1 else 1
        items = db.session.scalars(waiting[name].offset((number - 1) * size).limit(size)).all()
        pages[name] = Page(list(items), counts[name], number, size)
    return Queue(counts, pages, shown[0] if len(shown) == 1 else None)


def section_counts(waiting: dict[str, Select]) -> dict[str, int]:
    """How many wait in each section of a queue."""
    return {
        name: db.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        or 0
        for name, statement in waiting.items()
    }


def queue_size(now: datetime | None = None) -> int:
    """How many items wait for an admin, all sections together."""
    return sum(section_counts(_waiting(now or utcnow())).values())


def _similar(name: str, other: str) -> bool:
    return SequenceMatcher(None, name, other).ratio() >= 0.6 or name in other or other in name


def possible_duplicates(listings: list[Listing]) -> dict[int, list[Listing]]:
    """For each listing, the others in the same city with a similar name (not the
    rejected ones), in one query for them all."""
    places = {listing.place_id for listing in listings}
    if not places:
        return {}
    by_place: dict[int, list[Listing]] = {}
    for other in db.session.scalars(
        select(Listing)
        .where(Listing.place_id.in_(places), Listing.state != Review.REJECTED)
        .order_by(Listing.id)
    ):
        by_place.setdefault(other.place_id, []).append(other)
    return {
        listing.id: [
            other
            for other in by_place.get(listing.place_id, [])
            if other.id != listing.id and _similar(fold(listing.name), fold(other.name))
        ]
        for listing in listings
    }
