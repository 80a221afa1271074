"""A large CSV import runs on the task queue, through a real consumer: batch by batch
with its progress on the report page, every row reported exactly once, resumed where
the last committed batch ended after its worker process is killed with SIGKILL, a
worker that lost its lease unable to commit, and an import whose admin lost the right
stopped honestly with every row accounted for."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from mentorapp import tasks
from mentorapp.database import read_only
from mentorapp.directory import imports
from mentorapp.directory.tasks import import_listings
from mentorapp.extensions import db
from mentorapp.models import AuditEntry, ImportJob, ImportRow, Listing, User
from mentorapp.models.types import utcnow
from tests.conftest import AuthActions
from tests.functional.test_listing_import import csv_file, report_url, row, upload
from tests.helpers import text

ROOT = Path(__file__).resolve().parents[2]
CITIES = [("London", "GB"), ("Paris", "FR"), ("Berlin", "DE"), ("Toronto", "CA")]


def big_file(total: int, bad_every: int = 100) -> tuple[bytes, set[int]]:
    """`total` rows in four cities, one in `bad_every` with a bad website; and the
    spreadsheet numbers of the good rows."""
    rows = [
        row(
            f"Studio {n:06}",
            city=CITIES[n % 4][0],
            country=CITIES[n % 4][1],
            website="not a website" if n % bad_every == 7 else "https://example.org",
        )
        for n in range(total)
    ]
    good = {n + 2 for n in range(total) if n % bad_every != 7}
    return csv_file(rows), good


@pytest.fixture
def admin_client(users, queue_app):
    """An app on a real queue (nothing runs until a worker starts) and its admin."""
    app = queue_app()
    client = app.test_client()
    users(email="ada@example.com", display_name="Ada Admin", is_admin=True, is_mentee=False)
    AuthActions(client).login("ada@example.com")
    return app, client


def job_of(app, job_id: int) -> ImportJob:
    with app.app_context(), read_only():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


def outcomes(app, job_id: int) -> list[tuple[int, str, int | None]]:
    with app.app_context(), read_only():
        return [
            tuple(r)
            for r in db.session.execute(
                select(ImportRow.number, ImportRow.outcome, ImportRow.listing_id)
                .where(ImportRow.job_id == job_id)
                .order_by(ImportRow.number)
            )
        ]


def assert_every_row_once(app, job_id: int, total: int, good: set[int]) -> None:
    """Each row of the file has exactly one outcome, imported rows exactly one listing
    and one audit entry, and the counts agree."""
    rows = outcomes(app, job_id)
    numbers = [n for n, _, _ in rows]
    assert len(numbers) == len(set(numbers)) == total
    assert {n for n, outcome, _ in rows if outcome == "imported"} == good
    with app.app_context():
        names = db.session.scalars(select(Listing.name)).all()
        assert len(names) == len(set(names)) == len(good)
        audited = db.session.scalars(
            select(AuditEntry.subject_id).where(AuditEntry.action == "listing_imported")
        ).all()
        assert sorted(audited) == sorted(i for _, o, i in rows if o == "imported")
        closing = db.session.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "listings_imported")
        ).all()
        assert closing == [f"{len(good)} imported, {total - len(good)} refused"]
    job = job_of(app, job_id)
    assert (job.state, job.done, job.imported, job.refused) == (
        "finished",
        total,
        len(good),
        total - len(good),
    )
    assert job.lease_token is None and job.finished_at is not None


def test_a_large_file_is_imported_by_a_worker_batch_by_batch(admin_client, task_worker):
    app, client = admin_client
    total = 2500
    assert total > imports.INLINE_ROWS
    data, good = big_file(total)
    response = upload(client, data, filename="big.csv")
    url = report_url(response)
    job_id = int(url.rsplit("/", 1)[1])

    # No worker yet: the job waits, saying so, and the page refreshes itself.
    waiting = text(client.get(url))
    assert "Waiting for a worker" in waiting and f"0 of {total:,} rows" in waiting
    assert f'<progress class="meter__bar" max="{total}" value="0"' in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert job_of(app, job_id).state == "queued"

    task_worker(app)
    seen, page = [], ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = text(client.get(url))
        seen.append(int(re.search(r"([\d,]+) of 2,500 rows", page).group(1).replace(",", "")))
        if '<h2 id="progress-heading">Done</h2>' in page:
            break
        time.sleep(0.02)
    assert seen == sorted(seen) and seen[-1] == total, seen
    assert all(done in (0, 1000, 2000, 2500) for done in seen)  # batch by batch
    assert "2,475 imported, 25 refused" in page
    assert 'http-equiv="refresh"' not in page
    assert_every_row_once(app, job_id, total, good)
    assert job_of(app, job_id).runs == 1

    # The report pages its long lists: 100 listings a page, refused rows on their own.
    assert len(re.findall(r'<a href="/admin/listings/\d+">', page)) == 100
    assert "Page 1 of 25" in page and "imported_page=2#imported-rows" in page
    last = text(client.get(f"{url}?imported_page=25"))
    assert "Studio 002499" in last and "Page 25 of 25" in last
    refused = re.findall(r"<tr><td>(\d+)</td><td>Studio \d+</td><td>website: ", page)
    assert [int(n) for n in refused] == [n + 2 for n in range(total) if n % 100 == 7]


def worker_process(database_uri: str, queue_file: Path, instance: Path) -> subprocess.Popen:
    """`flask worker` in a process of its own, as production runs it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "TASK_QUEUE_URL": f"sqlite:///{queue_file}",
        "MENTORAPP_INSTANCE_PATH": str(instance),
        "MENTORAPP_ENV": "development",
        "SECRET_KEY": "test-worker-key",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "-w", "1", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


def test_an_import_resumes_exactly_where_a_killed_worker_left_it(
    users, queue_app, database_uri, tmp_path
):
    queue_file = tmp_path / "tasks.sqlite3"
    app = queue_app(TASK_QUEUE_URL=f"sqlite:///{queue_file}")
    client = app.test_client()
    users(email="ada@example.com", display_name="Ada Admin", is_admin=True, is_mentee=False)
    AuthActions(client).login("ada@example.com")
    total = 8000
    data, good = big_file(total, bad_every=50)
    job_id = int(report_url(upload(client, data, filename="huge.csv")).rsplit("/", 1)[1])

    first = worker_process(database_uri, queue_file, tmp_path)
    try:
        wait_until(lambda: job_of(app, job_id).done >= 2 * imports.BATCH_ROWS, 120, "2 batches")
        first.send_signal(signal.SIGKILL)  # mid-import, no chance to clean up
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL

    # The job is as its last committed batch left it: done rows all reported, no other.
    job = job_of(app, job_id)
    assert job.state == "running" and 0 < job.done < total, (job.state, job.done)
    assert job.done % imports.BATCH_ROWS == 0
    assert [n for n, _, _ in outcomes(app, job_id)] == list(range(2, job.done + 2))
    with app.app_context():
        assert db.session.scalar(select(func.count(Listing.id))) == job.imported
    page = text(client.get(f"/admin/listings/imports/{job_id}"))
    assert "Importing…" in page and f"{job.done:,} of {total:,} rows" in page

    # While the dead worker's lease lasts, the sweep leaves the job alone.
    with app.app_context():
        assert tasks.sweep().get("listing_imports") == 0
        # Time passes: the lease runs out (the message went with the dead worker).
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert tasks.sweep().get("listing_imports") == 1
        assert tasks.sweep().get("listing_imports") == 0  # enqueued once, not every minute

    second = worker_process(database_uri, queue_file, tmp_path)
    try:
        wait_until(lambda: job_of(app, job_id).is_over, 180, "the import finishing")
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
    assert_every_row_once(app, job_id, total, good)
    assert job_of(app, job_id).runs == 2
    page = text(client.get(f"/admin/listings/imports/{job_id}"))
    assert "Done" in page and f"{total:,} of {total:,} rows" in page


def test_a_worker_that_lost_its_lease_cannot_commit_a_batch(admin_client):
    app, client = admin_client
    data, good = big_file(1200)
    job_id = int(report_url(upload(client, data)).rsplit("/", 1)[1])
    stalled = "a" * 32
    with app.app_context():
        assert imports._claim(job_id, stalled)
        assert not imports._claim(job_id, "b" * 32)  # held: nobody else takes it
        # The stalled worker's lease runs out; another worker takes the job and does it.
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert imports.run_import(job_id) is False
        db.session.remove()
    assert_every_row_once(app, job_id, 1200, good)
    with app.app_context(), pytest.raises(imports._LeaseLost):
        imports._renew(job_id, stalled, 0)  # what its next batch would start with
    with app.app_context():
        assert imports.run_import(job_id) is False  # over: a repeated task does nothing
    assert len(outcomes(app, job_id)) == 1200


def test_a_run_hands_the_job_back_after_its_time_slice(admin_client, task_worker):
    app, client = admin_client
    data, good = big_file(2100)
    job_id = int(report_url(upload(client, data)).rsplit("/", 1)[1])
    with app.app_context():
        assert imports.run_import(job_id, slice_seconds=0) is True  # one batch, then back
        job = db.session.get(ImportJob, job_id)
        assert (job.done, job.state, job.lease_token) == (1000, "running", None)
        db.session.remove()
    task_worker(app)
    with app.app_context():
        tasks.enqueue(import_listings, job_id)
    wait_until(lambda: job_of(app, job_id).is_over, 60, "the import finishing")
    assert_every_row_once(app, job_id, 2100, good)
    assert job_of(app, job_id).runs == 2


def test_an_import_whose_admin_lost_the_right_stops_with_every_row_reported(
    admin_client, task_worker
):
    app, client = admin_client
    data, _ = big_file(1500)
    job_id = int(report_url(upload(client, data)).rsplit("/", 1)[1])
    with app.app_context():
        db.session.execute(update(User).values(is_admin=False))
        db.session.commit()
    task_worker(app)
    wait_until(lambda: job_of(app, job_id).is_over, 60, "the import stopping")
    job = job_of(app, job_id)
    assert (job.state, job.done, job.imported, job.refused) == ("failed", 1500, 0, 1500)
    assert job.failure == "The admin who started the import can no longer import."
    rows = outcomes(app, job_id)
    assert [n for n, _, _ in rows] == list(range(2, 1502))
    assert {o for _, o, _ in rows} == {"refused"}
    with app.app_context():
        assert db.session.scalar(select(func.count(Listing.id))) == 0
        assert db.session.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "listings_imported")
        ).all() == [
            "0 imported, 1500 refused; stopped: The admin who started the import can no "
            "longer import."
        ]


def test_an_import_whose_message_was_lost_is_swept_onto_the_queue_again(admin_client, task_worker):
    app, client = admin_client
    data, good = big_file(600)
    job_id = int(report_url(upload(client, data)).rsplit("/", 1)[1])
    tasks.huey.storage.flush_queue()  # the queue lost it (Redis restarted empty, say)
    with app.app_context():
        assert tasks.sweep().get("listing_imports") == 0  # it may still be on its way
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(enqueued_at=utcnow() - imports.SWEEP_AFTER - timedelta(seconds=1))
        )
        db.session.commit()
        assert tasks.sweep().get("listing_imports") == 1
    task_worker(app)
    wait_until(lambda: job_of(app, job_id).is_over, 60, "the import finishing")
    assert_every_row_once(app, job_id, 600, good)
