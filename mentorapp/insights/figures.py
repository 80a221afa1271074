"""How the programme is doing, as figures for the admin's dashboard: each one a few
aggregate queries in SQL (nothing loads the people themselves), returned as a `Chart`
of plain labels and series that the page draws and tabulates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import Integer, and_, case, cast, func, or_, select

from mentorapp.apprenticeships.services import AUTO_REASONS, DECLINE_REASONS
from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    Archetype,
    CohortMember,
    Listing,
    ListingEdit,
    ListingFlag,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorApplication,
    MentorProfile,
    Place,
    Specialty,
    User,
    mentor_archetypes,
    mentor_specialties,
)
from mentorapp.models.apprenticeship import EXPIRED_REASON, State
from mentorapp.models.listing import Review
from mentorapp.places.gazetteer import distances_km

DAY = 86_400.0
# Whoever was accepted once: running, completed, or ended after it began.
TOOK_PLACE = (State.ACCEPTED, State.COMPLETED, State.ENDED)


@dataclass(frozen=True)
class Chart:
    """One figure: `labels` along one axis, each series a value per label."""

    key: str  # its address: /admin/charts/<key>.svg
    title: str
    summary: str  # what it shows, in a sentence, for everyone (and screen readers)
    kind: str  # "bar", "stacked", "line" or "hbar"
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # None: no value
    unit: str = ""  # what a value counts
    across: str = ""  # what the labels are, for the table's first column

    @property
    def empty(self) -> bool:
        return not any(any(v for v in values if v) for _, values in self.series)

    def rows(self) -> list[tuple[str, tuple[float | None, ...]]]:
        """The data table: one row per label, a value per series."""
        columns = [values for _, values in self.series]
        return [(label, tuple(c[i] for c in columns)) for i, label in enumerate(self.labels)]


@dataclass(frozen=True)
class Span:
    """The dashboard's dates, both days included, in UTC; with a cohort, only its
    members and the invitations it sent."""

    since: date
    until: date
    cohort_id: int | None = None

    @property
    def scope(self) -> str:
        """The span as a short key (its snapshot's): '2026-06-01:2026-12-01:all'."""
        return f"{self.since.isoformat()}:{self.until.isoformat()}:{self.cohort_id or 'all'}"

    @classmethod
    def of_scope(cls, scope: str) -> Span:
        since, until, cohort = scope.split(":")
        return cls(
            date.fromisoformat(since),
            date.fromisoformat(until),
            None if cohort == "all" else int(cohort),
        )

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, UTC)

    @property
    def end(self) -> datetime:  # exclusive
        return datetime.combine(self.until + timedelta(days=1), time.min, UTC)

    @property
    def step_days(self) -> int:
        """Weeks up to half a year, months (30 days) past it."""
        return 7 if (self.until - self.since).days <= 190 else 30

    def buckets(self) -> list[datetime]:
        """The start of each week (or month) in the span."""
        step, first = timedelta(days=self.step_days), self.start
        count = math.ceil((self.end - first) / step)
        return [first + step * i for i in range(count)]

    @property
    def per(self) -> str:
        return "week" if self.step_days == 7 else "month"

    def bucket_label(self, start: datetime) -> str:
        return f"{start:%d %b}" if self.step_days == 7 else f"{start:%b %Y}"


def default_span(today: date) -> Span:
    return Span(today - timedelta(days=181), today)


def _seconds(column):
    """A timestamp as seconds since 1970, in SQL, on either database."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * DAY


def _floor(value):
    """floor() in SQL: SQLite has none built in (SQLAlchemy's stand-in is a Python call
    per row), so there a cast that truncates, one less for a negative fraction."""
    if db.engine.dialect.name == "postgresql":
        return func.floor(value)
    whole = cast(value, Integer)
    return whole - case((value < whole, 1), else_=0)


def _bucket(column, span: Span):
    """Which week (or month) of the span a timestamp falls in, as 0, 1, ..."""
    start = span.start.timestamp()
    # NULL stays NULL without calling floor (SQLAlchemy's floor on SQLite is Python's).
    return case(
        (column.is_(None), None),
        else_=_floor((_seconds(column) - start) / (span.step_days * DAY)),
    )


def _per_bucket(rows, span: Span, columns: int) -> list[list[float]]:
    """(bucket, value, value...) rows into one list per column, every bucket present."""
    count = len(span.buckets())
    out = [[0.0] * count for _ in range(columns)]
    for bucket, *values in rows:
        if bucket is not None and 0 <= int(bucket) < count:
            for i, value in enumerate(values):
                out[i][int(bucket)] = float(value or 0)
    return out


def _members(cohort_id: int, side: str | None = None):
    query = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
    return query.where(CohortMember.side == side) if side else query


def _among(column, cohort_id: int | None, side: str | None = None) -> list:
    """The condition that keeps a cohort's members (none without a cohort)."""
    return [] if cohort_id is None else [column.in_(_members(cohort_id, side))]


def signups(span: Span) -> Chart:
    bucket = _bucket(User.created_at, span).label("bucket")
    rows = db.session.execute(
        select(
            bucket,
            func.count(User.id).filter(User.is_mentor.is_(True)),
            func.count(User.id).filter(User.is_mentee.is_(True)),
        )
        .where(
            User.created_at >= span.start,
            User.created_at < span.end,
            *_among(User.id, span.cohort_id),
        )
        .group_by(bucket)
    )
    mentors, mentees = _per_bucket(rows, span, 2)
    per = span.per
    return Chart(
        "signups",
        f"Sign-ups per {per}",
        f"{int(sum(mentors)):,} mentors and {int(sum(mentees)):,} apprentices signed up "
        f"between {span.since:%d %B %Y} and {span.until:%d %B %Y}.",
        "bar",
        tuple(span.bucket_label(b) for b in span.buckets()),
        (("Mentors", tuple(mentors)), ("Apprentices", tuple(mentees))),
        "people",
        f"{per.capitalize()} of",
    )


def _of_cohort(span: Span) -> list:
    """A cohort's own apprenticeships: those its invitations began."""
    return [] if span.cohort_id is None else [Apprenticeship.cohort_id == span.cohort_id]


def _made_in(span: Span):
    return and_(
        Apprenticeship.created_at >= span.start,
        Apprenticeship.created_at < span.end,
        *_of_cohort(span),
    )


def request_outcomes(span: Span) -> Chart:
    """How the requests and invitations made in the span ended."""
    rows = db.session.execute(
        select(Apprenticeship.state, Apprenticeship.reason, func.count(Apprenticeship.id))
        .where(_made_in(span))
        .group_by(Apprenticeship.state, Apprenticeship.reason)
    ).all()
    counts: dict[str, int] = {}
    for state, reason, count in rows:
        if state in TOOK_PLACE:
            name = "Accepted"
        elif state == State.DECLINED and reason == EXPIRED_REASON:
            name = "Expired without an answer"
        elif state == State.DECLINED:
            why = DECLINE_REASONS.get(reason) or AUTO_REASONS.get(reason) or "no reason given"
            name = f"Declined: {why[0].lower()}{why[1:]}"
        elif state == State.WITHDRAWN:
            name = "Withdrawn"
        else:
            name = "Still waiting for an answer"
        counts[name] = counts.get(name, 0) + count
    order = sorted(counts, key=lambda n: (-counts[n], n))
    total = sum(counts.values())
    accepted = counts.get("Accepted", 0)
    share = f"{accepted / total:.0%}" if total else "none"
    return Chart(
        "requests",
        "How requests ended",
        f"{total:,} requests and invitations were made in these dates; {share} were accepted.",
        "hbar",
        tuple(order),
        (("Requests", tuple(float(counts[n]) for n in order)),),
        "requests",
        "Outcome",
    )


def answer_times(span: Span) -> Chart:
    """The median days from a request to its answer (accepted or declined by a person),
    per week or month of the request: the database counts answers per hour waited, and
    the median is read off those counts (exact to the hour), so no answer is loaded."""
    hours = _floor(
        (_seconds(Apprenticeship.decided_at) - _seconds(Apprenticeship.created_at)) / 3600
    ).label("hours")
    bucket = _bucket(Apprenticeship.created_at, span).label("bucket")
    counted = db.session.execute(
        select(bucket, hours, func.count(Apprenticeship.id))
        .where(
            _made_in(span),
            Apprenticeship.decided_at.is_not(None),
            or_(
                Apprenticeship.state.in_(TOOK_PLACE),
                and_(
                    Apprenticeship.state == State.DECLINED,
                    Apprenticeship.reason.in_(tuple(DECLINE_REASONS)),
                ),
            ),
        )
        .group_by(bucket, hours)
    ).all()
    histograms: dict[int, dict[float, int]] = {}
    for b, h, count in counted:
        if b is not None and h is not None:
            histograms.setdefault(int(b), {})[float(h)] = count
    rows = [
        (b, _median(histogram) / 24, sum(histogram.values())) for b, histogram in histograms.items()
    ]
    [days] = _per_bucket(((b, d) for b, d, _ in rows), span, 1)
    answered_in = {int(b) for b, _, _ in rows if b is not None}
    # A period without an answer has no median: a gap, not zero days.
    days = [round(d, 1) if i in answered_in else None for i, d in enumerate(days)]
    answers = sum(int(of) for _, _, of in rows)
    known = [d for d in days if d is not None]
    summary = (
        f"Over {answers:,} answers, the median per period ranged from "
        f"{min(known):.1f} to {max(known):.1f} days."
        if known
        else "No request made in these dates has been answered yet."
    )
    return Chart(
        "answers",
        "Median days to a first answer",
        summary,
        "line",
        tuple(span.bucket_label(b) for b in span.buckets()),
        (("Median days", tuple(days)),),
        "days",
        f"Requests made in the {span.per} of",
    )


def _median(histogram: dict[float, int]) -> float:
    """The median of values given as value -> how many times (the two middle ones' mean
    when the count is even)."""
    values = sorted(histogram)
    total = sum(histogram.values())
    wanted = [(total - 1) // 2, total // 2]  # positions of the middle one or two
    found, seen = [], 0
    for value in values:
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return sum(found) / len(found)


def apprenticeships_per_period(span: Span) -> Chart:
    """Apprenticeships running at the end of each period, and completed within it."""
    starts = span.buckets()
    periods = len(starts)
    # One count per (period it began in, period it ended in): running at the end of
    # period k began by k and ended after it (before the span: below 0; not ended: None).
    began = _bucket(Apprenticeship.decided_at, span).label("began")
    ended = _bucket(Apprenticeship.ended_at, span).label("ended")
    done = (Apprenticeship.state == State.COMPLETED).label("done")
    rows = db.session.execute(
        select(began, ended, done, func.count(Apprenticeship.id))
        .where(
            Apprenticeship.state.in_(TOOK_PLACE),
            Apprenticeship.decided_at < span.end,
            or_(Apprenticeship.ended_at.is_(None), Apprenticeship.ended_at >= span.start),
            *_of_cohort(span),
        )
        .group_by(began, ended, done)
    ).all()
    now_running, finished = [0.0] * periods, [0.0] * periods
    for start, end, completed, count in rows:
        first = max(int(start), 0)
        last = periods if end is None else min(int(end), periods)  # running before `last`
        for k in range(first, last):
            now_running[k] += count
        if completed and end is not None and 0 <= int(end) < periods:
            finished[int(end)] += count
    per = span.per
    return Chart(
        "apprenticeships",
        f"Apprenticeships running and completed per {per}",
        f"{int(now_running[-1]) if now_running else 0:,} running at the end of the span; "
        f"{int(sum(finished)):,} completed in these dates.",
        "bar",
        tuple(span.bucket_label(b) for b in starts),
        (("Running at the end", tuple(now_running)), ("Completed", tuple(finished))),
        "apprenticeships",
        f"{per.capitalize()} of",
    )


def _vetted_mentors():
    return select(MentorApplication.user_id).where(MentorApplication.vetted_at.is_not(None))


def _free_places():
    free = MentorProfile.capacity - MentorProfile.apprentice_count
    return func.sum(case((and_(MentorProfile.accepting.is_(True), free > 0), free), else_=0))


def supply_and_demand(kind: str, cohort_id: int | None = None, limit: int = 12) -> Chart:
    """Per archetype (or specialty): apprentices who want it, mentors who teach it, and
    those mentors' free places (of the cohort's members, with a cohort). Specialties:
    the `limit` most wanted."""
    if kind == "archetypes":
        term, link, wants, want_key = Archetype, mentor_archetypes, MenteeAspiration, "archetype_id"
        term_key, order = "archetype_id", (Archetype.position,)
    else:
        term, link, wants, want_key = Specialty, mentor_specialties, MenteeWant, "specialty_id"
        term_key, order = "specialty_id", ()
    demand = dict(
        db.session.execute(
            select(getattr(wants, want_key), func.count(func.distinct(wants.mentee_id)))
            .join(User, User.id == wants.mentee_id)
            .where(User.suspended_at.is_(None), *_among(User.id, cohort_id, "mentee"))
            .group_by(getattr(wants, want_key))
        ).all()
    )
    supply = {
        term_id: (teachers, free or 0)
        for term_id, teachers, free in db.session.execute(
            select(link.c[term_key], func.count(link.c.mentor_id), _free_places())
            .join(MentorProfile, MentorProfile.user_id == link.c.mentor_id)
            .where(
                link.c.mentor_id.in_(_vetted_mentors()),
                *_among(link.c.mentor_id, cohort_id, "mentor"),
            )
            .group_by(link.c[term_key])
        ).all()
    }
    terms = db.session.execute(select(term.id, term.name).order_by(*order, term.name)).all()
    if kind != "archetypes":
        terms = sorted(terms, key=lambda t: (-demand.get(t.id, 0), t.name))[:limit]
    labels = tuple(t.name for t in terms)
    wanted = tuple(float(demand.get(t.id, 0)) for t in terms)
    teaching = tuple(float(supply.get(t.id, (0, 0))[0]) for t in terms)
    free = tuple(float(supply.get(t.id, (0, 0))[1]) for t in terms)
    short = [t.name for t, w, f in zip(terms, wanted, free, strict=True) if w > f]
    summary = (
        f"More apprentices want {', '.join(short[:3])} than there are free places for."
        if short
        else "Every one of these has at least as many free places as apprentices who want it."
    )
    return Chart(
        kind,
        f"Supply and demand per {'archetype' if kind == 'archetypes' else 'specialty'}",
        summary,
        "hbar",
        labels,
        (
            ("Apprentices who want it", wanted),
            ("Mentors who teach it", teaching),
            ("Free places", free),
        ),
        "people",
        "Archetype" if kind == "archetypes" else "Specialty",
    )


def _waiting_mentees():
    """Mentees with neither an open request nor a running apprenticeship."""
    busy = (
        select(Apprenticeship.id)
        .where(
            Apprenticeship.mentee_id == MenteeProfile.user_id,
            Apprenticeship.state.in_((State.REQUESTED, State.ACCEPTED)),
        )
        .exists()
    )
    return ~busy


def waiting_places(cohort_id: int | None = None, limit: int = 10, looked_at: int = 200) -> Chart:
    """The places with the most apprentices waiting and no mentor with a free place
    within their reach: in person within their travel radius, or remote when they
    work remotely. Of the `looked_at` places with most waiting, the worst `limit`. With a
    cohort: its apprentices, and any mentor (one outside the cohort may take them)."""
    groups = db.session.execute(
        select(
            MenteeProfile.place_id,
            MenteeProfile.travel_km,
            MenteeProfile.remote_ok,
            func.count(MenteeProfile.user_id),
        )
        .join(User, User.id == MenteeProfile.user_id)
        .where(
            MenteeProfile.place_id.is_not(None),
            User.suspended_at.is_(None),
            _waiting_mentees(),
            *_among(MenteeProfile.user_id, cohort_id, "mentee"),
        )
        .group_by(MenteeProfile.place_id, MenteeProfile.travel_km, MenteeProfile.remote_ok)
    ).all()
    per_place: dict[int, int] = {}
    for place_id, _, _, count in groups:
        per_place[place_id] = per_place.get(place_id, 0) + count
    busiest = set(sorted(per_place, key=lambda p: -per_place[p])[:looked_at])
    free = MentorProfile.capacity - MentorProfile.apprentice_count
    mentors = db.session.execute(
        select(Place.latitude, Place.longitude, MentorProfile.works_in_person)
        .join(Place, Place.id == MentorProfile.place_id)
        .where(
            MentorProfile.user_id.in_(_vetted_mentors()),
            MentorProfile.accepting.is_(True),
            free > 0,
        )
        .distinct()
    ).all()
    remote_free = db.session.scalar(
        select(func.count(MentorProfile.user_id)).where(
            MentorProfile.user_id.in_(_vetted_mentors()),
            MentorProfile.accepting.is_(True),
            MentorProfile.works_remotely.is_(True),
            free > 0,
        )
    )
    in_person = [(lat, lon) for lat, lon, person in mentors if person]
    lat = np.array([m[0] for m in in_person], dtype=float)
    lon = np.array([m[1] for m in in_person], dtype=float)
    places = {
        p.id: p
        for p in db.session.execute(
            select(Place.id, Place.name, Place.country, Place.latitude, Place.longitude).where(
                Place.id.in_(busiest)
            )
        )
    }
    nearest: dict[int, float] = {}
    for place_id, place in places.items():
        nearest[place_id] = (
            float(distances_km((place.latitude, place.longitude), lat, lon).min())
            if len(lat)
            else math.inf
        )
    stranded: dict[int, int] = {}
    for place_id, travel_km, remote_ok, count in groups:
        if place_id not in places:
            continue
        if (remote_ok and remote_free) or nearest[place_id] <= travel_km:
            continue
        stranded[place_id] = stranded.get(place_id, 0) + count
    worst = sorted(stranded, key=lambda p: (-stranded[p], places[p].name))[:limit]
    labels = tuple(f"{places[p].name}, {places[p].country}" for p in worst)
    summary = (
        f"{sum(stranded.values()):,} apprentices wait in places with no mentor within their "
        f"reach; most in {labels[0]}."
        if worst
        else "Every waiting apprentice has a mentor with a free place within reach."
    )
    return Chart(
        "waiting",
        "Where apprentices wait without a mentor in reach",
        summary,
        "hbar",
        labels,
        (("Apprentices waiting", tuple(float(stranded[p]) for p in worst)),),
        "apprentices",
        "Place",
    )


AGES = ((1, "under a day"), (3, "1 to 3 days"), (7, "3 to 7 days"), (14, "1 to 2 weeks"))


def queue_age(now: datetime) -> Chart:
    """How long the listing queue's items have waited, by section."""
    since = {
        "New listings": (Listing.submitted_at, Listing.state == Review.PENDING),
        "Edits": (ListingEdit.submitted_at, ListingEdit.state == Review.PENDING),
        "Flags": (ListingFlag.created_at, ListingFlag.resolved_at.is_(None)),
        "Re-checks due": (
            Listing.recheck_due_at,
            and_(
                Listing.state == Review.APPROVED,
                Listing.unpublished_at.is_(None),
                Listing.recheck_due_at <= now,
            ),
        ),
    }
    labels = (*(label for _, label in AGES), "over 2 weeks")
    series = []
    for name, (column, waiting) in since.items():
        days = (now.timestamp() - _seconds(column)) / DAY
        age = case(*((days < limit, i) for i, (limit, _) in enumerate(AGES)), else_=len(AGES))
        counts = dict(
            db.session.execute(
                select(age.label("age"), func.count()).where(waiting).group_by(age)
            ).all()
        )
        series.append((name, tuple(float(counts.get(i, 0)) for i in range(len(labels)))))
    total = int(sum(sum(values) for _, values in series))
    old = int(sum(values[-1] + values[-2] for _, values in series))
    return Chart(
        "queue",
        "How long the listing queue has waited",
        f"{total:,} items wait for an admin; {old:,} of them for more than a week.",
        "stacked",
        labels,
        tuple(series),
        "items",
        "Waiting for",
    )


def dashboard(span: Span, now: datetime) -> list[Chart]:
    return [
        signups(span),
        request_outcomes(span),
        answer_times(span),
        apprenticeships_per_period(span),
        supply_and_demand("archetypes", span.cohort_id),
        supply_and_demand("specialties", span.cohort_id),
        waiting_places(span.cohort_id),
        queue_age(now),
    ]
