"""One log line per request (JSON in production) and per task, and the request id that
ties them together: taken from X-Request-ID when safe, sent back, carried into tasks."""

from __future__ import annotations

import json
import re

import pytest

from mentorapp.config import ConfigError, from_environment
from tests.conftest import post_form


def json_lines(captured: str) -> list[dict]:
    lines = []
    for line in captured.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def request_lines(captured: str) -> list[dict]:
    return [line for line in json_lines(captured) if line["logger"] == "mentorapp.requests"]


@pytest.fixture
def json_app(app, make_app):
    # Built after `app` (which `users` needs): logging is the process's, the last app's.
    return make_app(LOG_FORMAT="json")


def test_a_safe_request_id_is_kept_and_sent_back(client):
    response = client.get("/", headers={"X-Request-ID": "lb-7f3a.91:x_2"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.91:x_2"


@pytest.mark.parametrize(
    "given", ["", "has space", "tab\tbed", "x" * 65, "<script>", "é", "a;b", "semi\u2028colon"]
)
def test_an_unsafe_request_id_is_replaced(client, given):
    response = client.get("/", headers={"X-Request-ID": given})
    made = response.headers["X-Request-ID"]
    assert made != given
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_one_json_line_per_request_with_the_person_and_the_time_taken(json_app, users, capsys):
    user_id = users(email="p@example.com")
    client = json_app.test_client()
    capsys.readouterr()
    response = post_form(
        client,
        "/login",
        {"email": "p@example.com", "password": "a long test passphrase"},
        headers={"X-Request-ID": "login-1"},
    )
    assert response.status_code == 302
    page = client.get("/account", headers={"X-Request-ID": "account-1"})
    lines = request_lines(capsys.readouterr().err)
    by_id = {line["request_id"]: line for line in lines}
    login = by_id["login-1"]
    assert login["method"] == "POST" and login["path"] == "/login"
    assert login["status"] == 302
    assert login["user_id"] == user_id
    assert login["level"] == "INFO"
    assert isinstance(login["duration_ms"], float) and login["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", login["time"])
    account = by_id["account-1"]
    assert account["status"] == page.status_code and account["user_id"] == user_id
    # One line per request: the GET of the login form, the POST, the account page.
    assert len(lines) == 3


def test_a_visitor_is_logged_without_a_user_id(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    client.get("/no/such/page")
    (line,) = request_lines(capsys.readouterr().err)
    assert line["status"] == 404 and line["user_id"] is None


def test_secret_links_never_reach_the_log(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    client.get("/reset-password/sEcReT-tOkEn-value")
    captured = capsys.readouterr().err
    assert "sEcReT-tOkEn-value" not in captured
    (line,) = request_lines(captured)
    assert line["path"] == "/reset-password/<token>"


def test_successful_probes_are_not_logged(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    client.get("/healthz")
    client.get("/readyz")
    client.get("/metrics")
    assert request_lines(capsys.readouterr().err) == []
    # A refused scrape is worth a line.
    client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    (line,) = request_lines(capsys.readouterr().err)
    assert (line["path"], line["status"]) == ("/metrics", 404)


def test_the_task_a_request_enqueues_logs_with_the_requests_id(json_app, users, capsys):
    users(email="p@example.com")
    client = json_app.test_client()
    capsys.readouterr()
    response = post_form(
        client, "/forgot-password", {"email": "p@example.com"}, headers={"X-Request-ID": "r-42"}
    )
    assert response.status_code == 200
    runs = [line for line in json_lines(capsys.readouterr().err) if "task" in line]
    (run,) = runs
    assert run["logger"] == "mentorapp.tasks.runs"
    assert run["task"] == "mentorapp.mail.deliver_email"
    assert run["outcome"] == "succeeded"
    assert run["attempt"] == 1
    assert run["task_id"]
    assert run["duration_ms"] >= 0
    assert run["request_id"] == "r-42"


def test_a_real_worker_logs_the_run_with_the_requests_id(queue_app, task_worker, users, capsys):
    app = queue_app(LOG_FORMAT="json")
    users(email="p@example.com")
    client = app.test_client()
    response = post_form(
        client, "/forgot-password", {"email": "p@example.com"}, headers={"X-Request-ID": "r-77"}
    )
    assert response.status_code == 200
    worker = task_worker(app)
    worker.drain()
    worker.stop()
    runs = [line for line in json_lines(capsys.readouterr().err) if "task" in line]
    (run,) = [line for line in runs if line["task"] == "mentorapp.mail.deliver_email"]
    assert run["outcome"] == "succeeded"
    assert run["request_id"] == "r-77"


def test_development_logs_read_as_text(make_app, capsys):
    client = make_app().test_client()  # the test config is development's
    capsys.readouterr()
    client.get("/no/such/page", headers={"X-Request-ID": "dev-1"})
    captured = capsys.readouterr().err
    assert re.search(
        r"INFO mentorapp\.requests \[dev-1\]: GET /no/such/page 404 [\d.]+ ms", captured
    )
    assert not json_lines(captured)


def test_production_logs_json_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("PUBLIC_URL", "https://mentorapp.example.org")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert from_environment(str(tmp_path))["LOG_FORMAT"] == "json"
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert from_environment(str(tmp_path))["LOG_FORMAT"] == "text"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        from_environment(str(tmp_path))


def test_building_the_app_again_does_not_double_the_lines(make_app, capsys):
    make_app(LOG_FORMAT="json")
    client = make_app(LOG_FORMAT="json").test_client()
    capsys.readouterr()
    client.get("/no/such/page")
    assert len(request_lines(capsys.readouterr().err)) == 1


def test_the_log_line_asks_the_database_nothing(app, users, count_queries):
    """After the commit the person's object is expired; reading it again would wait for
    the database (a lock, under load) in the last hook of the request."""
    from flask import g

    from mentorapp.extensions import db
    from mentorapp.models import User
    from mentorapp.observability import _signed_in_user_id

    user_id = users(email="p@example.com")
    with app.test_request_context("/"):
        g._login_user = db.session.get(User, user_id)
        db.session.commit()  # expires it, as the request's commit does
        with count_queries() as queries:
            assert _signed_in_user_id() == user_id
        assert queries == []


def test_a_failure_to_record_never_costs_the_response(client, monkeypatch, caplog):
    from mentorapp.observability import metrics

    def broken(*_args):
        raise RuntimeError("metrics folder gone")

    monkeypatch.setattr(metrics, "observe_request", broken)
    response = client.get("/", headers={"X-Request-ID": "still-1"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "still-1"
    assert any("Could not record the request" in r.getMessage() for r in caplog.records)
