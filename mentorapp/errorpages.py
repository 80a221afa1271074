"""Error pages in the site's layout. None shows exception text, SQL or a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from mentorapp.extensions import db

PAGES = {
    400: (
        "Something in that request was not right",
        "The page could not understand what was sent. Go back, reload the page and try again.",
    ),
    403: (
        "This page is not yours to see",
        "You are signed in, but this page belongs to someone else or needs another role.",
    ),
    404: (
        "We could not find that page",
        "The link may be old, or the page was removed. Try the home page.",
    ),
    405: (
        "That action is not available here",
        "This page cannot be used that way. Go back and use the buttons on the page.",
    ),
    409: (
        "Someone got there first",
        "What you tried to do no longer applies: the page changed while you were on it. "
        "Reload it to see where things stand.",
    ),
    413: (
        "That was too much to send at once",
        "The form or file was larger than we accept. Make it smaller and try again.",
    ),
    429: (
        "Slow down a little",
        "There were too many attempts from your connection. Wait a minute, then try again.",
    ),
    500: (
        "Something went wrong on our side",
        "We have been told about it. Nothing you did caused this; please try again shortly.",
    ),
    503: (
        "We will be right back",
        "The service is briefly unavailable. Please try again in a moment.",
    ),
}

RETRY_AFTER_SECONDS = 5

BARE_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '</head><body><main><h1>{title}</h1><p>{text}</p><p><a href="/">Home</a></p>'
    "</main></body></html>"
)


def error_response(code: int, detail: str | None = None):
    title, text = PAGES.get(code, PAGES[500])
    try:
        # A failing database must not be asked again for the signed-in person.
        html = render_template(
            "errors/error.html",
            code=code,
            title=title,
            text=detail or text,
            minimal_nav=code >= 500,
        )
    except Exception:  # e.g. a refused Host header leaves no URL adapter to build links
        html = BARE_PAGE.format(code=code, title=escape(title), text=escape(detail or text))
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
    if code == 429:
        headers["Retry-After"] = "60"
    return html, code, headers


def register_errorhandlers(app: Flask) -> None:
    def _http(error: HTTPException):
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        if code not in PAGES:
            return error
        return error_response(code)

    def _csrf(_error: CSRFError):
        return error_response(
            400,
            "This form expired or did not come from our site. Reload the page and send it again.",
        )

    def _database_unavailable(error: Exception):
        db.session.rollback()
        app.logger.warning("Database unavailable: %s", type(error).__name__)
        return error_response(503)

    def _conflict(_error: IntegrityError):
        db.session.rollback()
        return error_response(409)

    def _bad_data(_error: DataError):
        # A value the database cannot hold (an id past its integer range, say).
        db.session.rollback()
        return error_response(400)

    def _unexpected(_error: Exception):
        # Flask has already logged the exception; the person sees only the page.
        db.session.rollback()
        return error_response(500)

    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(IntegrityError, _conflict)
    app.register_error_handler(DataError, _bad_data)
    app.register_error_handler(500, _unexpected)
