"""Fixtures shared by every test.

Every test runs on SQLite (a file in a temporary folder), or on PostgreSQL when
TEST_DATABASE_URL is set. The schema comes from the migrations, once per run; each
test starts from empty tables (the live-server browser tests need real commits, so
savepoint rollbacks would not do).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

from mentorapp import create_app
from mentorapp.config import database_url
from mentorapp.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.queue import queue_app, task_worker  # noqa: F401  (fixtures)

# Tables filled by migrations (reference data) survive between tests; rows that a
# test adds to them beyond the seeded ones are removed.
KEEP_TABLES = {"alembic_version", "archetypes", "specialties"}
SEEDED_SPECIALTIES = 17


def _test_database_url(tmp_path_factory) -> str:
    raw = os.environ.get("TEST_DATABASE_URL")
    if raw:
        url = database_url(raw, "")
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    path = tmp_path_factory.mktemp("db") / "test.sqlite3"  # one per worker already
    return f"sqlite:///{path}"


def _worker_database(url: str, worker: str) -> str:
    """With pytest -n, each worker has a database of its own beside the one given,
    made afresh on the same server."""
    given = make_url(url)
    name = f"{given.database}_{worker}"
    server = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def _drop_worker_database(uri: str) -> None:
    if not (uri.startswith("postgresql") and os.environ.get("PYTEST_XDIST_WORKER")):
        return
    given = make_url(uri)
    server = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{given.database}" WITH (FORCE)'))
    server.dispose()


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL", "")
    return f"database: {'postgresql' if url.startswith('postgres') else 'sqlite'}"


def test_config(database_uri: str, instance_path: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "ENV_NAME": "development",
        "SECRET_KEY": secrets.token_hex(16),
        "PUBLIC_URL": "http://mentorapp.test",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "",
        "SERVER_NAME": None,
        # Tasks run at once in the thread that enqueues them; tests that need a real
        # worker use the `task_worker` fixture (tests/queue.py).
        "TASK_QUEUE_IMMEDIATE": True,
        "TASK_QUEUE_URL": "",
        # Reading a Bandcamp page never leaves the machine: a closed local port unless a
        # test serves Bandcamp itself (tests/functional/test_bandcamp_players.py).
        "BANDCAMP_FETCH_ORIGIN": "http://127.0.0.1:9",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> Iterator[str]:
    """A database with the schema built by running every migration."""
    uri = _test_database_url(tmp_path_factory)
    if uri.startswith("postgresql"):
        engine = create_engine(uri)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(test_config(uri, str(instance)))
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield uri
    _drop_worker_database(uri)


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    db.session.execute(text("DELETE FROM specialties WHERE id > :n"), {"n": SEEDED_SPECIALTIES})
    # DELETE, not TRUNCATE: on tables of a few rows it is six times faster on PostgreSQL
    # (TRUNCATE makes new files for every table), and this runs twice a test.
    for table in reversed(tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # Ids start again at 1, as on a fresh database.
        emptied = {t.name for t in tables}
        sequences = db.session.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).all()
        resets = [f"setval('{s}', 1, false)" for s in sequences if s[: -len("_id_seq")] in emptied]
        resets.append(f"setval('specialties_id_seq', {SEEDED_SPECIALTIES})")
        db.session.execute(text(f"SELECT {', '.join(resets)}"))
    db.session.commit()


@pytest.fixture
def make_app(database_uri, tmp_path, monkeypatch):
    """Build an app on the test database; extra settings as keyword arguments.

    The tables are emptied before the first app is built and after the test.
    """
    apps = []
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))

    def build(**overrides):
        application = create_app(test_config(database_uri, str(tmp_path), **overrides))
        if not apps:
            with application.app_context():
                _empty_tables()
        apps.append(application)
        return application

    yield build
    if apps:
        with apps[0].app_context():
            db.session.remove()
            _empty_tables()
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str, **kwargs) -> str:
    page = client.get(url, **kwargs)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None, headers=None, **kwargs):
    """Post a form the way a browser does: with the CSRF token of the page it sits on."""
    token = csrf_token(client, page or url, headers=headers)
    return client.post(url, data={"csrf_token": token, **data}, headers=headers, **kwargs)


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str = "mentee@example.com", password: str = DEFAULT_PASSWORD, **extra):
        return post_form(self._client, "/login", {"email": email, "password": password, **extra})

    def logout(self):
        return post_form(self._client, "/logout", {}, page="/dashboard")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def users(app):
    """Create people in the test database: users(email=..., is_mentor=True, ...)."""

    def create(**fields):
        with app.app_context():
            user = make_user(**fields)
            db.session.commit()
            return user.id

    return create


@pytest.fixture
def db_session(app):
    """The app's session inside an app context, for reading what a request left."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as queries:` block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
