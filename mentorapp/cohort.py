"""Pairing a whole intake of mentees with mentors at once (the engine's bulk mode)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.matching import MenteePool, MentorPool
from mentorapp.matching.bulk import BulkResult, pair_cohort
from mentorapp.models import Apprenticeship, MenteeProfile, MentorProfile, Place, User
from mentorapp.models.apprenticeship import OPEN_STATES
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records, load_vocabulary
from mentorapp.trust import blocks, minors

STRATEGIES = ("optimal", "stable")


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


def plan_cohort(strategy: str = "optimal", top: int = 50) -> CohortPlan:
    """Pair every active mentee with a mentor under capacities; nothing is written.
    A mentee with an apprenticeship running or a request open is placed already; one
    under 18 joins once a guardian consented, and only with mentors who take minors."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    vocabulary = load_vocabulary()
    placed = set(
        db.session.scalars(
            select(Apprenticeship.mentee_id).where(Apprenticeship.state.in_(OPEN_STATES))
        )
    )
    consented = minors.consented_minor_ids()
    mentees = MenteePool.build(
        [
            r
            for r in load_mentee_records()
            if r.active and r.id not in placed and (not r.minor or r.id in consented)
        ],
        vocabulary,
    )
    mentors = MentorPool.build(load_mentor_records(), vocabulary)
    # A blocked pair is never proposed, whichever of the two blocked the other.
    result = pair_cohort(
        mentees, mentors, strategy=strategy, top=top, forbidden=blocks.blocked_pairs()
    )
    return CohortPlan(result, int(mentors.open.sum()))


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


def write_csv(plan: CohortPlan, out: IO[str]) -> None:
    mentees, mentors = plan.people()
    writer = csv.writer(out)
    writer.writerow(
        ["mentee_id", "mentee", "mentee_city", "mentor_id", "mentor", "mentor_city", "score"]
    )
    for mentee_id, mentor_id, score in plan.result.pairs:
        mentee, mentor = mentees[mentee_id], mentors[mentor_id]
        writer.writerow(
            [
                mentee_id,
                mentee.name,
                mentee.city,
                mentor_id,
                mentor.name,
                mentor.city,
                f"{score:.4f}",
            ]
        )
