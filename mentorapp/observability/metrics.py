"""Prometheus metrics: requests, tasks, emails, the queue.

With several gunicorn workers each process keeps its own counts; prometheus_client's
multi-process mode (`PROMETHEUS_MULTIPROC_DIR`, set before the app is imported, as
`gunicorn.conf.py` does) writes them to files in that directory, and `/metrics`, whichever
worker answers, adds them up. Task workers that share the directory are added in too.
Without the variable, one process and its own registry.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "CONTENT_TYPE_LATEST",
    "count_email",
    "may_read_metrics",
    "observe_request",
    "observe_task",
    "parse_allow_list",
    "render",
]

# Latency buckets for pages: most answer in milliseconds, a slow one in seconds.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800)

HTTP_REQUESTS = Counter(
    "mentorapp_http_requests",
    "Requests answered, by URL rule (never the raw path), method and status.",
    ["endpoint", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "mentorapp_http_request_duration_seconds",
    "Time from the start of a request to its response, by URL rule, method and status.",
    ["endpoint", "method", "status"],
    buckets=REQUEST_BUCKETS,
)
TASKS = Counter(
    "mentorapp_tasks",
    "Task runs by task name and outcome (succeeded, failed, retrying, ...).",
    ["task", "outcome"],
)
TASK_LATENCY = Histogram(
    "mentorapp_task_duration_seconds",
    "How long a task run took, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)
EMAILS = Counter(
    "mentorapp_emails",
    "Emails handed to the mail server (sent) or refused by it or unreachable (failed).",
    ["outcome"],
)

EMAIL_OUTCOMES = ("sent", "failed")


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    labels = (endpoint, method, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_LATENCY.labels(*labels).observe(seconds)


def observe_task(name: str, outcome: str, seconds: float | None) -> None:
    TASKS.labels(name, outcome).inc()
    if seconds is not None:
        TASK_LATENCY.labels(name).observe(seconds)


def count_email(outcome: str, how_many: int = 1) -> None:
    """Count emails `sent` or `failed` (one attempt at the mail server each)."""
    if outcome not in EMAIL_OUTCOMES:
        raise ValueError(f"An email is {' or '.join(EMAIL_OUTCOMES)}, not {outcome!r}.")
    if how_many:
        EMAILS.labels(outcome).inc(how_many)


class _QueueCollector:
    """Asks the queue at scrape time: a gauge kept per process would go stale."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from mentorapp import tasks

        depth = tasks.queue_depth()
        scheduled = tasks.scheduled_count() if hasattr(tasks, "scheduled_count") else -1
        reachable = GaugeMetricFamily(
            "mentorapp_queue_reachable", "1 when the task queue's storage answers."
        )
        reachable.add_metric([], 1 if depth >= 0 else 0)
        yield reachable
        if depth >= 0:
            yield GaugeMetricFamily(
                "mentorapp_queue_depth", "Tasks waiting to be picked up.", value=depth
            )
        if scheduled >= 0:
            yield GaugeMetricFamily(
                "mentorapp_queue_scheduled",
                "Tasks waiting for their time (retries with backoff, delayed work).",
                value=scheduled,
            )


def render() -> bytes:
    """The exposition text for every process of this service."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
    else:
        registry = REGISTRY
    live = CollectorRegistry()
    live.register(_QueueCollector())  # type: ignore[arg-type]
    return generate_latest(registry) + generate_latest(live)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow_list(raw: str | Iterable[str]) -> list[Network]:
    """`"127.0.0.1, ::1, 10.0.0.0/8"` into networks; a bad entry stops the start-up."""
    items = raw.split(",") if isinstance(raw, str) else raw
    networks = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(f"METRICS_ALLOW: {item!r} is not an IP address or network.") from error
    return networks


def may_read_metrics(
    remote_addr: str | None,
    authorization: str | None,
    allowed: list[Network],
    token: str,
) -> bool:
    """From an allowed address, or with `Authorization: Bearer <METRICS_TOKEN>`."""
    if token and authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return True
    if not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in allowed)
