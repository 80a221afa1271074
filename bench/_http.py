"""Serving the app with gunicorn and talking to it over HTTP, for the bench scripts.

Shared by the bench scripts (its name starts with an underscore, so `make bench` does
not run it on its own).
"""

from __future__ import annotations

import http.cookies
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1234"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: keeps cookies (Secure ones too, over plain HTTP)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        started = time.perf_counter()
        try:
            response = self.opener.open(req)
        except urllib.error.HTTPError as error:
            response = error
        content = response.read().decode()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, content, elapsed

    def log_in(self, email: str) -> None:
        _, page, _ = self.request("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, page, _ = self.request(
            "/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        errors = re.sub(r"<[^>]+>|\s+", " ", page[page.find("<main") :])[:400]
        assert status == 302, f"login failed for {email} ({status}): {errors}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def serve(
    database_url: str, port: int, workers: int = 2, output=None, extra_env: dict | None = None
) -> subprocess.Popen:
    """gunicorn on the port, in production mode; its output (the app's log) to `output`."""
    env = {
        **os.environ,
        "MENTORAPP_ENV": "production",
        "SECRET_KEY": "bench",
        "PUBLIC_URL": "http://bench.invalid",
        "DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


def timed(browser: Browser, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        status, _, elapsed = browser.request(path)
        assert status == 200, f"{path} answered {status}"
        times.append(elapsed)
    return times


def postgres_database(name: str) -> str | None:
    """A fresh, empty database of that name on the local server, or None without one."""
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as error:  # any failure means: no PostgreSQL here
        print(f"PostgreSQL: skipped ({type(error).__name__}: {error})\n")
        return None
    return f"{PG_SERVER}/{name}"


def use_database(database_url: str) -> None:
    """The environment every bench's app starts from: production settings on this
    database (create_app reads them when it is called)."""
    os.environ.update(
        MENTORAPP_ENV="production",
        SECRET_KEY="bench",
        PUBLIC_URL="http://bench.invalid",
        DATABASE_URL=database_url,
    )


def adult_who_accepted() -> dict:
    """User fields of an adult who accepted the current code of conduct, so a bench
    login goes straight to the page measured, not to the code-of-conduct question."""
    from datetime import UTC, date, datetime

    from mentorapp.trust.conduct import CONDUCT_VERSION

    return {
        "date_of_birth": date(1990, 1, 1),
        "conduct_version": CONDUCT_VERSION,
        "conduct_accepted_at": datetime.now(UTC),
    }
