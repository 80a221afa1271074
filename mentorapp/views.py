"""Small helpers every feature's views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from mentorapp.extensions import csrf


def render_form(template: str, form: FlaskForm, **context):
    """Render a page holding a form; a form with errors answers 422 so nothing commits."""
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status


def accept_upload(limit: int) -> bool:
    """Raise this request's body limit (the app-wide one suits forms) for one upload, then
    run the CSRF check its route is exempt from: the check reads the body, so it has to
    come after the new limit. A missing or wrong token answers 400. False when the body
    is over the limit: it stays unread, every form on the page (the layout's log-out
    button too) sees an empty one, and the route answers with its message by the field."""
    request.max_content_length = limit
    if request.method == "POST" and current_app.config["WTF_CSRF_ENABLED"]:
        try:
            csrf.protect()
        except RequestEntityTooLarge:
            request.form = ImmutableMultiDict()
            request.files = ImmutableMultiDict()
            return False
    return True


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
