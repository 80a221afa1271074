"""`/healthz`, `/readyz` and `/metrics`: for load balancers, orchestrators and Prometheus.

None of them touches the session (no cookie is read or set), the rate limits or CSRF;
`/healthz` does not touch the database either.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from mentorapp.extensions import csrf, db, limiter
from mentorapp.observability import health, metrics

bp = Blueprint("observability", __name__)
csrf.exempt(bp)
limiter.exempt(bp)

# Paths served without a session (see SessionlessPaths).
PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process answers. Nothing else is asked: a database outage must not make an
    orchestrator restart every web worker."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    """Ready for traffic: the database and the queue answer, and the suggestions' arrays
    are loaded (gunicorn builds them before a worker's first request). The limiter's storage
    is reported but not required (it falls back to counting in memory)."""
    config = current_app.config
    checks = {
        "database": health.database_check(
            db.engine, float(config["SQLITE_BUSY_TIMEOUT_MS"]) / 1000
        ),
        "queue": health.queue_check(),
        "matching": health.matching_check(
            current_app.extensions["candidate_index"],
            current_app._get_current_object(),  # type: ignore[attr-defined]
        ),
        "rate_limit_storage": health.rate_limit_state(
            limiter, bool(config["RATELIMIT_ENABLED"]), str(config["RATELIMIT_STORAGE_URI"])
        ),
    }
    ready, results, failed = health.readiness(
        checks,
        required={"database", "queue", "matching"},
        deadline=float(config["READYZ_TIMEOUT"]),
        needs={"matching": "database"},
    )
    body = {"status": "ok" if ready else "unavailable", "checks": results}
    if failed:
        body["failed"] = failed
    response = _no_store(jsonify(body))
    response.status_code = 200 if ready else 503
    return response


@bp.get("/metrics")
def prometheus_metrics():
    """Only for the addresses in METRICS_ALLOW or with the bearer token; everyone else
    sees the same 404 as for a page that does not exist."""
    config = current_app.config
    if not metrics.may_read_metrics(
        request.remote_addr,
        request.headers.get("Authorization"),
        config["METRICS_ALLOW_NETWORKS"],
        config["METRICS_TOKEN"],
    ):
        abort(404)
    response = current_app.response_class(metrics.render(), mimetype=None)
    response.headers["Content-Type"] = metrics.CONTENT_TYPE_LATEST
    return _no_store(response)
