"""Running it in production: request ids, one log line per request and per task,
Prometheus metrics, health and readiness checks, warnings about rate limiting.

`init_app` is called by `create_app` before the extensions, so its `after_request` runs
last and sees the status the person really got (after the commit, or its 409/503).
"""

from __future__ import annotations

import logging as pylogging  # `logging` here is the submodule beside this file
import time

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import inspect

from mentorapp.observability import metrics
from mentorapp.observability.logging import REQUEST_ID_HEADER, configure_logging, request_id_from

__all__ = ["configure_logging", "init_app"]

request_logger = pylogging.getLogger("mentorapp.requests")

# View arguments that are secrets (links in emails): never written to a log.
SECRET_VIEW_ARGS = frozenset({"token"})
# Probes and scrapes that succeed are counted, not logged: one every few seconds.
QUIET_ENDPOINTS = frozenset(
    {"observability.healthz", "observability.readyz", "observability.prometheus_metrics"}
)


class SessionlessPaths(SecureCookieSessionInterface):
    """No session for probes and scrapes: nothing read, no cookie set (a permanent
    session would otherwise be re-sent on every request)."""

    def __init__(self, paths: frozenset[str]):
        self.paths = paths

    def open_session(self, app, request):
        if request.path in self.paths:
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    from mentorapp.observability import routes, signals

    app.config["METRICS_ALLOW_NETWORKS"] = metrics.parse_allow_list(app.config["METRICS_ALLOW"])
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionlessPaths(routes.PATHS)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    signals.connect()
    warn_about_rate_limit_storage(app)


def _start_request() -> None:
    if "request_id" in g:
        return  # the hooks run again after a lost race: the same request, its first start
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def _finish_request(response):
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    try:
        _measure_and_log(response, request_id)
    except Exception:
        # Counting and logging must never cost the person their response.
        request_logger.exception("Could not record the request.")
    return response


def _measure_and_log(response, request_id: str) -> None:
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    metrics.observe_request(rule, request.method, response.status_code, seconds)
    if request.endpoint in QUIET_ENDPOINTS and response.status_code < 400:
        return
    status = response.status_code
    path = _loggable_path()
    duration_ms = round(seconds * 1000, 1)
    user_id = _signed_in_user_id()
    request_logger.log(
        pylogging.WARNING if status >= 500 else pylogging.INFO,
        "%s %s %s %.1f ms%s",
        request.method,
        path,
        status,
        duration_ms,
        f" user {user_id}" if user_id is not None else "",
        extra={
            "request_id": request_id,
            "fields": {
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        },
    )


def _loggable_path() -> str:
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_VIEW_ARGS and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def _signed_in_user_id() -> int | None:
    """The person the request ran as, if the request loaded them; never a query of its
    own (the object may be expired after the commit, so read its identity key)."""
    user = g.get("_login_user")
    if user is None:
        return None
    # Not `is_authenticated`: Flask-Login reads `is_active` for it, a query on an expired
    # object, and after a busy commit a lock wait. A visitor is no mapped object at all.
    state = inspect(user, raiseerr=False)
    if state is None or state.identity is None:
        return None
    return state.identity[0]


def warn_about_rate_limit_storage(app: Flask) -> None:
    config = app.config
    if not config.get("RATELIMIT_ENABLED") or config.get("ENV_NAME") != "production":
        return
    if str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: each worker process counts on its own, so "
            "with N workers up to N times the login, sign-up and reset limits get through. "
            "Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 for counts shared by all."
        )
