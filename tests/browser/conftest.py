"""Browser tests: Debian's Chromium, driven by Playwright, against the app on a live server.

Every document a test loads must be checked with axe (`assert_accessible`, or the
`visit` and `navigate` helpers that call it): the page fixtures fail a test that loaded
a page and never checked it. Serious and critical axe violations fail the test.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import got_request_exception
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

from mentorapp.extensions import db
from mentorapp.models import OutboundEmail, User

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = HERE.parents[1] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = ("serious", "critical")
LINK_RE = re.compile(r"https?://\S+")

_AXE = Axe()


def pytest_collection_modifyitems(config, items):
    """Mark this folder's tests `browser`; skip them all when Chromium is missing."""
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: browser tests skipped")
    for item in items:
        if HERE not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists():
            item.add_marker(skip)


_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the test's own outcome, so teardown checks do not pile onto a failure."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


# --- The live server --------------------------------------------------------------


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app (empty tables, CSRF on) on a free port; yields the base URL.

    An exception inside a request fails the test at teardown, with its traceback,
    even when the page the browser saw looked fine.
    """
    errors: list[BaseException] = []

    def record(sender, exception, **extra):
        errors.append(exception)

    got_request_exception.connect(record, app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        got_request_exception.disconnect(record, app)
    if errors:
        raise AssertionError(
            "the app raised while serving the browser:\n"
            + "\n".join(f"{type(e).__name__}: {e}" for e in errors)
        ) from errors[0]


# --- Chromium and pages -------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@dataclass(eq=False)
class _Tracker:
    """The documents a page loaded, and which of them axe checked."""

    browser: Browser
    viewport: dict
    javascript: bool
    loads: list[str] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)
    mirror: Page | None = None

    def unchecked(self) -> list[str]:
        return [url for i, url in enumerate(self.loads) if i not in self.checked]


_TRACKERS: dict[Page, _Tracker] = {}


@pytest.fixture
def open_page(request, browser, live_server) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context: open_page(viewport=PHONE, javascript=False).

    Relative URLs go to the live server. At teardown the contexts close, and the test
    fails if any document it loaded was not checked with axe.
    """
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def open_(viewport: dict = DESKTOP, javascript: bool = True) -> Page:
        context = browser.new_context(
            viewport=viewport, base_url=live_server, java_script_enabled=javascript
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        tracker = _Tracker(browser, viewport, javascript)
        page.on("load", lambda *_: tracker.loads.append(page.url))
        _TRACKERS[page] = tracker
        pages.append(page)
        return page

    yield open_

    missed = []
    for page in pages:
        tracker = _TRACKERS.pop(page)
        missed += tracker.unchecked()
        if tracker.mirror is not None:
            contexts.append(tracker.mirror.context)
    for context in contexts:
        context.close()
    call = request.node.stash.get(_CALL_REPORT, None)
    if missed and call is not None and call.passed:
        pytest.fail(f"pages loaded but never checked with axe: {missed}")


@pytest.fixture
def page(open_page) -> Page:
    """A desktop-sized page (1280x900)."""
    return open_page()


@pytest.fixture
def phone_page(open_page) -> Page:
    """A phone-sized page (390x844)."""
    return open_page(viewport=PHONE)


@pytest.fixture
def nojs_page(open_page) -> Page:
    """A desktop-sized page with JavaScript turned off."""
    return open_page(javascript=False)


# --- Accessibility ------------------------------------------------------------------


def _axe_results(page: Page, tracker: _Tracker | None) -> dict:
    if tracker is None or tracker.javascript:
        return _AXE.run(page).response
    # axe needs JavaScript. Check the very same document in a JavaScript-enabled twin:
    # same URL, same viewport, same HTML (served from memory), same stylesheet.
    if tracker.mirror is None:
        context = tracker.browser.new_context(viewport=tracker.viewport)
        context.set_default_timeout(TIMEOUT_MS)
        tracker.mirror = context.new_page()
    url, html = page.url, page.content()
    mirror = tracker.mirror

    def serve(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def same_url(candidate: str) -> bool:
        return candidate == url

    mirror.route(same_url, serve)
    try:
        mirror.goto(url)
    finally:
        mirror.unroute(same_url, serve)
    return _AXE.run(mirror).response


def _describe(violation: dict) -> str:
    targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
    return f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"


def assert_accessible(page: Page) -> None:
    """Run axe on the current document; fail on any serious or critical violation."""
    page.wait_for_load_state("load")
    tracker = _TRACKERS.get(page)
    results = _axe_results(page, tracker)
    if tracker is not None and tracker.loads:
        tracker.checked.add(len(tracker.loads) - 1)
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"axe found serious or critical problems on {page.url}:\n"
            + "\n".join(_describe(v) for v in blocking)
        )


def visit(page: Page, url: str, *, status: int = 200) -> Response:
    """Go to a URL (relative to the live server), expect this status, check with axe."""
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.status == status, f"{url} answered {response.status}, not {status}"
    assert_accessible(page)
    return response


def navigate(page: Page, action: Callable[[], object], *, status: int | None = None) -> Response:
    """Do something that loads a new document (submit, click a link), then check it.

    `status` is the final response's status, after any redirect.
    """
    with page.expect_navigation() as navigation:
        action()
    response = navigation.value
    if status is not None:
        assert response.status == status, f"{response.url} answered {response.status}"
    assert_accessible(page)
    return response


# --- The database and the outbox ----------------------------------------------------


@pytest.fixture
def email_link(app, live_server) -> Callable[[str], str]:
    """email_link(recipient): the first link of the newest email to them, on the live server.

    Emails link to PUBLIC_URL (http://mentorapp.test in tests); the link returned points
    to the live server instead.
    """

    def latest(recipient: str) -> str:
        with app.app_context():
            message = db.session.scalars(
                select(OutboundEmail)
                .where(OutboundEmail.recipient == recipient)
                .order_by(OutboundEmail.id.desc())
                .limit(1)
            ).first()
            assert message is not None, f"no email to {recipient}"
            body = message.body_text
        match = LINK_RE.search(body)
        assert match, f"the newest email to {recipient} has no link:\n{body}"
        link, public = match.group(0), app.config["PUBLIC_URL"]
        assert link.startswith(public + "/"), f"{link} is not built from PUBLIC_URL {public}"
        return live_server + link[len(public) :]

    return latest


@pytest.fixture
def user_count(app) -> Callable[[], int]:
    def count() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count(User.id)))

    return count
