"""CSV downloads of people, apprenticeships and listings, for admins only (the blueprint's
one access check). Each download is in the audit log with the filters it used."""

from flask import render_template, request
from flask_login import current_user

from mentorapp.admin import downloads
from mentorapp.admin.forms import PeopleSearchForm
from mentorapp.admin.routes import bp
from mentorapp.audit import record
from mentorapp.exports import csv_response
from mentorapp.models.types import utcnow


def _filename(what: str) -> str:
    return f"{what}-{utcnow():%Y%m%d-%H%M}.csv"


def _chosen(allowed: tuple) -> str:
    state = request.args.get("state", "")
    return state if state in allowed else ""


@bp.get("/exports")
def exports():
    return render_template(
        "admin/exports.html",
        apprenticeship_states=downloads.APPRENTICESHIP_STATES,
        listing_states=downloads.LISTING_STATES,
    )


@bp.get("/exports/people.csv")
def export_people():
    wanted = PeopleSearchForm(request.args).wanted()
    record(current_user, "people_exported", "export", 0, "people", wanted.describe())
    return csv_response(_filename("people"), downloads.PEOPLE_HEADER, downloads.people_rows(wanted))


@bp.get("/exports/apprenticeships.csv")
def export_apprenticeships():
    state = _chosen(downloads.APPRENTICESHIP_STATES)
    why = f"state={state}" if state else "every state"
    record(current_user, "apprenticeships_exported", "export", 0, "apprenticeships", why)
    return csv_response(
        _filename("apprenticeships"),
        downloads.APPRENTICESHIP_HEADER,
        downloads.apprenticeship_rows(state),
    )


@bp.get("/exports/listings.csv")
def export_listings():
    state = _chosen(downloads.LISTING_STATES)
    why = f"state={state}" if state else "every state"
    record(current_user, "listings_exported", "export", 0, "listings", why)
    return csv_response(
        _filename("listings"), downloads.LISTING_HEADER, downloads.listing_rows(state)
    )
