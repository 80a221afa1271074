"""The dashboard's figures, kept a minute per process: the page and its charts (each
an image the browser asks for) read the same figures once, not nine times."""

from __future__ import annotations

import time
from datetime import datetime

from mentorapp.insights import figures
from mentorapp.insights.figures import Chart, Span

KEEP_SECONDS = 60.0
_kept: dict[Span, tuple[float, list[Chart]]] = {}


def dashboard(span: Span, now: datetime) -> list[Chart]:
    clock = time.monotonic()
    kept = _kept.get(span)
    if kept is not None and clock - kept[0] < KEEP_SECONDS:
        return kept[1]
    charts = figures.dashboard(span, now)
    for old in [s for s, (at, _) in _kept.items() if clock - at >= KEEP_SECONDS]:
        del _kept[old]
    _kept[span] = (clock, charts)
    return charts


def forget() -> None:
    """Drop what is kept (tests, after changing the data)."""
    _kept.clear()


def chart(span: Span, now: datetime, key: str) -> Chart | None:
    return next((c for c in dashboard(span, now) if c.key == key), None)
