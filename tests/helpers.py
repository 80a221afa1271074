"""Reading what the app sent: the outbox, links in emails, users in the database."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import OutboundEmail, User

LINK_RE = re.compile(r"https?://\S+")


def emails_to(app, recipient: str) -> list[OutboundEmail]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.recipient == recipient)
            .order_by(OutboundEmail.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def last_link(app, recipient: str) -> str:
    """The path of the first link in the newest email to this address."""
    messages = emails_to(app, recipient)
    assert messages, f"no email to {recipient}"
    match = LINK_RE.search(messages[-1].body_text)
    assert match, "the email has no link"
    url = urlsplit(match.group(0))
    assert f"{url.scheme}://{url.netloc}" == app.config["PUBLIC_URL"]
    return url.path


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def get_user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def text(response) -> str:
    return response.get_data(as_text=True)


def checked_value(body: str, name: str) -> str | None:
    """The value of the checked radio button called `name`, as rendered."""
    for tag in re.findall(r"<input[^>]*>", body):
        if f'name="{name}"' in tag and re.search(r"\schecked[\s>]", tag):
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    return None
