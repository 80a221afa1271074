"""Feedback when an apprenticeship is over: the form each side fills in, the mentor's
choice of testimonials, and the admins' view of ratings per mentor."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentorapp.admin.routes import require_admin
from mentorapp.apprenticeships import services as apprenticeships
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import db
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import User
from mentorapp.paging import page_number
from mentorapp.trust import feedback
from mentorapp.trust.feedback_forms import FeedbackForm
from mentorapp.views import render_form

bp = Blueprint("feedback", __name__)
# The admins' pages sit under /admin behind the admin blueprint's own access check.
admin_bp = Blueprint("feedback_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_admin)


def _to_workspace(apprenticeship_id: int, anchor: str | None = "feedback"):
    return redirect(
        url_for("apprenticeships.show", apprenticeship_id=apprenticeship_id, _anchor=anchor)
    )


@bp.route("/apprenticeships/<id:apprenticeship_id>/feedback", methods=["GET", "POST"])
@login_required
def give(apprenticeship_id: int):
    try:
        apprenticeship = apprenticeships.apprenticeship_for(current_user, apprenticeship_id)
    except NotAllowed:
        abort(404)
    if not feedback.can_give_feedback(apprenticeship):
        flash("Feedback is given once the apprenticeship is completed or has ended.", "error")
        return _to_workspace(apprenticeship.id, None)
    side = feedback.side_of(current_user, apprenticeship)
    given = feedback.feedback_by(apprenticeship, side)
    form = FeedbackForm()
    if side == "mentor":
        del form.testimonial, form.signed  # only the apprentice writes one
    if form.validate_on_submit():
        testimonial = form.testimonial.data if side == "mentee" else ""
        if given is not None:
            # A second click, or a second tab: the first submission stands.
            same = feedback.same_as(given, form.rating.data, form.private_words.data, testimonial)
            flash(_thanks(feedback.Given(given, new=same), testimonial), "info")
            return _to_workspace(apprenticeship.id)
        try:
            saved = feedback.give_feedback(
                current_user,
                apprenticeship,
                form.rating.data,
                form.private_words.data,
                testimonial,
                signed=form.signed.data if side == "mentee" else True,
            )
        except DomainError as error:
            if not error.field:
                flash(error.message, "error")
                return _to_workspace(apprenticeship.id, None)
            show_error(form, error)
        else:
            flash(_thanks(saved, testimonial), "success" if saved.new else "info")
            return _to_workspace(apprenticeship.id)
    return render_form(
        "feedback/give.html",
        form,
        a=apprenticeship,
        side=side,
        given=given,
        other=apprenticeship.other(current_user.id),
        ratings=feedback.RATINGS,
    )


def _thanks(saved: feedback.Given, testimonial: str) -> str:
    if not saved.new:
        return (
            f"You gave your feedback on {saved.feedback.created_at:%d %B %Y}; "
            "it stays as you sent it then."
        )
    if testimonial:
        return (
            "Thank you. Your feedback is saved, and your mentor can now choose to show "
            "your testimonial on their profile."
        )
    return "Thank you. Your feedback is saved."


@bp.post("/testimonials/<id:feedback_id>/<choice>")
@login_required
def show_testimonial(feedback_id: int, choice: str):
    if choice not in ("show", "hide"):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        found = feedback.set_testimonial_shown(current_user, feedback_id, choice == "show")
    except NotAllowed:
        abort(404)
    flash(
        "Your profile shows this testimonial now."
        if choice == "show"
        else "This testimonial is hidden from your profile.",
        "success",
    )
    return _to_workspace(found.apprenticeship_id)


# The admins' view


@admin_bp.get("/feedback")
def ratings():
    flagged_only = request.args.get("flagged") == "1"
    return render_template(
        "feedback/admin_ratings.html",
        page=feedback.mentor_ratings(page_number(request.args.get("page")), flagged_only),
        flagged_only=flagged_only,
        ratings=feedback.RATINGS,
        rule=feedback,
    )


@admin_bp.get("/feedback/mentors/<id:mentor_id>")
def about_mentor(mentor_id: int):
    mentor = db.get_or_404(User, mentor_id)
    return render_template(
        "feedback/admin_mentor.html",
        mentor=mentor,
        page=feedback.feedback_about(mentor.id, page_number(request.args.get("page"))),
        ratings=feedback.RATINGS,
    )
