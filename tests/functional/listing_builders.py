"""Quick ways to set the scene for directory tests: people, listings in any state, edits
and flags written straight to the database, and reading back what the app stored.

The step under test always goes through a test client; only the scene before it is
written directly, so a matrix of roles and states stays fast."""

from __future__ import annotations

import html
import itertools
import re
import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from mentorapp.directory.listings import RECHECK_AFTER
from mentorapp.extensions import db
from mentorapp.models import (
    AuditEntry,
    Listing,
    ListingEdit,
    ListingFlag,
    MenteeProfile,
    MentorProfile,
    Notification,
    Review,
    Specialty,
)
from mentorapp.models.types import utcnow
from mentorapp.profiles.services import ensure_place
from tests.factories import make_user
from tests.functional.apprenticeship_builders import post, signed_in, token  # noqa: F401
from tests.functional.test_profiles import LONDON, PARIS  # noqa: F401
from tests.helpers import text

CROYDON = 2651817  # 14 km from London
READING = 2639577  # 59 km from London
MANCHESTER = 2643123  # 262 km from London
VERSAILLES = 2969679  # 17 km from Paris

DESCRIPTION = "A two-room studio that takes on one assistant engineer every year."
_names = itertools.count(1)

# A valid submission as the browser sends it (the city chosen by the page's script).
FORM = {
    "kind": "recording_studio",
    "name": "Fox Lane Studios",
    "description": DESCRIPTION,
    "place_query": "London, United Kingdom",
    "place_id": str(LONDON),
    "address": "12 Fox Lane",
    "website": "https://foxlane.example.org",
    "contact_email": "hello@foxlane.example.org",
    "specialties": ["mixing", "recording"],
    "offers": ["apprenticeship", "studio_visits"],
    "programmes": "",
    "typical_length": "",
}


def form_for(place_id: int, **changes) -> dict:
    """FORM in another city (the label must be the gazetteer's for the pick to count)."""
    from mentorapp.places.gazetteer import Gazetteer

    city = Gazetteer.load().get(place_id)
    return {**FORM, "place_query": city.label, "place_id": str(place_id), **changes}


# --- People -------------------------------------------------------------------------------


def person(app, email: str, name: str | None = None, **fields) -> int:
    with app.app_context():
        user = make_user(email=email, display_name=name or email.split("@")[0].title(), **fields)
        db.session.commit()
        return user.id


def admin(app, email: str = "ada@example.com", name: str = "Ada Admin") -> int:
    return person(app, email, name, is_admin=True, is_mentee=False)


def mentee_in(
    app,
    email: str,
    place_id: int | None = LONDON,
    travel_km: int = 25,
    wants: tuple[str, ...] = ("mixing",),
    path: str = "apprenticeship",
) -> int:
    """A mentee with a city, how far they travel and what they want to learn."""
    from mentorapp.models import MenteeWant

    with app.app_context():
        user = make_user(email=email, display_name=email.split("@")[0].title(), is_mentee=True)
        if place_id is not None:
            ensure_place(place_id)
        db.session.add(
            MenteeProfile(user_id=user.id, place_id=place_id, travel_km=travel_km, path=path)
        )
        db.session.flush()
        for rank, slug in enumerate(wants, start=1):
            specialty = db.session.scalar(select(Specialty).where(Specialty.slug == slug))
            db.session.add(MenteeWant(mentee_id=user.id, specialty_id=specialty.id, rank=rank))
        db.session.commit()
        return user.id


def mentor_at(app, email: str, name: str, studio_id: int | None, **user_fields) -> int:
    """A mentor whose profile says they work at the listed studio."""
    with app.app_context():
        fields = {"is_mentor": True, "is_mentee": False, **user_fields}
        user = make_user(email=email, display_name=name, **fields)
        db.session.add(
            MentorProfile(user_id=user.id, headline=f"{name} mixes records", studio_id=studio_id)
        )
        db.session.commit()
        return user.id


# --- Listings, edits, flags ---------------------------------------------------------------


def make_listing(
    app,
    name: str | None = None,
    *,
    state: str = Review.APPROVED,
    submitted_by: int | None = None,
    kind: str = "recording_studio",
    place_id: int = LONDON,
    description: str = DESCRIPTION,
    specialties: tuple[str, ...] = ("mixing", "recording"),
    offers: tuple[str, ...] = ("apprenticeship", "studio_visits"),
    review_note: str = "",
    vetted_at: datetime | None = None,
    recheck_due_at: datetime | None = None,
    unpublished: bool = False,
    submitted_at: datetime | None = None,
    website: str = "",
    contact_email: str = "",
) -> int:
    """A listing in `state`, with the dates that state implies."""
    with app.app_context():
        now = utcnow()
        listing = Listing(
            kind=kind,
            name=name or f"Studio {next(_names)}",
            description=description,
            place=ensure_place(place_id),
            offers=list(offers),
            submitted_by_id=submitted_by,
            state=state,
            review_note=review_note,
            website=website,
            contact_email=contact_email,
            submitted_at=submitted_at or now,
            created_at=submitted_at or now,
        )
        listing.specialties = list(
            db.session.scalars(select(Specialty).where(Specialty.slug.in_(specialties)))
        )
        if state == Review.APPROVED:
            listing.vetted_at = vetted_at or now
            listing.recheck_due_at = recheck_due_at or listing.vetted_at + RECHECK_AFTER
        if unpublished:
            listing.unpublished_at = now
            listing.unpublish_reason = "Closed for good."
        db.session.add(listing)
        db.session.commit()
        return listing.id


def make_edit(
    app, listing_id: int, submitted_by: int, state: str = Review.PENDING, **changes
) -> int:
    """A proposed edit of an approved listing: its current data with `changes`."""
    from mentorapp.directory.listings import as_form_data

    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        data = {**as_form_data(listing), **changes}
        edit = ListingEdit(
            listing_id=listing_id, submitted_by_id=submitted_by, data=data, state=state
        )
        db.session.add(edit)
        db.session.commit()
        return edit.id


def make_flag(
    app, listing_id: int, reporter: int, kind: str = "closed", note: str = "", **fields
) -> int:
    with app.app_context():
        flag = ListingFlag(
            listing_id=listing_id, reporter_id=reporter, kind=kind, note=note, **fields
        )
        db.session.add(flag)
        db.session.commit()
        return flag.id


def due_for_recheck(app, listing_id: int, days_ago: int = 400) -> None:
    """Make an approved listing look vetted `days_ago` days ago."""
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        listing.vetted_at = utcnow() - timedelta(days=days_ago)
        listing.recheck_due_at = listing.vetted_at + RECHECK_AFTER
        db.session.commit()


def set_fields(app, model, row_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


# --- Reading back -------------------------------------------------------------------------


def load_listing(app, listing_id: int) -> Listing:
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        listing.specialties  # noqa: B018 (load before detaching)
        listing.place  # noqa: B018
        db.session.expunge_all()
        return listing


def load_edit(app, edit_id: int) -> ListingEdit:
    with app.app_context():
        edit = db.session.get(ListingEdit, edit_id)
        db.session.expunge_all()
        return edit


def load_flag(app, flag_id: int) -> ListingFlag:
    with app.app_context():
        flag = db.session.get(ListingFlag, flag_id)
        db.session.expunge_all()
        return flag


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def listing_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Listing.id).order_by(Listing.id)))


def audit(app, listing_id: int | None = None) -> list[AuditEntry]:
    """The audit entries, oldest first (of one listing when given)."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if listing_id is not None:
            query = query.where(AuditEntry.subject_id == listing_id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def actions(app, listing_id: int | None = None) -> list[str]:
    return [entry.action for entry in audit(app, listing_id)]


def inbox(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.text)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


def names_on(response) -> str:
    """A page's text with tags removed, for looking for a listing's name."""
    return re.sub(r"<[^>]+>", " ", text(response))


def flash_of(response) -> str:
    """The flash messages of the page after a redirect (follow_redirects=True)."""
    assert response.status_code == 200, response.status_code
    return " ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', text(response), re.S))


def refused_reason(response, key: str) -> tuple[str, str]:
    """A decision shown again for its reason: (the error next to that form's reason
    field, what the field still holds)."""
    assert response.status_code == 422, response.status_code
    body = text(response)
    error = re.search(rf'<p class="field__error" id="reason-{key}-error">(.*?)</p>', body, re.S)
    field = re.search(rf'<textarea[^>]* id="reason-{key}"[^>]*>(.*?)</textarea>', body, re.S)
    assert error and field, f"no error next to reason-{key}"
    assert 'aria-invalid="true"' in field.group(0)
    message = " ".join(re.sub(r"<[^>]+>", " ", error.group(1)).replace("Error:", "").split())
    return message, html.unescape(field.group(1))


def section(body: str, anchor: str) -> str:
    """One <section id=anchor> of the admin queue page."""
    start = body.index(f'id="{anchor}"')
    end = body.find("</section>", start)
    return body[start:end]


def article(body: str, key: str) -> str:
    """The queue item whose heading id is `key` (l-3, e-2, r-5...)."""
    start = body.index(f'aria-labelledby="{key}"')
    return body[start : body.find("</article>", start)]


def at_once(sends):
    """Run every `send` at the same moment, one thread each; their results in order."""
    barrier = threading.Barrier(len(sends))
    results: list = [None] * len(sends)
    errors: list = []

    def go(i, send):
        try:
            barrier.wait(timeout=10)
            results[i] = send()
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)

    threads = [threading.Thread(target=go, args=(i, s)) for i, s in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results
