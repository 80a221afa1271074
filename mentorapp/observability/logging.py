"""Log lines: one JSON object a line in production, readable text in development.

Every line carries the id of the request (or of the request that enqueued the task)
it belongs to. A request id comes from the `X-Request-ID` header when it is short and
made of safe characters, otherwise it is made here; it goes back in the response and
rides along into the tasks the request enqueues (`flask.g.request_id`).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators, as load balancers and tracing headers use:
# nothing that could break a log line or a header.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

LOG_FORMATS = ("json", "text")


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is safe to repeat, else a fresh one."""
    if header and _SAFE_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The id of the request being served, or of the request that enqueued the task
    running in this thread; None elsewhere (a command, a periodic task)."""
    if has_request_context():
        return g.get("request_id")
    tasks = sys.modules.get("mentorapp.tasks")
    return tasks.current_request_id.get() if tasks is not None else None


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and the
    record's `fields` (a request's method, path, status...)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`2026-12-02 10:07:18,123 INFO mentorapp.requests [3f2a...]: GET / 200 4.1 ms`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or current_request_id()
        record.request_tag = f" [{request_id[:12]}]" if request_id else ""
        return super().format(record)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a line is logged (as logging's own last
    resort does), not to the stream of the moment the app was built."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, so the app's lines and the libraries' warnings
    (the rate limiter's, huey's) come out in one format. Building the app again (tests
    build many) replaces it rather than adding another."""
    level = getattr(logging, str(app.config["LOG_LEVEL"]), logging.INFO)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "mentorapp", False):
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.mentorapp = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter_for(app.config["LOG_FORMAT"]))
    root.addHandler(handler)
    # Flask would add its own handler to the app's logger: every line twice.
    app.logger.removeHandler(default_handler)
    app.logger.setLevel(level)
