"""Settings, read from the environment once, when the app is created.

Every variable is listed in README.md and `.env.example`.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds_list(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    """A comma-separated list of seconds, e.g. MAIL_RETRY_DELAYS=60,300,1800."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        values = tuple(float(part) for part in raw.split(","))
    except ValueError:
        message = f"{name} must be seconds separated by commas, e.g. 60,300,1800."
        raise ConfigError(message) from None
    if not values or any(v <= 0 for v in values):
        raise ConfigError(f"{name} must list positive numbers of seconds.")
    return values


def database_url(raw: str | None, instance_path: str) -> str:
    """Turn DATABASE_URL into a SQLAlchemy URL; PostgreSQL always goes through psycopg 3."""
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'mentorapp.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _development_secret_key(instance_path: str) -> str:
    """A random key made once per checkout and kept in instance/, never a fixed fallback."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Build the config mapping for `create_app` from os.environ."""
    env = os.environ.get("MENTORAPP_ENV", "production").strip().lower()
    if env not in {"production", "development"}:
        raise ConfigError("MENTORAPP_ENV must be 'production' or 'development'.")
    production = env == "production"

    secret_key = os.environ.get("SECRET_KEY", "")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Production refuses to start without one: "
                "set SECRET_KEY to a long random string (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`), or set MENTORAPP_ENV=development."
            )
        secret_key = _development_secret_key(instance_path)

    public_url = os.environ.get("PUBLIC_URL", "").rstrip("/")
    if not public_url:
        if production:
            raise ConfigError(
                "PUBLIC_URL is not set. Links in emails are built from it, never from the "
                "request's Host header: set it to e.g. https://mentorapp.example.org."
            )
        public_url = "http://127.0.0.1:5000"

    trusted = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]

    log_format = os.environ.get("LOG_FORMAT", "").strip().lower() or (
        "json" if production else "text"
    )
    if log_format not in {"json", "text"}:
        raise ConfigError("LOG_FORMAT must be 'json' (one JSON object a line) or 'text'.")

    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key,
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": trusted or None,
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "mentorapp <no-reply@mentorapp.localhost>"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "5") or 5),
        "MAIL_RETRY_DELAYS": _seconds_list("MAIL_RETRY_DELAYS", (60, 300, 1800, 7200, 43200)),
        "TASK_QUEUE_URL": os.environ.get("TASK_QUEUE_URL", "").strip(),
        "FILE_STORAGE": os.environ.get("FILE_STORAGE", "local").strip().lower() or "local",
        "FILE_STORAGE_PATH": os.environ.get("FILE_STORAGE_PATH", "").strip(),
        "S3_BUCKET": os.environ.get("S3_BUCKET", "").strip(),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", "").strip(),
        "S3_PREFIX": os.environ.get("S3_PREFIX", "").strip(),
        "TASK_QUEUE_IMMEDIATE": _flag("TASK_QUEUE_IMMEDIATE", False),
        **_sending_limits(),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "LOG_FORMAT": log_format,
        "METRICS_ALLOW": os.environ.get("METRICS_ALLOW", "").strip() or DEFAULTS["METRICS_ALLOW"],
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", "").strip(),
    }


# How many requests, invitations and messages one person sends an hour (trust/limits.py).
SENDING_LIMITS = {
    "SENDING_LIMIT_REQUESTS": 10,
    "SENDING_LIMIT_INVITATIONS": 20,
    "SENDING_LIMIT_MESSAGES": 60,
}


def _sending_limits() -> dict:
    limits = {}
    for name, default in SENDING_LIMITS.items():
        raw = os.environ.get(name, "").strip()
        if raw and (not raw.isascii() or not raw.isdigit() or int(raw) < 1):
            raise ConfigError(f"{name} must be a whole number of at least 1.")
        limits[name] = int(raw) if raw else default
    return limits


# Settings that do not depend on the environment.
DEFAULTS: dict = {
    "ENV_NAME": "development",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "mentorapp_session",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_NAME": "mentorapp_remember",
    # Forms are small; later uploads (CSV import) raise the limit on their own route.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_AUTH": "10 per minute; 60 per hour",
    # Redis away: count in this process's memory (logged, shown by /readyz) rather than
    # refuse every login; give up on a Redis that does not answer within half a second.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    # The Mentors page ranks and counts at most this many mentors: past it, the page
    # says "more than 1,000" and offers no further pages (mentorapp/mentors/search.py).
    "MENTOR_SEARCH_CAP": 1000,
    # PostgreSQL: a word the planner expects in at least this share of the rows is
    # found by walking the rows newest first; a rarer one through the GIN index, over
    # the newest rows likely to hold cap + 1 matches (this many times that, at the
    # expected share), then the older rest if they did not.
    "MENTOR_SEARCH_WALK_SHARE": 0.15,
    "MENTOR_SEARCH_WINDOW": 1.5,
    "EMAIL_TOKEN_MAX_AGE": timedelta(hours=24),
    "RESET_TOKEN_MAX_AGE": timedelta(hours=1),
    "MAIL_SERVER": "",
    "MAIL_PORT": 587,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_USE_TLS": True,
    "MAIL_USE_SSL": False,
    "MAIL_FROM": "mentorapp <no-reply@mentorapp.localhost>",
    # Only the worker talks to SMTP; a server that never answers costs it this long.
    "MAIL_TIMEOUT": 5,
    # Seconds between an email's tries: 1 min, 5 min, 30 min, 2 h, 12 h, then failed for
    # good (six tries in all). The bench shrinks them.
    "MAIL_RETRY_DELAYS": (60, 300, 1800, 7200, 43200),
    # Empty: huey's SQLite storage in instance/tasks.sqlite3; or redis://host:port/db.
    "TASK_QUEUE_URL": "",
    # Run each task at once in the enqueuing thread (tests, debugging).
    "TASK_QUEUE_IMMEDIATE": False,
    **SENDING_LIMITS,
    "LOG_LEVEL": "INFO",
    # "json" (production's default) or "text" (readable lines, development's).
    "LOG_FORMAT": "text",
    # Who may read /metrics: these addresses or networks, or the bearer token (if set).
    "METRICS_ALLOW": "127.0.0.1,::1",
    "METRICS_TOKEN": "",
    # /readyz waits at most this long for the database and the queue (seconds).
    "READYZ_TIMEOUT": 2.0,
    "DB_CONNECT_TIMEOUT": 2,
    # Where uploaded files live (mentorapp/storage.py): "local" (FILE_STORAGE_PATH, empty
    # for instance/files) or "s3" (S3_BUCKET, S3_ENDPOINT_URL, S3_PREFIX; boto3's own
    # AWS_* variables for credentials and region).
    "FILE_STORAGE": "local",
    "FILE_STORAGE_PATH": "",
    "S3_BUCKET": "",
    "S3_ENDPOINT_URL": "",
    "S3_PREFIX": "",
    "SQLITE_BUSY_TIMEOUT_MS": 2000,
    # Reading a Bandcamp page's album or track number (profiles/bandcamp.py), in the
    # worker only: give up after this many seconds or bytes. The origin is for tests
    # (a local server plays Bandcamp, the path kept); empty in production, where the
    # environment cannot set it.
    "BANDCAMP_FETCH_ORIGIN": "",
    "BANDCAMP_FETCH_TIMEOUT": 5.0,
    "BANDCAMP_FETCH_MAX_BYTES": 2 * 1024 * 1024,
    # A page that could not be read (timeout, 5xx) is tried again this many seconds later.
    "BANDCAMP_RETRY_DELAY": 60,
    # The directory's search counts this many matches at most ("more than 1,000
    # places") and pages no further: a common word would otherwise touch every match.
    "DIRECTORY_SEARCH_CAP": 1000,
}
