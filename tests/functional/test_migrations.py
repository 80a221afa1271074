from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mentorapp.extensions import db
from mentorapp.models.search import include_in_schema_comparison


def test_the_migrations_build_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": include_in_schema_comparison},
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_constraints_are_named_by_the_convention(app):
    with app.app_context():
        inspector = inspect(db.engine)
        unique = {c["name"] for c in inspector.get_unique_constraints("users")}
        checks = {c["name"] for c in inspector.get_check_constraints("users")}
    assert "uq_users_email" in unique
    assert {"ck_users_email_lowercase", "ck_users_session_version_positive"} <= checks


def test_the_search_columns_are_filled_for_listings_already_there(
    database_uri, tmp_path, monkeypatch
):
    """Upgrading a database that holds listings fills their search columns and index."""
    import contextlib

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from mentorapp import create_app
    from tests.conftest import test_config

    url = make_url(database_uri)
    if url.get_backend_name() == "postgresql":
        fresh = f"{url.database}_upgrade"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{fresh}"'))
        target = url.set(database=fresh).render_as_string(hide_password=False)
    else:
        admin, target = None, f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app(test_config(target, str(tmp_path)))
    try:
        with app.app_context():
            upgrade(revision="48688be37bd9")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO places (id, name, region, country_code, country, latitude,"
                        " longitude, population) VALUES (2988507, 'Paris', 'Île-de-France',"
                        " 'FR', 'France', 48.85, 2.35, 2138551)"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO listings (id, kind, name, description, place_id, address,"
                        " website, contact_email, offers, programmes, typical_length, state,"
                        " review_note, unpublish_reason, created_at, submitted_at, updated_at)"
                        " VALUES (1, 'music_school', 'ÉCOLE du Son', 'Cours du SOIR', 2988507,"
                        " '', '', '', '[]', '', '', 'approved', '', '', :t, :t, :t)"
                    ),
                    {"t": "2026-01-01 00:00:00+00:00"},
                )
            upgrade()
            with db.engine.connect() as conn:
                row = conn.execute(text("SELECT sort_name, search_text FROM listings")).one()
            # Lower case to sort by; the text to search also without accents (migration 13),
            # and found through the database's own index.
            assert tuple(row) == ("école du son", "ecole du son\ncours du soir\nparis")
            with db.engine.connect() as conn:
                if conn.dialect.name == "sqlite":
                    found = (
                        "SELECT rowid FROM listings_search WHERE listings_search MATCH '\"cole d\"'"
                    )
                else:
                    found = "SELECT id FROM listings WHERE search_text LIKE '%cole d%'"
                assert conn.execute(text(found)).scalars().all() == [1]
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn, contextlib.suppress(Exception):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
            admin.dispose()
