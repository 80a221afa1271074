"""Small helpers every feature's views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template
from flask_wtf import FlaskForm


def render_form(template: str, form: FlaskForm, **context):
    """Render a page holding a form; a form with errors answers 422 so nothing commits."""
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
