from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mentorapp.extensions import db


def test_the_migrations_build_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_constraints_are_named_by_the_convention(app):
    with app.app_context():
        inspector = inspect(db.engine)
        unique = {c["name"] for c in inspector.get_unique_constraints("users")}
        checks = {c["name"] for c in inspector.get_check_constraints("users")}
    assert "uq_users_email" in unique
    assert {"ck_users_email_lowercase", "ck_users_session_version_positive"} <= checks
