import pytest

from mentorapp import create_app
from mentorapp.config import ConfigError, database_url


def test_testing_flag_comes_from_the_test_config(app):
    assert app.testing


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORAPP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PUBLIC_URL", "https://mentorapp.example.org")
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_requires_a_public_url_for_email_links(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app()


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("PUBLIC_URL", "https://mentorapp.example.org")
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["MAX_CONTENT_LENGTH"]


def test_development_generates_a_random_key_once(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORAPP_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    other = tmp_path / "other"
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(other))
    assert create_app().config["SECRET_KEY"] != first


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_uses_psycopg_for_postgresql(raw, expected):
    assert database_url(raw, "/instance") == expected


def test_default_database_is_a_sqlite_file_in_instance():
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/mentorapp.sqlite3"
