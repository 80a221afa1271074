"""Engine tuning per database: SQLite write locking, connection timeouts.

SQLite: WAL so readers never wait for the writer, a busy timeout so a locked file
gives up within about two seconds (and the 503 page shows), and `BEGIN IMMEDIATE` for
requests that may write, because a deferred read-then-write transaction can fail
"database is locked" whatever the timeout.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask
from sqlalchemy import Engine, event

# Whether the current unit of work may write. Requests set it from their method;
# CLI commands and scripts keep the safe default.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def engine_options(uri: str, app_config: dict) -> dict:
    """Engine keyword arguments for this database URI."""
    options = dict(app_config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    connect_args = dict(options.get("connect_args", {}))
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", app_config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        connect_args.setdefault("check_same_thread", False)
    elif uri.startswith("postgresql"):
        connect_args.setdefault("connect_timeout", app_config["DB_CONNECT_TIMEOUT"])
    options["connect_args"] = connect_args
    return options


def configure_engine(engine: Engine, app: Flask) -> None:
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


@contextmanager
def read_only():
    """Mark a block as read-only so SQLite opens a shared transaction."""
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)
