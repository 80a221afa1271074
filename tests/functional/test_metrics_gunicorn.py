"""Metrics across real gunicorn workers: two worker processes, one sum in /metrics.

Also what production writes to the log: one JSON line per request, and the start-up
warning about rate limits counted in each worker's memory.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
HEALTH = {"endpoint": "/healthz", "method": "GET", "status": "200"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, base: str, log: Path, metrics_dir: Path, process: subprocess.Popen):
        self.base, self.log, self.metrics_dir, self.process = base, log, metrics_dir, process

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str, dict]:
        # Plain http to our own server on 127.0.0.1.
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode(), dict(response.headers)

    def healthz_total(self) -> float:
        """The /healthz count as /metrics reports it, whichever worker answers."""
        _, body, _ = self.get("/metrics")
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if sample.name == "mentorapp_http_requests_total" and sample.labels == HEALTH:
                    return sample.value
        return 0.0

    def healthz_by_process(self) -> dict[int, float]:
        """Each process's own /healthz count, read from its file in the metrics folder."""
        counts: dict[int, float] = {}
        for path in self.metrics_dir.glob("counter_*.db"):
            pid = int(path.stem.rsplit("_", 1)[1])
            for key, value, _timestamp, _pos in MmapedDict.read_all_values_from_file(str(path)):
                _metric, name, labels, _help = json.loads(key)
                if name == "mentorapp_http_requests_total" and labels == HEALTH:
                    counts[pid] = counts.get(pid, 0.0) + value
        return counts

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


@pytest.fixture
def gunicorn(database_uri, tmp_path, make_app):
    make_app()  # empties the test database; the server below serves it
    log = tmp_path / "gunicorn.log"
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "MENTORAPP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(16),
        "PUBLIC_URL": "http://mentorapp.test",
        "DATABASE_URL": database_uri,
        "MENTORAPP_INSTANCE_PATH": str(tmp_path),
        "TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "MAIL_SERVER": "",
    }
    env.pop("LOG_FORMAT", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"),
                *("--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(f"http://127.0.0.1:{port}", log, metrics_dir, process)
    try:
        _wait_until_both_workers_answer(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_both_workers_answer(server: Gunicorn) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{server.log.read_text()[-3000:]}")
        try:
            server.get("/readyz")
        except OSError:
            time.sleep(0.1)
            continue
        if len(server.log_lines()) >= 2 or time.monotonic() > deadline - 50:
            return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start:\n{server.log.read_text()[-3000:]}")


def _hit_healthz(server: Gunicorn, times: int) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: server.get("/healthz")[0], range(times)))
    assert statuses == [200] * times


def test_metrics_add_up_every_worker(gunicorn):
    sent = 0
    for _ in range(10):  # until both workers have answered some (almost always at once)
        _hit_healthz(gunicorn, 40)
        sent += 40
        by_process = gunicorn.healthz_by_process()
        if len([count for count in by_process.values() if count]) >= 2:
            break
    by_process = gunicorn.healthz_by_process()
    assert len([count for count in by_process.values() if count]) == 2, by_process
    assert sum(by_process.values()) == sent
    # Whichever worker answers the scrape, it reports both workers' requests.
    assert [gunicorn.healthz_total() for _ in range(6)] == [sent] * 6

    # A worker killed outright: gunicorn starts another, and the counts it had stay.
    victim = max(by_process, key=by_process.get)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:
        try:
            if gunicorn.healthz_total() == sent:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the metrics did not come back after the kill"
        time.sleep(0.2)
    _hit_healthz(gunicorn, 10)
    assert gunicorn.healthz_total() == sent + 10


def test_production_writes_one_json_line_per_request(gunicorn):
    status, _, headers = gunicorn.get("/", headers={"X-Request-ID": "gunicorn-test-1"})
    assert status == 200 and headers["X-Request-ID"] == "gunicorn-test-1"
    deadline = time.monotonic() + 5
    while True:
        mine = [
            line for line in gunicorn.log_lines() if line.get("request_id") == "gunicorn-test-1"
        ]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    (line,) = mine
    assert line["logger"] == "mentorapp.requests" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["user_id"] is None and line["duration_ms"] > 0
    assert line["time"].endswith("Z")
    # Each worker warned at start-up that memory:// counts per process.
    warnings = [
        line
        for line in gunicorn.log_lines()
        if line["level"] == "WARNING" and "memory://" in line["message"]
    ]
    assert len(warnings) == 2
