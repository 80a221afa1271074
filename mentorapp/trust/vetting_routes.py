"""The mentor's application page: what an admin will check, and sending it."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from mentorapp.errors import DomainError
from mentorapp.forms import show_error
from mentorapp.trust import vetting
from mentorapp.trust.vetting_forms import ApplicationForm
from mentorapp.views import render_form

bp = Blueprint("vetting", __name__, url_prefix="/mentor/application")


@bp.app_context_processor
def vetting_helpers() -> dict:
    """Every page can say whether someone is vetted, and a mentor where they stand."""
    return {"is_vetted": vetting.is_vetted, "vetting_status": vetting.status_of}


def _page(form: ApplicationForm):
    return render_form(
        "trust/application.html",
        form,
        status=vetting.status_of(current_user),
        profile=current_user.mentor_profile,
        application=current_user.mentor_application,
    )


@bp.get("")
@login_required
def application():
    if not current_user.is_mentor:
        abort(404)
    form = ApplicationForm(formdata=None)
    sent = current_user.mentor_application
    if sent is not None:
        form.evidence_links.data = "\n".join(sent.evidence_links or [])
        form.note.data = sent.note
    return _page(form)


@bp.post("")
@login_required
def send():
    if not current_user.is_mentor:
        abort(404)
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            vetting.submit(
                current_user, (form.evidence_links.data or "").splitlines(), form.note.data or ""
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Sent. An admin will check it; we will tell you what they decide.", "success")
            return redirect(url_for("vetting.application"))
    return _page(form)
