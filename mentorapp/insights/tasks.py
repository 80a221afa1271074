"""Background work of the programme dashboard: its figures, worked out off the page."""

from __future__ import annotations

from mentorapp import tasks
from mentorapp.extensions import db


@tasks.task(retries=1, retry_delay=30)
def refresh_figures(scope: str) -> None:
    """The figures of one span afresh (someone looked at figures grown old)."""
    from mentorapp.insights.services import refresh

    refresh(scope)
    db.session.commit()


@tasks.periodic_task(tasks.crontab(minute="*/5"))
def keep_figures_fresh() -> None:
    """Every five minutes: the span the dashboard opens on, so the first admin of the
    day sees figures at most five minutes old; spans nobody looked at for a month go."""
    from mentorapp.insights.figures import default_span
    from mentorapp.insights.services import forget_unviewed, work_out
    from mentorapp.models.types import utcnow

    work_out(default_span(utcnow().date()))
    forget_unviewed()
    db.session.commit()
