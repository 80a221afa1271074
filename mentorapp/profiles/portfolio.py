"""A mentor's portfolio links as a visitor sees them: named by their host, and for the
four players we embed (YouTube, SoundCloud, Bandcamp, Spotify) what the page's script
needs to build the player when the visitor presses play.

Nothing here fetches anything: the player is loaded by the visitor's browser, after a
click, from a host the CSP names (`PLAYER_HOSTS`). Until then the page holds only the
plain link. A Bandcamp page address (artist.bandcamp.com/album/...) gets its player from
the album's or track's number, which a background task read from the page once after the
mentor saved it (`profiles/bandcamp.py`) and which the profile keeps."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# The hosts the players load from: the CSP's frame-src is exactly these.
PLAYER_HOSTS = (
    "https://www.youtube-nocookie.com",
    "https://w.soundcloud.com",
    "https://bandcamp.com",
    "https://open.spotify.com",
)

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_SPOTIFY_KINDS = ("track", "album", "playlist", "episode", "show", "artist")
_SPOTIFY_ID = re.compile(r"^[A-Za-z0-9]{22}$")
_BANDCAMP_ITEM = re.compile(r"(?:^|/)((?:album|track)=\d{1,12})(?:/|$)")
_BANDCAMP_PAGE = re.compile(r"^/(?:album|track)/[A-Za-z0-9_.-]{1,200}/?$")
_SOUNDCLOUD_PATH = re.compile(r"^/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)?/?$")


@dataclass(frozen=True)
class PortfolioLink:
    """A link as the page shows it. `player` names the provider whose player the script
    builds (None: a plain link), from `player_id`: what the provider's embed address
    takes (a video's id, "track/...", "album=...", SoundCloud's "artist/track")."""

    url: str
    name: str
    player: str | None = None
    player_id: str = ""


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _youtube(url: str) -> str | None:
    parts = urlsplit(url)
    host, path = _host(url), parts.path
    if host == "youtu.be":
        video = path.strip("/")
    elif path == "/watch":
        video = (parse_qs(parts.query).get("v") or [""])[0]
    elif path.startswith(("/embed/", "/shorts/", "/live/")):
        video = path.split("/")[2] if len(path.split("/")) > 2 else ""
    else:
        return None
    return video if _YOUTUBE_ID.match(video) else None


def _spotify(url: str) -> str | None:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments and segments[0].startswith("intl-"):
        segments = segments[1:]
    if segments and segments[0] == "embed":
        segments = segments[1:]
    if len(segments) >= 2 and segments[0] in _SPOTIFY_KINDS and _SPOTIFY_ID.match(segments[1]):
        return f"{segments[0]}/{segments[1]}"
    return None


def bandcamp_embed_item(url: str) -> str | None:
    """Bandcamp's player needs the album's or track's number, which its embed address
    carries (bandcamp.com/EmbeddedPlayer/album=...); a page address carries only a name."""
    parts = urlsplit(url)
    if _host(url) != "bandcamp.com" or not parts.path.startswith("/EmbeddedPlayer/"):
        return None
    match = _BANDCAMP_ITEM.search(parts.path)
    return match.group(1) if match else None


def is_bandcamp_host(host: str) -> bool:
    return host == "bandcamp.com" or host.endswith(".bandcamp.com")


def is_bandcamp_address(url: str) -> bool:
    """An address on Bandcamp the background task may fetch: https, bandcamp.com or a
    subdomain, port 443, no user or password."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and is_bandcamp_host((parts.hostname or "").lower())
        and port in (None, 443)
        and not parts.username
        and parts.password is None
    )


def is_bandcamp_page(url: str) -> bool:
    """An album's or track's page on Bandcamp: the address a mentor pastes, whose number
    the background task may read."""
    return is_bandcamp_address(url) and bool(_BANDCAMP_PAGE.match(urlsplit(url).path))


def bandcamp_item(kind: str, number: int | str) -> str | None:
    """What Bandcamp's embed address takes ("album=123"), or None for anything else."""
    item = f"{kind}={number}"
    return item if kind in ("album", "track") and _BANDCAMP_ITEM.fullmatch(item) else None


def describe(url: str, bandcamp_items: dict[str, str] | None = None) -> PortfolioLink:
    """A portfolio link's name by its host, and its player when we embed one.
    `bandcamp_items`: the numbers read from Bandcamp pages, by page address."""
    host = _host(url)
    scheme = urlsplit(url).scheme
    if host in ("youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"):
        video = _youtube(url) if scheme == "https" else None
        return PortfolioLink(url, "YouTube", "youtube" if video else None, video or "")
    if host in ("soundcloud.com", "m.soundcloud.com"):
        path = urlsplit(url).path
        playable = scheme == "https" and bool(_SOUNDCLOUD_PATH.match(path))
        track = path.strip("/") if playable else ""
        return PortfolioLink(url, "SoundCloud", "soundcloud" if playable else None, track)
    if is_bandcamp_host(host):
        item = bandcamp_embed_item(url) if scheme == "https" else None
        if item is None and is_bandcamp_page(url):
            known = (bandcamp_items or {}).get(url) or ""
            item = known if _BANDCAMP_ITEM.fullmatch(known) else None
        return PortfolioLink(url, "Bandcamp", "bandcamp" if item else None, item or "")
    if host == "open.spotify.com":
        item = _spotify(url) if scheme == "https" else None
        return PortfolioLink(url, "Spotify", "spotify" if item else None, item or "")
    return PortfolioLink(url, host or url)


def portfolio(
    links: list[str] | None, bandcamp_items: dict[str, str] | None = None
) -> list[PortfolioLink]:
    """The links in the mentor's order; a name that comes twice is numbered."""
    described = [describe(link, bandcamp_items) for link in links or []]
    counts = Counter(link.name for link in described)
    seen: Counter[str] = Counter()
    numbered = []
    for link in described:
        seen[link.name] += 1
        if counts[link.name] > 1:
            link = PortfolioLink(
                link.url, f"{link.name} {seen[link.name]}", link.player, link.player_id
            )
        numbered.append(link)
    return numbered
