"""Redis away never stops people signing in: the rate limiter counts in memory meanwhile.

These tests start a redis-server of their own on a free port, kill it and start it again
(never the machine's 6379). The test config turns rate limiting off; they turn it on.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import post_form

redis = pytest.importorskip("redis")

WRONG = {"email": "p@example.com", "password": "not the password at all"}
RIGHT = {"email": "p@example.com", "password": "a long test passphrase"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server process of this test's own, on a port of its own."""

    def __init__(self, folder):
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        """As a crash: SIGKILL, no goodbye to the clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def limiter_keys(self) -> list:
        return self.client().keys("LIMITS*")


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def _rate_limited_app(make_app, uri: str, **overrides):
    return make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_AUTH="5 per minute",
        RATELIMIT_STORAGE_URI=uri,
        **overrides,
    )


def test_people_sign_in_while_redis_is_down_and_the_limit_still_holds(
    make_app, users, redis_server, caplog
):
    users(email="p@example.com")
    app = _rate_limited_app(make_app, redis_server.uri)
    client = app.test_client()
    assert post_form(client, "/login", WRONG).status_code == 422
    assert redis_server.limiter_keys(), "counted in Redis while it runs"

    redis_server.kill()
    with caplog.at_level(logging.WARNING):
        started = time.monotonic()
        signed_in = post_form(client, "/login", RIGHT)
        elapsed = time.monotonic() - started
    assert signed_in.status_code == 302, "signing in must not be a 500 while Redis is down"
    assert not client.get("/dashboard").headers.get("Location", "").startswith("/login")
    assert elapsed < 2
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)

    # Sign-up and reset answer too, and the limit is counted in this process meanwhile:
    # the login above was the first of five a minute.
    others = app.test_client()
    assert post_form(others, "/signup", {"email": "x"}).status_code == 422
    assert post_form(others, "/forgot-password", {"email": "q@example.com"}).status_code == 200
    stranger = app.test_client()
    codes = [post_form(stranger, "/login", WRONG).status_code for _ in range(5)]
    assert codes == [422, 422, 422, 422, 429]

    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200, "a rate limiter counting in memory keeps serving"
    assert ready.json["checks"]["rate_limit_storage"].startswith("unavailable")


def test_the_limiter_goes_back_to_redis_when_it_returns(make_app, users, redis_server):
    users(email="p@example.com")
    app = _rate_limited_app(make_app, redis_server.uri)
    client = app.test_client()
    redis_server.kill()
    assert post_form(client, "/login", WRONG).status_code == 422  # counted in memory
    redis_server.start()
    assert redis_server.limiter_keys() == []  # a fresh Redis, nothing kept

    # The limiter asks the storage again after a pause that doubles each time (1 s, 2 s,
    # 4 s...); meanwhile pages answer from memory.
    deadline = time.monotonic() + 20
    while not redis_server.limiter_keys():
        assert time.monotonic() < deadline, "the limiter never went back to Redis"
        time.sleep(0.5)
        assert client.get("/login").status_code == 200
        assert post_form(app.test_client(), "/login", WRONG).status_code in (422, 429)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["rate_limit_storage"] == "ok"


def test_memory_rate_limits_in_production_warn_at_start_up(make_app, caplog):
    with caplog.at_level(logging.WARNING):
        make_app(ENV_NAME="production", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("memory://" in m and "N times" in m for m in warnings), warnings


def test_shared_rate_limits_in_production_do_not_warn(make_app, caplog):
    with caplog.at_level(logging.WARNING):
        # Nothing listens there: building the app does not connect.
        make_app(
            ENV_NAME="production",
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_free_port()}/0",
        )
        make_app(ENV_NAME="development", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    assert not [r for r in caplog.records if "RATELIMIT_STORAGE_URI" in r.getMessage()]
