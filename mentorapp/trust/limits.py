"""Sending limits: how many requests, invitations and messages one person sends an hour.

Counted from the rows already in the database (requests and invitations are
apprenticeships, messages are thread messages), so the limit holds across every worker
and process without a counter of its own. The numbers come from the configuration."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from mentorapp.config import SENDING_LIMITS
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, ThreadMessage, User
from mentorapp.models.types import utcnow

WINDOW = timedelta(hours=1)
# kind: (setting, what is counted, the form field the message goes next to)
KINDS = {
    "requests": ("SENDING_LIMIT_REQUESTS", "requests", "message"),
    "invitations": ("SENDING_LIMIT_INVITATIONS", "invitations", "message"),
    "messages": ("SENDING_LIMIT_MESSAGES", "messages", "body"),
}


def limit_for(kind: str) -> int:
    setting = KINDS[kind][0]
    return int(current_app.config.get(setting, SENDING_LIMITS[setting]))


def _sent_since(person: User, kind: str, since: datetime):
    if kind == "messages":
        column = ThreadMessage.created_at
        where = [ThreadMessage.author_id == person.id, column >= since]
    else:
        column = Apprenticeship.created_at
        who = Apprenticeship.mentee_id if kind == "requests" else Apprenticeship.mentor_id
        requested_by = "mentee" if kind == "requests" else "mentor"
        where = [who == person.id, Apprenticeship.requested_by == requested_by, column >= since]
    return select(func.count(), func.min(column)).where(*where)


def check_sending(person: User, kind: str, now: datetime | None = None) -> None:
    """Refuse, with a message for the form, when the person has sent their hour's worth."""
    now = now or utcnow()
    limit = limit_for(kind)
    sent, oldest = db.session.execute(_sent_since(person, kind, now - WINDOW)).one()
    if sent < limit:
        return
    if not isinstance(oldest, datetime):
        oldest = None
    wait = math.ceil(((oldest + WINDOW) - now).total_seconds() / 60) if oldest else 60
    _, what, field = KINDS[kind]
    raise DomainError(
        f"You have sent {limit} {what} in the last hour, the most we allow, so that nobody "
        f"is flooded. Please try again in {max(wait, 1)} minute{'s' if wait > 1 else ''}; "
        "what you wrote is still here.",
        field=field,
    )
