"""Upgrading a database that holds mentors to the listed search rows (e1f0a0000014): a
vetted mentor's row is listed, an unvetted one's is not, and each row
carries its profile's creation time, so the Mentors page finds them without a reindex."""

from __future__ import annotations

import contextlib

from flask_migrate import upgrade
from sqlalchemy import text

from mentorapp import create_app
from mentorapp.extensions import db
from mentorapp.mentors.search import MentorQuery, search_mentors
from tests.functional.test_mentor_vetting_migration import _fresh_database, _insert_people


def test_existing_search_rows_are_filled_from_the_people(database_uri, tmp_path, monkeypatch):
    from tests.conftest import test_config

    admin, target, fresh = _fresh_database(database_uri, tmp_path)
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app(test_config(target, str(tmp_path)))
    try:
        with app.app_context():
            upgrade(revision="e1f0a0000002")
            with db.engine.begin() as conn:
                _insert_people(conn)  # 1: a mentor; 3: a mentor profile, role dropped
            upgrade(revision="e1f0a0000013")
            with db.engine.begin() as conn:
                # 3 becomes a mentor again, waiting to be vetted.
                conn.execute(text("UPDATE users SET is_mentor = true WHERE id = 3"))
                conn.execute(
                    text("UPDATE mentor_applications SET vetted_at = NULL WHERE user_id = 3")
                )
            upgrade(revision="e1f0a0000014")
            with db.engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT user_id, listed, created_at FROM mentor_search ORDER BY user_id")
                ).all()
            assert [(r.user_id, bool(r.listed)) for r in rows] == [(1, True), (3, False)]
            assert all(r.created_at is not None for r in rows)

            upgrade()
            found = search_mentors(MentorQuery(text="Mo"))
            assert [m.card.id for m in found.items] == [1]
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn, contextlib.suppress(Exception):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
            admin.dispose()
