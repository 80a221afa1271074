"""Quick ways to set the scene for mentor vetting tests: mentors whose application is in
any state, and reading back what the app stored. The step under test always goes through
a test client; only the scene before it is written straight to the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import AuditEntry, MentorApplication, MentorProfile, Specialty, Vetting
from mentorapp.models.types import utcnow
from mentorapp.profiles.services import ensure_place
from mentorapp.trust.vetting import application_data
from tests.factories import make_user
from tests.functional.test_profiles import LONDON

CREDITS = "Mixed two albums for Sundown Records; assistant engineer at Fox Lane."
EVIDENCE = ["https://credits.example.org/ada", "https://label.example.org/sundown"]


def mentor_applying(
    app,
    email: str,
    name: str,
    state: str | None = Vetting.PENDING,
    *,
    vetted: bool = False,
    credits: str = CREDITS,
    studio_id: int | None = None,
    place_id: int | None = LONDON,
    teaches: tuple[str, ...] = ("mixing",),
    submitted_at: datetime | None = None,
    review_note: str = "",
    also_mentee: bool = False,
) -> int:
    """A mentor with a profile (credits, a city, what they teach) and an application in
    `state` (None: never applied). `vetted`: approved before, so a pending state is a
    re-check of a change."""
    with app.app_context():
        user = make_user(
            email=email,
            display_name=name,
            is_mentor=True,
            is_mentee=also_mentee,
            vetting=Vetting.DRAFT,
        )
        if place_id is not None:
            ensure_place(place_id)
        profile = MentorProfile(
            user_id=user.id,
            headline=f"{name} mixes records",
            credits=credits,
            portfolio_links=["https://example.com/mixes"],
            studio_id=studio_id,
            place_id=place_id,
            works_remotely=True,
            capacity=3,
            availability=0b1111,
        )
        profile.specialties = list(
            db.session.scalars(select(Specialty).where(Specialty.slug.in_(teaches)))
        )
        db.session.add(profile)
        db.session.flush()
        if state is not None:
            sent = submitted_at or utcnow() - timedelta(hours=1)
            data = application_data(profile, EVIDENCE, "")
            db.session.add(
                MentorApplication(
                    user_id=user.id,
                    state=state,
                    evidence_links=list(EVIDENCE),
                    data=data,
                    approved_data=data if vetted or state == Vetting.APPROVED else None,
                    submitted_at=sent,
                    vetted_at=sent - timedelta(days=40)
                    if vetted or state == Vetting.APPROVED
                    else None,
                    review_note=review_note,
                )
            )
        db.session.commit()
        return user.id


def application(app, mentor_id: int) -> MentorApplication | None:
    with app.app_context():
        found = db.session.get(MentorApplication, mentor_id)
        db.session.expunge_all()
        return found


def set_application(app, mentor_id: int, **values) -> None:
    with app.app_context():
        found = db.session.get(MentorApplication, mentor_id)
        for name, value in values.items():
            setattr(found, name, value)
        db.session.commit()


def mentor_audit(app) -> list[AuditEntry]:
    """The audit entries about mentors, oldest first."""
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.subject == "mentor").order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return rows
