"""The inbox, its unread count, and the emails a person chose to get."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mentorapp.apprenticeships.services import remind_and_expire
from mentorapp.extensions import db
from mentorapp.models import Notification, User
from tests.conftest import csrf_token
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    email_subjects,
    flashed,
    load,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    notes_for,
    post,
    signed_in,
)
from tests.helpers import checked_value, text

ALL_KINDS = [
    "request",
    "answer",
    "waiting_list",
    "reminder",
    "expiry",
    "message",
    "feedback",
    "listing",
    "queue",
]


def inbox_texts(page: str) -> list[str]:
    return re.findall(r'<span class="inbox__text">([^<]*)</span>', page)


def unread_badge(page: str) -> int:
    found = re.search(r'Inbox <span class="count-badge">(\d+)<', page)
    return int(found.group(1)) if found else 0


def checked_kinds(page: str) -> list[str]:
    boxes = re.findall(r"<input[^>]*name=\"kinds\"[^>]*>", page)
    return [
        re.search(r'value="([^"]*)"', box).group(1)
        for box in boxes
        if re.search(r"\schecked[\s>]", box)
    ]


@pytest.fixture
def scene(app):
    """Ana and Ben each ask Mira; Ana then writes to her. Mira has three notifications."""
    mira = make_mentor(app, "mira@example.com", "Mira")
    ana = make_mentee(app, "ana@example.com", "Ana")
    ben = make_mentee(app, "ben@example.com", "Ben")
    ana_client = signed_in(app, "ana@example.com")
    post(ana_client, f"/people/{mira}/ask", {"message": REQUEST_MESSAGE})
    post(signed_in(app, "ben@example.com"), f"/people/{mira}/ask", {"message": REQUEST_MESSAGE})
    [to_ana, to_ben] = [n.apprenticeship_id for n in notes_for(app, mira)]
    post(
        ana_client,
        f"/apprenticeships/{to_ana}/messages",
        {"body": "Also: I have a <b>Tascam</b> four-track.", "nonce": "n1"},
    )
    return {"mira": mira, "ana": ana, "ben": ben, "to_ana": to_ana, "to_ben": to_ben}


def test_the_inbox_lists_newest_first_and_the_nav_counts_unread(app, scene):
    mira = signed_in(app, "mira@example.com")
    page = text(mira.get("/notifications"))
    assert inbox_texts(page) == [
        "Ana wrote: Also: I have a &lt;b&gt;Tascam&lt;/b&gt; four-track.",
        "Ben asks you for an apprenticeship.",
        "Ana asks you for an apprenticeship.",
    ]
    assert "<b>Tascam</b>" not in page  # escaped, never markup
    assert page.count("inbox__item--unread") == 3
    assert unread_badge(page) == 3
    assert unread_badge(text(mira.get("/dashboard"))) == 3
    # Looking at the inbox reads nothing.
    assert all(n.read_at is None for n in notes_for(app, scene["mira"]))
    assert unread_badge(text(mira.get("/apprenticeships"))) == 3


def test_opening_a_notification_marks_it_read_and_leads_to_the_apprenticeship(app, scene):
    mira = signed_in(app, "mira@example.com")
    first = notes_for(app, scene["mira"])[0]  # Ana's request
    response = post(mira, f"/notifications/{first.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/apprenticeships/{scene['to_ana']}"
    read = notes_for(app, scene["mira"])[0]
    assert read.read_at is not None
    assert [n.read_at is None for n in notes_for(app, scene["mira"])] == [False, True, True]
    page = text(mira.get("/notifications"))
    assert unread_badge(page) == 2 and page.count("inbox__item--unread") == 2

    post(mira, f"/notifications/{first.id}/open")  # again: still read, same moment
    assert notes_for(app, scene["mira"])[0].read_at == read.read_at


def test_a_notification_without_an_apprenticeship_leads_back_to_the_inbox(app, scene):
    with app.app_context():
        note = Notification(user_id=scene["mira"], kind="update", text="Welcome aboard.")
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    mira = signed_in(app, "mira@example.com")
    response = post(mira, f"/notifications/{note_id}/open")
    assert response.headers["Location"] == "/notifications"


def test_someone_elses_notification_cannot_be_opened(app, scene):
    ana = signed_in(app, "ana@example.com")
    theirs = notes_for(app, scene["mira"])[0]
    assert post(ana, f"/notifications/{theirs.id}/open").status_code == 404
    assert notes_for(app, scene["mira"])[0].read_at is None
    assert "Ana asks you" not in text(ana.get("/notifications"))
    for bad in ("0", "-1", str(2**31), str(2**63), "x"):
        assert post(ana, f"/notifications/{bad}/open").status_code == 404, bad


def test_mark_all_read(app, scene):
    ben = signed_in(app, "ben@example.com")
    post(signed_in(app, "mira@example.com"), f"/apprenticeships/{scene['to_ben']}/accept")
    assert unread_badge(text(ben.get("/notifications"))) == 1

    mira = signed_in(app, "mira@example.com")
    assert "Mark all as read" in text(mira.get("/notifications"))
    response = post(mira, "/notifications/read", follow_redirects=True)
    page = flashed(response)
    assert "Everything is marked as read." in page
    assert unread_badge(page) == 0 and "inbox__item--unread" not in page
    assert "Mark all as read" not in page
    assert all(n.read_at is not None for n in notes_for(app, scene["mira"]))
    # Only hers: Ben's stays unread.
    assert [n.read_at for n in notes_for(app, scene["ben"])] == [None]


def test_inbox_buttons_need_our_csrf_token(app, scene):
    mira = signed_in(app, "mira@example.com")
    note = notes_for(app, scene["mira"])[0]
    foreign = csrf_token(app.test_client(), "/login")
    for url in ("/notifications/read", f"/notifications/{note.id}/open"):
        assert mira.post(url).status_code == 400
        assert mira.post(url, data={"csrf_token": foreign}).status_code == 400
    assert all(n.read_at is None for n in notes_for(app, scene["mira"]))
    assert app.test_client().get("/notifications").headers["Location"].startswith("/login")


# Email


def _run_cron(app, now) -> None:
    with app.app_context():
        remind_and_expire(now=now)
        db.session.commit()


def test_each_kind_of_event_is_emailed(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    make_mentee(app, "ana@example.com", "Ana")
    ben = make_mentee(app, "ben@example.com", "Ben")
    ana_client = signed_in(app, "ana@example.com")
    mira_client = signed_in(app, "mira@example.com")

    post(ana_client, f"/people/{mira}/ask", {"message": REQUEST_MESSAGE})
    assert email_subjects(app, "mira@example.com") == ["Ana asks you for an apprenticeship."]
    [a] = [n.apprenticeship_id for n in notes_for(app, mira)]
    post(mira_client, f"/apprenticeships/{a}/question", {"question": "Which DAW?"})
    post(mira_client, f"/apprenticeships/{a}/accept")
    post(ana_client, f"/apprenticeships/{a}/messages", {"body": "Logic Pro.", "nonce": "m1"})
    assert email_subjects(app, "ana@example.com") == [
        "Mira would like to know more before answering.",
        "Mira accepted: your apprenticeship has started.",
    ]
    assert email_subjects(app, "mira@example.com")[1:] == ["A new message from Ana"]

    invitation = make_apprenticeship(app, mira, ben, requested_by="mentor")
    sent = load(app, invitation).created_at
    _run_cron(app, sent + timedelta(days=7))
    _run_cron(app, sent + timedelta(days=14))
    assert email_subjects(app, "ben@example.com") == [
        "Mira has waited a week for your answer. The request expires on "
        f"{(sent + timedelta(days=14)):%d %B}.",
        "The request from Mira expired: two weeks passed without an answer.",
    ]
    assert email_subjects(app, "mira@example.com")[2:] == [
        "Your request to Ben expired without an answer. It no longer counts towards your "
        "open requests."[:120]
    ]
    from tests.helpers import emails_to

    [email] = emails_to(app, "mira@example.com")[:1]
    assert f"http://mentorapp.test/apprenticeships/{a}" in email.body_text
    assert "http://mentorapp.test/account/emails" in email.body_text


def test_muted_kinds_are_not_emailed_but_still_reach_the_inbox(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    ana = make_mentee(app, "ana@example.com", "Ana")
    mira_client = signed_in(app, "mira@example.com")
    assert checked_kinds(text(mira_client.get("/account/emails"))) == ALL_KINDS

    saved = post(mira_client, "/account/emails", {"kinds": ["answer", "reminder", "expiry"]})
    assert saved.status_code == 302
    page = text(mira_client.get("/account/emails"))
    assert "Your email choices are saved." in page
    assert checked_kinds(page) == ["answer", "reminder", "expiry"]  # the form keeps them
    with app.app_context():
        assert db.session.get(User, mira).muted_emails == [
            "feedback",
            "listing",
            "message",
            "queue",
            "request",
            "waiting_list",
        ]

    ana_client = signed_in(app, "ana@example.com")
    post(ana_client, f"/people/{mira}/ask", {"message": REQUEST_MESSAGE})
    [a] = [n.apprenticeship_id for n in notes_for(app, mira)]
    post(ana_client, f"/apprenticeships/{a}/messages", {"body": "Hello again", "nonce": "m1"})
    assert [n.kind for n in notes_for(app, mira)] == ["request", "message"]
    assert email_subjects(app, "mira@example.com") == []
    assert unread_badge(text(mira_client.get("/notifications"))) == 2

    sent = load(app, a).created_at
    _run_cron(app, sent + timedelta(days=7))  # reminders she still wants
    assert email_subjects(app, "mira@example.com") == [notes_for(app, mira)[-1].text]
    assert notes_for(app, ana) == []

    # Everything off, then everything on again.
    post(mira_client, "/account/emails", {})
    assert checked_kinds(text(mira_client.get("/account/emails"))) == []
    _run_cron(app, sent + timedelta(days=14))
    assert len(email_subjects(app, "mira@example.com")) == 1
    assert [n.kind for n in notes_for(app, mira)][-1] == "expiry"
    post(mira_client, "/account/emails", {"kinds": ALL_KINDS})
    assert checked_kinds(text(mira_client.get("/account/emails"))) == ALL_KINDS
    with app.app_context():
        assert db.session.get(User, mira).muted_emails == []


def test_email_choices_refuse_unknown_kinds_and_a_missing_token(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    client = signed_in(app, "mira@example.com")
    response = post(client, "/account/emails", {"kinds": ["answer", "everything"]})
    assert response.status_code == 422
    assert checked_value(text(response), "kinds") == "answer"  # the ticks are kept
    assert client.post("/account/emails", data={"kinds": ["answer"]}).status_code == 400
    with app.app_context():
        assert db.session.get(User, mira).muted_emails == []
