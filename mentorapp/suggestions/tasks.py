"""Background work for matching: the change log is kept short."""

from __future__ import annotations

from sqlalchemy import delete

from mentorapp import tasks
from mentorapp.extensions import db
from mentorapp.models import MatchingChange
from mentorapp.suggestions.index import KEEP_CHANGES, current_version


def prune_matching_changes() -> int:
    """Drop change-log rows older than the KEEP_CHANGES ids workers may still read
    (a worker further behind reloads everything anyway). Returns how many."""
    version = current_version()
    return db.session.execute(
        delete(MatchingChange)
        .where(MatchingChange.id < version - KEEP_CHANGES)
        .execution_options(synchronize_session=False)
    ).rowcount


@tasks.periodic_task(tasks.crontab(minute="23"))
def prune_matching_log() -> int:
    """Hourly; idempotent (a second run finds nothing older)."""
    pruned = prune_matching_changes()
    db.session.commit()
    return pruned
