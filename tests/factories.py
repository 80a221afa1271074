"""Build domain objects for tests with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from mentorapp.auth.passwords import hash_password
from mentorapp.extensions import db
from mentorapp.models import MentorApplication, User, Vetting
from mentorapp.models.types import utcnow
from mentorapp.trust.conduct import CONDUCT_VERSION
from mentorapp.trust.vetting import application_data

DEFAULT_PASSWORD = "a long test passphrase"
_DEFAULT_HASH = hash_password(DEFAULT_PASSWORD)
_counter = itertools.count(1)


def born_years_ago(years: int, days: int = 0) -> date:
    """A date of birth making someone `years` old today (and `days` more)."""
    today = utcnow().date()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born - timedelta(days=days)


def make_user(**fields) -> User:
    """An adult who accepted the current code of conduct, unless told otherwise:
    `age=16` (or `date_of_birth=...`) for a minor, `conduct_version=None` or an older
    number for someone who has not accepted the current version."""
    n = next(_counter)
    password = fields.pop("password", None)
    verified = fields.pop("verified", True)
    age = fields.pop("age", 30)
    values = {
        "email": f"person{n}@example.com",
        "display_name": f"Person {n}",
        "password_hash": hash_password(password) if password else _DEFAULT_HASH,
        "is_mentee": True,
        "email_verified_at": utcnow() if verified else None,
        "date_of_birth": born_years_ago(age, days=40),
        "conduct_version": CONDUCT_VERSION,
        "conduct_accepted_at": utcnow(),
    }
    vetting = fields.pop("vetting", Vetting.APPROVED)
    values.update(fields)
    user = User(**values)
    if user.is_mentor and vetting != Vetting.DRAFT:
        # A mentor is vetted unless a test asks for an applicant: make_user(is_mentor=True,
        # vetting="draft") has not applied yet, vetting="pending" waits for an admin.
        now, blank = utcnow(), application_data(None, [], "")
        user.mentor_application = MentorApplication(
            state=vetting,
            data=blank,
            submitted_at=now,
            vetted_at=now if vetting == Vetting.APPROVED else None,
            approved_data=blank if vetting == Vetting.APPROVED else None,
        )
    db.session.add(user)
    db.session.flush()
    return user
