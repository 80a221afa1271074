"""The code of conduct: one version number, accepted at sign-up and again when it changes.

The text lives in `templates/conduct/show.html`; change both together, and the next
page a signed-in person opens asks them to read and accept the new version.
"""

from __future__ import annotations

from datetime import date, datetime

from mentorapp.errors import Conflict, DomainError
from mentorapp.models import User
from mentorapp.models.types import utcnow
from mentorapp.trust import ages

CONDUCT_VERSION = 1
CONDUCT_DATE = date(2026, 12, 2)  # when this version was written, shown on the page


def needs_answer(user: User) -> bool:
    """Whether the person must answer the interstitial before other signed-in pages:
    an older (or no) code of conduct accepted, or no date of birth yet (accounts made
    before sign-up asked for it)."""
    return user.conduct_version != CONDUCT_VERSION or user.date_of_birth is None


class TooYoung(DomainError):
    def __init__(self) -> None:
        super().__init__(
            f"mentorapp is for people aged {ages.MINIMUM_AGE} and over.", field="date_of_birth"
        )


def accept_conduct(user: User, version: int, now: datetime | None = None) -> None:
    """The person accepts the version they read; an older page accepts nothing."""
    if version != CONDUCT_VERSION:
        raise Conflict(
            "The code of conduct changed while you were reading it. Read the new "
            "version below, then accept it."
        )
    user.conduct_version = CONDUCT_VERSION
    user.conduct_accepted_at = now or utcnow()


def record_date_of_birth(user: User, born: date, now: datetime | None = None) -> None:
    """An account made before sign-up asked gives its date of birth. Under 13 is
    refused (`TooYoung`) and nothing is stored; the caller closes the account."""
    if user.date_of_birth is not None:
        return  # given once; it does not change from this page
    if ages.is_too_young_on(born, (now or utcnow()).date()):
        raise TooYoung()
    user.date_of_birth = born


TOO_YOUNG_REASON = (
    "Gave a date of birth under 13 when asked at sign-in. Reinstate only if it was a typing slip."
)


def pause_too_young(user: User) -> None:
    """An existing account whose holder is under 13: no date is kept, the account is
    suspended the way an admin would (sessions end, waiting requests close), so an admin
    can reinstate it if the date was a slip."""
    from mentorapp.apprenticeships.services import close_all_of

    if user.suspended_at is None:
        user.suspended_at = utcnow()
        user.suspension_reason = TOO_YOUNG_REASON
        user.end_all_sessions()
        close_all_of(user, suspended=True)
