"""Upgrading a database that holds mentors: they are grandfathered as vetted, with what
their profile says as the version approved, and their running apprenticeship goes on."""

from __future__ import annotations

import contextlib
import json

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mentorapp import create_app
from mentorapp.extensions import db

T = "2026-01-01 00:00:00+00:00"


def _fresh_database(database_uri: str, tmp_path):
    url = make_url(database_uri)
    if url.get_backend_name() != "postgresql":
        return None, f"sqlite:///{tmp_path / 'vetting-upgrade.sqlite3'}", None
    fresh = f"{url.database}_vetting_upgrade"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{fresh}"'))
    return admin, url.set(database=fresh).render_as_string(hide_password=False), fresh


def _insert_people(conn) -> None:
    user = (
        "INSERT INTO users (id, email, display_name, password_hash, is_mentee, is_mentor,"
        " is_admin, session_version, created_at, muted_emails) VALUES"
        " (:id, :email, :name, 'x', :mentee, :mentor, false, 1, :t, '[]')"
    )
    for row in [
        (1, "mo@example.com", "Mo Mentor", False, True),
        (2, "pia@example.com", "Pia Apprentice", True, False),
        (3, "ex@example.com", "Ex Mentor", True, False),  # a mentor profile, role dropped
    ]:
        conn.execute(
            text(user),
            dict(zip(("id", "email", "name", "mentee", "mentor"), row, strict=True), t=T),
        )
    profile = (
        "INSERT INTO mentor_profiles (user_id, headline, bio, genres, credits, portfolio_links,"
        " works_in_person, works_remotely, travel_km, availability, capacity, accepting,"
        " apprentice_count, created_at, updated_at) VALUES (:id, '', '', '[]', :credits,"
        " :links, true, false, 25, 0, 2, true, :count, :t, :t)"
    )
    conn.execute(
        text(profile),
        {
            "id": 1,
            "credits": "Two albums.",
            "links": '["https://mo.example.org"]',
            "count": 1,
            "t": T,
        },
    )
    conn.execute(text(profile), {"id": 3, "credits": "", "links": "[]", "count": 0, "t": T})
    conn.execute(
        text(
            "INSERT INTO mentee_profiles (user_id, about, goals, genres, travel_km, remote_ok,"
            " availability, created_at, updated_at) VALUES (2, '', '', '[]', 25, true, 0, :t, :t)"
        ),
        {"t": T},
    )
    conn.execute(
        text(
            "INSERT INTO apprenticeships (id, mentor_id, mentee_id, state, requested_by, message,"
            " reason_note, created_at, decided_at) VALUES"
            " (1, 1, 2, 'accepted', 'mentee', 'Teach me to mix, please.', '', :t, :t)"
        ),
        {"t": T},
    )


def test_existing_mentors_are_grandfathered_as_vetted(database_uri, tmp_path, monkeypatch):
    from tests.conftest import test_config

    admin, target, fresh = _fresh_database(database_uri, tmp_path)
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app(test_config(target, str(tmp_path)))
    try:
        with app.app_context():
            upgrade(revision="e1f0a0000002")
            with db.engine.begin() as conn:
                _insert_people(conn)
            upgrade(revision="e1f0a0000003")
            with db.engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT user_id, state, vetted_at, data, approved_data"
                        " FROM mentor_applications ORDER BY user_id"
                    )
                ).all()
                running = conn.execute(text("SELECT state FROM apprenticeships")).scalar_one()
            assert [(r.user_id, r.state) for r in rows] == [(1, "approved"), (3, "approved")]
            assert all(r.vetted_at is not None for r in rows)
            data = rows[0].data if isinstance(rows[0].data, dict) else json.loads(rows[0].data)
            assert data == {
                "credits": "Two albums.",
                "portfolio_links": ["https://mo.example.org"],
                "studio_id": None,
                "evidence_links": [],
                "note": "",
            }
            approved = rows[0].approved_data
            assert (approved if isinstance(approved, dict) else json.loads(approved)) == data
            assert running == "accepted"
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn, contextlib.suppress(Exception):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
            admin.dispose()
