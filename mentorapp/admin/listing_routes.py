"""The admins' side of the directory: the vetting queue, decisions, flags, re-checks and
the audit log. Registered on the admin blueprint, so its one access check covers them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentorapp import audit as audit_trail
from mentorapp.admin.routes import bp
from mentorapp.directory import listings, review
from mentorapp.directory.forms import DecisionForm
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.forms import EmptyForm
from mentorapp.models import Listing
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


def _back(anchor: str | None = None):
    return redirect(url_for("admin.listings", _anchor=anchor))


def _act(do, done: str, anchor: str | None = None):
    """Run a decision; a refusal (already decided, a reason missing) is a message."""
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
        return _back(anchor)
    try:
        do(form.reason.data or "")
    except NotAllowed:
        abort(404)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return _back(anchor)


@bp.get("/listings", endpoint="listings")
def listings_queue():
    waiting = review.queue()
    duplicates = {listing.id: review.possible_duplicates(listing) for listing in waiting.listings}
    gazetteer = Gazetteer.load()
    city_labels = {
        e.data.get("place_id"): city.label
        for e in waiting.edits
        if (city := gazetteer.get(e.data.get("place_id") or 0)) is not None
    }
    changed = {
        e.id: [
            FIELD_NAMES[name]
            for name in FIELD_NAMES
            if e.data.get(name) != listings.as_form_data(e.listing).get(name)
        ]
        for e in waiting.edits
    }
    return render_template(
        "admin/listings.html",
        queue=waiting,
        changed=changed,
        city_labels=city_labels,
        duplicates=duplicates,
        form=DecisionForm(formdata=None),
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
        flag_labels=review.FLAG_LABELS,
    )


@bp.post("/listings/<id:listing_id>/<decision>")
def decide_listing(listing_id: int, decision: str):
    if decision not in review.DECISIONS:
        abort(404)
    return _act(
        lambda why: review.decide_listing(
            current_user, listing_id, decision, why, seen=request.form.get("seen")
        ),
        DECISION_DONE[decision],
        "new",
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
        "edits",
    )


@bp.post("/listings/flags/<id:flag_id>/<action>")
def resolve_flag(flag_id: int, action: str):
    if action not in ("dismiss", "unpublish"):
        abort(404)
    return _act(
        lambda why: review.resolve_flag(current_user, flag_id, action == "unpublish", why),
        "Taken off the directory." if action == "unpublish" else "Flag dismissed.",
        "flags",
    )


@bp.post("/listings/<id:listing_id>/recheck/<action>")
def recheck(listing_id: int, action: str):
    if action not in ("confirm", "unpublish"):
        abort(404)
    return _act(
        lambda why: review.recheck(current_user, listing_id, action == "confirm", why),
        "Checked again: vetted for another year." if action == "confirm" else "Taken off.",
        "rechecks",
    )


@bp.post("/listings/<id:listing_id>/republish")
def republish(listing_id: int):
    return _act(
        lambda why: review.republish(current_user, listing_id, why),
        "Back on the directory.",
    )


@bp.post("/listings/<id:listing_id>/unpublish")
def unpublish(listing_id: int):
    return _act(
        lambda why: review.unpublish(current_user, listing_id, why),
        "Taken off the directory.",
    )


@bp.get("/listings/<id:listing_id>")
def listing(listing_id: int):
    found = db.get_or_404(Listing, listing_id)
    entries, _ = audit_trail.audit_log(1, listing_id=found.id)
    return render_template(
        "admin/listing.html",
        listing=found,
        entries=entries,
        form=DecisionForm(formdata=None),
        button=EmptyForm(),
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
    )


@bp.get("/audit")
def audit():
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1
    entries, more = audit_trail.audit_log(page)
    return render_template("admin/audit.html", entries=entries, page=page, more=more)
