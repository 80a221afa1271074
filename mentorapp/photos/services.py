"""A person's profile photo: setting, replacing and removing it, and what it leaves.

The files of a photo live under `photos/<key>/<side>.webp`, where `key` is random and
kept in `users.photo_key`. A new photo's files are written before the row points at
them, and deleted again if the request rolls back; an old photo's files are deleted
after the commit by a task, from a `photo_removals` row written in the same transaction
(the sweep retries it if the queue or the storage was away).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from mentorapp import tasks
from mentorapp.errors import Conflict, DomainError
from mentorapp.extensions import db
from mentorapp.models import PhotoRemoval, User
from mentorapp.photos import images
from mentorapp.storage import StorageUnavailable, files, new_name

logger = logging.getLogger("mentorapp.photos")

UNAVAILABLE = "Photos cannot be saved right now. Please try again in a few minutes."
CHANGED_ELSEWHERE = "Your photo changed in another window. Look at it, then try again."


def file_key(photo_key: str, side: int) -> str:
    return f"photos/{photo_key}/{side}.{images.EXTENSION}"


def file_keys(photo_key: str) -> list[str]:
    return [file_key(photo_key, side) for side in images.SIZES]


def set_photo(person: User, upload: bytes) -> None:
    """Make `upload` the person's photo, replacing the one they had. Raises DomainError
    (field "photo") when the file is refused or cannot be stored."""
    try:
        photo = images.make_photo(upload)
    except images.PhotoRefused as refused:
        raise DomainError(str(refused), field="photo") from refused
    key = new_name()
    _delete_if_rolled_back(key)
    try:
        for side, content in photo.sizes.items():
            files().put(file_key(key, side), content, images.CONTENT_TYPE)
    except StorageUnavailable as error:
        logger.warning("Could not store a photo: %s", error)
        raise DomainError(UNAVAILABLE, field="photo") from error
    _point_at(person, key)


def remove_photo(person: User) -> None:
    """Show the person's initials again; the photo's files go after the commit."""
    if person.photo_key is None:
        return
    _point_at(person, None)


def forget_photo_of(person: User) -> None:
    """For account deletion: the photo's files go once the deletion has committed."""
    if person.photo_key is not None:
        _remove_files_later(person.photo_key)


def _point_at(person: User, key: str | None) -> None:
    """Swap the photo only if nobody swapped it since this request read it: two uploads
    at once must not leave a photo that no row names (and no one deletes)."""
    old = person.photo_key
    unchanged = User.photo_key.is_(None) if old is None else User.photo_key == old
    swapped = db.session.execute(
        update(User)
        .where(User.id == person.id, unchanged)
        .values(photo_key=key)
        .execution_options(synchronize_session=False)
    ).rowcount
    if swapped != 1:
        raise Conflict(CHANGED_ELSEWHERE, field="photo")
    person.photo_key = key
    db.session.flush()
    if old is not None:
        _remove_files_later(old)


def _remove_files_later(photo_key: str) -> None:
    removal = PhotoRemoval(photo_key=photo_key)
    db.session.add(removal)
    db.session.flush()
    tasks.enqueue_after_commit(_delete_task(), removal.id)


def _delete_task():
    from mentorapp.photos.tasks import delete_photo_files

    return delete_photo_files


def delete_files_of(removal_id: int) -> bool:
    """Delete the files a removal names, then the removal (safe twice). False when the
    storage is away (the removal stays for the next try)."""
    removal = db.session.get(PhotoRemoval, removal_id)
    if removal is None:
        return True
    in_use = db.session.scalar(select(User.id).where(User.photo_key == removal.photo_key))
    if in_use is None:
        try:
            files().delete(file_keys(removal.photo_key))
        except StorageUnavailable as error:
            logger.warning("Could not delete photo files yet: %s", error)
            return False
    db.session.delete(removal)
    db.session.flush()
    return True


def delete_orphaned_files(written_before: datetime) -> int:
    """Delete photo files no person's row names, written before `written_before` (a
    process killed between writing an upload and its rollback leaves such files; the
    margin spares uploads whose transaction has not committed yet). Returns how many."""
    named = set(db.session.scalars(select(User.photo_key).where(User.photo_key.is_not(None))))
    orphans = []
    for key, written in files().files_under("photos/"):
        photo_key = key.split("/")[1] if key.count("/") >= 2 else ""
        if photo_key not in named and written < written_before:
            orphans.append(key)
    for start in range(0, len(orphans), 1000):
        files().delete(orphans[start : start + 1000])
    return len(orphans)


# Files written by a transaction that rolls back are deleted at once ------------------

_WRITTEN = "mentorapp_photo_files_written"


def _delete_if_rolled_back(photo_key: str) -> None:
    db.session().info.setdefault(_WRITTEN, []).append(photo_key)


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _delete_written_files(session: Session, _previous) -> None:
    if session.in_transaction():
        return  # a savepoint rolled back; the transaction goes on
    for photo_key in session.info.pop(_WRITTEN, None) or ():
        try:
            files().delete(file_keys(photo_key))
        except (StorageUnavailable, RuntimeError) as error:
            logger.warning("Could not delete the files of a photo never saved: %s", error)
