"""How a login cookie maps back to a person."""

from __future__ import annotations

from flask_login import LoginManager

from mentorapp.extensions import db
from mentorapp.models import User
from mentorapp.parsing import whole_number


def load_user(session_id: str) -> User | None:
    """`session_id` is "<user id>:<session version>"; an old version is signed out."""
    user_id, _, version = session_id.partition(":")
    user_number, version_number = whole_number(user_id), whole_number(version)
    if user_number is None or version_number is None:
        return None
    user = db.session.get(User, user_number)
    if user is None or user.session_version != version_number or not user.is_active:
        return None
    return user


def configure_login(manager: LoginManager) -> None:
    manager.user_loader(load_user)
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to see that page."
    manager.login_message_category = "info"
