"""The moderation queue: reports about people and what they wrote. Registered on the
admin blueprint, so its one access check covers these pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentorapp.admin.routes import bp
from mentorapp.apprenticeships.services import STATE_LABELS
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.forms import show_error
from mentorapp.paging import page_number
from mentorapp.trust import moderation, reports
from mentorapp.trust.forms import ModerationForm

DONE = {
    "dismiss": "Dismissed. The reporter hears that we looked.",
    "warn": "Warned: the person has a message and an email from us.",
    "hide": "Hidden. The reporter hears that we looked.",
    "suspend": "The account is suspended and signed out everywhere.",
}


@bp.get("/reports")
def reports_queue():
    return render_template(
        "admin/reports.html",
        page=moderation.queue(page_number(request.args.get("page"))),
        rising=moderation.rising_people(),
        reasons=reports.REASON_LABELS,
        subjects=reports.SUBJECT_LABELS,
    )


def _case_page(report_id: int, form: ModerationForm | None = None, action: str | None = None):
    try:
        case = moderation.open_report(current_user, report_id)
    except NotAllowed:
        abort(404)
    failed = form is not None
    return render_template(
        "admin/report.html",
        case=case,
        form=form or ModerationForm(formdata=None),
        failed_action=action,
        actions=moderation.ACTION_LABELS,
        reasons=reports.REASON_LABELS,
        subjects=reports.SUBJECT_LABELS,
        labels=STATE_LABELS,
    ), (422 if failed else 200)


@bp.get("/reports/<id:report_id>")
def report(report_id: int):
    return _case_page(report_id)


@bp.post("/reports/<id:report_id>/<action>")
def decide_report(report_id: int, action: str):
    if action not in moderation.ACTIONS:
        abort(404)
    form = ModerationForm()
    if form.validate_on_submit():
        try:
            moderation.decide(current_user, report_id, action, form.reason.data)
        except NotAllowed:
            abort(404)
        except DomainError as error:
            if error.field != "reason":
                flash(error.message, "error")
                return redirect(url_for("admin.report", report_id=report_id))
            show_error(form, error)
        else:
            flash(DONE[action], "success")
            return redirect(url_for("admin.reports_queue"))
    elif form.csrf_token.errors:
        abort(400)
    return _case_page(report_id, form, action)
