"""Admins import studios and schools from a CSV file over HTTP: every row checked like
the web form, a report of what was imported and what was refused (row number as a
spreadsheet shows it, and why), imported listings pending unless every valid row is
approved at once, a file that cannot be read refused whole (with the message next to
the file field), and each admin seeing only their own imports. The background import
on the queue is in test_listing_import_queue.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mentorapp.directory import imports
from mentorapp.extensions import db
from mentorapp.models import AuditEntry, ImportJob, ImportRow, Listing, Notification, Place
from tests.conftest import csrf_token, post_form
from tests.helpers import text

LONDON, LONDON_ONTARIO, MANCHESTER, PARIS = 2643743, 6058560, 2643123, 2988507
MUNICH, NEW_YORK = 2867714, 5128581
COLUMNS = [
    "kind",
    "name",
    "description",
    "city",
    "country",
    "address",
    "website",
    "contact_email",
    "specialties",
    "offers",
    "programmes",
    "typical_length",
]
SAMPLE = Path(__file__).resolve().parents[2] / "mentorapp" / "static" / "listings-sample.csv"


def row(name: str, **changes) -> dict:
    return {
        "kind": "recording_studio",
        "name": name,
        "description": "A two-room studio that takes on one assistant engineer every year.",
        "city": "London",
        "country": "GB",
        "address": "12 Fox Lane",
        "website": "https://foxlane.example.org",
        "contact_email": "hello@foxlane.example.org",
        "specialties": "mixing; Recording",
        "offers": "apprenticeship; studio_visits",
        "programmes": "",
        "typical_length": "",
        **changes,
    }


def csv_file(rows: list[dict | None], columns: list[str] = COLUMNS, **options) -> bytes:
    """A CSV file as a spreadsheet saves it; None is a blank row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, **options)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([] if r is None else [r.get(c, "") for c in columns])
    return out.getvalue().encode()


def upload(client, data: bytes, filename: str = "listings.csv", approve: bool = False):
    fields = {"file": (io.BytesIO(data), filename)}
    if approve:
        fields["approve_valid"] = "y"
    return post_form(client, "/admin/listings/import", fields, content_type="multipart/form-data")


def report_url(response) -> str:
    assert response.status_code == 302, text(response)
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/listings/imports/\d+", location)
    return location


def listings(app) -> list[Listing]:
    with app.app_context():
        found = db.session.scalars(select(Listing).order_by(Listing.id)).all()
        for listing in found:
            _ = listing.place, listing.specialties
        db.session.expunge_all()
        return list(found)


def the_job(app) -> ImportJob:
    with app.app_context():
        job = db.session.scalars(select(ImportJob)).one()
        db.session.expunge(job)
        return job


def refused_rows(app, job_id: int) -> dict[int, str]:
    """The refused rows' reasons by row number, as the report lists them."""
    with app.app_context():
        return dict(
            db.session.execute(
                select(ImportRow.number, ImportRow.reasons)
                .where(ImportRow.job_id == job_id, ImportRow.outcome == "refused")
                .order_by(ImportRow.number)
            ).all()
        )


def audit_actions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.subject, e.reason)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def field_error(body: str) -> str:
    found = re.search(r'<p class="field__error" id="file-error">(.*?)</p>', body, re.S)
    assert found, "no error next to the file field"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


@pytest.fixture
def admin(app, users, auth):
    admin_id = users(
        email="ada@example.com", display_name="Ada Admin", is_admin=True, is_mentee=False
    )
    auth.login("ada@example.com")
    return admin_id


def test_a_good_file_imports_every_row_as_pending_with_a_report(app, client, admin):
    page = text(client.get("/admin/listings"))
    assert 'href="/admin/listings/import">Import from CSV</a>' in page
    form = text(client.get("/admin/listings/import"))
    assert 'enctype="multipart/form-data"' in form
    assert 'href="/admin/listings/import/sample.csv"' in form
    for column in COLUMNS:
        assert f"<code>{column}</code>" in form  # the columns are documented on the page

    rows = [
        row("Fox Lane Studios", description="A two-room studio.\nIt takes one assistant a year."),
        row(
            "Forest City Rehearsal",
            city="London",
            country="CA",
            kind="Music school",
            specialties="Live sound",
            offers="Courses",
            programmes="Band coaching\nStage sound",
            typical_length="8 weeks",
        ),
        row("Rue des Archives Studio", city="Paris", country="", website="", contact_email=""),
    ]
    response = upload(client, csv_file(rows))
    url = report_url(response)
    report = text(client.get(url))
    assert "3 of 3 rows" in report and "3 imported, 0 refused" in report
    assert 'http-equiv="refresh"' not in report  # finished: nothing to wait for
    assert "No row was refused." in report

    stored = listings(app)
    assert [(x.name, x.place_id, x.state) for x in stored] == [
        ("Fox Lane Studios", LONDON, "pending"),
        ("Forest City Rehearsal", LONDON_ONTARIO, "pending"),
        ("Rue des Archives Studio", PARIS, "pending"),
    ]
    assert all(x.submitted_by_id == admin and x.vetted_at is None for x in stored)
    assert stored[0].description == "A two-room studio.\nIt takes one assistant a year."
    assert [s.slug for s in stored[0].specialties] == ["mixing", "recording"]
    assert (stored[1].kind, stored[1].offers) == ("music_school", ["courses"])
    assert [s.slug for s in stored[1].specialties] == ["live-sound"]
    for number, listing in enumerate(stored, start=2):
        assert f'href="/admin/listings/{listing.id}">{listing.name}</a>' in report
        assert f"<td>{number}</td>" in report

    job = the_job(app)
    assert (job.total, job.done, job.imported, job.refused) == (3, 3, 3, 0)
    assert job.filename == "listings.csv" and job.finished_at is not None
    assert job.state == "finished" and job.runs == 0  # imported within the upload
    assert refused_rows(app, job.id) == {}
    assert audit_actions(app) == [
        *[
            ("listing_imported", "listing", f"Row {n} of listings.csv (import #{job.id})")
            for n in (2, 3, 4)
        ],
        ("listings_imported", "listing_import", "3 imported, 0 refused"),
    ]
    # Pending: in the queue, not on the directory; the trail says where each came from.
    assert "Fox Lane Studios" in text(client.get("/admin/listings"))
    assert app.test_client().get(f"/directory/{stored[0].id}").status_code == 404
    history = text(client.get(f"/admin/listings/{stored[0].id}"))
    assert f"Row 2 of listings.csv (import #{job.id})" in history
    log = text(client.get("/admin/audit"))
    assert f'href="{url}">listings.csv</a>' in log and "3 imported, 0 refused" in log
    assert f'href="{url}">listings.csv</a>' in text(client.get("/admin/listings/import"))


def test_spreadsheet_variants_are_read_bom_semicolons_and_loose_column_names(app, client, admin):
    columns = ["Kind", "Name", "Description", "City", "Country", "Specialties", "Offers"]
    data = "\ufeff" + ";".join(columns) + "\r\n"
    data += (
        "Recording studio;Canal Street Sound;A three-room studio by the canal, with a big "
        'live room.;Manchester;UK;"recording; mixing";apprenticeship;;\r\n'
    )
    report = text(client.get(report_url(upload(client, data.encode()))))
    assert "1 imported, 0 refused" in report
    [listing] = listings(app)
    assert (listing.name, listing.place_id, listing.kind) == (
        "Canal Street Sound",
        MANCHESTER,
        "recording_studio",
    )


def test_approve_all_valid_rows_makes_them_public_and_audited(app, client, admin):
    rows = [row("Fox Lane Studios"), row("Canal Street Sound", city="Manchester")]
    url = report_url(upload(client, csv_file(rows), filename="studios.csv", approve=True))
    report = text(client.get(url))
    assert "2 imported, 0 refused" in report and "Approved" in report

    stored = listings(app)
    for listing in stored:
        assert listing.state == "approved" and listing.is_public
        assert listing.recheck_due_at - listing.vetted_at == timedelta(days=365)
        assert app.test_client().get(f"/directory/{listing.id}").status_code == 200
    job = the_job(app)
    first, second = (listing.id for listing in stored)
    assert audit_actions(app) == [
        ("listing_imported", "listing", f"Row 2 of studios.csv (import #{job.id})"),
        ("listing_approve", "listing", ""),
        ("listing_imported", "listing", f"Row 3 of studios.csv (import #{job.id})"),
        ("listing_approve", "listing", ""),
        ("listings_imported", "listing_import", "2 imported, 0 refused"),
    ]
    with app.app_context():
        approved = db.session.scalars(
            select(AuditEntry.subject_id).where(AuditEntry.action == "listing_approve")
        ).all()
        assert approved == [first, second]
        # The admin is not told about their own approvals, one note per row.
        assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert "No new listing waits." in text(client.get("/admin/listings"))


def test_bad_rows_are_refused_with_their_row_number_and_reasons_the_rest_imported(
    app, client, admin
):
    report_url(upload(client, csv_file([row("Canal Street Sound", city="Manchester")])))
    [existing] = listings(app)

    rows = [
        row("Fox Lane Studios", description="Two rooms.\nOne assistant engineer a year, paid."),
        row("Kind Of Blue Rooms", kind="studioo"),  # 3
        row(""),  # 4: no name
        row("Webless Studio", website="foxlane.example"),  # 5
        row("Atlantis Sound", city="Atlantis"),  # 6
        row("Dub Cellar", specialties="mixing; dubstep"),  # 7
        row("CANAL STREET SOUND", city="Manchester", country=""),  # 8: already listed
        row("Fox Lane Stúdios"),  # 9: the same as row 2
        row("N" * 121),  # 10: too long
        None,  # 11: a blank row, skipped but counted as a spreadsheet counts it
        row('<script>alert("x")</script> Rooms'),  # 12: imported, shown as text
        row("<b>Bold</b> Rooms", contact_email="not an email", offers="hugs"),  # 13
    ]
    response = upload(client, csv_file(rows), filename="mixed.csv")
    report = text(client.get(report_url(response)))
    assert "11 of 11 rows" in report and "2 imported, 9 refused" in report

    job = the_job_by_name(app, "mixed.csv")
    refused = refused_rows(app, job.id)
    assert sorted(refused) == [3, 4, 5, 6, 7, 8, 9, 10, 13]
    assert refused[3].startswith("kind: Unknown kind “studioo” (use recording_studio,")
    assert refused[4] == "name: Give the name of the studio or school."
    assert refused[5] == "website: Give a web address starting with https:// or http://."
    assert refused[6] == "city: City not found: “Atlantis” in GB."
    assert refused[7] == "specialties: Unknown specialty: dubstep."
    assert refused[8] == (
        f"name: Duplicate of an existing listing: “Canal Street Sound” (#{existing.id}, pending)."
    )
    assert refused[9] == "name: Duplicate of row 2 of this file."
    assert refused[10] == "name: At most 120 characters, please."
    assert refused[13] == (
        "contact_email: Give an email address like name@example.com. "
        "offers: Unknown offer: hugs (use apprenticeship, internship, jobs, courses, "
        "studio_visits)."
    )
    for number in refused:
        assert f"<td>{number}</td>" in report
    # Names are shown as text, never as markup.
    assert "&lt;b&gt;Bold&lt;/b&gt; Rooms" in report and "<b>Bold</b>" not in report
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Rooms" in report
    assert "<script>alert" not in report

    assert [x.name for x in listings(app)] == [
        "Canal Street Sound",
        "Fox Lane Studios",
        '<script>alert("x")</script> Rooms',
    ]
    # Nothing of a refused row was kept: no other city, no audit entry.
    assert count(app, Place) == 2
    assert [a for a, _, _ in audit_actions(app)].count("listing_imported") == 3  # 1 + 2
    assert audit_actions(app)[-1] == (
        "listings_imported",
        "listing_import",
        "2 imported, 9 refused",
    )


def test_city_country_and_stray_cells_say_what_to_use(app, client, admin):
    data = csv_file(
        [
            row("Brum Rooms", city="Birming", country="GB"),  # 2
            row("Thames Rooms", country="GBR"),  # 3
            row("Nowhere Rooms", city=""),  # 4
            row("Munich Rooms", city="München", country="DE", kind=""),  # 5
        ]
    )
    data += b"recording_studio,Stray Rooms,A studio with a cell too many in its row.,London,GB"
    data += b",,,,mixing,jobs,,,surplus\r\n"  # 6
    # A big city's name in its own language, and a city without its country.
    data += "recording_studio,Isar Rooms,A studio by the river with two rooms.,München,DE".encode()
    data += b",,,,mixing,jobs,,\r\n"  # 7
    data += b"recording_studio,Hudson Rooms,A studio by the river with two rooms.,New York"
    data += b",,,,,mixing,jobs,,\r\n"  # 8
    job_url = report_url(upload(client, data))
    report = text(client.get(job_url))
    assert "2 imported, 5 refused" in report
    assert [(x.name, x.place_id) for x in listings(app)] == [
        ("Isar Rooms", MUNICH),
        ("Hudson Rooms", NEW_YORK),
    ]
    refused = refused_rows(app, the_job(app).id)
    assert refused == {
        2: "city: City not found: “Birming” in GB. Did you mean Birmingham?",
        3: "country: Use the 2-letter ISO code, like GB, US or DE.",
        4: "city: Give the city.",
        5: (
            "kind: Give the kind: recording_studio, music_school, audio_engineering_school, "
            "trade_school, other."
        ),
        6: "1 cell(s) beyond the last column.",
    }


def the_job_by_name(app, filename: str) -> ImportJob:
    with app.app_context():
        job = db.session.scalars(select(ImportJob).where(ImportJob.filename == filename)).one()
        db.session.expunge(job)
        return job


def too_many_rows() -> bytes:
    # The limit is counted while reading, before any row is checked: short rows do.
    return b"kind,name,description,city,specialties,offers\r\n" + b"x,y,z,w,v,u\r\n" * 100_001


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            csv_file([row("Fox Lane")], columns=[*COLUMNS[:9], "colour"]),
            "listings.csv",
            "The first row must name the columns; unknown column: colour; missing column: offers.",
        ),
        (csv_file([row("Fox Lane")]), "listings.xlsx", "Choose a file ending in .csv."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "The file is not UTF-8 text."),
        (b"kind,name\x00\x00\x00", "listings.csv", "This is not a CSV file."),
        (b"", "listings.csv", "The file is empty."),
        (b"  \r\n", "listings.csv", "The file is empty."),
        (",".join(COLUMNS).encode(), "listings.csv", "no listings under it"),
        (
            csv_file([row("Montréal Sound", city="Montréal", country="CA")])
            .decode()
            .encode("latin-1"),
            "listings.csv",
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.",
        ),
        (too_many_rows(), "listings.csv", "At most 100,000 rows at a time"),
    ],
    ids=[
        "missing-and-unknown-column",
        "not-csv-extension",
        "binary",
        "nul-bytes",
        "empty",
        "blank",
        "header-only",
        "not-utf8",
        "too-many-rows",
    ],
)
def test_a_file_that_cannot_be_imported_says_why_next_to_the_file_field(
    app, client, admin, data, filename, message
):
    response = upload(client, data, filename=filename)
    assert response.status_code == 422
    assert message in field_error(text(response))
    assert count(app, Listing) == 0 and count(app, ImportJob) == 0


def test_no_file_and_a_file_too_large_are_refused_next_to_the_field(app, client, admin):
    response = post_form(client, "/admin/listings/import", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(text(response)) == "Error: Choose a CSV file."
    # Above the app's 1 MiB, within this upload's 50 MB: read and imported.
    long = [
        row(f"Long Room {n}", description="Long. " * 650, programmes="Many. " * 330)
        for n in range(190)
    ]
    data = csv_file(long)
    assert len(data) > 1024 * 1024
    report = text(client.get(report_url(upload(client, data))))
    assert "190 imported, 0 refused" in report
    big = csv_file([row("Fox Lane")]) + b"#" * (imports.MAX_BYTES + 70_000)
    response = upload(client, big)
    assert response.status_code == 413
    page = text(response)
    assert field_error(page) == "Error: The file is larger than 50 MB: split it into smaller files."
    assert 'name="csrf_token"' in page  # the form is there again, ready for another file
    assert count(app, ImportJob) == 1  # the long file's


def test_only_admins_import(app, client, auth, users):
    users(email="marcus@example.com", is_mentor=True)
    urls = [
        "/admin/listings/import",
        "/admin/listings/import/sample.csv",
        "/admin/listings/imports/1",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to log in
    auth.login("marcus@example.com")
    for url in urls:
        assert client.get(url).status_code == 403
    token = csrf_token(client, "/dashboard")
    response = client.post(
        "/admin/listings/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv_file([row("Fox Lane")])), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count(app, Listing) == 0 and count(app, ImportJob) == 0


def test_an_upload_without_its_csrf_token_is_refused(app, client, admin):
    response = client.post(
        "/admin/listings/import",
        data={"file": (io.BytesIO(csv_file([row("Fox Lane")])), "listings.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert count(app, Listing) == 0 and count(app, ImportJob) == 0


def test_a_batch_costs_the_same_few_queries_whatever_its_size(app, client, admin, count_queries):
    """Cities, duplicates and inserts are looked up and written per batch, not per row."""

    def queries_for(size: int, filename: str, approve: bool) -> int:
        rows = [
            row(f"{filename} Studio {n}", city=city, country=country)
            for n, (city, country) in zip(
                range(size),
                [("London", "GB"), ("Paris", "FR"), ("Berlin", "DE")] * size,
                strict=False,
            )
        ]
        data = csv_file(rows)
        with count_queries() as statements:
            response = upload(client, data, filename=filename, approve=approve)
        assert "imported" in text(client.get(report_url(response)))
        return len(statements)

    queries_for(3, "first.csv", False)  # stores the three cities
    small = queries_for(5, "small.csv", False)
    assert queries_for(imports.INLINE_ROWS, "large.csv", False) == small
    assert queries_for(imports.INLINE_ROWS, "approved.csv", True) == small
    assert small < 30, small
    assert count(app, Listing) == 3 + 5 + 2 * imports.INLINE_ROWS


def test_the_sample_file_imports_with_nothing_refused(app, client, admin):
    response = client.get("/admin/listings/import/sample.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    sample = response.get_data()
    assert sample == SAMPLE.read_bytes()
    report = text(client.get(report_url(upload(client, sample, filename="listings-sample.csv"))))
    assert "8 imported, 0 refused" in report
    assert len(listings(app)) == 8
