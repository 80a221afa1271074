"""The capacity rule and the no-double-submission rule under real concurrency.

Real gunicorn workers (4 processes with 4 threads each) serve the test database, the same
one the fixtures use (SQLite, or PostgreSQL with TEST_DATABASE_URL). People log in through
the real login form; a thread pool then sends the same forms at the same moment, and
afterwards the database is counted. Every scenario runs several rounds, since one lucky
round proves little. See "The capacity rule" in SECURITY.md.
"""

from __future__ import annotations

import http.cookies
import itertools
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, MenteeProfile, MentorProfile, State
from mentorapp.models.types import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5
MESSAGE = "I want to learn mixing vocals; free on weekday evenings and most weekends."
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# A response to a form that lost a race: a redirect with a flash, a form shown again with
# the reason (422), or the 409 page when the database's constraints caught it at commit.
# Never a 500, and never a 503 (a deadlock or a lock wait that gave up).
LOST_RACE_OK = {302, 409, 422}
_addresses = itertools.count(1)
_people = itertools.count(1)


# --- A server with real workers ---------------------------------------------------------


@dataclass
class Server:
    base: str
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(database_uri, tmp_path_factory):
    """gunicorn with 4 workers x 4 threads on the test database, stopped after the module."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        pytest.skip("gunicorn is not installed: the race tests need real worker processes")
    folder = tmp_path_factory.mktemp("race-server")
    log = folder / "gunicorn.log"
    port = _free_port()
    env = {
        **os.environ,
        "MENTORAPP_ENV": "development",
        "SECRET_KEY": secrets.token_hex(16),
        "PUBLIC_URL": "http://mentorapp.test",
        "DATABASE_URL": database_uri,
        "MENTORAPP_INSTANCE_PATH": str(folder),
        "MAIL_SERVER": "",
        "LOG_LEVEL": "WARNING",
        # Each test browser comes from its own address (X-Forwarded-For), so the login
        # rate limit, which stays on, counts each person separately.
        "PROXY_FIX_HOPS": "1",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "4", "--threads", "4", "--graceful-timeout", "5"),
                *("--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(port, process, log)
        yield Server(f"http://127.0.0.1:{port}", log)
    finally:
        process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


# --- A browser, and many requests at once -----------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: a cookie jar, a CSRF token from a page, no redirects."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}
        n = next(_addresses)
        self.address = f"10.{n // 250 % 250}.{n % 250}.7"
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._lock = threading.Lock()

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # Always http://127.0.0.1:<port>, the server this module started.
        req = urllib.request.Request(self.server.base + path, data=body)  # noqa: S310
        req.add_header("X-Forwarded-For", self.address)
        with self._lock:
            if self.cookies:
                req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self._opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        content = response.read().decode()
        with self._lock:
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[key] = morsel.value
        return response.status, content

    def csrf(self, page: str) -> str:
        status, body = self.request(page)
        match = CSRF_RE.search(body)
        assert match, f"no CSRF token on {page} ({status})"
        return match.group(1)

    def log_in(self, email: str) -> Browser:
        token = self.csrf("/login")
        status, _ = self.request(
            "/login", {"csrf_token": token, "email": email, "password": DEFAULT_PASSWORD}
        )
        assert status == 302, f"login failed for {email} ({status})"
        return self


def at_once(server: Server, sends: list) -> list[int]:
    """Call every `send` at the same moment, one thread each; their status codes.

    A response outside LOST_RACE_OK fails the test with the server's log."""
    start = threading.Barrier(len(sends))

    def go(send):
        start.wait()
        return send()

    with ThreadPoolExecutor(len(sends)) as pool:
        statuses = [status for status, _ in pool.map(go, sends)]
    unexpected = [s for s in statuses if s not in LOST_RACE_OK]
    assert not unexpected, f"answers {Counter(statuses)}; server log:\n{server.log_tail()}"
    return statuses


def post(browser: Browser, path: str, token: str, data: dict | None = None):
    """A form submission to send later: at_once([post(...), ...])."""
    return lambda: browser.request(path, {"csrf_token": token, **(data or {})})


# --- People and requests, written straight to the database ------------------------------


def add_mentor(app, capacity: int) -> tuple[int, str]:
    """A mentor taking apprentices, with `capacity` places; (id, email)."""
    with app.app_context():
        email = f"mentor{next(_people)}@race.example.com"
        user = make_user(email=email, display_name="Mira", is_mentor=True, is_mentee=False)
        user.mentor_profile = MentorProfile(
            headline="Mixing engineer", capacity=capacity, accepting=True, availability=0b1
        )
        db.session.commit()
        return user.id, email


def add_mentee(app) -> tuple[int, str]:
    """An apprentice with a profile, who may ask mentors; (id, email)."""
    with app.app_context():
        email = f"mentee{next(_people)}@race.example.com"
        user = make_user(email=email, display_name="Priya", is_mentee=True)
        user.mentee_profile = MenteeProfile(about="Bedroom producer.", availability=0b1)
        db.session.commit()
        return user.id, email


def add_request(app, mentor: int, mentee: int) -> int:
    """An open request from the mentee to the mentor, as if asked a moment ago."""
    with app.app_context():
        now = utcnow()
        request = Apprenticeship(
            mentor_id=mentor,
            mentee_id=mentee,
            requested_by="mentee",
            message=MESSAGE,
            created_at=now,
            expires_at=now + timedelta(days=14),
        )
        db.session.add(request)
        db.session.commit()
        return request.id


def states(app, **where) -> Counter:
    """How many apprenticeships are in each (state, reason), filtered by column values."""
    with app.app_context():
        rows = db.session.execute(
            select(Apprenticeship.state, Apprenticeship.reason).filter_by(**where)
        ).all()
        return Counter((state, reason) for state, reason in rows)


def places(app, mentor: int) -> tuple[int, int]:
    """The mentor's (apprentice_count, capacity) as stored."""
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        return profile.apprentice_count, profile.capacity


def accepted_count(app, mentor: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Apprenticeship.id)).where(
                Apprenticeship.mentor_id == mentor, Apprenticeship.state == State.ACCEPTED
            )
        )


# --- The scenarios ----------------------------------------------------------------------


def test_twenty_accepts_at_once_fill_exactly_the_places(app, server):
    for capacity in [2, 3, 2, 3, 2][:ROUNDS]:
        mentor, email = add_mentor(app, capacity)
        requests = [add_request(app, mentor, add_mentee(app)[0]) for _ in range(20)]
        browser = Browser(server).log_in(email)
        token = browser.csrf(f"/apprenticeships/{requests[0]}")

        statuses = at_once(
            server, [post(browser, f"/apprenticeships/{r}/accept", token) for r in requests]
        )

        assert statuses.count(302) >= capacity
        assert places(app, mentor) == (capacity, capacity)
        # The places are taken; every other request was answered "full" at once.
        assert states(app, mentor_id=mentor) == {
            (State.ACCEPTED, None): capacity,
            (State.DECLINED, "full"): 20 - capacity,
        }


def test_a_request_sent_ten_times_at_once_is_made_once(app, server):
    for _ in range(ROUNDS):
        mentor, _ = add_mentor(app, 3)
        mentee, email = add_mentee(app)
        browser = Browser(server).log_in(email)
        token = browser.csrf(f"/people/{mentor}/ask")

        at_once(server, [post(browser, f"/people/{mentor}/ask", token, {"message": MESSAGE})] * 10)

        assert states(app, mentor_id=mentor, mentee_id=mentee) == {(State.REQUESTED, None): 1}


def test_an_accept_sent_ten_times_at_once_takes_one_place(app, server):
    for _ in range(ROUNDS):
        mentor, email = add_mentor(app, 3)
        request = add_request(app, mentor, add_mentee(app)[0])
        browser = Browser(server).log_in(email)
        token = browser.csrf(f"/apprenticeships/{request}")

        at_once(server, [post(browser, f"/apprenticeships/{request}/accept", token)] * 10)

        assert states(app, mentor_id=mentor) == {(State.ACCEPTED, None): 1}
        assert places(app, mentor) == (1, 3)


def test_six_asks_at_once_stop_at_the_open_request_limit(app, server):
    from mentorapp.apprenticeships.services import OPEN_REQUEST_LIMIT

    for _ in range(ROUNDS):
        mentee, email = add_mentee(app)
        for _ in range(OPEN_REQUEST_LIMIT - 1):
            add_request(app, add_mentor(app, 3)[0], mentee)
        others = [add_mentor(app, 3)[0] for _ in range(6)]
        browser = Browser(server).log_in(email)
        token = browser.csrf(f"/people/{others[0]}/ask")

        statuses = at_once(
            server,
            [post(browser, f"/people/{m}/ask", token, {"message": MESSAGE}) for m in others],
        )

        assert statuses.count(302) == 1  # the others were told why, on the form (422)
        assert states(app, mentee_id=mentee) == {(State.REQUESTED, None): OPEN_REQUEST_LIMIT}


def test_accepts_and_a_lower_capacity_at_the_same_moment(app, server):
    for capacity_asked in [1, 2, 1, 2, 1][:ROUNDS]:
        mentor, email = add_mentor(app, 3)
        requests = [add_request(app, mentor, add_mentee(app)[0]) for _ in range(10)]
        browser = Browser(server).log_in(email)
        week = f"/people/{mentor}/edit/mentor/week"
        token = browser.csrf(week)
        lower = post(
            browser,
            week,
            token,
            {"availability": ["weekday_evening"], "capacity": capacity_asked, "accepting": "y"},
        )
        accepts = [post(browser, f"/apprenticeships/{r}/accept", token) for r in requests]

        at_once(server, [*accepts[:5], lower, lower, *accepts[5:]])

        count, capacity = places(app, mentor)
        assert count == accepted_count(app, mentor)
        assert 1 <= count <= capacity
        assert capacity in (capacity_asked, 3)  # lowered, or refused as below the running count
        if count == capacity:
            # A full mentor keeps nobody waiting: every request left was answered.
            assert states(app, mentor_id=mentor, state=State.REQUESTED) == Counter()


def test_asks_while_the_same_mentees_requests_are_accepted(app, server):
    """Four mentors accept a mentee's requests while the mentee asks six others: the
    notifications the accepts write point at the person the asks lock (PostgreSQL)."""
    from mentorapp.apprenticeships.services import OPEN_REQUEST_LIMIT

    for _ in range(ROUNDS):
        mentee, email = add_mentee(app)
        answering = [add_mentor(app, 1) for _ in range(OPEN_REQUEST_LIMIT - 1)]
        requests = [add_request(app, mentor, mentee) for mentor, _ in answering]
        others = [add_mentor(app, 3)[0] for _ in range(6)]
        with ThreadPoolExecutor(len(answering)) as pool:
            mentors = list(pool.map(lambda m: Browser(server).log_in(m[1]), answering))
        asker = Browser(server).log_in(email)
        token = asker.csrf(f"/people/{others[0]}/ask")
        asks = [post(asker, f"/people/{m}/ask", token, {"message": MESSAGE}) for m in others]
        accepts = [
            post(browser, f"/apprenticeships/{r}/accept", browser.csrf(f"/apprenticeships/{r}"))
            for browser, r in zip(mentors, requests, strict=True)
        ]

        statuses = at_once(server, [*asks[:3], *accepts, *asks[3:]])

        found = states(app, mentee_id=mentee)
        assert found[(State.ACCEPTED, None)] == len(accepts)
        # Each ask counted the requests still waiting at its turn: at least one got
        # through, never more than the limit are waiting, and each one waiting was a 302.
        waiting = found[(State.REQUESTED, None)]
        assert 1 <= waiting <= OPEN_REQUEST_LIMIT
        assert statuses.count(302) == len(accepts) + waiting


def add_admin(app) -> str:
    with app.app_context():
        email = f"admin{next(_people)}@race.example.com"
        make_user(email=email, display_name="Ada", is_admin=True)
        db.session.commit()
        return email


def test_accepts_declines_withdrawals_an_invitation_and_a_capacity_change_at_once(app, server):
    """Every write that can meet on one mentor, at the same moment. The accept that fills
    the mentor declines the requests still waiting while declines and withdrawals move
    those same requests: with the locks taken in opposite orders this was PostgreSQL's
    "deadlock detected" (a 503) in one request of ten."""
    for round_ in range(ROUNDS):
        mentor, email = add_mentor(app, 3)
        mentees = [add_mentee(app) for _ in range(10)]
        requests = [add_request(app, mentor, m) for m, _ in mentees]
        invited, _ = add_mentee(app)
        browser = Browser(server).log_in(email)
        token = browser.csrf(f"/apprenticeships/{requests[0]}")
        askers = [Browser(server).log_in(e) for _, e in mentees[7:]]
        week = f"/people/{mentor}/edit/mentor/week"
        capacity = 2 if round_ % 2 else 4
        sends = [
            *(post(browser, f"/apprenticeships/{r}/accept", token) for r in requests[:5]),
            *(
                post(browser, f"/apprenticeships/{r}/decline", token, {"reason": "no_time"})
                for r in requests[5:7]
            ),
            *(
                post(a, f"/apprenticeships/{r}/withdraw", a.csrf(f"/apprenticeships/{r}"))
                for a, r in zip(askers, requests[7:], strict=True)
            ),
            post(browser, f"/people/{invited}/invite", token, {"message": MESSAGE}),
            post(
                browser,
                week,
                token,
                {"availability": ["weekday_evening"], "capacity": capacity, "accepting": "y"},
            ),
        ]

        at_once(server, sends)  # no 5xx among them

        count, capacity_now = places(app, mentor)
        assert count == accepted_count(app, mentor)
        assert 1 <= count <= capacity_now
        # The invitation was made, or refused because every place was taken.
        assert sum(states(app, mentor_id=mentor, mentee_id=invited).values()) <= 1
        for r in requests[5:7]:  # declined with the reason given, or "full" before it
            assert states(app, id=r).keys() <= {
                (State.DECLINED, "no_time"),
                (State.DECLINED, "full"),
                (State.ACCEPTED, None),
            }
        for r in requests[7:]:
            assert states(app, id=r).keys() <= {(State.WITHDRAWN, None), (State.DECLINED, "full")}
        if count == capacity_now:
            # Full: no request waits (the mentor's own invitation may; see answer_open_requests).
            waiting = states(app, mentor_id=mentor, state=State.REQUESTED, requested_by="mentee")
            assert waiting == Counter()


def test_accepts_and_declines_while_an_admin_suspends_the_mentor(app, server):
    for _ in range(ROUNDS):
        mentor, email = add_mentor(app, 2)
        requests = [add_request(app, mentor, add_mentee(app)[0]) for _ in range(8)]
        browser = Browser(server).log_in(email)
        token = browser.csrf(f"/apprenticeships/{requests[0]}")
        admin = Browser(server).log_in(add_admin(app))
        suspend = post(
            admin,
            f"/admin/people/{mentor}/suspend",
            admin.csrf(f"/admin/people/{mentor}"),
            {"reason": "Reports of threats to apprentices, checked with two of them."},
        )
        accepts = [post(browser, f"/apprenticeships/{r}/accept", token) for r in requests[:5]]
        declines = [
            post(browser, f"/apprenticeships/{r}/decline", token, {"reason": "no_time"})
            for r in requests[5:]
        ]

        # Once suspended, the mentor's own requests are sent to the login page (302).
        at_once(server, [*accepts[:3], suspend, *accepts[3:], *declines])

        count, capacity = places(app, mentor)
        assert count == accepted_count(app, mentor) <= capacity
        # Suspension closes what was still waiting: nothing is left open.
        assert states(app, mentor_id=mentor, state=State.REQUESTED) == Counter()
