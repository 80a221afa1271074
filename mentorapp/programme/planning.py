"""Pairing an intake with the engine's bulk mode, under the rules every cohort keeps:
the suggestions' hard rules (the engine), and no pair with an open request or running
apprenticeship, declined or expired in the last 90 days, or with a block between them.
Shared by the admin's cohort runs and `flask match-cohort`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from mentorapp.apprenticeships.services import QUIET_AFTER_DECLINE
from mentorapp.extensions import db
from mentorapp.matching import MenteePool, MenteeRecord, MentorPool, MentorRecord, Vocabulary
from mentorapp.matching.bulk import BulkResult, pair_cohort
from mentorapp.matching.engine import score_pair
from mentorapp.models import Apprenticeship, MenteeProfile, MentorProfile, Place, State, User
from mentorapp.models.apprenticeship import OPEN_STATES
from mentorapp.models.types import utcnow
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records, load_vocabulary
from mentorapp.trust import blocks, minors

STRATEGIES = ("optimal", "stable")
STRATEGY_LABELS = {"optimal": "Best total score", "stable": "Stable (no blocking pair)"}
Pair = tuple[int, int]


@dataclass
class Intake:
    """Who may be paired: records of the mentees and mentors, and the pairs never made."""

    vocabulary: Vocabulary
    mentees: list[MenteeRecord]
    mentors: list[MentorRecord]
    excluded: set[Pair]


def excluded_pairs(
    mentee_ids: Iterable[int] | None = None, now: datetime | None = None
) -> set[Pair]:
    """(mentee, mentor) pairs no cohort proposes: an open request or running
    apprenticeship, a request declined or expired in the last 90 days (the rule the
    suggestions keep, apprenticeships.services.paired_recently), a block either way."""
    since = (now or utcnow()) - QUIET_AFTER_DECLINE
    query = select(Apprenticeship.mentee_id, Apprenticeship.mentor_id).where(
        Apprenticeship.mentor_id.is_not(None),
        or_(
            Apprenticeship.state.in_(OPEN_STATES),
            (Apprenticeship.state == State.DECLINED) & (Apprenticeship.decided_at >= since),
        ),
    )
    if isinstance(mentee_ids, list) and len(mentee_ids) <= 1000:
        query = query.where(Apprenticeship.mentee_id.in_(mentee_ids))  # a commit's batch
    pairs: set[Pair] = {(a, b) for a, b in db.session.execute(query)}
    pairs |= blocks.blocked_pairs()  # both ways round already
    if mentee_ids is not None:
        wanted = set(mentee_ids)
        pairs = {pair for pair in pairs if pair[0] in wanted}
    return pairs


def eligible_mentees(records: Iterable[MenteeRecord]) -> list[MenteeRecord]:
    """Active mentees; one under 18 only once a guardian consented."""
    consented = minors.consented_minor_ids()
    return [r for r in records if r.active and (not r.minor or r.id in consented)]


def with_places(mentor: MentorRecord, places: int) -> MentorRecord:
    return dataclasses.replace(mentor, free_places=places)


def pair_intake(
    intake: Intake,
    strategy: str = "optimal",
    top: int = 50,
    pins: Iterable[Pair] = (),
    forbidden: Iterable[Pair] = (),
) -> tuple[BulkResult, list[tuple[int, int, float]]]:
    """Pair the intake; pinned pairs are placed first (taking a place each), forbidden
    and excluded pairs never. Returns the engine's result for the rest and the pinned
    pairs with their scores (a pin that breaks a rule now is left out)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    never = intake.excluded | set(map(tuple, forbidden))
    mentees = {r.id: r for r in intake.mentees}
    mentors = {r.id: r for r in intake.mentors}
    pinned: list[tuple[int, int, float]] = []
    for mentee_id, mentor_id in pins:
        mentee, mentor = mentees.get(mentee_id), mentors.get(mentor_id)
        if mentee is None or mentor is None or (mentee_id, mentor_id) in never:
            continue
        if mentor.free_places <= 0 or not mentor.accepting or not mentor.active:
            continue
        match = score_pair(mentee, mentor, intake.vocabulary)
        if match is None:
            continue
        pinned.append((mentee_id, mentor_id, match.score))
        del mentees[mentee_id]
        mentors[mentor_id] = with_places(mentor, mentor.free_places - 1)
    mentee_pool = MenteePool.build(list(mentees.values()), intake.vocabulary)
    mentor_pool = MentorPool.build(list(mentors.values()), intake.vocabulary)
    result = pair_cohort(mentee_pool, mentor_pool, strategy=strategy, top=top, forbidden=never)
    return result, pinned


# The whole population, for `flask match-cohort`


@dataclass(frozen=True)
class Person:
    name: str
    city: str


@dataclass(frozen=True)
class CohortPlan:
    result: BulkResult
    mentors: int  # mentors with an open place

    def people(self) -> tuple[dict[int, Person], dict[int, Person]]:
        """Names and cities of the paired mentees and mentors (two queries)."""
        pairs = self.result.pairs
        return (
            _people(MenteeProfile, {mentee for mentee, _, _ in pairs}),
            _people(MentorProfile, {mentor for _, mentor, _ in pairs}),
        )


def _people(profile, ids: set[int]) -> dict[int, Person]:
    rows = db.session.execute(
        select(User.id, User.display_name, Place.name)
        .join(profile, profile.user_id == User.id)
        .outerjoin(Place, Place.id == profile.place_id)
        .where(User.id.in_(ids))
    )
    return {row.id: Person(row.display_name, row.name or "no city") for row in rows}


def whole_intake() -> Intake:
    """Every active mentee without an open request or running apprenticeship (placed
    already), and every mentor."""
    placed = set(
        db.session.scalars(
            select(Apprenticeship.mentee_id).where(Apprenticeship.state.in_(OPEN_STATES))
        )
    )
    mentees = [r for r in eligible_mentees(load_mentee_records()) if r.id not in placed]
    return Intake(load_vocabulary(), mentees, load_mentor_records(), excluded_pairs())


def plan_cohort(strategy: str = "optimal", top: int = 50) -> CohortPlan:
    """Pair every active mentee with a mentor under capacities; nothing is written.
    A mentee with an apprenticeship running or a request open is placed already; one
    under 18 joins once a guardian consented, and only with mentors who take minors."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    intake = whole_intake()
    result, _ = pair_intake(intake, strategy, top)
    open_mentors = MentorPool.build(intake.mentors, intake.vocabulary).open
    return CohortPlan(result, int(open_mentors.sum()))


def summary_lines(plan: CohortPlan) -> list[tuple[str, str]]:
    result = plan.result
    share = f" ({result.placed / result.mentees:.1%})" if result.mentees else ""
    return [
        ("Strategy", result.strategy),
        ("Mentees in the intake", f"{result.mentees:,}"),
        ("Mentors with a free place", f"{plan.mentors:,} ({result.places:,} places)"),
        ("Placed", f"{result.placed:,}{share}"),
        ("Total score", f"{result.total_score:,.2f}"),
        ("Mean score", f"{result.mean_score:.3f}"),
        ("Blocking pairs", f"{result.blocking_pairs:,}"),
        ("Time", f"{result.seconds:.2f} s"),
    ]
