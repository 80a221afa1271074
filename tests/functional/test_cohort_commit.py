"""Committing a run: programme invitations the mentor answers like requests, checked
again against the data of the moment, created once however often it is asked."""

from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    AuditEntry,
    CohortPlacement,
    CohortRun,
    MenteeProfile,
    MentorProfile,
    Notification,
    State,
)
from mentorapp.programme.commit import run_commit
from mentorapp.programme.planning import excluded_pairs
from tests.conftest import AuthActions, post_form
from tests.factories import DEFAULT_PASSWORD
from tests.functional.apprenticeship_builders import make_apprenticeship
from tests.functional.cohort_builders import (
    cohort_id_of,
    make_cohort,
    mentee,
    mentor,
    place,
    placements,
    sign_in_admin,
    start_run,
)
from tests.helpers import emails_to, text


def _commit(client, cohort: int, run: int):
    return post_form(
        client,
        f"/admin/cohorts/{cohort}/runs/{run}/commit",
        {},
        page=f"/admin/cohorts/{cohort}/runs/{run}",
    )


def _programme(app) -> list[Apprenticeship]:
    with app.app_context():
        rows = db.session.scalars(
            select(Apprenticeship)
            .where(Apprenticeship.requested_by == "programme")
            .order_by(Apprenticeship.mentee_id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def _scene(app, client, auth, users):
    sign_in_admin(users, auth)
    mia = mentor(app, "Mia Mentor", capacity=2, email="mia@example.com")
    ann = mentee(app, "Ann", email="ann@example.com")
    ben = mentee(app, "Ben", email="ben@example.com")
    cohort = cohort_id_of(make_cohort(client, name="Spring"))
    run = start_run(client, cohort)
    assert placements(app, run) == {ann: (mia, ""), ben: (mia, "")}
    return cohort, run, mia, ann, ben


def test_a_commit_sends_programme_invitations_the_mentor_answers(app, client, auth, users):
    cohort, run, mia, ann, ben = _scene(app, client, auth, users)
    response = _commit(client, cohort, run)
    assert response.status_code == 302
    invitations = _programme(app)
    assert [(a.mentor_id, a.mentee_id, a.state, a.cohort_id) for a in invitations] == [
        (mia, ann, State.REQUESTED, cohort),
        (mia, ben, State.REQUESTED, cohort),
    ]
    body = text(client.get(response.location))
    assert "2 of 2 pairs" in body and "2 invited, 0 skipped" in body
    with app.app_context():
        notes = db.session.execute(select(Notification.user_id, Notification.text)).all()
    assert sorted(user for user, _ in notes) == sorted([mia, mia, ann, ben])
    assert any("The cohort Spring pairs you with Ann" in t for _, t in notes)
    assert len(emails_to(app, "mia@example.com")) == 2
    assert len(emails_to(app, "ann@example.com")) == 1

    # The mentor sees it as a request, marked as coming from the cohort, and accepts.
    mentor_client = app.test_client()
    AuthActions(mentor_client).login("mia@example.com", DEFAULT_PASSWORD)
    listing = text(mentor_client.get("/apprenticeships"))
    assert "from the cohort Spring" in listing
    first = invitations[0].id
    page = text(mentor_client.get(f"/apprenticeships/{first}"))
    assert "From the cohort Spring" in page
    assert "Accept Ann as your apprentice" in page
    accepted = post_form(
        mentor_client,
        f"/apprenticeships/{first}/accept",
        {},
        page=f"/apprenticeships/{first}",
    )
    assert accepted.status_code in (200, 302), text(accepted)[-1500:]
    with app.app_context():
        assert db.session.get(Apprenticeship, first).state == State.ACCEPTED
        assert db.session.get(MentorProfile, mia).apprentice_count == 1


def test_committing_twice_or_a_retried_task_creates_nothing_twice(app, client, auth, users):
    cohort, run, *_ = _scene(app, client, auth, users)
    assert _commit(client, cohort, run).status_code == 302
    again = _commit(client, cohort, run)
    assert "This run was committed already: nothing was sent twice." in text(
        client.get(again.location)
    )
    with app.app_context():
        assert run_commit(run) == 0  # the task delivered again
        db.session.execute(  # or resumed by a worker after a crash
            CohortRun.__table__.update().values(commit_state="running")
        )
        db.session.commit()
        assert run_commit(run) == 0
        assert db.session.get(CohortRun, run).invited == 2
        audited = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "cohort_committed")
        )
        assert audited == 1
    assert len(_programme(app)) == 2


def test_another_run_of_a_committed_cohort_is_not_sent(app, client, auth, users):
    cohort, run, *_ = _scene(app, client, auth, users)
    later = start_run(client, cohort, "stable")
    _commit(client, cohort, run)
    refused = _commit(client, cohort, later)
    assert f"Run {run} of this cohort was committed already" in text(client.get(refused.location))
    assert len(_programme(app)) == 2


def test_each_pair_is_checked_again_at_commit(app, client, auth, users):
    sign_in_admin(users, auth)
    mia = mentor(app, "Mia", capacity=1)
    olga = mentor(app, "Olga", capacity=1, teaches=("mixing",), kinds=("phenom",))
    rick = mentor(app, "Rick", capacity=2, teaches=("mixing",), kinds=("phenom",))
    ann = mentee(app, "Ann")
    ben = mentee(app, "Ben", wants=("mixing",))
    cat = mentee(app, "Cat", wants=("mixing",))
    cohort = cohort_id_of(make_cohort(client))
    run = start_run(client, cohort)
    result = placements(app, run)
    assert {result[m][0] for m in (ann, ben, cat)} <= {mia, olga, rick}
    assert all(result[m][0] for m in (ann, ben, cat))
    by_mentee = {m: result[m][0] for m in (ann, ben, cat)}
    filled, found, moved = ann, ben, cat
    # Between preview and commit: Ann's mentor fills up, Ben finds a mentor himself,
    # Cat moves to Paris (out of reach of her mentor in London).
    with app.app_context():
        profile = db.session.get(MentorProfile, by_mentee[filled])
        profile.apprentice_count = profile.capacity
        db.session.get(MenteeProfile, moved).place_id = place("Paris")
        db.session.commit()
    outsider = mentor(app, "Outsider")
    make_apprenticeship(app, outsider, found, State.ACCEPTED)
    _commit(client, cohort, run)
    with app.app_context():
        rows = {
            p.mentee_id: p
            for p in db.session.scalars(
                select(CohortPlacement).where(CohortPlacement.run_id == run)
            )
        }
        assert rows[filled].outcome == "skipped"
        assert "taken" in rows[filled].outcome_note
        assert rows[found].outcome == "skipped"
        assert (
            rows[found].outcome_note
            == "The apprentice found a mentor or has an invitation meanwhile."
        )
        assert rows[moved].outcome == "skipped"
        assert "no longer fit" in rows[moved].outcome_note
        assert db.session.get(CohortRun, run).skipped == 3
    assert _programme(app) == []
    body = text(client.get(f"/admin/cohorts/{cohort}/runs/{run}"))
    assert "Skipped pairs" in body and "The apprentice found a mentor" in body


def test_a_pair_declined_or_blocked_since_the_preview_is_skipped(app, client, auth, users):
    from mentorapp.models import Block

    cohort, run, mia, ann, ben = _scene(app, client, auth, users)
    make_apprenticeship(app, mia, ann, State.DECLINED)
    with app.app_context():
        db.session.add(Block(blocker_id=ben, blocked_id=mia))
        db.session.commit()
        assert {(ann, mia), (ben, mia)} <= excluded_pairs()
    _commit(client, cohort, run)
    assert _programme(app) == []
    with app.app_context():
        assert db.session.get(CohortRun, run).skipped == 2


def test_commit_is_audited_with_the_run(app, client, auth, users):
    cohort, run, *_ = _scene(app, client, auth, users)
    _commit(client, cohort, run)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject_id == cohort).order_by(AuditEntry.id)
        ).all()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cohort_committed"))
    assert actions == ["cohort_created", "cohort_run_started", "cohort_committed"]
    assert entry.reason == f"run {run}: 2 invitations to send"


def test_a_mentor_with_one_place_left_gets_one_invitation_not_two(app, client, auth, users):
    cohort, run, mia, ann, ben = _scene(app, client, auth, users)
    outsider = mentee(app, "Somebody Else")
    make_apprenticeship(app, mia, outsider, State.ACCEPTED)  # one of Mia's two places
    _commit(client, cohort, run)
    invitations = _programme(app)
    assert [(a.mentor_id, a.mentee_id) for a in invitations] == [(mia, ann)]
    with app.app_context():
        skipped = db.session.get(CohortPlacement, (run, ben))
        assert skipped.outcome == "skipped"
        assert skipped.outcome_note == "Every place with Mia Mentor is taken now."


def test_a_place_held_for_the_mentors_waiting_list_is_not_given_to_the_cohort(
    app, client, auth, users
):
    """A mentor with a waiting list goes the careful way (availability.waiting): the
    place offered to someone on the list stays theirs, the cohort gets the other."""
    from datetime import timedelta

    from mentorapp.models import WaitingListEntry
    from mentorapp.models.types import utcnow

    cohort, run, mia, ann, ben = _scene(app, client, auth, users)
    zoe = mentee(app, "Zoe")
    with app.app_context():
        now = utcnow()
        db.session.add(
            WaitingListEntry(
                mentor_id=mia,
                mentee_id=zoe,
                joined_at=now - timedelta(days=3),
                offered_at=now,
                offer_expires_at=now + timedelta(days=3),
            )
        )
        db.session.commit()
    _commit(client, cohort, run)
    assert [(a.mentor_id, a.mentee_id) for a in _programme(app)] == [(mia, ann)]
    with app.app_context():
        skipped = db.session.get(CohortPlacement, (run, ben))
        assert skipped.outcome == "skipped"
        assert skipped.outcome_note == "Every place with Mia Mentor is taken now."
        entry = db.session.scalar(select(WaitingListEntry).where(WaitingListEntry.mentee_id == zoe))
        assert entry.offered_at is not None and entry.offer_expires_at is not None
