"""The waiting list's hold under real concurrency: gunicorn workers on the test database
(as in test_apprenticeship_races), the periodic task in a thread of its own, all at once.

Each round, one mentor with four places: one apprentice running, one request from
someone who took up a waiting-list offer (they withdraw it while the mentor accepts it),
Lena offered a place (open), Liam offered a place whose three days have passed (the task
passes it on), four more people in line, and three people not on the list: every place
is taken or held. At the same moment: Lena asks, the three others ask,
the mentor accepts the waiting request while its mentee withdraws it, the mentor changes
the capacity, and the periodic task runs twice. The line is long enough that every place
that frees goes to someone on it, so nobody off the list may get in.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from mentorapp.availability.waiting import pass_lapsed_offers
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MentorProfile, Notification, State
from mentorapp.models import WaitingListEntry as Entry
from mentorapp.models.types import utcnow
from mentorapp.transactions import is_transient
from tests.functional.test_apprenticeship_races import (
    MESSAGE,
    ROUNDS,
    Browser,
    accepted_count,
    add_mentee,
    add_mentor,
    add_request,
    at_once,
    places,
    post,
    server,  # noqa: F401 (the fixture)
)


def scene(app, capacity: int = 4) -> dict:
    mentor, email = add_mentor(app, capacity)
    running = add_request(app, mentor, add_mentee(app)[0])
    withdrawer, withdrawer_email = add_mentee(app)
    request = add_request(app, mentor, withdrawer)
    line = [add_mentee(app) for _ in range(6)]
    others = [add_mentee(app) for _ in range(3)]
    now = utcnow()
    with app.app_context():
        db.session.get(Apprenticeship, running).state = State.ACCEPTED
        db.session.get(MentorProfile, mentor).apprentice_count = 1
        # The withdrawer took up an offer earlier and asked: a place held until the answer.
        db.session.add(
            Entry(
                mentor_id=mentor,
                mentee_id=withdrawer,
                joined_at=now - timedelta(days=1),
                offered_at=now - timedelta(hours=1),
            )
        )
        for k, (mentee, _) in enumerate(line):
            entry = Entry(mentor_id=mentor, mentee_id=mentee, joined_at=now + timedelta(seconds=k))
            if k == 0:  # Lena: offered, open
                entry.offered_at, entry.offer_expires_at = now, now + timedelta(days=3)
            elif k == 1:  # Liam: offered, lapsed, waiting for the task
                entry.offered_at = now - timedelta(days=3, minutes=5)
                entry.offer_expires_at = now - timedelta(minutes=5)
            db.session.add(entry)
        db.session.commit()
    return {
        "mentor": (mentor, email),
        "request": request,
        "withdrawer": withdrawer_email,
        "line": line,
        "others": others,
    }


def run_task(app, errors: list) -> None:
    """The periodic task as the worker runs it: a transaction that lost a race runs again."""
    with app.app_context():
        for _ in range(4):
            try:
                pass_lapsed_offers()
                db.session.commit()
                return
            except OperationalError as error:
                db.session.rollback()
                if not is_transient(error):
                    errors.append(error)
                    return
        errors.append("the task lost four times")


def periodic_task(app, errors: list):
    """Two runs of the task at once, as one send for `at_once`."""

    def send():
        runs = [threading.Thread(target=run_task, args=(app, errors)) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        return 302, ""

    return send


def what_happened(app, mentor: int) -> list:
    """The mentor's apprenticeships and list, for a failing assertion's message."""
    with app.app_context():
        rows = db.session.scalars(select(Apprenticeship).where(Apprenticeship.mentor_id == mentor))
        entries = db.session.scalars(select(Entry).where(Entry.mentor_id == mentor))
        return [(a.mentee_id, a.state, a.reason) for a in rows] + [
            (e.mentee_id, e.offered_at, e.offer_expires_at) for e in entries
        ]


def offer_notes(app, mentee: int) -> Counter:
    with app.app_context():
        texts = db.session.scalars(select(Notification.text).where(Notification.user_id == mentee))
        return Counter(
            "offer" if "A place is free with" in t else "back" if "no longer free" in t else "-"
            for t in texts
        )


def test_the_held_place_survives_asks_accepts_withdrawals_capacity_and_the_task(
    app,
    server,  # noqa: F811 (the fixture imported above)
):
    for round_ in range(ROUNDS):
        s = scene(app)
        mentor, mentor_email = s["mentor"]
        marcus = Browser(server).log_in(mentor_email)
        token = marcus.csrf(f"/apprenticeships/{s['request']}")
        lena = Browser(server).log_in(s["line"][0][1])
        others = [Browser(server).log_in(email) for _, email in s["others"]]
        withdrawer = Browser(server).log_in(s["withdrawer"])
        week = f"/people/{mentor}/edit/mentor/week"
        capacity = 3 if round_ % 2 else 5
        errors: list = []
        the_task = periodic_task(app, errors)

        sends = [
            post(
                lena, f"/people/{mentor}/ask", lena.csrf(f"/people/{mentor}"), {"message": MESSAGE}
            ),
            *(
                post(o, f"/people/{mentor}/ask", o.csrf(f"/people/{mentor}"), {"message": MESSAGE})
                for o in others
            ),
            post(marcus, f"/apprenticeships/{s['request']}/accept", token),
            post(
                withdrawer,
                f"/apprenticeships/{s['request']}/withdraw",
                withdrawer.csrf(f"/apprenticeships/{s['request']}"),
            ),
            post(
                marcus,
                week,
                token,
                {"availability": ["weekday_evening"], "capacity": capacity, "accepting": "y"},
            ),
            the_task,
        ]

        statuses = at_once(server, sends)  # no 5xx among them

        assert not errors, errors
        assert statuses[0] == 302, what_happened(app, mentor)  # the held place was Lena's
        count, capacity_now = places(app, mentor)
        assert count == accepted_count(app, mentor) <= capacity_now
        with app.app_context():
            held = db.session.scalar(
                select(func.count(Entry.id)).where(
                    Entry.mentor_id == mentor, Entry.offered_at.is_not(None)
                )
            )
            outsiders = db.session.scalar(
                select(func.count(Apprenticeship.id)).where(
                    Apprenticeship.mentor_id == mentor,
                    Apprenticeship.mentee_id.in_([m for m, _ in s["others"]]),
                )
            )
            liam = db.session.scalar(
                select(func.count(Entry.id)).where(
                    Entry.mentor_id == mentor, Entry.mentee_id == s["line"][1][0]
                )
            )
        assert count + held <= capacity_now  # nobody holds a place that is not there
        # The held places were never taken by someone off the list.
        assert outsiders == 0, (
            round_,
            statuses,
            capacity_now,
            count,
            held,
            what_happened(app, mentor),
        )
        assert liam == 0  # his lapsed offer passed on, once
        for mentee, _ in s["line"]:
            told = offer_notes(app, mentee)
            # Told at most once per offer: a second offer only after one was taken back.
            assert told["offer"] <= 1 + told["back"], (mentee, told)
