"""Background work for photos: deleting the files of photos no longer shown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mentorapp import tasks
from mentorapp.extensions import db
from mentorapp.models import PhotoRemoval
from mentorapp.models.types import utcnow
from mentorapp.storage import StorageUnavailable

# A removal still waiting this long after it was written lost its task (queue away,
# storage down through every retry): the sweep enqueues it again.
SWEEP_AFTER = timedelta(minutes=15)


@tasks.task(retries=5, retry_delay=60)
def delete_photo_files(removal_id: int) -> None:
    """Delete a replaced or removed photo's files from storage (safe to run twice)."""
    from mentorapp.photos.services import delete_files_of

    done = delete_files_of(removal_id)
    db.session.commit()
    if not done:
        # A failure: huey tries again (retries above), then the sweep does.
        raise StorageUnavailable("the file storage is away; the removal is kept")


@tasks.register_sweeper("photo_removals")
def sweep_photo_removals() -> int:
    ids = db.session.scalars(
        select(PhotoRemoval.id)
        .where(PhotoRemoval.created_at <= utcnow() - SWEEP_AFTER)
        .order_by(PhotoRemoval.id)
        .limit(500)
    ).all()
    db.session.commit()
    for removal_id in ids:
        tasks.enqueue(delete_photo_files, removal_id)
    return len(ids)


# Uploads commit within seconds; an hour spares any still in flight.
ORPHAN_GRACE = timedelta(hours=1)


@tasks.periodic_task(tasks.crontab(minute="29", hour="4"))
def delete_orphaned_photo_files() -> int:
    """Once a day: delete the files of photos that never got saved (a crash mid-upload)."""
    from mentorapp.photos.services import delete_orphaned_files

    deleted = delete_orphaned_files(utcnow() - ORPHAN_GRACE)
    db.session.commit()
    return deleted
