"""Feedback when an apprenticeship is over: each side rates "would you recommend" from 1
to 5 and may leave private words for the admins; the apprentice may also write a
testimonial, which the mentor chooses to show on their public page or not.

Who reads what:
- the rating and the private words: their author and the admins, nobody else;
- a testimonial: its author and the mentor; the public once the mentor shows it.
Nobody edits feedback once given, the mentor included (they only show or hide it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Feedback, State, User
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify
from mentorapp.paging import Page
from mentorapp.parsing import whole_number

RATINGS: dict[int, str] = {
    5: "Yes, without hesitation",
    4: "Yes",
    3: "Perhaps",
    2: "Probably not",
    1: "No",
}
PRIVATE_WORDS_MAX = 2000
TESTIMONIAL_MAX = 1000
FEEDBACK_STATES = (State.COMPLETED, State.ENDED)

# The low-rating flag on the admins' page, in one place (README says it in words):
# a mentor is flagged when the mean of their last RECENT ratings from apprentices is at
# most LOW_MEAN, counting only once they have at least FLAG_AFTER ratings.
RECENT = 5
LOW_MEAN = 2.5
FLAG_AFTER = 2

ADMIN_PAGE_SIZE = 20
TESTIMONIALS_ON_PROFILE = 20

# Line breaks and tabs are fine in a paragraph; other control characters, and the
# invisible ones that reorder text (bidi overrides), are not.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def _has_hidden_characters(text: str) -> bool:
    return any(
        (unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS)
        or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        for c in text
    )


def _words(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip().replace("\r\n", "\n")
    if len(text) > limit:
        raise DomainError(f"At most {limit:,} characters, please.", field=field)
    if _has_hidden_characters(text):
        raise DomainError(
            "Use letters, spaces, punctuation and line breaks only (no control characters).",
            field=field,
        )
    return text


def side_of(person: User, apprenticeship: Apprenticeship) -> str:
    side = apprenticeship.role_of(person.id)
    if side is None:
        raise NotAllowed("You have no apprenticeship here.")
    return side


def can_give_feedback(apprenticeship: Apprenticeship) -> bool:
    return apprenticeship.state in FEEDBACK_STATES


def feedback_by(apprenticeship: Apprenticeship, side: str) -> Feedback | None:
    return next((f for f in apprenticeship.feedback if f.side == side), None)


# Asking


def ask_both_sides(apprenticeship: Apprenticeship) -> None:
    """Called when an apprenticeship is completed or ended, whoever ended it: ask each
    side for their feedback, in the inbox and by email (a gone account gets nothing)."""
    mentor, mentee = apprenticeship.mentor, apprenticeship.mentee
    if mentee is not None and mentor is not None:
        notify(
            mentee,
            "feedback",
            f"Your apprenticeship with {mentor.display_name} is over. Would you recommend "
            f"them? Tell us in a minute, and if you like, write a few words for "
            f"{mentor.display_name.split()[0]}'s profile.",
            apprenticeship,
            subject=f"How was your apprenticeship with {mentor.display_name}?",
        )
        notify(
            mentor,
            "feedback",
            f"Your apprenticeship with {mentee.display_name} is over. Would you recommend "
            "them? Tell us in a minute; only the admins read your answer.",
            apprenticeship,
            subject=f"How was your apprenticeship with {mentee.display_name}?",
        )


# Giving


@dataclass(frozen=True)
class Given:
    feedback: Feedback
    new: bool  # False: this side had given it already (a double click, a second tab)


def give_feedback(
    person: User,
    apprenticeship: Apprenticeship,
    rating: object,
    private_words: str | None = "",
    testimonial: str | None = "",
    signed: bool = True,
    now: datetime | None = None,
) -> Given:
    """Save this side's feedback, once. A second submission saves nothing and returns
    what the first one saved."""
    side = side_of(person, apprenticeship)
    if not can_give_feedback(apprenticeship):
        raise Conflict("Feedback is given once the apprenticeship is completed or has ended.")
    number = whole_number(str(rating).strip()) if rating is not None else None
    if number not in RATINGS:
        raise DomainError("Choose how much you would recommend them, from 1 to 5.", "rating")
    private_words = _words(private_words, "private_words", PRIVATE_WORDS_MAX)
    # Only the apprentice writes a testimonial; whatever a mentor's form carries is ignored.
    testimonial = _words(testimonial, "testimonial", TESTIMONIAL_MAX) if side == "mentee" else ""
    earlier = _given(apprenticeship.id, side)
    if earlier is not None:
        return Given(earlier, new=False)
    feedback = Feedback(
        apprenticeship_id=apprenticeship.id,
        author_id=person.id,
        side=side,
        rating=number,
        private_words=private_words,
        testimonial=testimonial,
        testimonial_signed=bool(signed),
        created_at=now or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
            db.session.flush()
    except IntegrityError:
        # The same form twice at the same moment: the unique index let the first through.
        earlier = _given(apprenticeship.id, side)
        if earlier is None:
            raise
        return Given(earlier, new=False)
    if testimonial and side == "mentee":
        notify(
            apprenticeship.mentor,
            "testimonial",
            f"{person.display_name} wrote a testimonial about you. Choose whether your "
            "profile shows it.",
            apprenticeship,
        )
    return Given(feedback, new=True)


def _given(apprenticeship_id: int, side: str) -> Feedback | None:
    return db.session.scalar(
        select(Feedback).where(
            Feedback.apprenticeship_id == apprenticeship_id, Feedback.side == side
        )
    )


def same_as(feedback: Feedback, rating: object, private_words: str, testimonial: str) -> bool:
    """Whether a resent form says what was saved (a double click, not a change of mind)."""
    return (
        str(feedback.rating) == str(rating).strip()
        and feedback.private_words == (private_words or "").strip().replace("\r\n", "\n")
        and feedback.testimonial
        == ((testimonial or "").strip().replace("\r\n", "\n") if feedback.side == "mentee" else "")
    )


# The mentor's choice


def set_testimonial_shown(mentor: User, feedback_id: int, shown: bool) -> Feedback:
    """Only the mentor the testimonial is about shows or hides it; nobody edits it."""
    feedback = db.session.get(Feedback, feedback_id)
    if (
        feedback is None
        or feedback.side != "mentee"
        or not feedback.testimonial
        or feedback.apprenticeship.mentor_id != mentor.id
    ):
        raise NotAllowed("There is no such testimonial about you.")
    feedback.testimonial_shown = shown
    return feedback


# The public page


@dataclass(frozen=True)
class MentorRecord:
    """What a mentor's public page says about their apprenticeships."""

    completed: int
    testimonials: list[Feedback]


def public_record(mentor_id: int) -> MentorRecord:
    completed = db.session.scalar(
        select(func.count(Apprenticeship.id)).where(
            Apprenticeship.mentor_id == mentor_id, Apprenticeship.state == State.COMPLETED
        )
    )
    testimonials = db.session.scalars(
        select(Feedback)
        .join(Apprenticeship, Apprenticeship.id == Feedback.apprenticeship_id)
        .where(
            Apprenticeship.mentor_id == mentor_id,
            Feedback.side == "mentee",
            Feedback.testimonial_shown.is_(True),
            Feedback.testimonial != "",
        )
        .options(joinedload(Feedback.author))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(TESTIMONIALS_ON_PROFILE)
    )
    return MentorRecord(completed=completed or 0, testimonials=list(testimonials))


# The admins' view


@dataclass(frozen=True)
class MentorRatings:
    """One mentor's ratings from their apprentices, as the admins' page shows them."""

    mentor_id: int
    name: str
    email: str
    count: int
    mean: float
    recent_mean: float
    recent: list[int]  # the last RECENT ratings, newest first
    last_at: datetime
    flagged: bool


def _flag_rule(recent_mean, recent_count):
    return and_(recent_count >= FLAG_AFTER, recent_mean <= LOW_MEAN)


def mentor_ratings(page: int = 1, flagged_only: bool = False) -> Page[MentorRatings]:
    """Every mentor rated by an apprentice: flagged ones first, then the lowest recent
    mean. One query for the page, the total included."""
    ranked = (
        select(
            Apprenticeship.mentor_id.label("mentor_id"),
            Feedback.rating.label("rating"),
            Feedback.created_at.label("created_at"),
            func.row_number()
            .over(
                partition_by=Apprenticeship.mentor_id,
                order_by=(Feedback.created_at.desc(), Feedback.id.desc()),
            )
            .label("position"),
        )
        .join(Apprenticeship, Apprenticeship.id == Feedback.apprenticeship_id)
        .where(Feedback.side == "mentee", Apprenticeship.mentor_id.is_not(None))
        .subquery()
    )
    recent = ranked.c.position <= RECENT
    recent_count = func.count(case((recent, 1)))
    recent_mean = func.avg(case((recent, ranked.c.rating)))
    per_mentor = (
        select(
            ranked.c.mentor_id,
            func.count().label("count"),
            func.avg(ranked.c.rating).label("mean"),
            recent_mean.label("recent_mean"),
            case((_flag_rule(recent_mean, recent_count), 1), else_=0).label("flagged"),
            func.max(ranked.c.created_at).label("last_at"),
            *(
                func.max(case((ranked.c.position == n, ranked.c.rating))).label(f"r{n}")
                for n in range(1, RECENT + 1)
            ),
        )
        .group_by(ranked.c.mentor_id)
        .subquery()
    )
    query = select(per_mentor, User.display_name, User.email).join(
        User, User.id == per_mentor.c.mentor_id
    )
    if flagged_only:
        query = query.where(per_mentor.c.flagged == 1)
    number = max(page, 1)
    rows = db.session.execute(
        query.add_columns(func.count().over().label("total"))
        .order_by(
            per_mentor.c.flagged.desc(),
            per_mentor.c.recent_mean,
            per_mentor.c.last_at.desc(),
            per_mentor.c.mentor_id,
        )
        .limit(ADMIN_PAGE_SIZE)
        .offset((number - 1) * ADMIN_PAGE_SIZE)
    ).all()
    items = [
        MentorRatings(
            mentor_id=row.mentor_id,
            name=row.display_name,
            email=row.email,
            count=row.count,
            mean=float(row.mean),
            recent_mean=float(row.recent_mean),
            recent=[
                r for r in (getattr(row, f"r{n}") for n in range(1, RECENT + 1)) if r is not None
            ],
            last_at=row.last_at,
            flagged=bool(row.flagged),
        )
        for row in rows
    ]
    if rows:
        total = rows[0].total
    else:  # past the last page (or nothing rated): count on their own
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Page(items=items, total=total, page=number, per_page=ADMIN_PAGE_SIZE)


def flagged_count() -> int:
    """How many mentors the low-rating rule flags now (for the admin overview)."""
    return mentor_ratings(1, flagged_only=True).total


def feedback_about(mentor_id: int, page: int = 1) -> Page[Feedback]:
    """Everything said on both sides of this mentor's apprenticeships, private words
    included, newest first: for the admins only."""
    where = Apprenticeship.mentor_id == mentor_id
    number = max(page, 1)
    rows = db.session.execute(
        select(Feedback, func.count().over().label("total"))
        .join(Apprenticeship, Apprenticeship.id == Feedback.apprenticeship_id)
        .where(where)
        .options(
            joinedload(Feedback.author),
            joinedload(Feedback.apprenticeship).joinedload(Apprenticeship.mentee),
        )
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(ADMIN_PAGE_SIZE)
        .offset((number - 1) * ADMIN_PAGE_SIZE)
    ).all()
    return Page(
        items=[row[0] for row in rows],
        total=rows[0].total if rows else 0,
        page=number,
        per_page=ADMIN_PAGE_SIZE,
    )
