"""CSV downloads: admins only, audited, streamed, UTF-8 with a BOM, formulas neutralised;
and `flask match-cohort --csv` through the same guard."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, update

from mentorapp.demo import seed_demo
from mentorapp.exports import csv_response, csv_rows, neutralise
from mentorapp.extensions import db
from mentorapp.models import AuditEntry, State, User
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentee,
    make_mentor,
    signed_in,
)
from tests.functional.listing_builders import make_listing

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTabbed",
    "\rReturned",
]


def read_csv(response) -> list[dict]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), raw[:10]
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture
def admin(app, users):
    users(email="ada@example.com", display_name="Ada Okafor", is_admin=True, is_mentee=False)
    return signed_in(app, "ada@example.com")


def test_the_guard_quotes_every_formula_start_and_nothing_else():
    for value in HOSTILE:
        assert neutralise(value) == "'" + value
    for value in ("Zoë Ølberg", "1", "a=b", " =x", "2026-12-04", ""):
        assert neutralise(value) == value
    assert neutralise(None) == "" and neutralise(7) == "7" and neutralise(True) == "yes"
    lines = list(csv_rows(["name"], [["=1+1"], ["ok"]]))
    assert lines == ["\ufeff", "name\r\n", "'=1+1\r\n", "ok\r\n"]


def test_the_people_download_neutralises_hostile_names_and_keeps_unicode(app, admin, users):
    for n, name in enumerate([*HOSTILE, "Zoë Ølberg 東京"]):
        users(email=f"h{n}@example.com", display_name=name)
    response = admin.get("/admin/exports/people.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="people-')
    rows = read_csv(response)
    names = {row["name"] for row in rows}
    assert {"'" + value for value in HOSTILE} <= names
    assert "Zoë Ølberg 東京" in names
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values()
    )
    ada = next(row for row in rows if row["email"] == "ada@example.com")
    assert ada["admin"] == "yes" and ada["mentee"] == "no" and ada["email_confirmed_at"]


def test_the_people_download_is_streamed(admin, users):
    users(display_name="Second Person")
    response = admin.get("/admin/exports/people.csv", buffered=False)
    assert response.is_streamed and "Content-Length" not in response.headers
    body = b"".join(response.response)
    response.close()
    assert body.startswith("\ufeffid,name,".encode()) and b"Second Person" in body


def test_a_download_reads_its_rows_only_as_it_is_sent(app):
    """The response holds a generator: rows are pulled a chunk at a time, never all."""
    pulled = []

    def rows():
        for n in range(20_000):
            pulled.append(n)
            yield (n, f"Person {n}")

    with app.test_request_context():
        response = csv_response("people.csv", ("id", "name"), rows())
        assert pulled == []  # nothing read before the first chunk is asked for
        chunks = iter(response.response)
        first = next(chunks)
        assert first.startswith("\ufeffid,name\r\n".encode())
        assert 0 < len(pulled) < 5_000  # about 32 kB of lines, not the 20,000 rows
        rest = b"".join(chunks)
    assert len(pulled) == 20_000
    assert (first + rest).count(b"\r\n") == 20_001
    assert response.headers["Content-Disposition"] == 'attachment; filename="people.csv"'


def test_the_people_download_uses_the_pages_filters_and_is_audited(app, admin, users):
    users(email="late@example.com", display_name="Late Lou", verified=False)
    users(email="mentor@example.com", display_name="Mentor Mo", is_mentor=True)
    response = admin.get("/admin/exports/people.csv?show=unverified&role=mentee")
    assert [row["name"] for row in read_csv(response)] == ["Late Lou"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "people_exported"))
        assert entry.actor_name == "Ada Okafor"
        assert entry.reason == "role=mentee, show=unverified"


def test_the_apprenticeships_download(app, admin):
    mentor = make_mentor(app, "m@example.com", "=cmd|' /C calc'!A0")
    mentee = make_mentee(app, "e@example.com", "Émile")
    make_apprenticeship(app, mentor, mentee, state=State.ACCEPTED)
    rows = read_csv(admin.get("/admin/exports/apprenticeships.csv"))
    assert len(rows) == 1
    assert rows[0]["mentor"] == "'=cmd|' /C calc'!A0" and rows[0]["mentee"] == "Émile"
    assert rows[0]["state"] == "accepted"
    assert read_csv(admin.get("/admin/exports/apprenticeships.csv?state=ended")) == []
    with app.app_context():
        reasons = db.session.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "apprenticeships_exported")
        ).all()
    assert reasons == ["every state", "state=ended"]


def test_the_listings_download(app, admin):
    make_listing(app, "@Studio Nord")
    make_listing(app, "Plain Studio", state="pending")
    rows = read_csv(admin.get("/admin/exports/listings.csv"))
    assert {row["name"] for row in rows} == {"'@Studio Nord", "Plain Studio"}
    approved = read_csv(admin.get("/admin/exports/listings.csv?state=approved"))
    assert [row["name"] for row in approved] == ["'@Studio Nord"]
    assert 'href="/admin/exports/listings.csv"' in admin.get("/admin/listings").get_data(
        as_text=True
    )


def test_match_cohort_csv_neutralises_names(app, runner, tmp_path):
    with app.app_context():
        seed_demo(mentors=6, mentees=12)
        db.session.execute(update(User).values(display_name='=HYPERLINK("http://x","y")'))
        db.session.commit()
    out = tmp_path / "plan.csv"
    result = runner.invoke(args=["match-cohort", "--dry-run", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows, "the demo intake places someone"
    for row in rows:
        assert row["mentee"] == row["mentor"] == '\'=HYPERLINK("http://x","y")'
    # On standard output (a pipe) the same guard, without the BOM.
    piped = runner.invoke(args=["match-cohort", "--dry-run", "--csv", "-"])
    assert not piped.stdout.startswith("\ufeff")
    assert "'=HYPERLINK" in piped.stdout and "\n=HYPERLINK" not in piped.stdout
