"""Importing studios and schools from a CSV file.

Every row goes through `clean_listing`, the check the web form uses. Refused rows are
reported with their row number as a spreadsheet shows it (the header is row 1) and
every reason at once; a row with the same name and city as a listing, or as an earlier
row of the file, is refused as a duplicate.

The upload checks the whole file (one that cannot be read is refused before anything
is stored) and records an `ImportJob` holding the file itself, so a worker on any
machine can take it up. A small file is imported within the upload's own request; a
larger one by a task on the queue, batch by batch. A batch's listings, each of its
rows' outcome (`ImportRow`) and the job's checkpoint (`done`) commit in one
transaction, so a worker killed at any moment leaves the job at the end of its last
committed batch, and whoever takes it next resumes exactly there: no row is imported
or reported twice, none is skipped.

A worker holds a lease on the job, renewed by every batch; the renewal opens the
batch's transaction and checks the worker still holds it, so a worker that lost it
(it stalled past the lease and another took over) rolls its batch back. Once a lease
runs out (its worker died), the periodic sweep enqueues the job again.

A batch looks up its cities, duplicates and specialties in a few queries and inserts
many rows per statement; the per-row check itself runs in Python.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace

from sqlalchemy import JSON, func, insert, literal, or_, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload, undefer

from mentorapp.directory.listings import (
    KIND_LABELS,
    OFFER_LABELS,
    RECHECK_AFTER,
    ListingInput,
    ListingInvalid,
    clean_listing,
)
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.models import (
    AuditEntry,
    ImportJob,
    ImportRow,
    ImportState,
    Listing,
    Place,
    Review,
    Specialty,
    User,
    listing_specialties,
)
from mentorapp.models.types import UTCDateTime, utcnow
from mentorapp.paging import Page
from mentorapp.places.gazetteer import Gazetteer, fold

logger = logging.getLogger("mentorapp.imports")

# Every column the file may have, and what goes in it (the import page shows this).
COLUMNS: dict[str, str] = {
    "kind": "recording_studio, music_school, audio_engineering_school, trade_school or other "
    "(or its name, like “Music school”).",
    "name": "The studio's or school's name, 2 to 120 characters.",
    "description": "What happens there and who it is for, at least 20 characters.",
    "city": "The city's name, like London, Montréal or München.",
    "country": "The city's 2-letter ISO country code, like GB, US or DE. Optional, but "
    "without it the most populous city of that name is taken.",
    "address": "Street address (optional).",
    "website": "Starting with https:// or http:// (optional).",
    "contact_email": "An email address (optional).",
    "specialties": "At least one, separated by “;”: slugs or names, like mixing; Sound design.",
    "offers": "At least one, separated by “;”: apprenticeship, internship, jobs, courses, "
    "studio_visits.",
    "programmes": "For schools: the programmes, one a line (optional).",
    "typical_length": "For schools: like “1 year full time” (optional).",
}
REQUIRED = ("kind", "name", "description", "city", "specialties", "offers")

MAX_ROWS = 100_000
MAX_BYTES = 50 * 1024 * 1024
INLINE_ROWS = 200  # up to this many rows, the upload's request imports them itself
BATCH_ROWS = 1000  # rows per transaction in the background
# A worker's hold on a job, renewed by each batch (a batch takes well under a second).
LEASE = timedelta(seconds=30)
# A run hands the job back to the queue after this long, so other tasks (email) get a
# turn between its batches; the next run resumes from the checkpoint.
SLICE_SECONDS = 60.0
# The sweep enqueues a job again when no worker holds it and it was enqueued this long
# ago (the message was lost: the worker died, or the queue was away).
SWEEP_AFTER = timedelta(minutes=2)
BATCH_RETRIES = 3
# SQLite has one writer at a time, and a request waiting for the lock polls it every
# 100 ms at most: between batches the import leaves it free that long, so a request
# waits at most about one batch, never its 2-second busy timeout.
SQLITE_PAUSE_SECONDS = 0.1
PER_PAGE = 100  # refused and imported rows on the report, per page
CITY_CANDIDATES = 100
COUNTRY_ALIASES = {"UK": "GB"}
EXTRA_CELLS = "__extra__"  # in a read row: how many cells lay beyond the last column


class ImportRefused(DomainError):
    """The file as a whole cannot be imported; nothing was."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


# Reading the file


def _column(name: str) -> str:
    """A header cell as a column name: “Contact email” and contact_email are the same."""
    return fold(name).replace(" ", "_")


def _delimiter(header_line: str) -> str:
    # Spreadsheets in some languages save CSV with semicolons or tabs; the header has
    # only column names, so whichever separator it contains is the file's.
    return max((",", ";", "\t"), key=header_line.count)


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (row number, {column: value}), blank rows left out.
    Raise ImportRefused when the file as a whole is unusable."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into smaller files."
        )
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
        ) from None
    if "\x00" in content:
        raise ImportRefused("This is not a CSV file. Save the sheet as “CSV UTF-8” and send that.")
    if not content.strip():
        raise ImportRefused("The file is empty. Its first row names the columns.")
    header_line = content.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(header_line))
    rows: list[tuple[int, dict[str, str]]] = []
    number = 0  # the row read last, as a spreadsheet numbers it
    try:
        columns = _header(next(reader))
        number = 1
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportRefused(
                    f"At most {MAX_ROWS:,} rows at a time: split the file into smaller ones."
                )
            values = {name: cell for name, cell in zip(columns, cells, strict=False) if cell}
            extra = [cell for cell in cells[len(columns) :] if cell.strip()]
            if extra:
                values[EXTRA_CELLS] = str(len(extra))
            rows.append((number, values))
    except csv.Error as error:
        raise ImportRefused(f"Row {number + 1} could not be read as CSV ({error}).") from None
    if not rows:
        raise ImportRefused("The file has its header row but no listings under it.")
    return rows


def _header(cells: list[str]) -> list[str]:
    while cells and not cells[-1].strip():
        cells = cells[:-1]  # spreadsheets leave empty cells at the end of a row
    columns = [_column(cell) for cell in cells]
    unknown = [
        cell.strip() or "(a column without a name)"
        for cell, name in zip(cells, columns, strict=True)
        if name not in COLUMNS
    ]
    missing = [name for name in REQUIRED if name not in columns]
    twice = sorted({name for name in columns if name in COLUMNS and columns.count(name) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    if twice:
        problems.append(f"column{'s' if len(twice) > 1 else ''} given twice: {', '.join(twice)}")
    if problems:
        raise ImportRefused(
            f"The first row must name the columns; {'; '.join(problems)}. "
            "See the columns below, or start from the sample file."
        )
    return columns


# Starting


def start_import(admin: User, filename: str, data: bytes, approve_valid: bool) -> ImportJob:
    """Check the file and record the import. A small file is imported at once; a larger
    one is handed to the queue once this transaction commits."""
    rows = read_rows(data)
    job = ImportJob(
        admin_id=admin.id,
        filename=re.split(r"[/\\]", filename or "")[-1][:200] or "listings.csv",
        approve_valid=approve_valid,
        state=ImportState.QUEUED,
        total=len(rows),
    )
    db.session.add(job)
    db.session.flush()
    if job.total <= INLINE_ROWS:
        # Nobody else can see the job before this request commits: no lease needed.
        importer = _Importer(job.id, job.filename, admin, approve_valid)
        counts = importer.store(importer.check(rows))
        job.done, job.imported, job.refused = job.total, *counts
        _close(job, admin, ImportState.FINISHED)
        db.session.flush()
        return job
    from mentorapp.directory.tasks import import_listings  # the task imports this module
    from mentorapp.tasks import enqueue_after_commit

    job.file = gzip.compress(data, compresslevel=1)
    job.enqueued_at = utcnow()
    db.session.flush()
    enqueue_after_commit(import_listings, job.id)
    return job


# Running on the queue


class _LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease)."""


def run_import(job_id: int, slice_seconds: float = SLICE_SECONDS) -> bool:
    """Import the job's rows from its checkpoint on, one committed batch at a time, for
    up to `slice_seconds`. True when the job is not over yet and should be enqueued
    again; False when it is over, or another worker holds it. Safe to run twice, or
    in two workers at once."""
    token = secrets.token_hex(16)
    if not _claim(job_id, token):
        return False
    started = time.monotonic()
    rows = None
    try:
        job = db.session.get(ImportJob, job_id, options=[undefer(ImportJob.file)])
        assert job is not None
        rows = read_rows(gzip.decompress(job.file or b""))
        admin = _importing_admin(job)
        if admin is None:
            _refuse_the_rest(job_id, token, rows, CANNOT_IMPORT)
            return False
        importer = _Importer(job.id, job.filename, admin, job.approve_valid)
        done, total = job.done, job.total
        db.session.commit()
        pause = SQLITE_PAUSE_SECONDS if db.engine.dialect.name == "sqlite" else 0
        # The rows are checked in Python, a batch ahead, while the database writes the
        # batch before (the driver lets go of the interpreter while it waits).
        with ThreadPoolExecutor(1, thread_name_prefix=f"listing-import-{job_id}") as ahead:
            upcoming = ahead.submit(importer.check, rows[done : done + BATCH_ROWS])
            while done < total:
                batch = rows[done : done + BATCH_ROWS]
                checked = upcoming.result()
                upcoming = ahead.submit(
                    importer.check, rows[done + BATCH_ROWS : done + 2 * BATCH_ROWS]
                )
                done = _import_batch(job_id, token, importer, batch, done, checked)
                time.sleep(pause)
                if done < total and time.monotonic() - started > slice_seconds:
                    _hand_back(job_id, token)
                    return True
        return False
    except _LeaseLost:
        db.session.rollback()
        logger.warning("Listing import %s: another worker took it over.", job_id)
        return False
    except _AdminGone:
        _refuse_the_rest(job_id, token, rows, CANNOT_IMPORT)
        return False
    except OperationalError:
        # The database is away: the job stays as its last batch left it, and once the
        # lease runs out the sweep enqueues it again.
        db.session.rollback()
        raise
    except Exception:
        db.session.rollback()
        logger.exception("Listing import %s stopped on an error.", job_id)
        _refuse_the_rest(job_id, token, rows, STOPPED_ON_ERROR)
        return False


CANNOT_IMPORT = "Not imported: the admin who started the import can no longer import."
STOPPED_ON_ERROR = "Not imported: the import stopped on an error. Import this row again."


def _claim(job_id: int, token: str) -> bool:
    """Take the job if nobody holds it (or its holder's lease ran out)."""
    now = utcnow()
    moved = db.session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job_id,
            ImportJob.state.in_((ImportState.QUEUED, ImportState.RUNNING)),
            or_(ImportJob.lease_expires_at.is_(None), ImportJob.lease_expires_at < now),
        )
        .values(
            state=ImportState.RUNNING,
            lease_token=token,
            lease_expires_at=now + LEASE,
            runs=ImportJob.runs + 1,
            started_at=func.coalesce(ImportJob.started_at, literal(now, UTCDateTime())),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return moved == 1


def _renew(job_id: int, token: str, done: int) -> None:
    """Open a batch's transaction: still ours, still at this checkpoint, for a while
    longer. On PostgreSQL this also locks the job's row until the batch commits."""
    moved = db.session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job_id,
            ImportJob.lease_token == token,
            ImportJob.done == done,
            ImportJob.state == ImportState.RUNNING,
        )
        .values(lease_expires_at=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise _LeaseLost()


def _import_batch(
    job_id: int, token: str, importer: _Importer, batch, done: int, checked: list[_Checked]
) -> int:
    """One batch (its rows checked already, outside the transaction), with its
    checkpoint, in one transaction; tried again when the database was busy or a
    concurrent change clashed. Returns the new checkpoint."""
    for attempt in range(1, BATCH_RETRIES + 1):
        try:
            _renew(job_id, token, done)
            if _importing_admin(db.session.get(ImportJob, job_id)) is None:
                db.session.rollback()
                raise _AdminGone()
            imported, refused = importer.store(checked)
            values = {
                "done": ImportJob.done + len(batch),
                "imported": ImportJob.imported + imported,
                "refused": ImportJob.refused + refused,
            }
            db.session.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id, ImportJob.lease_token == token)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            job = db.session.get(ImportJob, job_id, populate_existing=True)
            if job.done >= job.total:
                _close(job, importer.admin, ImportState.FINISHED)
            db.session.commit()
            importer.committed()
            return done + len(batch)
        except (OperationalError, IntegrityError):
            db.session.rollback()
            importer.rolled_back()
            if attempt == BATCH_RETRIES:
                raise
            logger.warning("Listing import %s: batch at row %s tried again.", job_id, done)
            time.sleep(attempt)
            checked = importer.check(batch)
    raise AssertionError("unreachable")


class _AdminGone(Exception):
    pass


def _importing_admin(job: ImportJob | None) -> User | None:
    admin = db.session.get(User, job.admin_id) if job and job.admin_id else None
    return admin if admin is not None and admin.is_admin else None


def _hand_back(job_id: int, token: str) -> None:
    """Give up the lease so the next run, enqueued now, takes the job at once."""
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.lease_token == token)
        .values(lease_token=None, lease_expires_at=None, enqueued_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _refuse_the_rest(job_id: int, token: str, rows, why: str) -> None:
    """Close a job that cannot go on: every row not done yet is reported refused with
    the reason, so the report still names every row once and says what to import again."""
    try:
        job = db.session.get(ImportJob, job_id, populate_existing=True)
        if job is None or job.lease_token != token or job.is_over:
            db.session.rollback()
            return
        rest = (rows or [])[job.done :]
        if rest:
            _insert_many(
                ImportRow.__table__,
                [_outcome(job_id, number, cells, why) for number, cells in rest],
            )
        job.refused += len(rest)
        job.done += len(rest)
        reason = why.removeprefix("Not imported: ")
        _close(job, _importing_admin(job), ImportState.FAILED, reason[0].upper() + reason[1:])
        db.session.commit()
    except Exception:
        db.session.rollback()
        logger.exception("Listing import %s could not be closed.", job_id)


def _close(job: ImportJob, admin: User | None, state: str, failure: str = "") -> None:
    """The import is over: say so, let go of the file, and put it in the audit log."""
    job.state = state
    job.failure = failure
    job.finished_at = utcnow()
    job.file = None
    job.lease_token = None
    job.lease_expires_at = None
    summary = f"{job.imported} imported, {job.refused} refused"
    if failure:
        summary += f"; stopped: {failure}"
    db.session.add(
        AuditEntry(
            actor_id=admin.id if admin else None,
            actor_name=admin.display_name if admin else "A deleted or former admin account",
            action="listings_imported",
            subject="listing_import",
            subject_id=job.id,
            subject_name=job.filename,
            reason=summary,
        )
    )


def jobs_to_resume(now=None) -> list[int]:
    """Imports whose queue message is gone: a worker died holding the job (its lease ran
    out and nobody enqueued it since), or the message never arrived or was lost (no
    lease, enqueued a while ago). Marks them enqueued now."""
    now = now or utcnow()
    lease_ran_out = ImportJob.lease_expires_at.is_not(None) & (ImportJob.lease_expires_at < now)
    long_ago = ImportJob.enqueued_at.is_(None) | (ImportJob.enqueued_at < now - SWEEP_AFTER)
    ids = list(
        db.session.scalars(
            select(ImportJob.id)
            .where(
                ImportJob.state.in_((ImportState.QUEUED, ImportState.RUNNING)),
                or_(
                    lease_ran_out
                    & (long_ago | (ImportJob.enqueued_at < ImportJob.lease_expires_at)),
                    ImportJob.lease_expires_at.is_(None) & long_ago,
                ),
            )
            .order_by(ImportJob.id)
        )
    )
    if ids:
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id.in_(ids))
            .values(enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids


# Checking and storing rows

# Each imported listing's audit entry reads "Row 7 of listings.csv (import #3)": the
# trail says where it came from.


def _import_note(filename: str, job_id: int, number: int) -> str:
    return f"Row {number} of {filename} (import #{job_id})"


def _outcome(job_id: int, number: int, cells: dict, reasons: str, listing_id=None) -> dict:
    return {
        "job_id": job_id,
        "number": number,
        "outcome": "imported" if listing_id else "refused",
        "name": (cells.get("name") or "").strip()[:200],
        "reasons": reasons,
        "listing_id": listing_id,
    }


@dataclass
class _Checked:
    number: int
    cells: dict[str, str]
    problems: dict[str, str]  # by column ("*" for the row as a whole)
    listing: ListingInput | None = None
    key: tuple[int, str] | None = None  # (city, folded name): what makes a duplicate

    def reasons(self) -> str:
        order = ["*", *COLUMNS]
        return " ".join(
            self.problems[c] if c == "*" else f"{c}: {self.problems[c]}"
            for c in sorted(self.problems, key=order.index)
        )


@dataclass
class _Duplicates:
    """The (city, folded name) of every listing in the cities seen so far, with the
    sentence that refuses a row matching it. Read once per city, then only the
    listings added since (by id), so a batch costs a query, not a scan of the city."""

    job_id: int
    known: dict[tuple[int, str], str] = field(default_factory=dict)
    places: set[int] = field(default_factory=set)
    high_water: int = 0
    ours: dict[int, int] | None = None  # this job's listings (earlier runs): id -> row

    def refresh(self, places: set[int]) -> None:
        new, old = places - self.places, places & self.places
        if not new and not old:
            return
        if self.ours is None:
            self.ours = dict(
                db.session.execute(
                    select(ImportRow.listing_id, ImportRow.number).where(
                        ImportRow.job_id == self.job_id, ImportRow.listing_id.is_not(None)
                    )
                ).all()
            )
        high_water = db.session.scalar(select(func.max(Listing.id))) or 0
        wanted = []
        if new:
            wanted.append(Listing.place_id.in_(new))
        if old:
            wanted.append(Listing.place_id.in_(old) & (Listing.id > self.high_water))
        for listing_id, name, place_id, state in db.session.execute(
            select(Listing.id, Listing.name, Listing.place_id, Listing.state).where(or_(*wanted))
        ):
            # Any state: a rejected place must not come back through an import.
            self.known.setdefault(
                (place_id, fold(name)),
                f"Duplicate of row {self.ours[listing_id]} of this file."
                if listing_id in self.ours
                else f"Duplicate of an existing listing: “{name}” (#{listing_id}, {state}).",
            )
        self.places |= places
        self.high_water = max(self.high_water, high_water)


class _Importer:
    """Rows into listings for one import, with what it looks up once: the gazetteer,
    the specialties, the cities stored, the duplicates seen."""

    def __init__(self, job_id: int, filename: str, admin: User, approve_valid: bool):
        self.job_id = job_id
        self.filename = filename
        self.admin = admin
        self.admin_id, self.admin_name = admin.id, admin.display_name
        self.approve_valid = approve_valid
        self.gazetteer = Gazetteer.load()
        self._cities: dict[tuple[str, str], tuple[int | None, dict[str, str]]] = {}
        self.specialties: dict[str, str] = {}  # folded slug or name -> slug
        self.specialty_ids: dict[str, int] = {}
        for specialty_id, slug, name in db.session.execute(
            select(Specialty.id, Specialty.slug, Specialty.name)
        ):
            self.specialties[_folded(slug)] = slug
            self.specialties[_folded(name)] = slug
            self.specialty_ids[slug] = specialty_id
        self.slugs = set(self.specialty_ids)
        self.duplicates = _Duplicates(job_id)
        self.stored_places: set[int] = set()
        self._pending: tuple[dict, set[int]] = ({}, set())  # a batch's, until it commits

    # In Python only: the same check as the web form's, city and kind read like a person.

    def check(self, rows) -> list[_Checked]:
        return [self._check(number, cells) for number, cells in rows]

    def city(self, name: str, country: str) -> tuple[int | None, dict[str, str]]:
        """The most populous gazetteer city with exactly this name (in this country),
        or the problems by column."""
        key = (fold(name), country.strip().upper())
        if key not in self._cities:
            self._cities[key] = self._find_city(name.strip(), *key)
        return self._cities[key]

    def _find_city(self, name: str, folded: str, country: str) -> tuple[int | None, dict[str, str]]:
        if not folded:
            return None, {"city": "Give the city."}
        country = COUNTRY_ALIASES.get(country, country)
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            return None, {"country": "Use the 2-letter ISO code, like GB, US or DE."}
        for city in self.gazetteer.named(name):
            if not country or city.country_code == country:
                return city.geonameid, {}
        near = [
            city
            for city in self.gazetteer.search(name, CITY_CANDIDATES)
            if not country or city.country_code == country
        ]
        where = f" in {country}" if country else ""
        hint = f" Did you mean {near[0].name}?" if near else ""
        return None, {"city": f"City not found: “{name}”{where}.{hint}"}

    def _check(self, number: int, cells: dict[str, str]) -> _Checked:
        ours: dict[str, str] = {}
        if EXTRA_CELLS in cells:
            ours["*"] = f"{cells[EXTRA_CELLS]} cell(s) beyond the last column."
        kind = _kind(cells.get("kind", ""))
        if kind is None:
            given = cells.get("kind", "").strip()
            ours["kind"] = (
                f"Unknown kind “{given}” (use {', '.join(KIND_LABELS)})."
                if given
                else f"Give the kind: {', '.join(KIND_LABELS)}."
            )
        place_id, city_problems = self.city(cells.get("city", ""), cells.get("country", ""))
        ours |= city_problems
        offers = [_offer(o) for o in _split(cells, "offers")]
        unknown = [o for o in offers if o not in OFFER_LABELS]
        if unknown:
            ours["offers"] = f"Unknown offer: {', '.join(unknown)} (use {', '.join(OFFER_LABELS)})."
        raw = {
            **{name: cells.get(name, "") for name in COLUMNS},
            "kind": kind or "",
            "place_id": place_id,
            "specialties": [
                self.specialties.get(_folded(s), s) for s in _split(cells, "specialties")
            ],
            "offers": offers,
        }
        listing, theirs = None, {}
        try:
            listing = clean_listing(raw, self.slugs)
        except ListingInvalid as invalid:
            # Without a city, ours says why (the form's "choose from the list" would not).
            theirs = {f: m for f, m in invalid.problems.items() if f != "place_id"}
        problems = theirs | ours
        key = None
        if place_id is not None and "name" not in problems:
            key = (place_id, fold(cells.get("name", "")))
        return _Checked(number, cells, problems, None if problems else listing, key)

    # In the database: a few statements for the whole batch.

    def store(self, checked: list[_Checked]) -> tuple[int, int]:
        """Refuse the duplicates, store the rest with their audit entries, and record
        every row's outcome. Returns (imported, refused). The caller commits."""
        self.duplicates.refresh({c.key[0] for c in checked if c.key})
        seen, places = self._pending = ({}, set())
        accepted: list[_Checked] = []
        for row in checked:
            if row.key is not None:
                duplicate = seen.get(row.key) or self.duplicates.known.get(row.key)
                if duplicate:
                    row.problems["name"] = duplicate
                    row.listing = None
            if row.listing is not None:
                accepted.append(row)
                seen[row.key] = f"Duplicate of row {row.number} of this file."
        ids = self._insert_listings(accepted, places)
        listing_of = {row.number: i for row, i in zip(accepted, ids, strict=True)}
        _insert_many(
            ImportRow.__table__,
            [
                _outcome(
                    self.job_id,
                    row.number,
                    row.cells,
                    "" if row.number in listing_of else row.reasons(),
                    listing_of.get(row.number),
                )
                for row in checked
            ],
        )
        return len(accepted), len(checked) - len(accepted)

    def _insert_listings(self, accepted: list[_Checked], places: set[int]) -> list[int]:
        if not accepted:
            return []
        wanted = {row.listing.place_id for row in accepted} - self.stored_places
        if wanted:
            present = set(db.session.scalars(select(Place.id).where(Place.id.in_(wanted))))
            missing = [self.gazetteer.get(i) for i in sorted(wanted - present)]
            if missing:
                db.session.execute(
                    insert(Place.__table__),
                    [
                        {
                            "id": c.geonameid,
                            "name": c.name,
                            "region": c.region,
                            "country_code": c.country_code,
                            "country": c.country,
                            "latitude": c.latitude,
                            "longitude": c.longitude,
                            "population": c.population,
                        }
                        for c in missing
                    ],
                )
            places |= wanted
        now = utcnow()
        approved = (
            {"state": Review.APPROVED, "vetted_at": now, "recheck_due_at": now + RECHECK_AFTER}
            if self.approve_valid
            else {"state": Review.PENDING, "vetted_at": None, "recheck_due_at": None}
        )
        values = []
        for row in accepted:
            data = dict(vars(row.listing))  # a shallow copy: asdict() deep-copies, slowly
            del data["specialties"]  # stored in the association table below
            city = self.gazetteer.get(data["place_id"])
            searchable = SimpleNamespace(
                name=data["name"], description=data["description"], place=city
            )
            Listing.refresh_search(searchable)  # the one definition of the search columns
            values.append(
                {
                    **data,
                    **approved,
                    "submitted_by_id": self.admin_id,
                    "submitted_at": now,
                    "created_at": now,
                    "updated_at": now,
                    "sort_name": searchable.sort_name,
                    "search_text": searchable.search_text,
                }
            )
        ids = _insert_returning_ids(Listing.__table__, values)
        _insert_many(
            listing_specialties,
            [
                {"listing_id": listing_id, "specialty_id": self.specialty_ids[slug]}
                for row, listing_id in zip(accepted, ids, strict=True)
                for slug in row.listing.specialties
            ],
        )
        # The audit trail as when each listing is submitted and then approved by hand.
        audit = []
        for row, listing_id in zip(accepted, ids, strict=True):
            entry = {
                "actor_id": self.admin_id,
                "actor_name": self.admin_name,
                "subject": "listing",
                "subject_id": listing_id,
                "subject_name": row.listing.name[:200],
                "created_at": now,
            }
            audit.append(
                {
                    **entry,
                    "action": "listing_imported",
                    "reason": _import_note(self.filename, self.job_id, row.number),
                }
            )
            if self.approve_valid:
                audit.append({**entry, "action": "listing_approve", "reason": ""})
        _insert_many(AuditEntry.__table__, audit)
        return ids

    def committed(self) -> None:
        seen, places = self._pending
        self.duplicates.known |= seen
        self.stored_places |= places
        self._pending = ({}, set())

    def rolled_back(self) -> None:
        self._pending = ({}, set())
        # What the batch read may be out of date now: read it again.
        self.duplicates = _Duplicates(self.job_id)


def _insert_returning_ids(table, values: list[dict]) -> list[int]:
    """Insert many rows; their ids, in order."""
    if db.engine.dialect.name == "sqlite":
        # The batch holds SQLite's one write lock (BEGIN IMMEDIATE): the next ids are
        # known. (An ordered RETURNING would run one statement per row.)
        start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    else:
        # Reserved from the sequence in one query, so COPY can carry them.
        reserved = db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": len(values)},
        ).all()
        start = None
    ids = list(range(start, start + len(values))) if start is not None else list(reserved)
    _insert_many(table, [{**v, "id": i} for v, i in zip(values, ids, strict=True)])
    return ids


def _insert_many(table, rows: list[dict]) -> None:
    """Insert many rows at once, with the columns' own defaults and conversions but
    without SQLAlchemy's per-row work: `COPY` on PostgreSQL (a multi-row INSERT costs
    psycopg more to parse than the database to run), executemany on SQLite (one C loop)."""
    if not rows:
        return
    dialect = db.engine.dialect
    columns = [c for c in table.c if c.name in rows[0] or _python_default(c) is not _NONE]
    defaults = {c.name: _python_default(c) for c in columns if c.name not in rows[0]}
    names = ", ".join(f'"{c.name}"' for c in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    if dialect.name == "postgresql":
        # psycopg writes Python values itself; JSON goes as its text.
        convert = [json.dumps if isinstance(c.type, JSON) else None for c in columns]
    else:
        convert = [c.type.bind_processor(dialect) for c in columns]

    def values(row: dict) -> list:
        out = []
        for column, processor in zip(columns, convert, strict=True):
            name = column.name
            value = row[name] if name in row else defaults[name]()
            out.append(processor(value) if processor is not None and value is not None else value)
        return out

    if dialect.name == "postgresql":
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(values(row))
    else:
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',  # noqa: S608 (our names)
            [values(row) for row in rows],
        )


_NONE = object()


def _python_default(column):
    """What the ORM would fill in for a column left out, as a function; or _NONE."""
    default = column.default
    if default is None or column.primary_key:
        return _NONE
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    return _NONE


# The report


@dataclass(frozen=True)
class Report:
    job: ImportJob
    refused: Page[ImportRow]
    imported: Page[tuple[ImportRow, Listing | None]]

    @property
    def over(self) -> bool:
        return self.job.is_over


def import_job(admin: User, job_id: int) -> ImportJob:
    """One of the admin's own imports (another admin's is not theirs to see)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.admin_id != admin.id:
        raise NotAllowed("There is no such import of yours.")
    return job


def report(job: ImportJob, refused_page: int = 1, imported_page: int = 1) -> Report:
    """How far an import got, and a page each of the rows it refused (with the name
    each gave and every reason) and of the listings it created."""
    counts = dict(
        db.session.execute(
            select(ImportRow.outcome, func.count())
            .where(ImportRow.job_id == job.id)
            .group_by(ImportRow.outcome)
        ).all()
    )
    return Report(
        job,
        _page(
            select(ImportRow)
            .where(ImportRow.job_id == job.id, ImportRow.outcome == "refused")
            .order_by(ImportRow.number),
            counts.get("refused", 0),
            refused_page,
            scalars=True,
        ),
        _page(
            select(ImportRow, Listing)
            .outerjoin(Listing, Listing.id == ImportRow.listing_id)
            .where(ImportRow.job_id == job.id, ImportRow.outcome == "imported")
            .options(selectinload(Listing.place))
            .order_by(ImportRow.number),
            counts.get("imported", 0),
            imported_page,
        ),
    )


def _page(query, total: int, number: int, scalars: bool = False) -> Page:
    number = min(number, max(1, -(-total // PER_PAGE)))
    query = query.offset((number - 1) * PER_PAGE).limit(PER_PAGE)
    items = db.session.scalars(query).all() if scalars else db.session.execute(query).all()
    return Page([tuple(i) if not scalars else i for i in items], total, number, PER_PAGE)


def recent_imports(admin: User, limit: int = 10) -> list[ImportJob]:
    return list(
        db.session.scalars(
            select(ImportJob)
            .where(ImportJob.admin_id == admin.id)
            .order_by(ImportJob.id.desc())
            .limit(limit)
        )
    )


# Reading a row like a person


@lru_cache(maxsize=4096)  # kinds, offers and specialties repeat from row to row
def _folded(value: str) -> str:
    return fold(value).replace("_", " ")


def _split(cells: dict[str, str], column: str) -> list[str]:
    return [part.strip() for part in cells.get(column, "").split(";") if part.strip()]


def _by_folded(labels: dict[str, str]) -> dict[str, str]:
    """Slug or label, folded, to the slug: what a cell may say for a kind or an offer."""
    return {
        **{fold(label): slug for slug, label in labels.items()},
        **{_folded(slug): slug for slug in labels},
    }


_KINDS = _by_folded(KIND_LABELS)
_OFFERS = _by_folded(OFFER_LABELS)


def _kind(value: str) -> str | None:
    return _KINDS.get(_folded(value))


def _offer(value: str) -> str:
    return _OFFERS.get(_folded(value), value)
