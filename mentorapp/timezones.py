"""Times as a person reads them: in their own time zone.

Until a person can set a time zone, theirs is the zone of the city on their profile
(GeoNames gives each city one); visitors and people without a city read UTC, and every
time shown says which zone it is in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_request_context
from flask_login import current_user

from mentorapp.places.gazetteer import Gazetteer

UTC_ZONE = ZoneInfo("UTC")
DEFAULT_FORMAT = "%d %b %Y, %H:%M"


def zone_of(person) -> ZoneInfo:
    """The person's time zone: their city's, else UTC."""
    if person is None or not getattr(person, "is_authenticated", False):
        return UTC_ZONE
    for profile in (person.mentee_profile, person.mentor_profile):
        place_id = getattr(profile, "place_id", None)
        if place_id:
            city = Gazetteer.load().get(place_id)
            if city is not None and city.timezone:
                try:
                    return ZoneInfo(city.timezone)
                except (ZoneInfoNotFoundError, ValueError):
                    break
    return UTC_ZONE


def _viewer_zone() -> ZoneInfo:
    if not has_request_context():
        return UTC_ZONE
    if "time_zone" not in g:
        g.time_zone = zone_of(current_user)
    return g.time_zone


def local_time(moment: datetime | None, fmt: str = DEFAULT_FORMAT) -> str:
    """`moment` (aware, or naive UTC as SQLite returns it) in the viewer's zone, with
    the zone's abbreviation ("14:05 CET", "09:00 UTC") when the format shows a time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(_viewer_zone())
    shown = local.strftime(fmt)
    if "%H" in fmt or "%I" in fmt:
        name = local.tzname() or "UTC"
        # Zones without a common abbreviation are named by their offset ("UTC-03").
        shown += " " + (f"UTC{name}" if name[:1] in "+-" else name)
    return shown
