from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentorapp.availability import services, waiting
from mentorapp.availability.forms import EndPauseForm, PauseForm
from mentorapp.errors import DomainError
from mentorapp.forms import show_error
from mentorapp.views import safe_next

bp = Blueprint("availability", __name__, url_prefix="/availability")


@bp.route("/pause", methods=["GET", "POST"])
@login_required
def pause():
    if not current_user.is_mentor or current_user.mentor_profile is None:
        abort(404)
    form = PauseForm()
    if form.validate_on_submit():
        try:
            answered = services.pause(current_user, form.until.data)
        except DomainError as error:
            show_error(form, error)
        else:
            told = (
                f" {answered} waiting request{'s' if answered != 1 else ''} answered."
                if answered
                else ""
            )
            flash(f"You are paused until {services.back_on(form.until.data)}.{told}", "success")
            return redirect(url_for("availability.pause"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "availability/pause.html",
        form=form,
        end_form=EndPauseForm(),
        paused_until=current_user.mentor_profile.paused_until,
        back_on=services.back_on,
    ), status


@bp.post("/pause/end")
@login_required
def end_pause():
    if not current_user.is_mentor or current_user.mentor_profile is None:
        abort(404)
    if not EndPauseForm().validate_on_submit():
        abort(400)
    if services.end_pause(current_user):
        flash("Welcome back: you can be suggested and asked again.", "success")
    return redirect(url_for("availability.pause"))


@bp.post("/waiting-list/<id:mentor_id>/join")
@login_required
def join_waiting_list(mentor_id: int):
    if not EndPauseForm().validate_on_submit():  # a form of just the CSRF token
        abort(400)
    try:
        waiting.join(current_user, mentor_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("You are on the waiting list: we tell you when a place is free.", "success")
    return redirect(url_for("profiles.show", user_id=mentor_id))


@bp.post("/waiting-list/<id:mentor_id>/leave")
@login_required
def leave_waiting_list(mentor_id: int):
    if not EndPauseForm().validate_on_submit():
        abort(400)
    if waiting.leave(current_user, mentor_id):
        flash("You left the waiting list.", "success")
    back = url_for("profiles.show", user_id=mentor_id)
    return redirect(safe_next(request.form.get("next"), back))
