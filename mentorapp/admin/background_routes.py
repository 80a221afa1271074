"""The admins' "Background work" page: the queue, tasks running and failed, emails that
failed for good, imports in progress. On the admin blueprint, so its one access check
covers them."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from mentorapp.admin import background
from mentorapp.admin.routes import bp
from mentorapp.errors import DomainError
from mentorapp.forms import EmptyForm


@bp.get("/background")
def background_work():
    return render_template(
        "admin/background.html", work=background.overview(), action_form=EmptyForm()
    )


@bp.post("/background/runs/<id:run_id>/retry")
def retry_task(run_id: int):
    if EmptyForm().validate_on_submit():
        try:
            run = background.retry_run(current_user, run_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"{run.name} is queued again.", "success")
    return redirect(url_for("admin.background_work"))


@bp.post("/background/emails/<id:message_id>/resend")
def resend_email(message_id: int):
    if EmptyForm().validate_on_submit():
        try:
            message = background.resend_email(current_user, message_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"The email to {message.recipient} is queued again.", "success")
    return redirect(url_for("admin.background_work"))
