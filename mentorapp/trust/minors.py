"""People under 18: a parent's or guardian's consent, by an emailed link, before their
first request, invitation or in-person work; and the mentors who take them.

A link is a long random token; only its SHA-256 is stored, it works for a week, once,
and a newer link for the same person replaces it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from mentorapp.auth.services import normalise_email
from mentorapp.errors import Conflict, DomainError
from mentorapp.extensions import db
from mentorapp.mail import public_url, queue_email
from mentorapp.models import ConsentState, GuardianConsent, User
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.trust.ages import is_minor_on

LINK_LIFETIME = timedelta(days=7)
LINKS_PER_DAY = 5  # so an account cannot flood someone's inbox
TOKEN_BYTES = 32  # 43 characters in the link

STATUS_LABELS = {
    "not_asked": "Not asked yet",
    "waiting": "Waiting for an answer",
    "expired": "The link expired without an answer",
    "given": "Consent given",
    "refused": "Consent refused",
}


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def is_minor(person: User, now: datetime | None = None) -> bool:
    return is_minor_on(person.date_of_birth, _now(now).date())


# Where a person stands


@dataclass(frozen=True)
class ConsentStatus:
    """What the minor's account page says: one of STATUS_LABELS, and the latest link."""

    state: str
    latest: GuardianConsent | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.state]

    @property
    def given(self) -> bool:
        return self.state == "given"

    @property
    def may_ask(self) -> bool:
        return not self.given


def _given(person: User) -> GuardianConsent | None:
    return db.session.scalar(
        select(GuardianConsent)
        .where(
            GuardianConsent.minor_id == person.id,
            GuardianConsent.state == ConsentState.GIVEN,
        )
        .order_by(GuardianConsent.answered_at.desc())
        .limit(1)
    )


def consent_status(person: User, now: datetime | None = None) -> ConsentStatus:
    given = _given(person)
    if given is not None:
        return ConsentStatus("given", given)
    latest = db.session.scalar(
        select(GuardianConsent)
        .where(GuardianConsent.minor_id == person.id)
        .order_by(GuardianConsent.created_at.desc(), GuardianConsent.id.desc())
        .limit(1)
    )
    if latest is None:
        return ConsentStatus("not_asked", None)
    if latest.state == ConsentState.WAITING:
        expired = latest.expires_at <= _now(now)
        return ConsentStatus("expired" if expired else "waiting", latest)
    return ConsentStatus("refused" if latest.state == ConsentState.REFUSED else "waiting", latest)


def consent_given(person: User) -> GuardianConsent | None:
    """The guardian's yes for a minor, or None (not a minor, or no consent)."""
    if not is_minor(person):
        return None
    return _given(person)


def consented_minor_ids() -> set[int]:
    """Everyone whose guardian consented (a cohort leaves out minors still waiting)."""
    return set(
        db.session.scalars(
            select(GuardianConsent.minor_id).where(GuardianConsent.state == ConsentState.GIVEN)
        )
    )


# The rules the apprenticeship services ask


NEEDS_CONSENT = (
    "You are under 18, so a parent or guardian has to agree before you ask for, accept "
    "or offer an apprenticeship. Ask them from your account settings: Parent or guardian "
    "consent."
)


def consent_problem(person: User) -> str | None:
    """Why this person cannot ask, invite or accept yet (a minor without consent)."""
    if is_minor(person) and _given(person) is None:
        return NEEDS_CONSENT
    return None


def pair_problem(mentor: User, mentee: User, acting: User) -> str | None:
    """Why these two cannot start an apprenticeship, told to `acting` (one of them)."""
    problem = consent_problem(acting)
    if problem:
        return problem
    profile = mentor.mentor_profile
    if is_minor(mentee) and not (profile is not None and profile.takes_minors):
        if acting.id == mentee.id:
            return (
                f"{mentor.display_name} takes apprentices aged 18 and over only, so they "
                "cannot take you on yet. The mentors in your suggestions all work with "
                "apprentices under 18."
            )
        return (
            f"{mentee.display_name} is under 18, and your profile says you take "
            "apprentices aged 18 and over only. If you can teach them, change that in your "
            "profile (Your week)."
        )
    return None


# Asking a guardian


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock(person: User) -> None:
    # One person's requests for consent one at a time (PostgreSQL; SQLite writes are
    # serial already), so two at once cannot both stay waiting.
    db.session.execute(select(User.id).where(User.id == person.id).with_for_update(key_share=True))


def request_consent(
    minor: User, guardian_email: str, now: datetime | None = None
) -> GuardianConsent:
    """Email the guardian a link to consent or refuse; an older waiting link dies."""
    now = _now(now)
    if not is_minor(minor, now):
        raise DomainError("Only people under 18 need a parent's or guardian's consent.")
    email = normalise_email(guardian_email or "")
    if email in {minor.email, (minor.pending_email or "").lower()}:
        raise DomainError(
            "That is your own email. Enter the email of your parent or guardian.",
            field="guardian_email",
        )
    _lock(minor)
    if _given(minor) is not None:
        raise Conflict("Your parent or guardian has already given their consent.")
    sent_today = db.session.scalar(
        select(func.count(GuardianConsent.id)).where(
            GuardianConsent.minor_id == minor.id,
            GuardianConsent.created_at > now - timedelta(days=1),
        )
    )
    if (sent_today or 0) >= LINKS_PER_DAY:
        raise Conflict(
            f"You have sent {LINKS_PER_DAY} links in the last 24 hours, the most we send. "
            "Try again tomorrow, or ask your parent or guardian to look in their spam folder."
        )
    db.session.execute(
        update(GuardianConsent)
        .where(
            GuardianConsent.minor_id == minor.id,
            GuardianConsent.state == ConsentState.WAITING,
        )
        .values(state=ConsentState.REPLACED)
        .execution_options(synchronize_session="fetch")
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    consent = GuardianConsent(
        minor_id=minor.id,
        guardian_email=email,
        token_hash=_digest(token),
        state=ConsentState.WAITING,
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    db.session.add(consent)
    db.session.flush()
    queue_email(
        email,
        f"{minor.display_name} asks for your consent to use mentorapp",
        "guardian_consent",
        minor=minor,
        link=public_url("guardian.consent", token=token),
        expires_at=consent.expires_at,
        conduct=public_url("conduct.show"),
    )
    return consent


# The guardian's link


class LinkProblem(DomainError):
    """A guardian link that cannot be answered; `kind` picks the page's wording."""

    status = 410

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _unknown() -> LinkProblem:
    problem = LinkProblem(
        "unknown",
        "This link is not one we sent. Check that the whole link was copied from the email.",
    )
    problem.status = 404
    return problem


def consent_for_link(token: str, now: datetime | None = None) -> GuardianConsent:
    """The request for consent a link answers, if it can still be answered."""
    if not token or len(token) > 100 or not token.isascii():
        raise _unknown()
    digest = _digest(token)
    consent = db.session.scalar(select(GuardianConsent).where(GuardianConsent.token_hash == digest))
    # The look-up is by digest; the comparison again in constant time, so nothing about
    # a stored digest leaks through how long a wrong one takes.
    if consent is None or not hmac.compare_digest(consent.token_hash, digest):
        raise _unknown()
    if consent.state == ConsentState.REPLACED:
        raise LinkProblem(
            "replaced",
            "A newer link was sent for this person, so this one no longer works. Use the "
            "link in the newest email from mentorapp.",
        )
    if consent.state in (ConsentState.GIVEN, ConsentState.REFUSED):
        answer = "gave consent" if consent.state == ConsentState.GIVEN else "refused consent"
        raise LinkProblem(
            "used",
            f"This link was already used: you {answer} on {consent.answered_at:%d %B %Y}. "
            "Each link works once.",
        )
    if consent.expires_at <= _now(now):
        raise LinkProblem(
            "expired",
            "This link expired: links work for 7 days. Ask the young person to send a new "
            "one from their account settings.",
        )
    return consent


def answer_consent(
    token: str, give: bool, guardian_name: str | None = None, now: datetime | None = None
) -> GuardianConsent:
    """The guardian consents (with their name) or refuses; the link then dies."""
    now = _now(now)
    consent = consent_for_link(token, now)
    name = " ".join((guardian_name or "").split()) or None
    if give and not name:
        raise DomainError("Type your name to give your consent.", field="guardian_name")
    moved = db.session.execute(
        update(GuardianConsent)
        .where(
            GuardianConsent.id == consent.id,
            GuardianConsent.state == ConsentState.WAITING,
            GuardianConsent.expires_at > now,
        )
        .values(
            state=ConsentState.GIVEN if give else ConsentState.REFUSED,
            answered_at=now,
            guardian_name=name if give else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(consent)
    if moved != 1:  # answered at the same moment in another tab, or just expired
        consent_for_link(token, now)  # raises the page that says which
        raise LinkProblem("used", "This link was already used. Each link works once.")
    minor = db.session.get(User, consent.minor_id)
    notify(
        minor,
        "guardian",
        "Your parent or guardian gave their consent: you can now ask mentors for an apprenticeship."
        if give
        else "Your parent or guardian did not give their consent, so you cannot ask for "
        "an apprenticeship yet. You can talk with them and send a new link from your "
        "account settings.",
    )
    return consent
