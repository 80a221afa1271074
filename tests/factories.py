"""Build domain objects for tests with sensible defaults."""

from __future__ import annotations

import itertools

from mentorapp.auth.passwords import hash_password
from mentorapp.extensions import db
from mentorapp.models import User
from mentorapp.models.types import utcnow

DEFAULT_PASSWORD = "a long test passphrase"
_DEFAULT_HASH = hash_password(DEFAULT_PASSWORD)
_counter = itertools.count(1)


def make_user(**fields) -> User:
    n = next(_counter)
    password = fields.pop("password", None)
    verified = fields.pop("verified", True)
    values = {
        "email": f"person{n}@example.com",
        "display_name": f"Person {n}",
        "password_hash": hash_password(password) if password else _DEFAULT_HASH,
        "is_mentee": True,
        "email_verified_at": utcnow() if verified else None,
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user
