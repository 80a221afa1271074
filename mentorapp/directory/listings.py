"""Submitting and correcting studio and school listings: one validation for the web
form and the CSV import alike, so a listing is the same however it arrives."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from mentorapp.auth.services import is_valid_email, normalise_email
from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.matching.listings import OFFERS
from mentorapp.models import Listing, ListingEdit, ListingKind, Review, Specialty, User
from mentorapp.models.types import utcnow
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.profiles import services as profiles
from mentorapp.trust import vetting

KIND_LABELS: dict[str, str] = {
    ListingKind.RECORDING_STUDIO: "Recording studio",
    ListingKind.MUSIC_SCHOOL: "Music school",
    ListingKind.AUDIO_ENGINEERING_SCHOOL: "Audio engineering school",
    ListingKind.TRADE_SCHOOL: "Trade school",
    ListingKind.OTHER: "Other",
}
OFFER_LABELS: dict[str, str] = {
    "apprenticeship": "Apprenticeships",
    "internship": "Internships",
    "jobs": "Jobs",
    "courses": "Courses",
    "studio_visits": "Studio visits",
}
assert set(OFFER_LABELS) == set(OFFERS)
RECHECK_AFTER = timedelta(days=365)

LIMITS = {
    "name": 120,
    "description": 4000,
    "address": 200,
    "website": 300,
    "contact_email": 254,
    "programmes": 2000,
    "typical_length": 80,
}


@dataclass
class ListingInput:
    """A listing as typed in the form or read from a CSV row, once checked."""

    kind: str
    name: str
    description: str
    place_id: int
    address: str = ""
    website: str = ""
    contact_email: str = ""
    specialties: list[str] = field(default_factory=list)  # slugs
    offers: list[str] = field(default_factory=list)
    programmes: str = ""
    typical_length: str = ""

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


class ListingInvalid(DomainError):
    """Every problem with a listing at once, by field."""

    def __init__(self, problems: dict[str, str]):
        first_field, first = next(iter(problems.items()))
        super().__init__(first, field=first_field)
        self.problems = problems


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return re.sub(r"[ \t]+", " ", str(value)).strip() if value is not None else ""


def _web_address(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        return None
    return value


def clean_listing(
    raw: Mapping[str, Any], known_specialties: set[str] | None = None
) -> ListingInput:
    """Check a listing; raise ListingInvalid naming every field that is wrong. A caller
    checking many (the CSV import) passes the specialties' slugs, read once."""
    problems: dict[str, str] = {}
    values = {name: _text(raw, name) for name in LIMITS}
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            problems[name] = f"At most {limit:,} characters, please."
    kind = _text(raw, "kind")
    if kind not in KIND_LABELS:
        problems["kind"] = "Choose what kind of place it is."
    if not values["name"]:
        problems.setdefault("name", "Give the name of the studio or school.")
    elif len(values["name"]) < 2:
        problems.setdefault("name", "A name has at least 2 characters.")
    if len(values["description"]) < 20:
        problems.setdefault(
            "description", "Describe the place in a sentence or two (at least 20 characters)."
        )
    place_id = raw.get("place_id")
    if not isinstance(place_id, int) or Gazetteer.load().get(place_id) is None:
        problems["place_id"] = "Choose the city from the list."
    if values["website"] and not _web_address(values["website"]):
        problems.setdefault("website", "Give a web address starting with https:// or http://.")
    if values["contact_email"]:
        if is_valid_email(values["contact_email"]):
            values["contact_email"] = normalise_email(values["contact_email"])
        else:
            problems.setdefault("contact_email", "Give an email address like name@example.com.")
    known = (
        known_specialties
        if known_specialties is not None
        else {s.slug for s in profiles.specialties()}
    )
    specialties = list(dict.fromkeys(raw.get("specialties") or []))
    unknown = [s for s in specialties if s not in known]
    if unknown:
        problems["specialties"] = f"Unknown specialty: {', '.join(unknown)}."
    elif not specialties:
        problems["specialties"] = "Choose at least one specialty the place covers."
    offers = list(dict.fromkeys(raw.get("offers") or []))
    if any(o not in OFFER_LABELS for o in offers):
        problems["offers"] = "Choose what it offers from the list."
    elif not offers:
        problems["offers"] = "Choose at least one thing it offers."
    if problems:
        raise ListingInvalid(problems)
    return ListingInput(
        kind=kind,
        place_id=place_id,
        specialties=specialties,
        offers=offers,
        **values,
    )


def _apply(listing: Listing, data: Mapping[str, Any]) -> None:
    """Copy a checked listing's fields onto the stored listing."""
    for name in (*LIMITS, "kind", "offers"):
        setattr(listing, name, data[name])
    listing.place = profiles.ensure_place(data["place_id"])
    listing.specialties = list(
        db.session.scalars(
            select(Specialty)
            .where(Specialty.slug.in_(data["specialties"]))
            .order_by(Specialty.name)
        )
    )


def submit_listing(person: User, listing: ListingInput) -> Listing:
    """A signed-in person adds a studio or school; it waits for an admin."""
    stored = Listing(submitted_by_id=person.id, state=Review.PENDING, submitted_at=utcnow())
    _apply(stored, listing.as_data())
    db.session.add(stored)
    db.session.flush()
    return stored


def listing_of(person: User, listing_id: int) -> Listing:
    """One of the person's own submissions (admins may open any)."""
    listing = db.session.scalar(
        select(Listing)
        .where(Listing.id == listing_id)
        .options(selectinload(Listing.specialties), selectinload(Listing.edits))
    )
    if listing is None or (listing.submitted_by_id != person.id and not person.is_admin):
        raise NotAllowed("There is no such listing of yours.")
    return listing


def open_edit(listing: Listing) -> ListingEdit | None:
    return next(
        (e for e in listing.edits if e.state in (Review.PENDING, Review.CHANGES_REQUESTED)), None
    )


def latest_edit(listing: Listing) -> ListingEdit | None:
    return listing.edits[-1] if listing.edits else None


def correct_listing(person: User, listing_id: int, listing: ListingInput) -> Listing:
    """The submitter corrects their listing. Before approval the listing itself changes
    and goes back to the queue; once approved, the change waits as an edit and the
    public keeps the approved version."""
    stored = listing_of(person, listing_id)
    if stored.submitted_by_id != person.id:
        raise NotAllowed("Only the person who submitted a listing corrects it.")
    if stored.state == Review.REJECTED:
        raise Conflict("A rejected listing cannot be resubmitted; submit a new one instead.")
    waiting = (Review.PENDING, Review.CHANGES_REQUESTED)
    if stored.state in waiting:
        # Claim the row before changing it: an admin approving at this very moment
        # either decided first (then this waits as an edit) or finds a new version.
        moved = db.session.execute(
            update(Listing)
            .where(Listing.id == stored.id, Listing.state.in_(waiting))
            .values(state=Review.PENDING, submitted_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(stored)
        if moved == 1:
            _apply(stored, listing.as_data())
            return stored
        if stored.state != Review.APPROVED:
            raise Conflict("An admin decided on it a moment ago: look at it again.")
    edit = open_edit(stored)
    if edit is not None:
        moved = db.session.execute(
            update(ListingEdit)
            .where(ListingEdit.id == edit.id, ListingEdit.state.in_(waiting))
            .values(data=listing.as_data(), state=Review.PENDING, submitted_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(edit)
        if moved == 1:
            return stored
    # No edit waits (or an admin decided it a moment ago): this one waits from now.
    db.session.add(
        ListingEdit(
            listing_id=stored.id,
            submitted_by_id=person.id,
            data=listing.as_data(),
            state=Review.PENDING,
            submitted_at=utcnow(),
        )
    )
    db.session.flush()
    return stored


def as_form_data(listing: Listing, edit: ListingEdit | None = None) -> dict[str, Any]:
    """What the edit form starts from: the waiting edit if there is one."""
    if edit is not None:
        return dict(edit.data)
    return {
        **{name: getattr(listing, name) for name in LIMITS},
        "kind": listing.kind,
        "offers": list(listing.offers),
        "place_id": listing.place_id,
        "specialties": [s.slug for s in listing.specialties],
    }


def submissions_of(person: User) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.submitted_by_id == person.id)
            .options(selectinload(Listing.edits), selectinload(Listing.place))
            .order_by(Listing.created_at.desc(), Listing.id.desc())
        )
    )


def set_workplace(mentor: User, listing_id: int | None) -> None:
    """A mentor says which listed studio or school they work at (or none)."""
    profile = mentor.mentor_profile
    if not mentor.is_mentor or profile is None:
        raise NotAllowed("Only mentors with a profile say where they work.")
    if listing_id is not None:
        listing = db.session.get(Listing, listing_id)
        if listing is None or not listing.is_public:
            raise NotAllowed("There is no such listing.")
    profile.studio_id = listing_id
    vetting.note_profile_change(mentor)  # a new studio is checked again


# A mentor's "I work here" stays unconfirmed until the listing's owner or an admin
# confirms it. The confirmation is an audit entry (who, when, on which listing): no
# column to keep, and the audit log shows who vouched for whom.
WORKPLACE_CONFIRMED = "workplace_confirmed"


def _workplace_reason(listing_id: int) -> str:
    return f"listing {listing_id}"


def confirmed_workers(listing_id: int) -> set[int]:
    """The mentors whose claim to work at this listing was confirmed."""
    from mentorapp.models import AuditEntry

    return set(
        db.session.scalars(
            select(AuditEntry.subject_id).where(
                AuditEntry.action == WORKPLACE_CONFIRMED,
                AuditEntry.subject == "workplace",
                AuditEntry.reason == _workplace_reason(listing_id),
            )
        )
    )


def may_confirm_workers(person: User, listing: Listing) -> bool:
    return person.is_authenticated and (person.is_admin or listing.submitted_by_id == person.id)


def confirm_workplace(person: User, listing_id: int, mentor_id: int) -> None:
    """The listing's owner or an admin confirms that a mentor works there."""
    from mentorapp.audit import record
    from mentorapp.models import MentorProfile

    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_public or not may_confirm_workers(person, listing):
        raise NotAllowed("Only who listed this place, or an admin, confirms who works here.")
    profile = db.session.get(MentorProfile, mentor_id)
    if profile is None or profile.studio_id != listing_id:
        raise DomainError("They no longer say they work here.")
    if mentor_id in confirmed_workers(listing_id):
        return
    name = profile.user.display_name if profile.user else ""
    record(person, WORKPLACE_CONFIRMED, "workplace", mentor_id, name, _workplace_reason(listing_id))
