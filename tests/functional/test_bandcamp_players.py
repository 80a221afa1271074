"""A Bandcamp page link shows Bandcamp's player once a background task read its album or
track number from the page: a local HTTP server plays Bandcamp. A page without a number,
a 404, a slow or oversized page, a redirect off Bandcamp and any address not on
bandcamp.com stay plain links; nothing is fetched for them, nor during a web request.
On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from mentorapp.extensions import db
from mentorapp.models import MentorProfile
from mentorapp.profiles.bandcamp import item_on_page
from tests.conftest import AuthActions, post_form
from tests.factories import make_user
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url

ALBUM = "https://harbour.bandcamp.com/album/night-ferry"
TRACK = "https://harbour.bandcamp.com/track/harbour-light"


def page(head: str) -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>Night Ferry</body></html>".encode()


PROPERTIES = """<meta name="bc-page-properties" content='{"item_type":"a","item_id":1234567}'>"""
OG_VIDEO = (
    '<meta property="og:video" content="https://bandcamp.com/EmbeddedPlayer/v=2/'
    'track=7654321/size=large/tracklist=false/artwork=small/">'
)
# What the local Bandcamp answers, by path: (status, headers, body, seconds before).
PAGES = {
    "/album/night-ferry": (200, {}, page(PROPERTIES), 0),
    "/track/harbour-light": (200, {}, page(OG_VIDEO), 0),
    "/album/no-number": (200, {}, page("<title>No number</title>"), 0),
    "/album/gone": (404, {}, b"Not found", 0),
    "/album/slow": (200, {}, page(PROPERTIES), 1.5),
    "/album/huge": (200, {}, page(PROPERTIES) + b" " * (3 * 1024 * 1024), 0),
    "/album/moved-away": (302, {"Location": "https://evil.example.org/album/off-bandcamp"}, b"", 0),
    "/album/renamed": (301, {"Location": "/album/night-ferry"}, b"", 0),
    "/album/down": (503, {}, b"Down for maintenance", 0),
}
FLAKY = "/album/flaky"  # 503 twice, then the page


class LocalBandcamp:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, User-Agent)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("User-Agent", "")))
                status, headers, body, wait = PAGES.get(self.path, (404, {}, b"", 0))
                if self.path == FLAKY:
                    ok = outer.paths().count(FLAKY) > 2
                    status, body = (200, page(PROPERTIES)) if ok else (503, b"")
                time.sleep(wait)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()  # no Content-Length: the size limit counts what comes
                with contextlib.suppress(OSError):  # the reader gave up on a page too big
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for path, _agent in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bandcamp():
    server = LocalBandcamp()
    yield server
    server.stop()


def mentor_on(app) -> tuple[int, AuthActions]:
    with app.app_context():
        user = make_user(email="mo@example.com", display_name="Mo Mensah", is_mentor=True)
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("mo@example.com")
    return user_id, auth


def save_links(auth: AuthActions, user_id: int, links: list[str]):
    about = {**MENTOR_SECTIONS["about"], "portfolio_links": "\n".join(links)}
    response = post_form(auth._client, edit_url(user_id, "mentor", "about"), about)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def players_on(app, user_id: int) -> list[tuple[str, str]]:
    """(player id, link) of each Bandcamp player on the mentor's page, as a visitor sees it."""
    html = app.test_client().get(f"/people/{user_id}").get_data(as_text=True)
    return re.findall(
        r'data-player="bandcamp" data-player-id="([^"]+)" data-player-name="[^"]+">\s*'
        r'<a class="button button--small player__play" href="([^"]+)"',
        html,
    )


def items_of(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        return db.session.get(MentorProfile, user_id).bandcamp_items


def test_the_worker_reads_the_page_and_the_page_then_shows_the_player(
    queue_app, task_worker, bandcamp
):
    app = queue_app(BANDCAMP_FETCH_ORIGIN=bandcamp.origin)
    user_id, auth = mentor_on(app)
    save_links(auth, user_id, [ALBUM, "https://www.mo-mixes.example.org/reel"])
    # The save asked nothing of Bandcamp: the link is plain until the worker reads it.
    assert bandcamp.requests == []
    assert players_on(app, user_id) == []
    worker = task_worker(app)
    worker.wait_for(lambda: bool(db.session.get(MentorProfile, user_id).bandcamp_items))
    worker.drain()
    assert bandcamp.paths() == ["/album/night-ferry"]
    assert bandcamp.requests[0][1].startswith("mentorapp")
    assert items_of(app, user_id) == {ALBUM: "album=1234567"}
    assert players_on(app, user_id) == [("album=1234567", ALBUM)]
    html = app.test_client().get(f"/people/{user_id}").get_data(as_text=True)
    assert "<iframe" not in html and "EmbeddedPlayer" not in html  # built only on Play
    # Visitors' pages and a save of the same links fetch nothing more.
    for _ in range(3):
        app.test_client().get(f"/people/{user_id}")
    save_links(auth, user_id, [ALBUM, "https://www.mo-mixes.example.org/reel"])
    worker.drain()
    assert bandcamp.paths() == ["/album/night-ferry"]


def test_a_page_that_cannot_be_read_now_is_tried_twice_more_at_most(
    queue_app, task_worker, bandcamp, caplog
):
    app = queue_app(BANDCAMP_FETCH_ORIGIN=bandcamp.origin, BANDCAMP_RETRY_DELAY=0.05)
    user_id, auth = mentor_on(app)
    flaky = "https://harbour.bandcamp.com/album/flaky"
    down = "https://harbour.bandcamp.com/album/down"
    worker = task_worker(app)
    with caplog.at_level(logging.WARNING, logger="mentorapp"):
        save_links(auth, user_id, [flaky, down])
        worker.wait_for(lambda: bandcamp.paths().count("/album/down") == 3, timeout=15)
        worker.drain()
    assert bandcamp.paths().count(FLAKY) == 3 and bandcamp.paths().count("/album/down") == 3
    assert items_of(app, user_id) == {flaky: "album=1234567"}
    assert players_on(app, user_id) == [("album=1234567", flaky)]
    assert "Gave up reading 1 Bandcamp page(s)" in caplog.text


def test_a_link_edited_again_is_read_again_and_the_old_number_forgotten(make_app, bandcamp):
    app = make_app(BANDCAMP_FETCH_ORIGIN=bandcamp.origin)
    user_id, auth = mentor_on(app)
    save_links(auth, user_id, [ALBUM])
    assert players_on(app, user_id) == [("album=1234567", ALBUM)]
    save_links(auth, user_id, [TRACK])
    assert items_of(app, user_id) == {TRACK: "track=7654321"}
    assert players_on(app, user_id) == [("track=7654321", TRACK)]
    # A redirect within Bandcamp is followed.
    renamed = "https://harbour.bandcamp.com/album/renamed"
    save_links(auth, user_id, [TRACK, renamed])
    assert players_on(app, user_id) == [("track=7654321", TRACK), ("album=1234567", renamed)]
    assert bandcamp.paths() == [
        "/album/night-ferry",
        "/track/harbour-light",
        "/album/renamed",
        "/album/night-ferry",
    ]


def test_pages_without_a_number_stay_links_and_only_bandcamp_is_asked(make_app, bandcamp, caplog):
    app = make_app(BANDCAMP_FETCH_ORIGIN=bandcamp.origin, BANDCAMP_FETCH_TIMEOUT=0.5)
    user_id, auth = mentor_on(app)
    failing = [
        "https://harbour.bandcamp.com/album/no-number",
        "https://harbour.bandcamp.com/album/gone",
        "https://harbour.bandcamp.com/album/slow",
        "https://harbour.bandcamp.com/album/huge",
        "https://harbour.bandcamp.com/album/moved-away",
    ]
    not_bandcamp = [
        "https://bandcamp.com.example.org/album/not-bandcamp",
        "https://harbourbandcamp.com/album/not-bandcamp-either",
        "http://harbour.bandcamp.com/album/not-https",
        "https://harbour.bandcamp.com:8443/album/other-port",
        "https://harbour.bandcamp.com/music",
    ]
    with caplog.at_level(logging.INFO, logger="mentorapp"):
        save_links(auth, user_id, failing)
        save_links(auth, user_id, [*failing[:1], *not_bandcamp[:4]])
        save_links(auth, user_id, [not_bandcamp[4]])
    assert players_on(app, user_id) == []
    # Each Bandcamp page asked once; the redirect off Bandcamp not followed; the slow
    # page, never read, is asked again by the next save that keeps it (not here).
    assert sorted(bandcamp.paths()) == sorted(urlpath(link) for link in failing)
    logged = caplog.text
    for link in failing:
        assert link in logged
    assert "evil.example.org" in logged and "not an https Bandcamp address" in logged
    items = items_of(app, user_id)
    assert items == {}  # the last save kept none of those links


def test_a_failed_page_is_kept_as_read_and_not_asked_again(make_app, bandcamp):
    app = make_app(BANDCAMP_FETCH_ORIGIN=bandcamp.origin, BANDCAMP_FETCH_TIMEOUT=0.5)
    user_id, auth = mentor_on(app)
    gone, slow = (
        "https://harbour.bandcamp.com/album/gone",
        "https://harbour.bandcamp.com/album/slow",
    )
    save_links(auth, user_id, [gone, slow])
    assert items_of(app, user_id) == {gone: ""}  # the slow one was not read
    save_links(auth, user_id, [gone, slow])
    assert bandcamp.paths() == ["/album/gone", "/album/slow", "/album/slow"]
    assert players_on(app, user_id) == []


def urlpath(link: str) -> str:
    return urlsplit(link).path


@pytest.mark.parametrize(
    ("html", "item"),
    [
        (PROPERTIES, "album=1234567"),
        (OG_VIDEO, "track=7654321"),
        (
            """<meta name="bc-page-properties" content='{"item_type":"t","item_id":42}'>""",
            "track=42",
        ),
        ("""<meta name="bc-page-properties" content='{"item_type":"b","item_id":42}'>""", None),
        ("""<meta name="bc-page-properties" content='{"item_type":"a","item_id":"42"}'>""", None),
        ("""<meta name="bc-page-properties" content='not json'>""" + OG_VIDEO, "track=7654321"),
        (
            '<meta property="og:video" content="https://evil.example.org/EmbeddedPlayer/album=1/">',
            None,
        ),
        ("<script>var x = 'album=99';</script>", None),
        ("<title>" + "Night Ferry " * 4000 + "</title>" + PROPERTIES, "album=1234567"),
        ("</head><body>" + PROPERTIES, None),  # only the head is read
    ],
)
def test_the_number_is_read_from_the_meta_tags_only(html, item):
    assert item_on_page(f"<html><head>{html}</head></html>") == item
