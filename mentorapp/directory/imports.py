"""Importing studios and schools from a CSV file.

Every row goes through `clean_listing`, the check the web form uses, and each good row
is stored in its own savepoint, so a row that fails half-way leaves nothing behind.
Refused rows are reported with their row number as a spreadsheet shows it (the header
is row 1) and every reason at once.

The upload records an `ImportJob` holding the rows; the rows are then imported in
batches, each recording how far it got. A small file is imported within the upload's
own request; a larger one by a background thread that starts once that request has
committed, one transaction per batch, so the progress page can show it moving.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import defer, selectinload

from mentorapp.database import write_intent
from mentorapp.directory import review
from mentorapp.directory.listings import (
    KIND_LABELS,
    OFFER_LABELS,
    ListingInput,
    ListingInvalid,
    clean_listing,
    submit_listing,
)
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.models import AuditEntry, ImportJob, Listing, Specialty, User
from mentorapp.models.types import utcnow
from mentorapp.places.gazetteer import Gazetteer, fold

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

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
INLINE_ROWS = 200  # up to this many rows, the upload's request imports them itself
BATCH_ROWS = 100
# Between batches: SQLite has one writer at a time, and a request that waits for the
# lock polls it every 100 ms or so; this pause lets it in.
BATCH_PAUSE_SECONDS = 0.1
BATCH_RETRIES = 3
# An import not finished this long after it started has lost its thread (a restart).
STALLED_AFTER_SECONDS = 15 * 60
CITY_CANDIDATES = 100
COUNTRY_ALIASES = {"UK": "GB"}
EXTRA_CELLS = "__extra__"  # in a stored row: how many cells lay beyond the last column


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


def read_rows(data: bytes) -> list[list]:
    """The file's rows as [row number, {column: value}], blank rows left out.
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
    rows: list[list] = []
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
            rows.append([number, values])
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


# Importing


def start_import(admin: User, filename: str, data: bytes, approve_valid: bool) -> ImportJob:
    """Check the file and record the import. A small file is imported at once; for a
    larger one the caller runs `continue_in_background` once this transaction commits."""
    rows = read_rows(data)
    job = ImportJob(
        admin_id=admin.id,
        filename=re.split(r"[/\\]", filename or "")[-1][:200] or "listings.csv",
        rows=rows,
        approve_valid=approve_valid,
        total=len(rows),
        done=0,
        imported=0,
        refused=[],
    )
    db.session.add(job)
    db.session.flush()
    if job.total <= INLINE_ROWS:
        while not import_batch(job.id):
            pass
    return job


def import_batch(job_id: int, size: int = BATCH_ROWS) -> bool:
    """Import the job's next rows and record how far it got; True once every row is
    done. The caller commits. The job's row is locked first, so two workers on the same
    job take turns and never import a row twice."""
    job = db.session.get(ImportJob, job_id, with_for_update=True, populate_existing=True)
    if job is None or job.finished_at is not None:
        return True
    admin = db.session.get(User, job.admin_id) if job.admin_id else None
    if admin is None or not admin.is_admin:
        why = "Not imported: the admin who started the import can no longer import."
        job.refused = [*job.refused, *([n, why] for n, _ in job.rows[job.done :])]
        job.done = job.total
    else:
        batch = job.rows[job.done : job.done + size]
        importer = _Importer(job, admin, [cells for _, cells in batch])
        refused = [[n, why] for n, cells in batch if (why := importer.import_row(n, cells))]
        job.imported += len(batch) - len(refused)
        job.refused = [*job.refused, *refused]
        job.done += len(batch)
    if job.done >= job.total:
        _finish(job, admin)
    db.session.flush()
    return job.finished_at is not None


def _finish(job: ImportJob, admin: User | None) -> None:
    job.finished_at = utcnow()
    summary = f"{job.imported} imported, {len(job.refused)} refused"
    if admin is not None:
        review.record(admin, "listings_imported", "listing_import", job.id, job.filename, summary)
        return
    db.session.add(
        AuditEntry(
            actor_id=None,
            actor_name="A deleted account",
            action="listings_imported",
            subject="listing_import",
            subject_id=job.id,
            subject_name=job.filename,
            reason=summary,
        )
    )


# Each imported listing's audit entry reads "Row 7 of listings.csv (import #3)": the
# trail says where it came from, and the report and duplicate check find them by it.
_ROW_NOTE = re.compile(r"^Row (\d+) ")


def _import_note(job: ImportJob, number: int) -> str:
    return f"Row {number} of {job.filename} (import #{job.id})"


def _imported_by(job_id: int):
    """Which audit entries mark the listings this import created."""
    return and_(
        AuditEntry.action == "listing_imported",
        AuditEntry.subject == "listing",
        AuditEntry.reason.endswith(f"(import #{job_id})"),
    )


def _row_number(note: str) -> int:
    found = _ROW_NOTE.match(note)
    return int(found.group(1)) if found else 0


@dataclass
class _Checked:
    problems: list[str]
    listing: ListingInput | None = None
    key: tuple[int, str] | None = None  # (city, folded name): what makes a duplicate


class _Importer:
    """One batch's rows into listings, with what the batch looks up once."""

    def __init__(self, job: ImportJob, admin: User, batch: list[dict]):
        self.job = job
        self.admin = admin
        self.gazetteer = Gazetteer.load()
        self._cities: dict[tuple[str, str], tuple[int | None, dict[str, str]]] = {}
        self.specialties: dict[str, str] = {}
        for slug, name in db.session.execute(select(Specialty.slug, Specialty.name)):
            self.specialties[_folded(slug)] = slug
            self.specialties[_folded(name)] = slug
        # Listings already in the batch's cities (any state: a rejected place must not
        # come back through an import), by folded name.
        places = {self.city(c.get("city", ""), c.get("country", ""))[0] for c in batch}
        places.discard(None)
        rows = {
            listing_id: _row_number(note)
            for listing_id, note in db.session.execute(
                select(AuditEntry.subject_id, AuditEntry.reason).where(_imported_by(job.id))
            )
        }
        self.duplicates: dict[tuple[int, str], str] = {}
        for listing_id, name, place_id, state in db.session.execute(
            select(Listing.id, Listing.name, Listing.place_id, Listing.state).where(
                Listing.place_id.in_(places)
            )
        ):
            self.duplicates[(place_id, fold(name))] = (
                f"Duplicate of row {rows[listing_id]} of this file."
                if listing_id in rows
                else f"Duplicate of an existing listing: “{name}” (#{listing_id}, {state})."
            )

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

    def import_row(self, number: int, cells: dict[str, str]) -> str:
        """Import one row; the reasons it is refused, or "" once it is imported."""
        checked = self._check(cells)
        if checked.listing is None or checked.key is None:
            return " ".join(checked.problems)
        try:
            # A savepoint per row: a row that fails half-way leaves nothing behind.
            with db.session.begin_nested():
                listing = submit_listing(self.admin, checked.listing)
                review.record(
                    self.admin,
                    "listing_imported",
                    "listing",
                    listing.id,
                    listing.name,
                    _import_note(self.job, number),
                )
                if self.job.approve_valid:
                    review.decide_listing(self.admin, listing.id, "approve")
        except IntegrityError:
            return "Not stored: it clashed with a change made at the same time. Import it again."
        except DomainError as error:
            return f"Not stored: {error.message}"
        self.duplicates[checked.key] = f"Duplicate of row {number} of this file."
        return ""

    def _check(self, cells: dict[str, str]) -> _Checked:
        """The row as a checked listing, or every reason to refuse it, by column."""
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
            listing = clean_listing(raw)
        except ListingInvalid as invalid:
            # Without a city, ours says why (the form's "choose from the list" would not).
            theirs = {f: m for f, m in invalid.problems.items() if f != "place_id"}
        problems = theirs | ours
        key = None
        if place_id is not None and "name" not in problems:
            key = (place_id, fold(cells.get("name", "")))
            if key in self.duplicates:
                problems["name"] = self.duplicates[key]
        order = ["*", *COLUMNS]
        return _Checked(
            [
                problems[c] if c == "*" else f"{c}: {problems[c]}"
                for c in sorted(problems, key=order.index)
            ],
            None if problems else listing,
            key,
        )


def _folded(value: str) -> str:
    return fold(value).replace("_", " ")


def _split(cells: dict[str, str], column: str) -> list[str]:
    return [part.strip() for part in cells.get(column, "").split(";") if part.strip()]


def _kind(value: str) -> str | None:
    folded = _folded(value)
    return next(
        (slug for slug, label in KIND_LABELS.items() if folded in (_folded(slug), fold(label))),
        None,
    )


def _offer(value: str) -> str:
    folded = _folded(value)
    return next(
        (slug for slug, label in OFFER_LABELS.items() if folded in (_folded(slug), fold(label))),
        value,
    )


# Running in the background


def continue_in_background(app: Flask, job_id: int) -> threading.Thread:
    """Import the rest of the job in a thread of its own, one transaction per batch.
    Call it once the transaction that recorded the job has committed."""
    thread = threading.Thread(
        target=_work, args=(app, job_id), name=f"listing-import-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _work(app: Flask, job_id: int) -> None:
    # A thread starts with a fresh context: say outright that its transactions write
    # (on SQLite the write lock is then taken at BEGIN, not refused half-way).
    write_intent.set(True)
    with app.app_context():
        failures = 0
        try:
            while True:
                try:
                    finished = import_batch(job_id)
                    db.session.commit()
                except OperationalError:
                    # The database busy or briefly away: the batch rolled back whole,
                    # so it is simply tried again.
                    db.session.rollback()
                    failures += 1
                    if failures > BATCH_RETRIES:
                        raise
                    time.sleep(failures)
                    continue
                if finished:
                    return
                time.sleep(BATCH_PAUSE_SECONDS)
        except Exception:
            db.session.rollback()
            app.logger.exception("Listing import %s stopped on an error.", job_id)
            _give_up(job_id)


def _give_up(job_id: int) -> None:
    """Close an import that failed: the rows not done are refused, so the report says
    what to import again rather than showing progress that never moves."""
    try:
        job = db.session.get(ImportJob, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.finished_at is not None:
            return
        why = "Not imported: the import stopped on an error. Import this row again."
        job.refused = [*job.refused, *([n, why] for n, _ in job.rows[job.done :])]
        job.done = job.total
        admin = db.session.get(User, job.admin_id) if job.admin_id else None
        _finish(job, admin)
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Listing import %s could not be closed.", job_id)


# The report


@dataclass(frozen=True)
class Report:
    job: ImportJob
    imported: list[tuple[int, Listing]]  # (row number, listing), once finished
    refused: list[tuple[int, str, str]]  # (row number, the row's name, the reasons)

    @property
    def finished(self) -> bool:
        return self.job.finished_at is not None

    @property
    def stalled(self) -> bool:
        """Unfinished long after it started: its thread is gone (the server restarted)."""
        running = (utcnow() - self.job.created_at).total_seconds()
        return not self.finished and running > STALLED_AFTER_SECONDS


def import_job(job_id: int) -> ImportJob | None:
    """An import, its rows left unread until a finished report needs them."""
    return db.session.scalar(
        select(ImportJob).where(ImportJob.id == job_id).options(defer(ImportJob.rows))
    )


def report(job: ImportJob) -> Report:
    """How far an import got; once finished, the listings it created and the rows it
    refused, with the name each row gave."""
    if job.finished_at is None:
        return Report(job, [], [])
    found = db.session.execute(
        select(Listing, AuditEntry.reason)
        .join(AuditEntry, AuditEntry.subject_id == Listing.id)
        .where(_imported_by(job.id))
        .options(selectinload(Listing.place))
        .order_by(AuditEntry.id)
    )
    imported = [(_row_number(note), listing) for listing, note in found]
    names = {number: cells.get("name", "") for number, cells in job.rows}
    refused = [(number, names.get(number, ""), reason) for number, reason in job.refused]
    return Report(job, imported, refused)


def recent_imports(limit: int = 10) -> list[ImportJob]:
    return list(
        db.session.scalars(
            select(ImportJob)
            .options(defer(ImportJob.rows))
            .order_by(ImportJob.id.desc())
            .limit(limit)
        )
    )
