"""`/metrics`: Prometheus text for allowed addresses or the bearer token; a 404 for
everyone else. Counts are by URL rule, never the raw path."""

from __future__ import annotations

import socket

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import post_form
from tests.helpers import emails_to

STRANGER = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "a-long-random-metrics-token-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_strangers_get_a_404(client):
    response = client.get("/metrics", environ_base=STRANGER)
    assert response.status_code == 404
    assert "mentorapp_http_requests_total" not in response.get_data(as_text=True)
    assert "We could not find that page" in response.get_data(as_text=True)


def test_the_local_machine_may_read_them(client):
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert "mentorapp_http_requests_total" in response.get_data(as_text=True)


def test_the_bearer_token_lets_anyone_in(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", environ_base=STRANGER, headers=good).status_code == 200
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", "Bearer", TOKEN, ""):
        response = client.get("/metrics", environ_base=STRANGER, headers={"Authorization": wrong})
        assert response.status_code == 404, wrong


def test_no_token_configured_means_no_token_works(client):
    response = client.get("/metrics", environ_base=STRANGER, headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_the_allow_list_takes_networks(make_app):
    client = make_app(METRICS_ALLOW="10.0.0.0/8, 2001:db8::/32").test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "2001:db8::7"}).status_code == 200
    # 127.0.0.1 is no longer in the list once METRICS_ALLOW is set.
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "11.0.0.1"}).status_code == 404


def test_a_bad_allow_list_stops_the_start(make_app):
    with pytest.raises(ValueError, match="METRICS_ALLOW"):
        make_app(METRICS_ALLOW="127.0.0.1, localhost")


def test_behind_a_proxy_the_client_address_counts_not_the_proxys(make_app, monkeypatch):
    monkeypatch.setenv("PROXY_FIX_HOPS", "1")
    client = make_app().test_client()
    # The proxy runs on 127.0.0.1; the person behind it does not.
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=forwarded).status_code == 404


def test_requests_are_counted_by_url_rule_and_status(client):
    before = scrape(client)
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/999998").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/healthz").status_code == 200
    after = scrape(client)
    rule = {"endpoint": "/people/<id:user_id>", "method": "GET", "status": "404"}
    name = "mentorapp_http_requests_total"
    assert value(after, name, **rule) - value(before, name, **rule) == 2
    unmatched = {"endpoint": "<unmatched>", "method": "GET", "status": "404"}
    assert value(after, name, **unmatched) - value(before, name, **unmatched) == 1
    health = {"endpoint": "/healthz", "method": "GET", "status": "200"}
    assert value(after, name, **health) - value(before, name, **health) == 1
    latency = "mentorapp_http_request_duration_seconds_count"
    assert value(after, latency, **rule) - value(before, latency, **rule) == 2
    body = client.get("/metrics").get_data(as_text=True)
    # (the raw paths as labels; digits alone could be in any float)
    assert "/people/999999" not in body and "/no/such/page" not in body


def test_the_queue_is_measured_when_scraped(client):
    samples = scrape(client)
    assert value(samples, "mentorapp_queue_reachable") == 1
    assert value(samples, "mentorapp_queue_depth") == 0


def ask_for_a_reset(client) -> None:
    response = post_form(client, "/forgot-password", {"email": "p@example.com"})
    assert response.status_code == 200


def test_emails_and_their_tasks_are_counted(app, client, users):
    """A reset request queues an email; its task runs (immediate mode in tests) and
    hands it to the log, as without MAIL_SERVER."""
    users(email="p@example.com")
    before = scrape(client)
    ask_for_a_reset(client)
    assert emails_to(app, "p@example.com")[0].sent_at is not None
    after = scrape(client)
    sent = ("mentorapp_emails_total", {"outcome": "sent"})
    assert value(after, sent[0], **sent[1]) - value(before, sent[0], **sent[1]) == 1
    task = {"task": "mentorapp.mail.deliver_email", "outcome": "succeeded"}
    runs = "mentorapp_tasks_total"
    assert value(after, runs, **task) - value(before, runs, **task) == 1
    took = "mentorapp_task_duration_seconds_count"
    name = {"task": "mentorapp.mail.deliver_email"}
    assert value(after, took, **name) - value(before, took, **name) == 1


def test_a_failed_email_is_counted_and_its_task_retries(make_app, users):
    # A mail server where nothing listens: the try fails and the task waits for the next.
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_USE_TLS=False)
    users(email="p@example.com")
    client = app.test_client()
    before = scrape(client)
    ask_for_a_reset(client)
    assert emails_to(app, "p@example.com")[0].sent_at is None
    after = scrape(client)
    failed = {"outcome": "failed"}
    emails = "mentorapp_emails_total"
    assert value(after, emails, **failed) - value(before, emails, **failed) == 1
    task = {"task": "mentorapp.mail.deliver_email", "outcome": "retrying"}
    runs = "mentorapp_tasks_total"
    assert value(after, runs, **task) - value(before, runs, **task) == 1
