"""The dashboard's figures, kept in the database per span (a `DashboardSnapshot`): the
page and its charts (each an image the browser asks for) read one row, so the page
takes the same few milliseconds with 100 people or 100,000.

Figures are worked out by a task (insights.tasks): every few minutes for the span the
dashboard opens on, and whenever someone looks at a span whose figures are older than
FRESH. Meanwhile the page shows the figures it has, saying when they were worked out.
A span nobody looked at before is worked out in the request, once: an admin picking
dates wants their figures now rather than a page that says "come back"."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from mentorapp import tasks
from mentorapp.extensions import db
from mentorapp.insights import figures
from mentorapp.insights.figures import Chart, Span
from mentorapp.models import DashboardSnapshot
from mentorapp.models.types import utcnow

FRESH = timedelta(minutes=5)
LEASE = timedelta(minutes=10)  # a refresh on the queue longer than this is tried again
FORGOTTEN = timedelta(days=30)  # a span nobody looked at for this long is dropped


@dataclass(frozen=True)
class Figures:
    charts: list[Chart]
    computed_at: datetime
    refreshing: bool  # newer figures are being worked out


def _stored(charts: list[Chart]) -> list[dict]:
    return [dataclasses.asdict(chart) for chart in charts]


def _read(rows: list[dict]) -> list[Chart]:
    return [
        Chart(
            **{
                **row,
                "labels": tuple(row["labels"]),
                "series": tuple((name, tuple(values)) for name, values in row["series"]),
            }
        )
        for row in rows
    ]


def _snapshot(span: Span) -> DashboardSnapshot | None:
    return db.session.scalar(select(DashboardSnapshot).where(DashboardSnapshot.scope == span.scope))


def work_out(span: Span, now: datetime | None = None) -> DashboardSnapshot:
    """Work the span's figures out afresh and keep them (the task, and a first look)."""
    now = now or utcnow()
    charts = _stored(figures.dashboard(span, now))
    snapshot = _snapshot(span)
    if snapshot is None:
        snapshot = DashboardSnapshot(scope=span.scope, viewed_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(snapshot)
                db.session.flush()
        except IntegrityError:  # two first looks at once: the other row is as good
            snapshot = _snapshot(span)
    snapshot.charts, snapshot.computed_at, snapshot.refresh_since = charts, now, None
    return snapshot


def _ask_for_refresh(snapshot: DashboardSnapshot, now: datetime) -> bool:
    """Put one refresh of the snapshot on the queue (not when one is on it already)."""
    from mentorapp.insights.tasks import refresh_figures

    taken = db.session.execute(
        update(DashboardSnapshot)
        .where(
            DashboardSnapshot.id == snapshot.id,
            or_(
                DashboardSnapshot.refresh_since.is_(None),
                DashboardSnapshot.refresh_since < now - LEASE,
            ),
        )
        .values(refresh_since=now, viewed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken:
        tasks.enqueue_after_commit(refresh_figures, snapshot.scope)
    return bool(taken)


def dashboard(span: Span, now: datetime | None = None) -> Figures:
    """The span's figures as kept; older than FRESH, a refresh is asked for."""
    now = now or utcnow()
    snapshot = _snapshot(span)
    if snapshot is None or snapshot.computed_at is None:
        snapshot = work_out(span, now)
        return Figures(_read(snapshot.charts), snapshot.computed_at, False)
    refreshing = snapshot.refresh_since is not None
    if now - snapshot.computed_at >= FRESH:
        refreshing = _ask_for_refresh(snapshot, now) or refreshing
    elif now - snapshot.viewed_at > timedelta(days=1):
        snapshot.viewed_at = now
    return Figures(_read(snapshot.charts), snapshot.computed_at, refreshing)


def chart(span: Span, key: str) -> Chart | None:
    """One chart of the span as kept (None before its figures were ever worked out)."""
    snapshot = _snapshot(span)
    if snapshot is None:
        return None
    return next((c for c in _read(snapshot.charts) if c.key == key), None)


def refresh(scope: str, now: datetime | None = None) -> None:
    """The task's work: the span's figures afresh."""
    work_out(Span.of_scope(scope), now)


def forget_unviewed(now: datetime | None = None) -> int:
    """Drop the figures of spans nobody looked at for FORGOTTEN."""
    now = now or utcnow()
    return db.session.execute(
        delete(DashboardSnapshot).where(DashboardSnapshot.viewed_at < now - FORGOTTEN)
    ).rowcount


def forget() -> None:
    """Drop every kept figure (after changing the data behind them, as tests do)."""
    db.session.execute(delete(DashboardSnapshot))
