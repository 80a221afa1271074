"""Bandcamp's player for a page address: the album's or track's number, read once from
the page by a background task after the mentor saved the link.

A mentor pastes `https://artist.bandcamp.com/album/some-name`; the player wants
`album=123`, which only the page carries (its `bc-page-properties` meta, or the embed
address in its `og:video` meta). `note_links_saved` (called when the links are saved)
forgets the numbers of links no longer there and, after the commit, enqueues
`profiles.tasks.read_bandcamp_pages`, which reads the pages not read yet with
`read_item` and keeps what it found in `MentorProfile.bandcamp_items`.

Nothing here runs in a web request. A fetch goes only to an https address on
bandcamp.com or a subdomain (a redirect elsewhere is not followed), gives up after
`BANDCAMP_FETCH_TIMEOUT` seconds and `BANDCAMP_FETCH_MAX_BYTES`, and names mentorapp in
its User-Agent. A page without a number, a 404 or a page too big is kept as "" (the link
stays a plain link, not read again until it is edited); a timeout, a refused connection
or a 5xx raises `TryAgain`, and the task tries those pages again after
`BANDCAMP_RETRY_DELAY` seconds, twice at most; after that the link stays plain until the
mentor saves the links next. `BANDCAMP_FETCH_ORIGIN` (tests only,
empty in production) sends the fetch to another origin with the same path; the address
checked is still the stored one."""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import current_app
from sqlalchemy import select, update

from mentorapp.extensions import db
from mentorapp.models import MentorProfile
from mentorapp.profiles.portfolio import (
    bandcamp_embed_item,
    bandcamp_item,
    is_bandcamp_address,
    is_bandcamp_page,
)

logger = logging.getLogger("mentorapp.profiles.bandcamp")

MAX_REDIRECTS = 3
# A page that could not be read is tried this many times in all (the first and two more).
ATTEMPTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)


class TryAgain(Exception):
    """The page could not be read now (timeout, connection, Bandcamp's own error)."""


def pages_to_read(profile: MentorProfile) -> list[str]:
    """The profile's Bandcamp page links whose number was never read."""
    items = profile.bandcamp_items or {}
    links = dict.fromkeys(profile.portfolio_links or [])
    return [link for link in links if is_bandcamp_page(link) and link not in items]


def note_links_saved(profile: MentorProfile) -> None:
    """After the mentor saved their links: forget the numbers of links they removed or
    changed, and have the new Bandcamp pages read once the save has committed."""
    from mentorapp import tasks
    from mentorapp.profiles.tasks import read_bandcamp_pages

    links = set(profile.portfolio_links or [])
    kept = {url: item for url, item in (profile.bandcamp_items or {}).items() if url in links}
    if kept != (profile.bandcamp_items or {}):
        profile.bandcamp_items = kept
    if pages_to_read(profile):
        tasks.enqueue_after_commit(read_bandcamp_pages, profile.user.id)


def read_pages(user_id: int, attempt: int = 1) -> int:
    """Read the numbers of the mentor's Bandcamp pages not read yet and keep them.
    Returns how many pages were read (with or without a number). When some could not
    be read now, enqueues the next attempt, up to `ATTEMPTS`."""
    profile = db.session.get(MentorProfile, user_id)
    pending = pages_to_read(profile) if profile is not None else []
    db.session.rollback()  # no transaction stays open while Bandcamp answers
    found: dict[str, str] = {}
    again = []
    for url in pending:
        try:
            found[url] = read_item(url) or ""
        except TryAgain as error:
            logger.warning("Could not read the Bandcamp page %s now: %s", url, error)
            again.append(url)
    if found:
        _keep(user_id, found)
    if again and attempt < ATTEMPTS:
        from mentorapp import tasks
        from mentorapp.profiles.tasks import read_bandcamp_pages

        delay = float(current_app.config.get("BANDCAMP_RETRY_DELAY", 60))
        tasks.enqueue(read_bandcamp_pages, user_id, attempt + 1, delay=delay)
    elif again:
        logger.warning(
            "Gave up reading %d Bandcamp page(s) of mentor %s after %d attempts; "
            "they stay links until the mentor saves them again.",
            len(again),
            user_id,
            attempt,
        )
    return len(found)


def _keep(user_id: int, found: dict[str, str]) -> None:
    profile = db.session.scalars(
        select(MentorProfile).where(MentorProfile.user_id == user_id).with_for_update()
    ).one_or_none()
    if profile is None:
        db.session.rollback()
        return
    links = set(profile.portfolio_links or [])
    items = dict(profile.bandcamp_items or {})
    # A link the mentor removed meanwhile is not kept.
    items.update({url: item for url, item in found.items() if url in links})
    # A Core UPDATE: reading a page is not the mentor editing their profile, so
    # updated_at stays.
    db.session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == user_id)
        .values(bandcamp_items=items, updated_at=MentorProfile.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Every redirect comes back as an HTTPError: read_item checks where it goes first.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def read_item(url: str) -> str | None:
    """The number ("album=123", "track=45") on the Bandcamp page at `url`; None when the
    page is not on Bandcamp, missing, too big or carries none. Raises `TryAgain`."""
    config = current_app.config
    origin = (config.get("BANDCAMP_FETCH_ORIGIN") or "").rstrip("/")
    timeout = float(config.get("BANDCAMP_FETCH_TIMEOUT", 5.0))
    max_bytes = int(config.get("BANDCAMP_FETCH_MAX_BYTES", 2 * 1024 * 1024))
    user_agent = f"mentorapp (portfolio players; {config.get('PUBLIC_URL', '')})"
    opener = urllib.request.build_opener(_NoRedirects())
    deadline = time.monotonic() + timeout
    address = url
    for _ in range(MAX_REDIRECTS + 1):
        if not is_bandcamp_address(address):
            logger.warning("Not fetching %s for %s: not an https Bandcamp address.", address, url)
            return None
        parts = urlsplit(address)
        target = origin + parts.path + (f"?{parts.query}" if parts.query else "")
        # `address` is https on Bandcamp (checked above); `origin` is set by tests only.
        request = urllib.request.Request(  # noqa: S310
            target if origin else address,
            headers={"User-Agent": user_agent, "Accept": "text/html"},
        )
        # Each socket wait lasts at most the time left, and the body is read in slices
        # with the deadline checked between them: a page trickling in stops within
        # about twice the timeout.
        left = deadline - time.monotonic()
        if left <= 0:
            raise TryAgain(f"no answer within {timeout:g} s")
        try:
            response = opener.open(request, timeout=left)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in _REDIRECTS and error.headers.get("Location"):
                address = urljoin(address, error.headers["Location"])
                continue
            if error.code == 429 or error.code >= 500:
                raise TryAgain(f"Bandcamp answered {error.code}") from error
            logger.info("The Bandcamp page %s answered %s: left a link.", url, error.code)
            return None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise TryAgain(str(error) or type(error).__name__) from error
        with response:
            body = _read_body(response, max_bytes, deadline, timeout)
        if body is None:
            logger.info("The Bandcamp page %s is over %d bytes: left a link.", url, max_bytes)
            return None
        charset = response.headers.get_content_charset() or "utf-8"
        item = item_on_page(body.decode(charset, errors="replace"))
        if item is None:
            logger.info("The Bandcamp page %s carries no album or track number.", url)
        return item
    logger.warning("The Bandcamp page %s redirects too often: left a link.", url)
    return None


def _read_body(response, max_bytes: int, deadline: float, timeout: float) -> bytes | None:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        return None
    body = bytearray()
    try:
        while True:
            if time.monotonic() > deadline:
                raise TryAgain(f"the page took over {timeout:g} s")
            chunk = response.read(64 * 1024)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > max_bytes:
                return None
    except (http.client.HTTPException, OSError) as error:
        raise TryAgain(str(error) or type(error).__name__) from error


class _PageMeta(HTMLParser):
    """The two meta tags a Bandcamp page carries its number in (in its head)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.properties: str | None = None
        self.video: str | None = None
        self.head_done = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.head_done = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.head_done = True
        if tag != "meta" or self.head_done:
            return
        values = dict(attrs)
        if values.get("name") == "bc-page-properties" and self.properties is None:
            self.properties = values.get("content") or ""
        elif values.get("property") == "og:video" and self.video is None:
            self.video = values.get("content") or ""


_KINDS = {"a": "album", "t": "track"}
_SLICE = 16 * 1024


def item_on_page(html: str) -> str | None:
    """The album's or track's number in a Bandcamp page's meta tags, or None."""
    meta = _PageMeta()
    # Fed a slice at a time, and no further than the head: the rest of a page (up to
    # 2 MB of markup and scripts) would take the parser 0.4 s (bench/bandcamp_pages.py).
    for start in range(0, len(html), _SLICE):
        meta.feed(html[start : start + _SLICE])
        if meta.head_done or (meta.properties is not None and meta.video is not None):
            break
    else:
        meta.close()
    if meta.properties:
        try:
            properties = json.loads(meta.properties)
        except ValueError:
            properties = None
        if isinstance(properties, dict):
            kind, number = properties.get("item_type"), properties.get("item_id")
            if kind in _KINDS and type(number) is int and number > 0:
                item = bandcamp_item(_KINDS[kind], number)
                if item:
                    return item
    if meta.video:
        return bandcamp_embed_item(meta.video)
    return None
