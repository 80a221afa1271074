"""Reporting and blocking, from where a person met the other: a profile, a message, a
reference. Unblocking lives with the account settings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentorapp.errors import Conflict, DomainError, NotAllowed
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import ReportSubject
from mentorapp.trust import blocks, reports
from mentorapp.trust.forms import BlockForm, ReportForm
from mentorapp.views import render_form, safe_next

bp = Blueprint("trust", __name__)

SUBJECTS = {s.value for s in ReportSubject}


@bp.route("/report/<subject>/<id:subject_id>", methods=["GET", "POST"])
@login_required
def report(subject: str, subject_id: int):
    if subject not in SUBJECTS:
        abort(404)
    try:
        found = reports.reportable(current_user, subject, subject_id)
    except NotAllowed:
        abort(404)
    except DomainError as error:  # oneself
        flash(error.message, "info")
        return redirect(url_for("profiles.show", user_id=current_user.id))
    back = url_for(found.back_endpoint, **(found.back_args or {}))
    if request.method == "GET" and reports.open_report_by(current_user, subject, subject_id):
        flash(reports.ALREADY, "info")
        return redirect(back)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            reports.report(
                current_user, subject, subject_id, form.reason.data, form.description.data
            )
        except Conflict as error:
            flash(error.message, "info")
            return redirect(back)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                "Thank you. An admin will look at your report; "
                f"{found.person.display_name} is not told who sent it.",
                "success",
            )
            return redirect(back)
    return render_form("trust/report.html", form, found=found, back=back)


def _other(user_id: int):
    try:
        return blocks.person_to_block(current_user, user_id)
    except NotAllowed:
        abort(404)
    except DomainError as error:  # oneself
        flash(error.message, "info")
        return None


@bp.route("/people/<id:user_id>/block", methods=["GET", "POST"])
@login_required
def block(user_id: int):
    other = _other(user_id)
    if other is None:
        return redirect(url_for("profiles.show", user_id=current_user.id))
    running = blocks.running_between(current_user.id, other.id)
    form = BlockForm()
    if form.validate_on_submit():
        blocks.block(current_user, other.id, end_running=bool(running and form.end_running.data))
        flash(
            f"You blocked {other.display_name}. Neither of you will see the other on "
            "mentorapp; you can undo it in your account settings.",
            "success",
        )
        return redirect(url_for("trust.blocked"))
    return render_form(
        "trust/block.html",
        form,
        other=other,
        running=running,
        already=blocks.has_blocked(current_user.id, other.id),
    )


@bp.post("/people/<id:user_id>/unblock")
@login_required
def unblock(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    other = _other(user_id)
    if other is not None and blocks.unblock(current_user, other.id):
        flash(f"You unblocked {other.display_name}.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("trust.blocked")))


@bp.get("/account/blocked")
@login_required
def blocked():
    return render_template(
        "trust/blocked.html", blocked=blocks.blocked_by(current_user), button=EmptyForm()
    )
