"""A run of a cohort: pair its members in the background, keep every placement with the
engine's reasons, and say for each mentee left out why.

The run's row is the durable record: the task claims it (queued -> running) so a
retried or doubled task pairs once, commits its progress as it goes (the page shows a
bar), and stores the placements and figures in the transaction that finishes it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, insert, select, update

from mentorapp.audit import record
from mentorapp.errors import Conflict, DomainError
from mentorapp.extensions import db
from mentorapp.matching import MenteePool, MentorPool, rank_mentees
from mentorapp.matching.engine import pair_scores
from mentorapp.models import (
    Cohort,
    CohortMember,
    CohortPlacement,
    CohortRun,
    RunState,
    User,
)
from mentorapp.models.types import utcnow
from mentorapp.paging import Page
from mentorapp.programme import planning
from mentorapp.suggestions.records import load_mentee_records, load_mentor_records, load_vocabulary

log = logging.getLogger(__name__)

NO_REACH = "No mentor within reach"
ALL_FULL = "Every fitting mentor is full"
NO_SPECIALTY = "No mentor teaches what they want to learn"
PER_PAGE = 50


def start_run(admin: User, cohort: Cohort, strategy: str) -> CohortRun:
    """A run of the cohort with its adjustments as they stand; the task is enqueued
    once this commits."""
    from mentorapp.programme import tasks

    if strategy not in planning.STRATEGIES:
        raise DomainError("Choose a strategy from the list.", field="strategy")
    run = CohortRun(
        cohort_id=cohort.id,
        strategy=strategy,
        pins=list(cohort.pins),
        forbids=list(cohort.forbids),
        drops=list(cohort.drops),
        created_by_id=admin.id,
    )
    db.session.add(run)
    db.session.flush()
    record(
        admin,
        "cohort_run_started",
        "cohort",
        cohort.id,
        cohort.name,
        f"run {run.id}, {planning.STRATEGY_LABELS[strategy].lower()}",
    )
    tasks.enqueue_preview(run.id)
    return run


def _progress(run_id: int, percent: int, stage: str) -> None:
    db.session.execute(
        update(CohortRun)
        .where(CohortRun.id == run_id)
        .values(progress=percent, stage=stage)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _claim(run_id: int) -> bool:
    claimed = db.session.execute(
        update(CohortRun)
        .where(CohortRun.id == run_id, CohortRun.state == RunState.QUEUED)
        .values(state=RunState.RUNNING, started_at=utcnow(), progress=5, stage="Reading the cohort")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def member_ids(cohort_id: int, side: str):
    return select(CohortMember.user_id).where(
        CohortMember.cohort_id == cohort_id, CohortMember.side == side
    )


def read_intake(run: CohortRun) -> planning.Intake:
    """The cohort's members as the engine's records, as they are now: the cohort's own
    places for a mentor who was given fewer, the rules' excluded pairs."""
    dropped = set(run.drops)
    vocabulary = load_vocabulary()
    mentees = [
        r
        for r in planning.eligible_mentees(load_mentee_records(member_ids(run.cohort_id, "mentee")))
        if r.id not in dropped
    ]
    places = dict(
        db.session.execute(
            select(CohortMember.user_id, CohortMember.capacity).where(
                CohortMember.cohort_id == run.cohort_id,
                CohortMember.side == "mentor",
                CohortMember.capacity.is_not(None),
            )
        ).all()
    )
    mentors = [
        planning.with_places(r, min(r.free_places, places[r.id])) if r.id in places else r
        for r in load_mentor_records(member_ids(run.cohort_id, "mentor"))
        if r.id not in dropped
    ]
    excluded = planning.excluded_pairs({r.id for r in mentees})
    return planning.Intake(vocabulary, mentees, mentors, excluded)


def why_unplaced(intake: planning.Intake, unplaced: list[int], never: set) -> dict[int, str]:
    """For each mentee left out: nobody they could meet (distance, remote, the rules), or
    nobody of those teaching what they want, or every such mentor full.

    The engine's bulk scores say who could meet (a score below zero: a hard rule), with
    every mentor given a place so "full" is told apart from "out of reach"; whether a
    mentor teaches any of the mentee's wishes is one product of their specialty columns
    (written here, beside the engine, which does not answer it on its own)."""
    if not unplaced:
        return {}
    by_id = {r.id: r for r in intake.mentees}
    mentors = MentorPool.build(
        [planning.with_places(r, max(1, r.free_places)) for r in intake.mentors],
        intake.vocabulary,
    )
    column = {int(person): j for j, person in enumerate(mentors.ids)}
    never_by = _never_by_mentee(never)
    taught = mentors.taught.astype(np.float32)  # (specialties, mentors)
    why: dict[int, str] = {}
    for start in range(0, len(unplaced), 512):
        ids = unplaced[start : start + 512]
        pool = MenteePool.build([by_id[i] for i in ids], intake.vocabulary)
        feasible = pair_scores(pool, mentors) >= 0
        for row, mentee in enumerate(ids):
            for mentor in never_by.get(mentee, ()):
                j = column.get(mentor)
                if j is not None:
                    feasible[row, j] = False
        wished = np.zeros((len(ids), taught.shape[0]), dtype=np.float32)
        for rank in range(pool.wants.shape[1]):
            positions = pool.wants[:, rank]
            rows = np.flatnonzero(positions >= 0)
            wished[rows, positions[rows]] = 1.0
        fitting = feasible & ((wished @ taught) > 0)
        for row, mentee in enumerate(ids):
            if not feasible[row].any():
                why[mentee] = NO_REACH
            elif not fitting[row].any():
                why[mentee] = NO_SPECIALTY
            else:
                why[mentee] = ALL_FULL
    return why


def _reasons(intake: planning.Intake, pairs) -> dict[int, list[str]]:
    """The engine's own sentences for each pair, as the mentor reads them: one ranking
    of each mentor's placed mentees (a call per mentor, not per pair)."""
    mentees = MenteePool.build(intake.mentees, intake.vocabulary)
    row_of = {int(person): i for i, person in enumerate(mentees.ids)}
    mentors = {r.id: r for r in intake.mentors}
    groups: dict[int, list[int]] = {}
    for mentee_id, mentor_id, _score in pairs:
        groups.setdefault(mentor_id, []).append(row_of[mentee_id])
    texts: dict[int, list[str]] = {}
    for mentor_id, rows in groups.items():
        ranking = rank_mentees(mentors[mentor_id], mentees.rows(rows), limit=len(rows))
        for match in ranking.matches:
            texts[match.id] = [reason.text for reason in match.reasons]
    return texts


def _never_by_mentee(never: set) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for mentee, mentor in never:
        found.setdefault(mentee, set()).add(mentor)
    return found


def run_preview(run_id: int) -> bool:
    """Pair the run's cohort and store the outcome; False when another run of the task
    holds (or finished) it."""
    if not _claim(run_id):
        return False
    try:
        _pair_and_store(run_id)
    except Exception as error:
        db.session.rollback()
        db.session.execute(
            update(CohortRun)
            .where(CohortRun.id == run_id)
            .values(
                state=RunState.FAILED,
                finished_at=utcnow(),
                failure="The run stopped on an error; start another run.",
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        log.exception("Cohort run %s failed: %s", run_id, error)
        return False
    return True


def _pair_and_store(run_id: int) -> None:
    started = time.perf_counter()
    run = db.session.get(CohortRun, run_id)
    intake = read_intake(run)
    _progress(run_id, 30, "Scoring and pairing")
    forbidden = {tuple(pair) for pair in run.forbids}
    result, pinned = planning.pair_intake(
        intake, run.strategy, pins=[tuple(p) for p in run.pins], forbidden=forbidden
    )
    _progress(run_id, 60, "Writing the reasons")
    pairs = list(pinned) + list(result.pairs)
    reasons = _reasons(intake, pairs)
    placed = {mentee for mentee, _, _ in pairs}
    unplaced = [r.id for r in intake.mentees if r.id not in placed]
    never = intake.excluded | forbidden
    why = why_unplaced(intake, unplaced, never)
    _progress(run_id, 85, "Saving the placements")
    pin_set = {(m, n) for m, n, _ in pinned}
    rows = [
        {
            "run_id": run_id,
            "mentee_id": mentee,
            "mentor_id": mentor,
            "score": round(score, 4),
            "reasons": reasons.get(mentee, []),
            "why": "",
            "pinned": (mentee, mentor) in pin_set,
            "outcome_note": "",
        }
        for mentee, mentor, score in pairs
    ] + [
        {
            "run_id": run_id,
            "mentee_id": mentee,
            "mentor_id": None,
            "score": None,
            "reasons": [],
            "why": why[mentee],
            "pinned": False,
            "outcome_note": "",
        }
        for mentee in unplaced
    ]
    if rows:
        db.session.execute(insert(CohortPlacement), rows)
    scores = [score for _, _, score in pairs]
    stats = {
        "mentees": len(intake.mentees),
        "mentors": len(intake.mentors),
        "places": int(
            sum(max(0, r.free_places) for r in intake.mentors if r.active and r.accepting)
        ),
        "placed": len(pairs),
        "pinned": len(pinned),
        "pins_refused": len(run.pins) - len(pinned),
        "mean": round(sum(scores) / len(scores), 4) if scores else 0.0,
        "lowest": round(min(scores), 4) if scores else 0.0,
        "total": round(sum(scores), 4),
        "blocking": result.blocking_pairs,
        "engine_seconds": round(result.seconds, 3),
        "seconds": round(time.perf_counter() - started, 3),
        "unplaced": {
            label: sum(1 for w in why.values() if w == label)
            for label in (NO_REACH, NO_SPECIALTY, ALL_FULL)
        },
    }
    db.session.execute(
        update(CohortRun)
        .where(CohortRun.id == run_id)
        .values(
            state=RunState.FINISHED,
            progress=100,
            stage="Done",
            stats=stats,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# Reading a run


def run_of(cohort: Cohort, run_id: int) -> CohortRun:
    run = db.session.get(CohortRun, run_id)
    if run is None or run.cohort_id != cohort.id:
        raise Conflict("There is no such run of this cohort.")
    return run


@dataclass(frozen=True)
class Row:
    placement: CohortPlacement
    mentee: User
    mentor: User | None


def _page(run: CohortRun, placed: bool, page: int) -> Page[Row]:
    where = [CohortPlacement.run_id == run.id]
    where.append(
        CohortPlacement.mentor_id.is_not(None) if placed else CohortPlacement.mentor_id.is_(None)
    )
    total = db.session.scalar(select(func.count()).select_from(CohortPlacement).where(*where))
    order = (
        (CohortPlacement.score.desc(), CohortPlacement.mentee_id)
        if placed
        else (CohortPlacement.why, CohortPlacement.mentee_id)
    )
    mentee, mentor = db.aliased(User), db.aliased(User)
    rows = db.session.execute(
        select(CohortPlacement, mentee, mentor)
        .join(mentee, mentee.id == CohortPlacement.mentee_id)
        .outerjoin(mentor, mentor.id == CohortPlacement.mentor_id)
        .where(*where)
        .order_by(*order)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return Page([Row(*row) for row in rows], total or 0, page, PER_PAGE)


def pairs_page(run: CohortRun, page: int = 1) -> Page[Row]:
    return _page(run, True, page)


def unplaced_page(run: CohortRun, page: int = 1) -> Page[Row]:
    return _page(run, False, page)


def runs_of(cohort: Cohort) -> list[CohortRun]:
    return list(
        db.session.scalars(
            select(CohortRun).where(CohortRun.cohort_id == cohort.id).order_by(CohortRun.id)
        )
    )


# Adjustments for the next run


def adjust(
    admin: User,
    cohort: Cohort,
    act: str,
    mentee: int | None = None,
    mentor: int | None = None,
    person: int | None = None,
) -> str:
    """Pin or forbid a pair, drop a person, or undo one of these; returns what was done,
    in words. The next run starts from the cohort's adjustments."""
    from mentorapp.programme.intake import is_member

    pins = [list(p) for p in cohort.pins]
    forbids = [list(p) for p in cohort.forbids]
    drops = list(cohort.drops)
    if act in ("pin", "forbid", "unpin", "unforbid"):
        if not (
            mentee
            and mentor
            and is_member(cohort.id, mentee, "mentee")
            and is_member(cohort.id, mentor, "mentor")
        ):
            raise DomainError("Both must be in the cohort: an apprentice and a mentor.")
        pair = [mentee, mentor]
        names = _names([mentee, mentor])
        said = f"{names[mentee]} with {names[mentor]}"
        if act == "pin":
            if pair in forbids:
                raise DomainError(f"The pair {said} is forbidden: allow it again first.")
            pins = [p for p in pins if p[0] != mentee] + [pair]  # one pin per apprentice
            done = f"Pinned {said}."
        elif act == "forbid":
            pins = [p for p in pins if p != pair]
            forbids = [p for p in forbids if p != pair] + [pair]
            done = f"Forbade {said}."
        elif act == "unpin":
            pins = [p for p in pins if p != pair]
            done = f"{said} is no longer pinned."
        else:
            forbids = [p for p in forbids if p != pair]
            done = f"{said} may be paired again."
    elif act in ("drop", "undrop"):
        if not person or not (
            is_member(cohort.id, person, "mentee") or is_member(cohort.id, person, "mentor")
        ):
            raise DomainError("That person is not in the cohort.")
        name = _names([person])[person]
        if act == "drop":
            drops = sorted(set(drops) | {person})
            pins = [p for p in pins if person not in p]
            done = f"Dropped {name} from the next runs."
        else:
            drops = [d for d in drops if d != person]
            done = f"{name} is back in the cohort."
    else:
        raise DomainError("Choose pin, forbid or drop.")
    cohort.pins, cohort.forbids, cohort.drops = pins, forbids, drops
    record(admin, f"cohort_{act}", "cohort", cohort.id, cohort.name, done)
    return done


def pair_by_email(
    admin: User, cohort: Cohort, act: str, mentee_email: str, mentor_email: str
) -> str:
    from mentorapp.auth.services import normalise_email

    found = dict(
        db.session.execute(
            select(User.email, User.id).where(
                User.email.in_([normalise_email(mentee_email), normalise_email(mentor_email)])
            )
        ).all()
    )
    mentee = found.get(normalise_email(mentee_email))
    mentor = found.get(normalise_email(mentor_email))
    from mentorapp.programme.intake import is_member

    if mentee is None or not is_member(cohort.id, mentee, "mentee"):
        raise DomainError("No apprentice of this cohort has that email.", field="mentee_email")
    if mentor is None or not is_member(cohort.id, mentor, "mentor"):
        raise DomainError("No mentor of this cohort has that email.", field="mentor_email")
    return adjust(admin, cohort, act, mentee=mentee, mentor=mentor)


def _names(ids: list[int]) -> dict[int, str]:
    return dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


@dataclass(frozen=True)
class Adjustments:
    pins: list[tuple[int, int]]
    forbids: list[tuple[int, int]]
    drops: list[int]
    names: dict[int, str]


def adjustments(cohort: Cohort) -> Adjustments:
    ids = {i for p in cohort.pins for i in p} | {i for p in cohort.forbids for i in p}
    ids |= set(cohort.drops)
    return Adjustments(
        [tuple(p) for p in cohort.pins],
        [tuple(p) for p in cohort.forbids],
        list(cohort.drops),
        _names(sorted(ids)) if ids else {},
    )
