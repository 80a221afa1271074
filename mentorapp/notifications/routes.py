from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from mentorapp.forms import EmptyForm
from mentorapp.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
@login_required
def inbox():
    return render_template(
        "notifications/inbox.html", notes=services.inbox(current_user), button=EmptyForm()
    )


@bp.post("/read")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user)
    flash("Everything is marked as read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.post("/<id:notification_id>/open")
@login_required
def open_one(notification_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    note = services.open_notification(current_user, notification_id)
    if note is None:
        abort(404)
    endpoint, values = services.page_of(note.kind, note.apprenticeship_id)
    return redirect(url_for(endpoint, **values))
