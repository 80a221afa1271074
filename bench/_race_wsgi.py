"""The app as gunicorn serves it for bench/capacity_race.py (a helper, not a bench).

    gunicorn bench._race_wsgi:app      with BENCH_VARIANT set to one of:

    app             the app as it is: a conditional UPDATE takes a place (SECURITY.md)
    naive           a read-check-write takes it instead: read the count, compare it with
                    the capacity, write count + 1
    naive-deferred  the same, and SQLite transactions start with a plain (deferred) BEGIN
                    instead of BEGIN IMMEDIATE

The login rate limit is off: every round signs a new mentor in from the same address.
"""

from __future__ import annotations

import os

from sqlalchemy import select, update

from mentorapp import create_app
from mentorapp.apprenticeships import services
from mentorapp.database import write_intent
from mentorapp.extensions import db, limiter
from mentorapp.models import MentorProfile

VARIANT = os.environ.get("BENCH_VARIANT", "app")
if VARIANT not in ("app", "naive", "naive-deferred"):
    raise SystemExit(f"unknown BENCH_VARIANT {VARIANT!r}")


def naive_take_place(mentor_id: int) -> bool:
    """What the capacity rule looks like when written the obvious way."""
    count, capacity = db.session.execute(
        select(MentorProfile.apprentice_count, MentorProfile.capacity).where(
            MentorProfile.user_id == mentor_id
        )
    ).one()
    if count >= capacity:
        return False
    db.session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor_id)
        .values(apprentice_count=count + 1)
        .execution_options(synchronize_session=False)
    )
    return True


if VARIANT != "app":
    # accept() looks the name up in its module at call time, so this replaces it.
    services._take_place = naive_take_place

app = create_app()
limiter.enabled = False

if VARIANT == "naive-deferred":

    @app.before_request
    def _deferred_begin():
        # Runs after the app's own hook, which asked for BEGIN IMMEDIATE on a POST.
        write_intent.set(False)
