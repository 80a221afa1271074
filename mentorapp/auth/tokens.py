"""Signed, expiring, single-use links for email verification, reset and email change.

A token carries a fingerprint of the account state it was issued for. Using the token
changes that state (the email gets verified, the password hash changes, the pending
email is applied), so the same link never works twice, and changing the email kills
every link issued before.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from mentorapp.models import User


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 (a purpose name, not a secret)
    CHANGE_EMAIL = "change-email"


def _fingerprint(user: User, purpose: Purpose) -> str:
    if purpose is Purpose.VERIFY_EMAIL:
        state = [user.email, str(user.email_verified_at is None)]
    elif purpose is Purpose.RESET_PASSWORD:
        state = [user.email, user.password_hash]
    else:
        state = [user.email, user.pending_email or ""]
    raw = "\x1f".join([purpose.value, str(user.id), *state])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"mentorapp.{purpose}")


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


def max_age(purpose: Purpose) -> timedelta:
    key = "RESET_TOKEN_MAX_AGE" if purpose is Purpose.RESET_PASSWORD else "EMAIL_TOKEN_MAX_AGE"
    return current_app.config[key]


def read_token(token: str, purpose: Purpose, load_user) -> User | None:
    """The user a still-valid token belongs to, or None (bad, expired or already used)."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age(purpose).total_seconds()))
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = load_user(data["u"])
    if user is None or data.get("f") != _fingerprint(user, purpose):
        return None
    return user
