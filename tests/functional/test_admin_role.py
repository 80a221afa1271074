"""Making and removing admins: a reason each time, never the last admin, never yourself
without a second admin, and the rule held when two admins act at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import AdminStepDown, AuditEntry, User
from mentorapp.models.types import utcnow
from tests.functional.apprenticeship_builders import post, signed_in
from tests.functional.test_apprenticeship_races import (  # noqa: F401 (the fixture)
    ROUNDS,
    Browser,
    server,
)
from tests.helpers import get_user, text


def admin_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)).where(User.is_admin))


def audit(app) -> list[tuple[str, str, int, str]]:
    with app.app_context():
        return [
            (e.action, e.actor_name, e.subject_id, e.reason)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


@pytest.fixture
def ada(app, users):
    users(email="ada@example.com", display_name="Ada Okafor", is_admin=True, is_mentee=False)
    return signed_in(app, "ada@example.com")


def test_an_admin_makes_someone_an_admin_with_a_reason(app, ada, users):
    person = users(email="bo@example.com", display_name="Bo Berg")
    refused = post(ada, f"/admin/people/{person}/admin", {"reason": "  "})
    assert refused.status_code == 422 and "Give a reason" in text(refused)
    assert not get_user(app, "bo@example.com").is_admin
    done = post(
        ada,
        f"/admin/people/{person}/admin",
        {"reason": "Runs the Oslo intake"},
        follow_redirects=True,
    )
    assert "Bo Berg is an admin now." in text(done)
    assert get_user(app, "bo@example.com").is_admin
    assert audit(app) == [("admin_granted", "Ada Okafor", person, "Runs the Oslo intake")]
    # Bo can open the admin pages at once.
    assert signed_in(app, "bo@example.com").get("/admin/people").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verified": False}, "email is not confirmed"),
        ({"suspended_at": utcnow()}, "reinstate it first"),
    ],
)
def test_unconfirmed_or_suspended_people_cannot_become_admins(app, ada, users, fields, message):
    person = users(email="x@example.com", **fields)
    response = post(ada, f"/admin/people/{person}/admin", {"reason": "Helps out"})
    assert response.status_code == 422 and message in text(response)
    assert not get_user(app, "x@example.com").is_admin
    assert audit(app) == []


def test_an_admin_removes_another_admin_with_a_reason(app, ada, users):
    bo = users(email="bo@example.com", display_name="Bo Berg", is_admin=True)
    response = post(
        ada, f"/admin/people/{bo}/admin", {"reason": "Left the team"}, follow_redirects=True
    )
    assert "Bo Berg is no longer an admin." in text(response)
    assert not get_user(app, "bo@example.com").is_admin
    assert audit(app) == [("admin_removed", "Ada Okafor", bo, "Left the team")]


def test_the_last_admin_cannot_step_down(app, ada):
    me = get_user(app, "ada@example.com").id
    response = post(ada, f"/admin/people/{me}/admin", {"reason": "Tired"})
    assert response.status_code == 422
    assert "You are the only admin: make someone else an admin" in text(response)
    assert admin_count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(AdminStepDown.id))) == 0
    assert audit(app) == []


def test_stepping_down_waits_for_a_second_admin_who_confirms_it(app, ada, users):
    me = get_user(app, "ada@example.com").id
    users(email="bo@example.com", display_name="Bo Berg", is_admin=True)
    asked = post(
        ada, f"/admin/people/{me}/admin", {"reason": "Moving abroad"}, follow_redirects=True
    )
    assert "waits for a second admin" in text(asked)
    assert get_user(app, "ada@example.com").is_admin  # not yet
    with app.app_context():
        step_down = db.session.scalar(select(AdminStepDown.id))
    # Ada cannot confirm her own request, nor ask twice.
    own = post(ada, f"/admin/step-downs/{step_down}/confirm", follow_redirects=True)
    assert "A different admin must confirm" in text(own)
    assert get_user(app, "ada@example.com").is_admin
    assert "Cancel my request" in text(ada.get(f"/admin/people/{me}"))
    # Bo sees it on the people page and on Ada's page, and confirms.
    bo = signed_in(app, "bo@example.com")
    listing = text(bo.get("/admin/people"))
    assert "Waiting for a second admin" in listing and "Moving abroad" in listing
    assert "Confirm: Ada Okafor stops being an admin" in text(bo.get(f"/admin/people/{me}"))
    done = post(bo, f"/admin/step-downs/{step_down}/confirm", follow_redirects=True)
    assert "Ada Okafor is no longer an admin." in text(done)
    assert not get_user(app, "ada@example.com").is_admin
    assert ada.get("/admin/people").status_code == 403
    assert [(a, who) for a, who, *_ in audit(app)] == [
        ("admin_step_down_asked", "Ada Okafor"),
        ("admin_removed", "Bo Berg"),
    ]
    assert "Moving abroad" in audit(app)[1][3]
    # Done once: confirming again changes nothing.
    again = post(bo, f"/admin/step-downs/{step_down}/confirm", follow_redirects=True)
    assert "already confirmed or cancelled" in text(again) or "not an admin" in text(again)
    assert len(audit(app)) == 2


def test_the_admin_who_asked_can_cancel_and_nobody_else(app, ada, users):
    me = get_user(app, "ada@example.com").id
    users(email="bo@example.com", display_name="Bo Berg", is_admin=True)
    post(ada, f"/admin/people/{me}/admin", {"reason": "Maybe later"})
    with app.app_context():
        step_down = db.session.scalar(select(AdminStepDown.id))
    bo = signed_in(app, "bo@example.com")
    not_his = post(bo, f"/admin/step-downs/{step_down}/cancel", follow_redirects=True)
    assert "Only the admin who asked can cancel" in text(not_his)
    cancelled = post(ada, f"/admin/step-downs/{step_down}/cancel", follow_redirects=True)
    assert "you are still an admin" in text(cancelled)
    late = post(bo, f"/admin/step-downs/{step_down}/confirm", follow_redirects=True)
    assert "already confirmed or cancelled" in text(late)
    assert get_user(app, "ada@example.com").is_admin
    assert [a for a, *_ in audit(app)] == ["admin_step_down_asked", "admin_step_down_cancelled"]


def test_a_request_waits_while_nobody_else_is_an_admin(app, ada, users):
    """Ada asks to step down, then removes Bo: her request waits with nobody to confirm
    it, and she stays the admin."""
    me = get_user(app, "ada@example.com").id
    bo = users(email="bo@example.com", display_name="Bo Berg", is_admin=True)
    post(ada, f"/admin/people/{me}/admin", {"reason": "Stepping back"})
    post(ada, f"/admin/people/{bo}/admin", {"reason": "Left"})
    with app.app_context():
        step_down = db.session.scalar(select(AdminStepDown.id))
    # Bo is no longer an admin, so cannot confirm; Ada is the only admin.
    assert signed_in(app, "bo@example.com").get("/admin/people").status_code == 403
    assert admin_count(app) == 1
    with app.app_context():
        assert db.session.get(AdminStepDown, step_down).decided_at is None


def test_removing_each_other_at_the_same_moment_leaves_an_admin(app, server):  # noqa: F811
    """Two admins, each removing the other, at once: one wins, the other is refused
    (without the row locks both read "two admins" and both win, on PostgreSQL)."""
    from tests.factories import make_user

    for n in range(ROUNDS):
        emails = [f"race{n}a@example.com", f"race{n}b@example.com"]
        with app.app_context():
            db.session.execute(User.__table__.update().values(is_admin=False))
            ids = [
                make_user(email=e, display_name=f"Admin {e[:6]}", is_admin=True, is_mentee=False).id
                for e in emails
            ]
            db.session.commit()
        a, b = (Browser(server).log_in(e) for e in emails)
        tokens = [
            browser.csrf(f"/admin/people/{other}") for browser, other in ((a, ids[1]), (b, ids[0]))
        ]

        def remove(browser, other, token):
            return lambda: browser.request(
                f"/admin/people/{other}/admin", {"csrf_token": token, "reason": "Race"}
            )

        statuses = together([remove(a, ids[1], tokens[0]), remove(b, ids[0], tokens[1])])
        assert admin_count(app) == 1, f"round {n}: {statuses}\n{server.log_tail()}"
        # The loser is refused (422), or, when it started after the winner's commit,
        # is no admin any more at the door (403).
        assert sorted(statuses)[0] == 302 and sorted(statuses)[1] in (403, 422), statuses


def together(sends: list) -> list[int]:
    start = threading.Barrier(len(sends))

    def go(send):
        start.wait()
        return send()[0]

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(go, sends))
