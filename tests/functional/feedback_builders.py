"""Scenes for the feedback tests: a pair whose apprenticeship is over, feedback written
straight to the database for the admins' figures, and reading back what was stored."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import Feedback, State
from mentorapp.models.types import utcnow
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    post,
)

GOOD = {"rating": "5", "private_words": "", "testimonial": "", "signed": "y"}


def give(client, apprenticeship_id: int, /, **fields):
    """Post the feedback form of this apprenticeship, as its page sends it."""
    return post(client, f"/apprenticeships/{apprenticeship_id}/feedback", {**GOOD, **fields})


def feedback_rows(app, apprenticeship_id: int) -> list[Feedback]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Feedback)
                .where(Feedback.apprenticeship_id == apprenticeship_id)
                .order_by(Feedback.id)
            )
        )
        db.session.expunge_all()
        return rows


def one_feedback(app, apprenticeship_id: int, side: str) -> Feedback | None:
    found = [f for f in feedback_rows(app, apprenticeship_id) if f.side == side]
    assert len(found) <= 1
    return found[0] if found else None


def rated_mentor(
    app,
    email: str,
    name: str,
    ratings: list[int],
    *,
    start: datetime | None = None,
    private_words: str = "",
) -> int:
    """A mentor with one finished apprenticeship per rating, each rated by its apprentice,
    oldest first (the last rating in the list is the newest)."""
    mentor = make_mentor(app, email, name)
    start = start or utcnow() - timedelta(days=len(ratings) + 1)
    for n, rating in enumerate(ratings):
        local = email.split("@")[0]
        mentee = make_mentee(app, f"{local}.apprentice{n}@example.com", f"Apprentice {n}")
        a = make_apprenticeship(app, mentor, mentee, state=State.COMPLETED)
        with app.app_context():
            db.session.add(
                Feedback(
                    apprenticeship_id=a,
                    author_id=mentee,
                    side="mentee",
                    rating=rating,
                    private_words=private_words,
                    created_at=start + timedelta(days=n),
                )
            )
            db.session.commit()
    return mentor
