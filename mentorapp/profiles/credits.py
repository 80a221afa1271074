"""A mentor's credits as a list: saving the list keeps the profile's plain-text summary
(`MentorProfile.credits`, one line a credit) in step, because the mentor search indexes
that text and the admins vet it (a changed summary sends a vetted mentor's credits to be
checked again, `trust.vetting.note_profile_change`)."""

from __future__ import annotations

from dataclasses import dataclass

from mentorapp.errors import DomainError
from mentorapp.models import MentorCredit, MentorProfile
from mentorapp.trust import vetting

MAX_CREDITS = 40
TITLE_MAX = 200
ARTIST_MAX = 200
ROLE_MAX = 120
LINK_MAX = 300
YEAR_MIN = 1900


@dataclass(frozen=True)
class CreditInput:
    """One row of the form, checked: `credit_id` is the row's credit when it edits one."""

    title: str
    artist: str = ""
    role: str = ""
    year: int | None = None
    link: str = ""
    credit_id: int | None = None


def summary(credits: list[MentorCredit]) -> str:
    """The list as plain text, one line a credit, in the mentor's order."""
    return "\n".join(credit.summary() for credit in credits)


def save_credits(profile: MentorProfile, rows: list[CreditInput]) -> None:
    """Make the mentor's list exactly `rows`, in that order.

    A row naming one of this mentor's credits edits it; any other id (another mentor's,
    a stale one) is ignored and the row added as a new credit, so nobody can change a
    credit that is not theirs. Credits left out are removed."""
    if len(rows) > MAX_CREDITS:
        raise DomainError(f"List at most {MAX_CREDITS} credits.")
    mine = {credit.id: credit for credit in profile.credit_list if credit.id is not None}
    kept: list[MentorCredit] = []
    for position, row in enumerate(rows):
        credit = mine.pop(row.credit_id, None) if row.credit_id is not None else None
        if credit is None:
            credit = MentorCredit()
        credit.position = position
        credit.title, credit.artist, credit.role = row.title, row.artist, row.role
        credit.year, credit.link = row.year, row.link
        kept.append(credit)
    profile.credit_list = kept  # the credits left out are orphans, and deleted
    profile.credits = summary(kept)
    vetting.note_profile_change(profile.user)


def load_rows(profile: MentorProfile) -> list[CreditInput]:
    """The mentor's list as form rows."""
    return [
        CreditInput(c.title, c.artist, c.role, c.year, c.link, c.id) for c in profile.credit_list
    ]
