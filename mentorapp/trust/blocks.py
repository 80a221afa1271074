"""Blocks: one person's choice that the two never meet again in the product.

From then on neither sees the other in suggestions or cohorts, and no request,
invitation or message passes between them. The blocked person is only ever told that
the other is "not available": nothing they see says "blocked"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Block, State, User


def not_available(name: str) -> str:
    """What anyone is told when a block stands between them and another person."""
    return f"{name} is not available."


def between(one_id: int, other_id: int) -> bool:
    """Is there a block between these two people, in either direction?"""
    return (
        db.session.scalar(
            select(Block.id)
            .where(
                or_(
                    (Block.blocker_id == one_id) & (Block.blocked_id == other_id),
                    (Block.blocker_id == other_id) & (Block.blocked_id == one_id),
                )
            )
            .limit(1)
        )
        is not None
    )


def has_blocked(blocker_id: int, blocked_id: int) -> bool:
    return (
        db.session.scalar(
            select(Block.id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
        )
        is not None
    )


def blocked_pairs() -> set[tuple[int, int]]:
    """Every blocked pair, both ways round, for pairing a whole intake."""
    rows = db.session.execute(select(Block.blocker_id, Block.blocked_id)).all()
    return {pair for a, b in rows for pair in ((a, b), (b, a))}


def running_between(one_id: int, other_id: int) -> Apprenticeship | None:
    """The apprenticeship the two run together, if any (either may be the mentor)."""
    return db.session.scalar(
        select(Apprenticeship).where(
            Apprenticeship.state == State.ACCEPTED,
            or_(
                (Apprenticeship.mentor_id == one_id) & (Apprenticeship.mentee_id == other_id),
                (Apprenticeship.mentor_id == other_id) & (Apprenticeship.mentee_id == one_id),
            ),
        )
    )


def person_to_block(person: User, other_id: int) -> User:
    """The person `person` may block: anyone else with an account."""
    if other_id == person.id:
        raise DomainError("You cannot block yourself.")
    other = db.session.get(User, other_id)
    if other is None:
        raise NotAllowed("There is no such person.")
    return other


def block(
    person: User, other_id: int, *, end_running: bool = False, now: datetime | None = None
) -> Block:
    """Block someone. A request open between the two closes with a neutral reason; with
    `end_running`, so does an apprenticeship they run together. Blocking twice is once."""
    from mentorapp.apprenticeships.services import close_between

    other = person_to_block(person, other_id)
    existing = db.session.scalar(
        select(Block).where(Block.blocker_id == person.id, Block.blocked_id == other.id)
    )
    if existing is None:
        existing = Block(blocker_id=person.id, blocked_id=other.id)
        try:
            with db.session.begin_nested():
                db.session.add(existing)
                db.session.flush()
        except IntegrityError:  # the same block, sent twice at the same moment
            existing = db.session.scalar(
                select(Block).where(Block.blocker_id == person.id, Block.blocked_id == other.id)
            )
    close_between(person, other, end_running=end_running, now=now)
    return existing


def unblock(person: User, other_id: int) -> bool:
    """Lift a block the person made; False when there was none."""
    return (
        db.session.execute(
            delete(Block).where(Block.blocker_id == person.id, Block.blocked_id == other_id)
        ).rowcount
        > 0
    )


def blocked_by(person: User) -> list[Block]:
    """The people this person blocked, most recent first."""
    return list(
        db.session.scalars(
            select(Block)
            .where(Block.blocker_id == person.id)
            .options(selectinload(Block.blocked))
            .order_by(Block.created_at.desc(), Block.id.desc())
        )
    )
