"""Pinning, forbidding, dropping, and running again; runs kept side by side."""

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import AuditEntry, CohortRun
from tests.conftest import post_form
from tests.functional.cohort_builders import (
    adjust,
    cohort_id_of,
    make_cohort,
    mentee,
    mentor,
    placements,
    sign_in_admin,
    start_run,
)
from tests.helpers import text


def _scene(app, client, auth, users):
    sign_in_admin(users, auth)
    best = mentor(app, "Best Fit", teaches=("mixing", "mastering"), email="best@example.com")
    other = mentor(app, "Other Fit", teaches=("mixing",), kinds=("phenom",))
    ann = mentee(app, "Ann", wants=("mixing", "mastering"), email="ann@example.com")
    cohort = cohort_id_of(make_cohort(client))
    first = start_run(client, cohort)
    assert placements(app, first) == {ann: (best, "")}
    return cohort, first, best, other, ann


def test_a_pinned_pair_is_kept_in_the_next_run(app, client, auth, users):
    cohort, _, best, other, ann = _scene(app, client, auth, users)
    assert adjust(client, cohort, "pin", mentee=ann, mentor=other).status_code == 302
    run = start_run(client, cohort)
    assert placements(app, run) == {ann: (other, "")}
    with app.app_context():
        assert db.session.get(CohortRun, run).pins == [[ann, other]]
    assert "Pinned" in text(client.get(f"/admin/cohorts/{cohort}/runs/{run}"))
    adjust(client, cohort, "unpin", mentee=ann, mentor=other)
    assert placements(app, start_run(client, cohort)) == {ann: (best, "")}


def test_a_forbidden_pair_is_never_proposed(app, client, auth, users):
    cohort, _, best, other, ann = _scene(app, client, auth, users)
    adjust(client, cohort, "forbid", mentee=ann, mentor=best)
    assert placements(app, start_run(client, cohort)) == {ann: (other, "")}
    adjust(client, cohort, "forbid", mentee=ann, mentor=other)
    assert placements(app, start_run(client, cohort))[ann][0] is None
    # A forbidden pair cannot be pinned until it is allowed again.
    refused = adjust(client, cohort, "pin", mentee=ann, mentor=best)
    assert "is forbidden: allow it again first" in text(client.get(refused.location))


def test_a_dropped_person_leaves_the_next_runs(app, client, auth, users):
    cohort, first, best, other, ann = _scene(app, client, auth, users)
    adjust(client, cohort, "drop", person=best)
    assert placements(app, start_run(client, cohort)) == {ann: (other, "")}
    adjust(client, cohort, "drop", person=ann)
    assert placements(app, start_run(client, cohort)) == {}
    adjust(client, cohort, "undrop", person=ann)
    adjust(client, cohort, "undrop", person=best)
    assert placements(app, start_run(client, cohort)) == {ann: (best, "")}
    assert placements(app, first) == {ann: (best, "")}  # earlier runs stay as they were


def test_pairs_by_email_and_only_members(app, client, auth, users):
    cohort, *_, ann = _scene(app, client, auth, users)
    outsider = mentor(app, "Not In It", email="out@example.com")
    page = f"/admin/cohorts/{cohort}"
    refused = post_form(
        client,
        f"{page}/pairs",
        {"act": "pin", "mentee_email": "ann@example.com", "mentor_email": "out@example.com"},
        page=page,
    )
    assert refused.status_code == 422
    assert "No mentor of this cohort has that email." in text(refused)
    assert 'value="out@example.com"' in text(refused)
    assert adjust(client, cohort, "pin", mentee=ann, mentor=outsider).status_code == 302
    with app.app_context():
        from mentorapp.models import Cohort

        assert db.session.get(Cohort, cohort).pins == []
    done = post_form(
        client,
        f"{page}/pairs",
        {"act": "forbid", "mentee_email": "ann@example.com", "mentor_email": "best@example.com"},
        page=page,
    )
    assert done.status_code == 302
    assert "Forbidden: Ann with Best Fit" in text(client.get(page))
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "cohort_forbid"


def test_runs_are_compared_side_by_side(app, client, auth, users):
    cohort, first, best, other, ann = _scene(app, client, auth, users)
    adjust(client, cohort, "forbid", mentee=ann, mentor=best)
    adjust(client, cohort, "forbid", mentee=ann, mentor=other)
    second = start_run(client, cohort, "stable")
    body = text(client.get(f"/admin/cohorts/{cohort}"))
    table = body[body.index("Runs side by side") :]
    assert f"Run {first}</a>" in table and f"Run {second}</a>" in table
    assert "1 of 1</td>" in table and "0 of 1</td>" in table
    assert "0 pinned, 2 forbidden, 0 dropped" in table
