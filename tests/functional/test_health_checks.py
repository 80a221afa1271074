"""`/healthz` and `/readyz`: for load balancers and orchestrators.

The database is really unavailable in these tests: a port where nothing listens, a
server that accepts connections and never answers, a SQLite file locked by another
connection, and a PostgreSQL cluster of the test's own stopped with `pg_ctl`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest
from sqlalchemy import create_engine

from mentorapp.extensions import db
from tests.functional.test_rate_limit_fallback import redis_server  # noqa: F401  (fixture)

DEAD_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/none"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(client, url: str):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_healthz_answers_without_the_database(make_app):
    make_app()  # the test database, emptied as usual; the app below points elsewhere
    client = make_app(SQLALCHEMY_DATABASE_URI=DEAD_POSTGRES).test_client()
    response, elapsed = _timed(client, "/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert elapsed < 0.5


def test_readyz_says_what_it_checked(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "queue": "ok",
            "matching": "ok",
            "rate_limit_storage": "off",
        },
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_probes_neither_read_nor_set_the_session(client, users, auth):
    users(email="p@example.com")
    assert auth.login("p@example.com").status_code == 302
    # A signed-in page renews the (permanent) session cookie on every request...
    assert "mentorapp_session=" in client.get("/account").headers.get("Set-Cookie", "")
    # ...a probe or a scrape never does, and never says it looked at the cookie.
    for url in ("/healthz", "/readyz", "/metrics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url


def test_probes_need_no_csrf_token(client):
    # Only GET is served; a POST is 405, not the CSRF refusal (400).
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405


def test_readyz_is_503_quickly_when_the_database_refuses_connections(make_app):
    make_app()
    client = make_app(SQLALCHEMY_DATABASE_URI=DEAD_POSTGRES).test_client()
    response, elapsed = _timed(client, "/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["failed"] == ["database"]
    assert response.json["checks"]["database"].startswith("unavailable")
    assert response.json["checks"]["queue"] == "ok"
    assert elapsed < 2.5


def test_readyz_gives_up_on_a_database_that_never_answers(make_app):
    """A server that accepts the connection and then says nothing (a hung host)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel completes the handshake; nobody ever reads
    port = silent.getsockname()[1]
    try:
        make_app()
        client = make_app(
            SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{port}/none",
            DB_CONNECT_TIMEOUT=30,
            READYZ_TIMEOUT=1.0,
        ).test_client()
        threads = threading.active_count()
        for _ in range(3):
            response, elapsed = _timed(client, "/readyz")
            assert response.status_code == 503
            assert response.json["failed"] == ["database"]
            assert "no answer within 1 s" in response.json["checks"]["database"]
            assert elapsed < 1.8
            # The probe gave up and left nothing waiting behind it in the web worker.
            assert threading.active_count() == threads
        response, elapsed = _timed(make_app().test_client(), "/readyz")
        assert response.status_code == 200 and elapsed < 1
    finally:
        silent.close()


def test_readyz_is_503_while_sqlite_is_locked_and_200_after(make_app, database_uri):
    if not database_uri.startswith("sqlite"):
        pytest.skip("SQLite locking")
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=300)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()  # WAL: an exclusive lock needs every other connection closed
    # Exclusive locking in WAL mode: no other connection may even read the file.
    locker = create_engine(database_uri, connect_args={"isolation_level": None}).connect()
    locker.exec_driver_sql("PRAGMA locking_mode=EXCLUSIVE")
    locker.exec_driver_sql("BEGIN EXCLUSIVE")
    locker.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
    try:
        response, elapsed = _timed(client, "/readyz")
        assert response.status_code == 503
        assert response.json["failed"] == ["database"]
        assert elapsed < 2
    finally:
        locker.exec_driver_sql("COMMIT")
        locker.exec_driver_sql("PRAGMA locking_mode=NORMAL")
        locker.exec_driver_sql("SELECT 1 FROM alembic_version")  # releases the lock
        locker.close()
        locker.engine.dispose()
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_while_the_queues_redis_is_down(queue_app, redis_server):  # noqa: F811
    client = queue_app(TASK_QUEUE_URL=redis_server.uri).test_client()
    assert client.get("/readyz").json["checks"]["queue"] == "ok"
    redis_server.kill()
    response, elapsed = _timed(client, "/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["queue"]
    assert response.json["checks"]["database"] == "ok"
    assert elapsed < 2.5
    redis_server.start()
    assert client.get("/readyz").status_code == 200


# --- A PostgreSQL cluster of the test's own, really stopped and started again ----------


def _postgres_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


class Cluster:
    """initdb + pg_ctl in a temporary folder, on a free port; never the machine's server."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.folder = tempfile.mkdtemp(prefix="mentorapp-readyz-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = _free_port()
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=60)

    @property
    def uri(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        log = os.path.join(self.folder, "server.log")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgres():
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a cluster")
    cluster = Cluster(bindir)
    try:
        cluster.init()
        cluster.start()
    except subprocess.CalledProcessError as error:
        cluster.remove()
        pytest.skip(f"could not start a PostgreSQL cluster: {error.stderr[-500:]}")
    yield cluster
    cluster.remove()


def test_readyz_follows_a_real_postgresql_stop_and_start(make_app, own_postgres):
    make_app()
    app = make_app(SQLALCHEMY_DATABASE_URI=own_postgres.uri)
    with app.app_context():
        db.create_all()  # the tables the candidate arrays are read from
    client = app.test_client()
    assert client.get("/readyz").status_code == 200  # connected: the pool holds one now

    own_postgres.stop()
    response, elapsed = _timed(client, "/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["database"]
    assert elapsed < 2.5
    assert client.get("/healthz").status_code == 200

    own_postgres.start()
    assert client.get("/readyz").status_code == 200  # the pool's pre-ping reconnects


def test_readyz_answers_in_a_worker_that_already_runs_an_event_loop(make_app, database_uri):
    """A gevent worker, or a test process driving a browser, has a loop running in the
    thread: the probe must not try to start one of its own there."""
    import asyncio

    client = make_app().test_client()

    async def probe_from_inside_a_loop():
        return client.get("/readyz")

    response = asyncio.run(probe_from_inside_a_loop())
    assert response.status_code == 200, response.json
    assert response.json["checks"]["database"] == "ok"


def test_probes_and_metrics_are_never_rate_limited(make_app):
    """An operator who sets a default limit for every page must not see the load
    balancer's probes or the Prometheus scrape refused with a 429."""
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute").test_client()
    pages = [client.get("/").status_code for _ in range(4)]
    assert pages == [200, 200, 200, 429]  # the default limit is in force

    for url in ("/healthz", "/readyz", "/metrics"):
        statuses = {client.get(url).status_code for _ in range(10)}
        assert statuses == {200}, url
    # Still in force for pages after thirty probes: exempt, not switched off.
    assert client.get("/").status_code == 429


def test_a_default_limit_belongs_to_the_app_whose_config_set_it(make_app):
    """The limiter is one object per process: an app built after one with a default limit
    must not inherit it (CI once saw sign-in pages refused with 429 for that reason)."""
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute").test_client()
    assert [limited.get("/").status_code for _ in range(2)] == [200, 429]
    unlimited = make_app(RATELIMIT_ENABLED=True).test_client()
    assert {unlimited.get("/").status_code for _ in range(5)} == {200}


def test_readyz_answers_only_once_the_candidate_arrays_are_in_memory(make_app, users):
    """Where nothing warmed the worker (flask run), the probe builds the arrays itself
    before it says ready, and only once."""
    users(email="m@example.com", is_mentor=True)
    app = make_app()
    index = app.extensions["candidate_index"]
    assert not index.loaded
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["matching"] == "ok"
    assert index.loaded and index.rebuilds == 1
    assert app.test_client().get("/readyz").status_code == 200
    assert index.rebuilds == 1  # built once, not again per probe


def test_a_worker_warmed_up_ahead_serves_its_first_page_without_building(make_app, users):
    """What gunicorn's post_worker_init does for each worker (gunicorn.conf.py)."""
    from mentorapp.suggestions.index import warm_up

    users(email="m@example.com", is_mentor=True)
    app = make_app()
    warm_up(app)
    index = app.extensions["candidate_index"]
    assert index.loaded and index.rebuilds == 1
    assert app.test_client().get("/readyz").json["checks"]["matching"] == "ok"
    assert index.rebuilds == 1
