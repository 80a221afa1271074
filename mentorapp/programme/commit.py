"""Committing a run: each of its pairs becomes a programme invitation the mentor answers
as a request, checked again against the data as it is now.

Once per cohort: the first commit claims the cohort (a conditional UPDATE), so a double
click or a second admin starts nothing more. The task then claims each placement row
(outcome NULL -> invited, a conditional UPDATE in the transaction that creates the
invitation), so a retried task or two workers at once create each invitation once; a
pair that no longer holds (a mentor filled up, a mentee found someone, a profile
changed) is marked skipped with the reason, never created. Places hold as for requests:
the invitation goes through apprenticeships.services under the mentor's row lock."""

from __future__ import annotations

import logging
import random
import time

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from mentorapp.apprenticeships.invitations import invite_pairs
from mentorapp.audit import record
from mentorapp.errors import Conflict, DomainError
from mentorapp.extensions import db
from mentorapp.matching import MenteePool, MentorPool
from mentorapp.matching.engine import pair_scores
from mentorapp.models import (
    Apprenticeship,
    Cohort,
    CohortPlacement,
    CohortRun,
    RunState,
    State,
    User,
)
from mentorapp.models.types import utcnow
from mentorapp.programme import planning
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records, load_vocabulary
from mentorapp.transactions import is_transient

log = logging.getLogger(__name__)
BATCH = 50  # pairs a transaction: short enough for SQLite's one writer at a time
ATTEMPTS = 5


def start_commit(admin: User, cohort: Cohort, run: CohortRun) -> bool:
    """Turn the run's pairs into invitations, in the background. False when this run was
    committed already (a double click): nothing more starts."""
    from mentorapp.programme import tasks

    if run.cohort_id != cohort.id or run.state != RunState.FINISHED:
        raise DomainError("Only a finished run can be committed.")
    claimed = db.session.execute(
        update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.committed_run_id.is_(None))
        .values(committed_run_id=run.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(cohort)
    if claimed != 1:
        if cohort.committed_run_id == run.id:
            return False
        raise Conflict(
            f"Run {cohort.committed_run_id} of this cohort was committed already: a cohort "
            "sends its invitations once."
        )
    total = db.session.scalar(
        select(func.count())
        .select_from(CohortPlacement)
        .where(CohortPlacement.run_id == run.id, CohortPlacement.mentor_id.is_not(None))
    )
    db.session.execute(
        update(CohortRun)
        .where(CohortRun.id == run.id)
        .values(commit_state="queued", commit_total=total or 0)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(run)
    record(
        admin,
        "cohort_committed",
        "cohort",
        cohort.id,
        cohort.name,
        f"run {run.id}: {total} invitations to send",
    )
    tasks.enqueue_commit(run.id)
    return True


def _retrying(work):
    """Run `work` (one transaction, committed inside) again when it lost a race: a
    deadlock on PostgreSQL, a busy file on SQLite while another worker writes."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as error:
            db.session.rollback()
            if not is_transient(error) or attempt == ATTEMPTS:
                raise
            log.warning("A cohort commit lost a race (attempt %d), trying again", attempt)
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 (jitter)
    return None


def run_commit(run_id: int) -> int:
    """Send the run's invitations not yet sent; safe to run twice or at once. Returns how
    many placements this call settled."""

    def take() -> int:
        moved = db.session.execute(
            update(CohortRun)
            .where(CohortRun.id == run_id, CohortRun.commit_state.in_(("queued", "running")))
            .values(commit_state="running")
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        return moved

    if _retrying(take) != 1:
        return 0
    run = db.session.get(CohortRun, run_id)
    cohort = db.session.get(Cohort, run.cohort_id)
    name, cohort_id = cohort.name, cohort.id
    db.session.commit()

    def batch() -> int | None:
        ids = list(
            db.session.scalars(
                select(CohortPlacement.mentee_id)
                .where(
                    CohortPlacement.run_id == run_id,
                    CohortPlacement.mentor_id.is_not(None),
                    CohortPlacement.outcome.is_(None),
                )
                .order_by(CohortPlacement.mentee_id)
                .limit(BATCH)
            )
        )
        if not ids:
            db.session.commit()
            return None
        done = _commit_batch(run_id, cohort_id, name, ids)
        db.session.commit()
        return done

    settled = 0
    while (done := _retrying(batch)) is not None:
        settled += done

    def finish() -> None:
        db.session.execute(
            update(CohortRun)
            .where(CohortRun.id == run_id, CohortRun.commit_state == "running")
            .values(commit_state="finished", committed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    _retrying(finish)
    return settled


def _problem_now(placement, mentee_record, mentor_record, excluded, busy, fits):
    """Why the pair no longer holds on today's data, or None."""
    mentee_id, mentor_id = placement.mentee_id, placement.mentor_id
    if mentee_id in busy:
        return "The apprentice found a mentor or has an invitation meanwhile."
    if (mentee_id, mentor_id) in excluded:
        return "A request between the two is open, was declined lately, or one blocked the other."
    if mentee_record is None or mentor_record is None:
        return "One of the two left the programme."
    if not mentor_record.active or not mentor_record.accepting:
        return "The mentor is not taking apprentices now."
    if mentor_record.free_places <= 0:
        return "Every place with the mentor is taken now."
    if (mentee_id, mentor_id) not in fits:
        return "Their profiles no longer fit (distance, remote work or the minors rule)."
    return None


def _fitting(pairs: list[tuple[int, int]], mentees: dict, mentors: dict) -> set[tuple[int, int]]:
    """The (mentee, mentor) pairs no hard rule keeps apart on today's profiles: one block
    of the engine's scores for the batch, not a call per pair."""
    known = [(n, m) for n, m in pairs if n in mentees and m in mentors]
    if not known:
        return set()
    vocabulary = load_vocabulary()
    mentee_ids = sorted({n for n, _ in known})
    mentor_ids = sorted({m for _, m in known})
    row = {person: i for i, person in enumerate(mentee_ids)}
    column = {person: j for j, person in enumerate(mentor_ids)}
    scores = pair_scores(
        MenteePool.build([mentees[i] for i in mentee_ids], vocabulary),
        MentorPool.build(
            [planning.with_places(mentors[i], max(1, mentors[i].free_places)) for i in mentor_ids],
            vocabulary,
        ),
    )
    return {(n, m) for n, m in known if scores[row[n], column[m]] >= 0}


def _commit_batch(run_id: int, cohort_id: int, name: str, mentee_ids: list[int]) -> int:
    # Claim the batch's rows (NULL -> invited) first: a row another worker holds or
    # settled is not returned, so each placement is settled once.
    claimed = set(
        db.session.scalars(
            update(CohortPlacement)
            .where(
                CohortPlacement.run_id == run_id,
                CohortPlacement.mentee_id.in_(mentee_ids),
                CohortPlacement.outcome.is_(None),
            )
            .values(outcome="invited")
            .returning(CohortPlacement.mentee_id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return 0
    placements = sorted(
        db.session.scalars(
            select(CohortPlacement).where(
                CohortPlacement.run_id == run_id, CohortPlacement.mentee_id.in_(claimed)
            )
        ),
        key=lambda p: p.mentee_id,
    )
    ids = [p.mentee_id for p in placements]
    mentor_ids = sorted({p.mentor_id for p in placements})
    people = {
        person.id: person
        for person in db.session.scalars(
            select(User)
            .where(User.id.in_(set(ids) | set(mentor_ids)))
            .options(selectinload(User.mentor_profile), selectinload(User.mentor_application))
        )
    }
    mentees = {r.id: r for r in load_mentee_records(ids)}
    mentors = {r.id: r for r in load_mentor_records(mentor_ids)}
    excluded = planning.excluded_pairs(ids)
    fits = _fitting([(p.mentee_id, p.mentor_id) for p in placements], mentees, mentors)
    # Found someone: running with a mentor, or invited by a cohort (this one or another).
    busy = set(
        db.session.scalars(
            select(Apprenticeship.mentee_id).where(
                Apprenticeship.mentee_id.in_(ids),
                (Apprenticeship.state == State.ACCEPTED)
                | (
                    (Apprenticeship.state == State.REQUESTED)
                    & (Apprenticeship.requested_by == "programme")
                ),
            )
        )
    )
    outcome: dict[int, object] = {}
    to_invite = []
    for placement in placements:
        problem = _problem_now(
            placement,
            mentees.get(placement.mentee_id),
            mentors.get(placement.mentor_id),
            excluded,
            busy,
            fits,
        )
        if problem:
            outcome[placement.mentee_id] = problem
        else:
            to_invite.append((people[placement.mentor_id], people[placement.mentee_id]))
    outcome.update(invite_pairs(to_invite, cohort_id, name))
    invited = [
        {"run_id": run_id, "mentee_id": mentee, "apprenticeship_id": made.id}
        for mentee, made in outcome.items()
        if not isinstance(made, str)
    ]
    skipped = [
        {"run_id": run_id, "mentee_id": mentee, "outcome": "skipped", "outcome_note": why[:300]}
        for mentee, why in outcome.items()
        if isinstance(why, str)
    ]
    for rows in (invited, skipped):
        if rows:  # by primary key, many rows in one statement
            db.session.execute(update(CohortPlacement), rows)
    db.session.execute(
        update(CohortRun)
        .where(CohortRun.id == run_id)
        .values(
            commit_done=CohortRun.commit_done + len(outcome),
            invited=CohortRun.invited + len(invited),
            skipped=CohortRun.skipped + len(skipped),
        )
        .execution_options(synchronize_session=False)
    )
    return len(outcome)


def skipped_pairs(run: CohortRun) -> list[tuple[CohortPlacement, User, User]]:
    mentee, mentor = db.aliased(User), db.aliased(User)
    return [
        tuple(row)
        for row in db.session.execute(
            select(CohortPlacement, mentee, mentor)
            .join(mentee, mentee.id == CohortPlacement.mentee_id)
            .join(mentor, mentor.id == CohortPlacement.mentor_id)
            .where(CohortPlacement.run_id == run.id, CohortPlacement.outcome == "skipped")
            .order_by(CohortPlacement.mentee_id)
            .limit(500)
        )
    ]
