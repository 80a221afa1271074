"""Quick ways to set the scene for apprenticeship tests: people with just enough profile,
apprenticeships in any state, signed-in clients, and reading back what the app stored.

The step under test always goes through the test client; only the scene before it is
written straight to the database, so a matrix of states stays fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import (
    EXPIRED_REASON,
    Apprenticeship,
    MenteeProfile,
    MentorProfile,
    Notification,
    OutboundEmail,
    State,
    ThreadMessage,
)
from mentorapp.models.types import utcnow
from tests.conftest import CSRF_RE, AuthActions
from tests.factories import make_user
from tests.helpers import text

REQUEST_MESSAGE = "I want to learn to mix vocals; free on weekday evenings."


def make_mentor(app, email: str, name: str, capacity: int = 3, accepting: bool = True) -> int:
    with app.app_context():
        user = make_user(email=email, display_name=name, is_mentor=True, is_mentee=False)
        db.session.add(
            MentorProfile(
                user_id=user.id,
                headline=f"{name} teaches mixing",
                capacity=capacity,
                accepting=accepting,
            )
        )
        db.session.commit()
        return user.id


def make_mentee(app, email: str, name: str, also_mentor: bool = False) -> int:
    with app.app_context():
        user = make_user(email=email, display_name=name, is_mentee=True, is_mentor=also_mentor)
        db.session.add(MenteeProfile(user_id=user.id, about="Bedroom producer."))
        db.session.commit()
        return user.id


def make_apprenticeship(
    app,
    mentor: int,
    mentee: int,
    state: str = State.REQUESTED,
    requested_by: str = "mentee",
    message: str = REQUEST_MESSAGE,
    created_at: datetime | None = None,
) -> int:
    """An apprenticeship in `state`, with the dates and counts that state implies."""
    with app.app_context():
        created = created_at or utcnow()
        apprenticeship = Apprenticeship(
            mentor_id=mentor,
            mentee_id=mentee,
            requested_by=requested_by,
            message=message,
            created_at=created,
            remind_at=created + timedelta(days=7),
            expires_at=created + timedelta(days=14),
        )
        db.session.add(apprenticeship)
        db.session.flush()
        _put_in_state(apprenticeship, state)
        db.session.commit()
        return apprenticeship.id


def set_state(app, apprenticeship_id: int, state: str) -> None:
    """Put an apprenticeship back in `state`, as if it had just got there."""
    with app.app_context():
        _put_in_state(db.session.get(Apprenticeship, apprenticeship_id), state)
        db.session.commit()


EXPIRED = "expired"  # not a state: a request declined because nobody answered in time


def _put_in_state(apprenticeship: Apprenticeship, state: str) -> None:
    now = utcnow()
    running = state == State.ACCEPTED
    expired, state = state == EXPIRED, (State.DECLINED if state == EXPIRED else state)
    apprenticeship.state = state
    apprenticeship.decided_at = None if state == State.REQUESTED else now
    apprenticeship.ended_at = now if state in (State.COMPLETED, State.ENDED) else None
    apprenticeship.ended_by_id = (
        apprenticeship.mentor_id if state in (State.COMPLETED, State.ENDED) else None
    )
    apprenticeship.info_requested_at = None
    apprenticeship.reason = (
        EXPIRED_REASON if expired else {State.DECLINED: "no_time", State.ENDED: "moved"}.get(state)
    )
    apprenticeship.reason_note = ""
    profile = db.session.get(MentorProfile, apprenticeship.mentor_id)
    db.session.flush()
    others = db.session.scalar(
        select(func.count(Apprenticeship.id)).where(
            Apprenticeship.mentor_id == apprenticeship.mentor_id,
            Apprenticeship.state == State.ACCEPTED,
            Apprenticeship.id != apprenticeship.id,
        )
    )
    profile.apprentice_count = others + (1 if running else 0)


def shift_back(app, apprenticeship_id: int, days: int) -> None:
    """Make a request look as if it was sent `days` days earlier."""
    with app.app_context():
        a = db.session.get(Apprenticeship, apprenticeship_id)
        for name in ("created_at", "remind_at", "expires_at", "decided_at"):
            if getattr(a, name) is not None:
                setattr(a, name, getattr(a, name) - timedelta(days=days))
        db.session.commit()


def signed_in(app, email: str):
    """A test client of its own, signed in as `email` through the real login form."""
    client = app.test_client()
    response = AuthActions(client).login(email)
    assert response.status_code == 302, text(response)[:500]
    token(client)
    return client


def token(client) -> str:
    """The client's CSRF token, read once from a page it may open (and kept, so that
    fetching it never swallows a flash message meant for the next page)."""
    if getattr(client, "csrf", None) is None:
        for page in ("/dashboard", "/login"):
            match = CSRF_RE.search(text(client.get(page)))
            if match:
                client.csrf = match.group(1)
                break
        else:
            raise AssertionError("no page with a CSRF token")
    return client.csrf


def post(client, url: str, data: dict | None = None, **kwargs):
    """Post like a browser: with the CSRF token of this client's session. Only for
    clients that stay signed in as one person (see `signed_in`)."""
    return client.post(url, data={"csrf_token": token(client), **(data or {})}, **kwargs)


def flashed(response) -> str:
    """The page after a redirect (follow_redirects=True), where flash messages show."""
    assert response.status_code == 200, response.status_code
    return text(response)


def load(app, apprenticeship_id: int) -> Apprenticeship:
    with app.app_context():
        a = db.session.get(Apprenticeship, apprenticeship_id)
        db.session.expunge(a)
        return a


def state_of(app, apprenticeship_id: int) -> str:
    """The state, or "expired" for a request declined because nobody answered in time."""
    with app.app_context():
        return db.session.get(Apprenticeship, apprenticeship_id).status


def apprentices_of(app, mentor: int) -> int:
    with app.app_context():
        return db.session.get(MentorProfile, mentor).apprentice_count


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def apprenticeship_count(app, *where) -> int:
    return count(app, Apprenticeship, *where)


def notes_for(app, user_id: int) -> list[Notification]:
    """The person's notifications, oldest first."""
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )
        db.session.expunge_all()
        return rows


def notification_count(app) -> int:
    return count(app, Notification)


def message_count(app, apprenticeship_id: int) -> int:
    return count(app, ThreadMessage, ThreadMessage.apprenticeship_id == apprenticeship_id)


def email_subjects(app, recipient: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboundEmail.subject)
                .where(OutboundEmail.recipient == recipient)
                .order_by(OutboundEmail.id)
            )
        )
