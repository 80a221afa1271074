"""A cohort run as a CSV download: its pairs and who was left out, for admins only,
through the formula guard, audited."""

import csv
import io

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import AuditEntry
from tests.functional.cohort_builders import (
    cohort_id_of,
    make_cohort,
    mentee,
    mentor,
    sign_in_admin,
    start_run,
)


def test_a_run_downloads_as_csv_with_its_pairs_and_who_was_left_out(app, client, auth, users):
    sign_in_admin(users, auth)
    mia = mentor(app, '=HYPERLINK("http://x","Mia")', capacity=1, email="mia@example.com")
    ann = mentee(app, "Ann", email="ann@example.com")
    ben = mentee(app, "Ben", email="ben@example.com")
    cohort = cohort_id_of(make_cohort(client, name="Spring"))
    run = start_run(client, cohort)
    page = client.get(f"/admin/cohorts/{cohort}/runs/{run}").get_data(as_text=True)
    assert f"/admin/cohorts/{cohort}/runs/{run}.csv" in page

    response = client.get(f"/admin/cohorts/{cohort}/runs/{run}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["mentee_id", "mentee", "mentor_id", "mentor"]
    placed, left = rows[1], rows[2]  # one place: one pair, then the one left out
    assert placed[2] == str(mia) and placed[3].startswith("'=HYPERLINK")
    assert placed[0] in (str(ann), str(ben)) and float(placed[4]) > 0 and placed[5]
    assert left[2] == "" and left[6]  # no mentor, and why
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "cohort_run_exported")
        )
        assert entry is not None and entry.subject_id == run


def test_a_run_download_is_for_admins_only(app, client, auth, users):
    sign_in_admin(users, auth)
    mentor(app, "Mia", capacity=1, email="mia@example.com")
    mentee(app, "Ann", email="ann@example.com")
    cohort = cohort_id_of(make_cohort(client, name="Spring"))
    run = start_run(client, cohort)
    auth.logout()
    assert client.get(f"/admin/cohorts/{cohort}/runs/{run}.csv").status_code == 302
    users(email="priya@example.com", is_mentor=True)
    auth.login("priya@example.com")
    assert client.get(f"/admin/cohorts/{cohort}/runs/{run}.csv").status_code == 403
    assert client.get(f"/admin/cohorts/{cohort}/runs/{run + 99}.csv").status_code == 403
