"""The scene for reports, blocks and moderation: Mira (a mentor) and Priya (an
apprentice) working together, with a message each in their thread; Olu, another
apprentice; Ada, an admin. Reading back reports, blocks and the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import (
    AuditEntry,
    Block,
    MentorProfile,
    Report,
    State,
    ThreadMessage,
)
from mentorapp.models.types import utcnow
from tests.factories import make_user
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    signed_in,
)

MIRA_WROTE = "Bring your stems on Thursday; we will start with the vocal comp."
PRIYA_WROTE = "Thank you! I will bring the stems and the rough mix."
BIO = "Twenty years behind the desk at soul and jazz sessions."
DESCRIPTION = "This message made me feel unsafe about meeting at the studio."


@dataclass
class Scene:
    app: object
    mira: int
    priya: int
    olu: int
    ada: int
    a: int  # Mira and Priya's running apprenticeship
    mira_message: int
    priya_message: int
    clients: dict

    def client(self, who: str) -> FlaskClient:
        """A client signed in as mira, priya, olu or ada (made once, then kept)."""
        if who not in self.clients:
            self.clients[who] = signed_in(self.app, f"{who}@example.com")
        return self.clients[who]


def add_message(app, apprenticeship_id: int, author_id: int, body: str) -> int:
    with app.app_context():
        message = ThreadMessage(apprenticeship_id=apprenticeship_id, author_id=author_id, body=body)
        db.session.add(message)
        db.session.commit()
        return message.id


def build_scene(app) -> Scene:
    mira = make_mentor(app, "mira@example.com", "Mira Okafor")
    priya = make_mentee(app, "priya@example.com", "Priya Raman")
    olu = make_mentee(app, "olu@example.com", "Olu Bello")
    with app.app_context():
        ada = make_user(
            email="ada@example.com", display_name="Ada Admin", is_admin=True, is_mentee=False
        ).id
        db.session.get(MentorProfile, mira).bio = BIO
        db.session.commit()
    a = make_apprenticeship(
        app, mira, priya, state=State.ACCEPTED, created_at=utcnow() - timedelta(days=5)
    )
    return Scene(
        app,
        mira,
        priya,
        olu,
        ada,
        a,
        add_message(app, a, mira, MIRA_WROTE),
        add_message(app, a, priya, PRIYA_WROTE),
        {},
    )


def reports_of(app) -> list[Report]:
    with app.app_context():
        rows = list(db.session.scalars(select(Report).order_by(Report.id)))
        db.session.expunge_all()
        return rows


def blocks_of(app) -> list[tuple[int, int]]:
    with app.app_context():
        return [
            tuple(row) for row in db.session.execute(select(Block.blocker_id, Block.blocked_id))
        ]


def audit_actions(app) -> list[tuple[str, str, int, str]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(
                    AuditEntry.action, AuditEntry.subject, AuditEntry.subject_id, AuditEntry.reason
                ).order_by(AuditEntry.id)
            )
        ]


def field_error(body: str, field: str) -> str:
    """The error shown next to a form field (the forms macro's markup)."""
    match = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', body, re.S)
    return " ".join(match.group(1).split()) if match else ""
