"""The admins' side of the directory: the vetting queue, decisions, flags, re-checks and
the audit log. Registered on the admin blueprint, so its one access check covers them."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from mentorapp import audit as audit_trail
from mentorapp.admin import decisions
from mentorapp.admin.decisions import Refused
from mentorapp.admin.routes import bp
from mentorapp.directory import listings, review
from mentorapp.directory.forms import DecisionForm
from mentorapp.extensions import db
from mentorapp.models import Listing
from mentorapp.paging import page_number
from mentorapp.places.gazetteer import Gazetteer

FIELD_NAMES = {
    "kind": "kind",
    "name": "name",
    "description": "description",
    "place_id": "city",
    "address": "address",
    "website": "website",
    "contact_email": "email",
    "specialties": "specialties",
    "offers": "offers",
    "programmes": "programmes",
    "typical_length": "length",
}
DECISION_DONE = {
    "approve": "Approved: it is public now.",
    "reject": "Rejected. The submitter sees your reason.",
    "request_changes": "Sent back for changes. The submitter sees your note.",
}


def _where() -> dict:
    return decisions.where(review.SECTIONS)


def _act(do, done: str, key: str, again=None, back: str | None = None):
    return decisions.act(
        do,
        done,
        key,
        again or _queue_page,
        back or url_for("admin.listings", **_where(), _anchor=_SECTION_OF[key[0]]),
    )


_SECTION_OF = {"l": "new", "e": "edits", "f": "flags", "r": "rechecks"}


@bp.get("/listings", endpoint="listings")
def listings_queue():
    return _queue_page()


def _queue_page(refused: Refused | None = None):
    where = _where()
    waiting = review.queue(where.get("section"), where.get("page", 1))
    new = waiting.pages.get("new")
    edits = waiting.pages["edits"].items if "edits" in waiting.pages else []
    gazetteer = Gazetteer.load()
    city_labels = {
        e.data.get("place_id"): city.label
        for e in edits
        if (city := gazetteer.get(e.data.get("place_id") or 0)) is not None
    }
    changed = {
        e.id: [
            FIELD_NAMES[name]
            for name in FIELD_NAMES
            if e.data.get(name) != listings.as_form_data(e.listing).get(name)
        ]
        for e in edits
    }
    page = render_template(
        "admin/listings.html",
        queue=waiting,
        where=where,
        changed=changed,
        city_labels=city_labels,
        duplicates=review.possible_duplicates(new.items) if new else {},
        form=DecisionForm(formdata=None),
        refused=refused,
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
        flag_labels=review.FLAG_LABELS,
        section_titles=SECTION_TITLES,
        version=review.version,  # what a decision form carries of the version shown
    )
    return page, 422 if refused else 200


SECTION_TITLES = {
    "new": "New listings",
    "edits": "Edits of approved listings",
    "flags": "Flags",
    "rechecks": "Due for their yearly check",
}


@bp.post("/listings/<id:listing_id>/<decision>")
def decide_listing(listing_id: int, decision: str):
    if decision not in review.DECISIONS:
        abort(404)
    return _act(
        lambda why: review.decide_listing(
            current_user, listing_id, decision, why, seen=request.form.get("seen")
        ),
        DECISION_DONE[decision],
        f"l{listing_id}",
    )


@bp.post("/listings/edits/<id:edit_id>/<decision>")
def decide_edit(edit_id: int, decision: str):
    if decision not in review.DECISIONS:
        abort(404)
    return _act(
        lambda why: review.decide_edit(
            current_user, edit_id, decision, why, seen=request.form.get("seen")
        ),
        DECISION_DONE[decision],
        f"e{edit_id}",
    )


@bp.post("/listings/flags/<id:flag_id>/<action>")
def resolve_flag(flag_id: int, action: str):
    if action not in ("dismiss", "unpublish"):
        abort(404)
    return _act(
        lambda why: review.resolve_flag(current_user, flag_id, action == "unpublish", why),
        "Taken off the directory." if action == "unpublish" else "Flag dismissed.",
        f"f{flag_id}",
    )


@bp.post("/listings/<id:listing_id>/recheck/<action>")
def recheck(listing_id: int, action: str):
    if action not in ("confirm", "unpublish"):
        abort(404)
    return _act(
        lambda why: review.recheck(current_user, listing_id, action == "confirm", why),
        "Checked again: vetted for another year." if action == "confirm" else "Taken off.",
        f"r{listing_id}",
    )


@bp.post("/listings/<id:listing_id>/republish")
def republish(listing_id: int):
    return _act(
        lambda why: review.republish(current_user, listing_id, why),
        "Back on the directory.",
        "u",
        lambda refused: _listing_page(listing_id, refused),
        url_for("admin.listing", listing_id=listing_id),
    )


@bp.post("/listings/<id:listing_id>/unpublish")
def unpublish(listing_id: int):
    return _act(
        lambda why: review.unpublish(current_user, listing_id, why),
        "Taken off the directory.",
        "u",
        lambda refused: _listing_page(listing_id, refused),
        url_for("admin.listing", listing_id=listing_id),
    )


@bp.get("/listings/<id:listing_id>")
def listing(listing_id: int):
    return _listing_page(listing_id)


def _listing_page(listing_id: int, refused: Refused | None = None):
    found = db.get_or_404(Listing, listing_id)
    entries, _ = audit_trail.audit_log(1, listing_id=found.id)
    page = render_template(
        "admin/listing.html",
        listing=found,
        entries=entries,
        form=DecisionForm(formdata=None),
        refused=refused,
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
    )
    return page, 422 if refused else 200


@bp.get("/audit")
def audit():
    page = page_number(request.args.get("page"))
    entries, more = audit_trail.audit_log(page)
    return render_template("admin/audit.html", entries=entries, page=page, more=more)
