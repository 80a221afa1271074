"""Admins find people with filters, open their record, and send a new confirmation link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import (
    AuditEntry,
    MenteeProfile,
    MentorProfile,
    Place,
    Report,
    State,
    WaitingListEntry,
)
from mentorapp.models.types import utcnow
from tests.conftest import post_form
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    post,
    signed_in,
)
from tests.helpers import emails_to, text

LYON, OSLO = 2996944, 3143244


@pytest.fixture
def admin(app, users):
    users(email="ada@example.com", display_name="Ada Okafor", is_admin=True, is_mentee=False)
    return signed_in(app, "ada@example.com")


def add_places(app):
    with app.app_context():
        for geonameid, name, country in ((LYON, "Lyon", "France"), (OSLO, "Oslo", "Norway")):
            db.session.add(
                Place(
                    id=geonameid,
                    name=name,
                    country_code=country[:2].upper(),
                    country=country,
                    latitude=0,
                    longitude=0,
                )
            )
        db.session.commit()


def set_place(app, user_id: int, place_id: int, model) -> None:
    with app.app_context():
        db.session.get(model, user_id).place_id = place_id
        db.session.commit()


def names_listed(body: str) -> set[str]:
    import re

    return set(re.findall(r'<td><a href="/admin/people/\d+">([^<]+)</a></td>', body))


def audit_actions(app, person_id: int) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.actor_name, e.reason)
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject == "user", AuditEntry.subject_id == person_id)
                .order_by(AuditEntry.id)
            )
        ]


@pytest.fixture
def community(app, users):
    """A mix of people for the filters: each filter finds some and leaves others out."""
    add_places(app)
    full = make_mentor(app, "full@example.com", "Fulla Mentor", capacity=1)
    free = make_mentor(app, "free@example.com", "Frida Mentor", capacity=2)
    set_place(app, full, LYON, MentorProfile)
    set_place(app, free, OSLO, MentorProfile)
    placed = make_mentee(app, "placed@example.com", "Placed Mentee")
    asking = make_mentee(app, "asking@example.com", "Asking Mentee")
    lining = make_mentee(app, "lining@example.com", "Lining Mentee")
    idle = make_mentee(app, "idle@example.com", "Idle Mentee")
    set_place(app, asking, LYON, MenteeProfile)
    make_apprenticeship(app, full, placed, state=State.ACCEPTED)
    make_apprenticeship(app, free, asking)  # waiting for an answer
    with app.app_context():
        db.session.get(MentorProfile, full).apprentice_count = 1
        db.session.add(WaitingListEntry(mentor_id=full, mentee_id=lining))
        db.session.commit()
    users(email="unverified@example.com", display_name="Una Verified", verified=False)
    users(email="gone@example.com", display_name="Suspended Sam", suspended_at=utcnow())
    return {"full": full, "free": free, "asking": asking, "lining": lining, "idle": idle}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=frida", {"Frida Mentor"}),
        ("q=ASKING%40EX", {"Asking Mentee"}),
        ("place=lyo", {"Fulla Mentor", "Asking Mentee"}),
        ("place=oslo&role=mentor", {"Frida Mentor"}),
        ("role=admin", {"Ada Okafor"}),
        ("show=unverified", {"Una Verified"}),
        ("show=suspended", {"Suspended Sam"}),
        ("show=mentor_full", {"Fulla Mentor"}),
        ("show=waiting", {"Asking Mentee", "Lining Mentee"}),
        ("show=waiting&place=lyon", {"Asking Mentee"}),
        ("q=%25", set()),
    ],
)
def test_each_filter_finds_its_people_and_no_one_else(admin, community, query, expected):
    response = admin.get(f"/admin/people?{query}")
    assert response.status_code == 200
    assert names_listed(text(response)) == expected


def test_an_unknown_filter_value_is_ignored_not_an_error(admin, community):
    everyone = names_listed(text(admin.get("/admin/people")))
    odd = admin.get("/admin/people?role=owner&show=everything&q=" + "x" * 101)
    assert odd.status_code == 200
    assert names_listed(text(odd)) == everyone
    assert "at most 100 characters" in text(odd)


def test_pages_keep_the_filters(app, admin, users):
    for n in range(30):
        users(email=f"p{n:02}@example.com", display_name=f"Member {n:02}", verified=False)
    users(email="ok@example.com", display_name="Confirmed Carla")
    first = text(admin.get("/admin/people?show=unverified"))
    assert "Page 1 of 2" in first and "30 people" in first
    assert 'href="/admin/people?show=unverified&amp;page=2"' in first
    second = text(admin.get("/admin/people?show=unverified&page=2"))
    assert len(names_listed(first)) == 25 and len(names_listed(second)) == 5
    assert "Confirmed Carla" not in first + second
    assert 'href="/admin/exports/people.csv?show=unverified"' in first


def test_a_persons_page_shows_their_requests_apprenticeships_reports_and_audit(
    app, admin, community
):
    mentor = community["full"]
    with app.app_context():
        db.session.add(
            Report(
                reporter_id=community["idle"],
                reported_id=mentor,
                subject="person",
                subject_id=mentor,
                reason="spam",
                reported_name="Fulla Mentor",
            )
        )
        db.session.commit()
        report_id = db.session.scalar(select(Report.id))
    post(
        admin,
        f"/admin/people/{mentor}/suspend",
        {"reason": "Spam to every mentee"},
    )
    post(admin, f"/admin/people/{mentor}/reinstate")
    body = text(admin.get(f"/admin/people/{mentor}"))
    requests, rest = body.split('id="requests-heading"')[1].split('id="apprenticeships-heading"')
    apprenticeships, rest = rest.split('id="reports-heading"')
    reports, audit = rest.split('id="audit-heading"')
    # Suspending closed the open request; the running apprenticeship with Placed ended too.
    assert "Placed Mentee" in apprenticeships and "mentor" in apprenticeships
    assert f'href="/admin/reports/{report_id}"' in reports and "spam" in reports
    assert "account suspended" in audit and "Spam to every mentee" in audit
    assert "account reinstated" in audit and "Ada Okafor" in audit
    assert "Lyon" in body
    mentee_page = text(admin.get(f"/admin/people/{community['asking']}"))
    requests = mentee_page.split('id="requests-heading"')[1].split('id="apprenticeships-heading"')[
        0
    ]
    assert "Frida Mentor" in requests and "requested" in requests and "mentee" in requests
    assert requests.count("<tr>") == 2


def test_resending_the_confirmation_link_goes_through_the_outbox_once_in_ten_minutes(
    app, admin, users
):
    person = users(email="late@example.com", display_name="Late Lou", verified=False)
    response = post(admin, f"/admin/people/{person}/resend-verification", follow_redirects=True)
    assert "A new confirmation link is on its way to late@example.com" in text(response)
    sent = emails_to(app, "late@example.com")
    assert len(sent) == 1 and "/verify/" in sent[0].body_text
    again = post(admin, f"/admin/people/{person}/resend-verification", follow_redirects=True)
    assert "less than ten minutes ago" in text(again)
    assert len(emails_to(app, "late@example.com")) == 1
    assert [a for a, *_ in audit_actions(app, person)] == ["verification_resent"]
    # Ten minutes later it may go again.
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_id == person))
        entry.created_at -= timedelta(minutes=11)
        db.session.commit()
    post(admin, f"/admin/people/{person}/resend-verification")
    assert len(emails_to(app, "late@example.com")) == 2


def test_no_link_for_someone_already_confirmed(app, admin, users):
    person = users(email="done@example.com", display_name="Done Dee")
    response = post(admin, f"/admin/people/{person}/resend-verification", follow_redirects=True)
    assert "already confirmed their email" in text(response)
    assert emails_to(app, "done@example.com") == []
    assert audit_actions(app, person) == []


NEW_ROUTES = [
    ("get", "/admin/people?show=unverified"),
    ("get", "/admin/people/{p}"),
    ("get", "/admin/exports"),
    ("get", "/admin/exports/people.csv"),
    ("get", "/admin/exports/apprenticeships.csv"),
    ("get", "/admin/exports/listings.csv"),
    ("post", "/admin/people/{p}/admin"),
    ("post", "/admin/people/{p}/resend-verification"),
    ("post", "/admin/step-downs/1/confirm"),
    ("post", "/admin/step-downs/1/cancel"),
]


def test_new_routes_send_strangers_to_log_in_and_forbid_non_admins(app, client, users):
    person = users(email="target@example.com", verified=False)
    users(email="priya@example.com", is_mentor=True)
    member = signed_in(app, "priya@example.com")
    for method, url in NEW_ROUTES:
        url = url.format(p=person)
        if method == "get":
            stranger = client.get(url)
        else:
            stranger = post_form(client, url, {"reason": "because"}, page="/login")
        assert stranger.status_code == 302, url
        assert stranger.headers["Location"].startswith("/login?next="), url
        if method == "get":
            assert member.get(url).status_code == 403, url
        else:
            assert post(member, url, {"reason": "because"}).status_code == 403, url
    assert emails_to(app, "target@example.com") == []
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id)) is None
