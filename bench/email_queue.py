"""Email on the task queue, measured from outside: gunicorn serving the app, a separate
`flask worker` process delivering, a local SMTP server that is down, hangs, or comes
back, and a Redis of our own that we stop and start. About 3 minutes.

1. The time a request spends queuing an email, with SMTP down and with SMTP hanging
   (the worker waits MAIL_TIMEOUT=5 s on each try; the requests must not).
2. 200 emails queued with SMTP down; SMTP back after the outage: all delivered, none
   twice. The backoff runs 60 times faster than in production (MAIL_RETRY_DELAYS=1,5,
   30,120,720 instead of 1 min, 5 min, 30 min, 2 h, 12 h) and the outage lasts 10 s for
   10 minutes.
3. TASK_QUEUE_URL=redis:// on a redis-server of our own (no persistence, so a restart
   loses whatever it held): Redis stopped for 15 s while pages are asked for and emails
   queued; how pages answered, what /readyz said, and how long after Redis returned
   every email queued during the outage was delivered (the sweep re-enqueues them).

Everything listens on free ports of 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _http import postgres_database  # noqa: E402

from tests.mailservers import Inbox, SilentServer, SmtpServer, free_port  # noqa: E402

BIN = Path(sys.executable).parent
SCALED_DELAYS = "1,5,30,120,720"  # 1 min, 5 min, 30 min, 2 h, 12 h divided by 60


def ms(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.2f} / {p95:.2f}"


class Site:
    """A fresh SQLite database, gunicorn (bench/_email_wsgi.py) and one task worker."""

    def __init__(self, tmp: Path, name: str, database_url: str | None = None, **env: str):
        self.instance = tmp / name
        self.instance.mkdir()
        self.db_path = self.instance / "mentorapp.sqlite3"
        self.database_url = database_url or f"sqlite:///{self.db_path}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MENTORAPP_ENV": "production",
            "SECRET_KEY": "bench-email-queue",
            "PUBLIC_URL": "http://bench.invalid",
            "MENTORAPP_INSTANCE_PATH": str(self.instance),
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "WARNING",
            "MAIL_USE_TLS": "false",
            **env,
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True
        )
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "1",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "bench._email_wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.worker_log = open(self.instance / "worker.log", "w")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [*flask, "worker", "--workers", "4"],
            cwd=ROOT,
            env=self.env,
            stdout=self.worker_log,
            stderr=subprocess.STDOUT,
        )
        self._wait_up()

    def _wait_up(self) -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def request(self, path: str, data: dict | None = None) -> tuple[int, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, data=body, timeout=30) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        return status, (time.perf_counter() - started) * 1000

    def queue_email(self, to: str) -> tuple[int, float]:
        return self.request("/bench/queue-email", {"to": to})

    def server_times(self) -> list[tuple[float, float]]:
        with urllib.request.urlopen(self.base + "/bench/times", timeout=10) as response:
            return [tuple(t) for t in json.loads(response.read())["times"]]

    def outbox(self) -> dict[str, int]:
        query = (
            "SELECT count(*), count(sent_at), count(failed_at), max(attempts) FROM outbound_emails"
        )
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.db_path, timeout=10) as conn:
                row = conn.execute(query).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                row = conn.execute(query).fetchone()
        return dict(zip(("queued", "sent", "failed", "most_tries"), row, strict=True))

    def stop(self) -> None:
        for process in (self.web, self.worker):
            process.terminate()
        for process in (self.web, self.worker):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.worker_log.close()


def part_one(tmp: Path) -> list[tuple[str, ...]]:
    rows = _part_one(tmp, "SQLite, SQLite queue", None, {})
    if postgres_database("bench_email_queue") and shutil.which("redis-server"):
        redis_port = free_port()
        redis = start_redis(redis_port)
        try:
            queue = {"TASK_QUEUE_URL": f"redis://127.0.0.1:{redis_port}/0"}
            rows += _part_one(tmp, "PostgreSQL, Redis queue", postgres_database, queue)
        finally:
            redis.terminate()
            redis.wait(10)
    return rows


def _part_one(tmp: Path, setup: str, databases, env: dict) -> list[tuple[str, ...]]:
    rows = []
    silent = SilentServer()
    try:
        for label, port in (("SMTP down", free_port()), ("SMTP hanging", silent.port)):
            site = Site(
                tmp,
                f"{setup}-{label}".replace(" ", "-").replace(",", ""),
                databases(f"bench_email_queue_{len(rows)}") if databases else None,
                MAIL_SERVER="127.0.0.1",
                MAIL_PORT=str(port),
                MAIL_TIMEOUT="5",
                **env,
            )
            try:
                for n in range(20):  # warm up
                    site.queue_email(f"warm{n}@bench.invalid")
                site.server_times()
                # Back to back (the worker as busy as the site), then paced at 20 a
                # second (a busy afternoon rather than a flood).
                for pace, pause in (("back to back", 0.0), ("20 a second", 0.05)):
                    client = []
                    for n in range(300):
                        status, took = site.queue_email(f"p{pace[0]}{n}@bench.invalid")
                        assert status == 200, status
                        client.append(took)
                        time.sleep(max(0.0, pause - took / 1000))
                    server = site.server_times()
                    page = [site.request("/login")[1] for _ in range(50)]
                    rows.append(
                        (
                            f"{setup}, {label}, {pace}",
                            ms([q + e for q, e in server]),
                            ms([q for q, _ in server]),
                            ms([e for _, e in server]),
                            ms(client),
                            ms(page),
                        )
                    )
            finally:
                site.stop()
    finally:
        silent.stop()
    return rows


def part_two(tmp: Path) -> dict:
    smtp_port = free_port()
    inbox = Inbox()
    smtp = SmtpServer(inbox, port=smtp_port)
    site = Site(
        tmp,
        "outage",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_TIMEOUT="5",
        MAIL_RETRY_DELAYS=SCALED_DELAYS,
    )
    try:
        started = time.monotonic()
        for n in range(200):
            status, _ = site.queue_email(f"r{n}@bench.invalid")
            assert status == 200
        queued_in = time.monotonic() - started
        time.sleep(max(0.0, 10 - queued_in))  # "10 minutes" of outage, scaled
        during = site.outbox()
        smtp.start()
        back = time.monotonic()
        deadline = back + 180
        while site.outbox()["sent"] < 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        done_after = time.monotonic() - back
        time.sleep(3)  # anything sent twice would arrive by now
        counts = Counter(inbox.recipients())
        return {
            "queued": 200,
            "sent while down": during["sent"],
            "delivered": len(counts),
            "sent twice": sum(1 for c in counts.values() if c > 1),
            "after SMTP came back (s)": round(done_after, 1),
            "most tries of an email": site.outbox()["most_tries"],
        }
    finally:
        site.stop()
        smtp.stop()


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        if (
            subprocess.run(
                [shutil.which("redis-cli") or "redis-cli", "-p", str(port), "ping"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            == "PONG"
        ):
            return process
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def part_three(tmp: Path) -> dict:
    if shutil.which("redis-server") is None:
        return {"skipped": "no redis-server (apt-get install redis-server)"}
    redis_port = free_port()
    redis = start_redis(redis_port)
    inbox = Inbox()
    smtp = SmtpServer(inbox).start()
    site = Site(
        tmp,
        "redis",
        TASK_QUEUE_URL=f"redis://127.0.0.1:{redis_port}/0",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        MAIL_RETRY_DELAYS=SCALED_DELAYS,
    )
    try:
        for n in range(20):
            site.queue_email(f"before{n}@bench.invalid")
        deadline = time.monotonic() + 30
        while site.outbox()["sent"] < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        redis.terminate()
        redis.wait(10)
        pages, queued, readyz = [], [], Counter()
        n = 0
        stop_at = time.monotonic() + 15
        while time.monotonic() < stop_at:
            pages.append(site.request("/login"))
            queued.append(site.queue_email(f"during{n}@bench.invalid"))
            readyz[site.request("/readyz")[0]] += 1
            n += 1
            time.sleep(0.05)
        redis = start_redis(redis_port)
        back = time.monotonic()
        deadline = back + 180
        total = 20 + n
        while site.outbox()["sent"] < total and time.monotonic() < deadline:
            time.sleep(0.2)
        done_after = time.monotonic() - back
        time.sleep(2)
        counts = Counter(inbox.recipients())
        return {
            "pages asked during the outage": len(pages),
            "pages that answered 200": sum(1 for s, _ in pages if s == 200),
            "page median / p95 (ms)": ms([t for _, t in pages]),
            "emails queued during the outage": n,
            "queue requests that answered 200": sum(1 for s, _ in queued if s == 200),
            "queue request median / p95 (ms)": ms([t for _, t in queued]),
            "/readyz answers": dict(readyz),
            "all delivered after Redis came back (s)": round(done_after, 1),
            "delivered": f"{len(counts)} of {total}",
            "sent twice": sum(1 for c in counts.values() if c > 1),
        }
    finally:
        site.stop()
        smtp.stop()
        redis.terminate()
        redis.wait(10)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-email-"))
    try:
        print(
            "1. Time a request spends queuing an email (ms, median / p95; 300 requests "
            "each, gunicorn 1 worker x 4 threads, `flask worker` with 4 threads)\n"
        )
        print(
            "| database, queue, SMTP, pace | queuing (the two together) | queue_email (render, "
            "insert) | enqueue after commit | whole request (client) | GET /login meanwhile |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for row in part_one(tmp):
            print("| " + " | ".join(row) + " |")
        print(
            "\n2. 200 emails queued with SMTP down for '10 minutes' (10 s; backoff x60 "
            f"faster: MAIL_RETRY_DELAYS={SCALED_DELAYS})\n"
        )
        print("| | |\n| --- | ---: |")
        for key, value in part_two(tmp).items():
            print(f"| {key} | {value} |")
        print("\n3. TASK_QUEUE_URL=redis://, Redis stopped for 15 s (and restarted empty)\n")
        print("| | |\n| --- | ---: |")
        for key, value in part_three(tmp).items():
            print(f"| {key} | {value} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
