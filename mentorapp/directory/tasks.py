"""Background work for the directory: telling listers their yearly check is due, and
importing listings from a CSV file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from mentorapp import tasks
from mentorapp.directory import imports
from mentorapp.extensions import db
from mentorapp.mail import public_url
from mentorapp.models import Listing, Review
from mentorapp.models.types import utcnow
from mentorapp.notifications.services import notify


def _not_told_for_this_due_date():
    return Listing.recheck_notice_at.is_(None) | (
        Listing.recheck_notice_at < Listing.recheck_due_at
    )


def notify_listers_of_rechecks(now: datetime | None = None) -> int:
    """Tell whoever submitted each listing now due for its yearly check (what the
    admins' queue shows under "Due for their yearly check") to look it over, once per
    due date. Returns how many were told."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Listing)
        .where(
            Listing.state == Review.APPROVED,
            Listing.unpublished_at.is_(None),
            Listing.recheck_due_at <= now,
            _not_told_for_this_due_date(),
        )
        .options(selectinload(Listing.submitted_by))
        .order_by(Listing.recheck_due_at, Listing.id)
        .limit(500)
    ).all()
    told = 0
    for listing in due:
        # Only one run wins the notice, however many run at once.
        claimed = db.session.execute(
            update(Listing)
            .where(
                Listing.id == listing.id,
                _not_told_for_this_due_date(),
            )
            .values(recheck_notice_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1 or listing.submitted_by is None:
            continue
        lister = listing.submitted_by
        text = (
            f"{listing.name} was vetted a year ago. Please check that its details are "
            "still right and correct anything that changed; an admin confirms it again soon."
        )
        # One email, the kind's: a lister who turned listing emails off is not sent it.
        notify(
            lister,
            "listing",
            text,
            subject=f"A yearly check of {listing.name}",
            link=public_url("directory.edit", listing_id=listing.id),
        )
        told += 1
    return told


@tasks.periodic_task(tasks.crontab(minute="11", hour="*/6"))
def remind_listers_of_rechecks() -> int:
    """Four times a day; a lister is told once per due date, whatever runs repeat."""
    told = notify_listers_of_rechecks()
    db.session.commit()
    return told


# Importing listings from a CSV file


@tasks.task(retries=0)
def import_listings(job_id: int) -> None:
    """Import a job's rows from its checkpoint on. A run hands the job back to the queue
    after a while, so other work gets a turn; the next run resumes where it ended."""
    if imports.run_import(job_id):
        tasks.enqueue(import_listings, job_id)


@tasks.register_sweeper("listing_imports")
def resume_lost_imports() -> int:
    """Imports whose message was lost (the worker holding one died, or the queue was
    away): enqueue them again. A worker's lease must have run out first."""
    ids = imports.jobs_to_resume()
    db.session.commit()
    for job_id in ids:
        tasks.enqueue(import_listings, job_id)
    return len(ids)
