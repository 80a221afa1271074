"""HTTP hardening: response headers, bounded ids in URLs, proxies."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from mentorapp.profiles.portfolio import PLAYER_HOSTS

# One place for the policy; scripts and styles are our own vendored files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        # The portfolio players, loaded only after the visitor presses play.
        "frame-src " + " ".join(PLAYER_HOSTS),
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class IdConverter(IntegerConverter):
    """A database id: 1 up to PostgreSQL's integer maximum; anything else is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def add_security_headers(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages can hold personal data: keep them out of shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response


def trust_proxies(app: Flask, hops: int) -> None:
    """Believe X-Forwarded-* from this many proxies in front (0: none)."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
