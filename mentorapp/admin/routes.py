from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentorapp.admin import services
from mentorapp.admin.forms import SpecialtyForm
from mentorapp.errors import DomainError
from mentorapp.extensions import db, login_manager
from mentorapp.forms import show_error
from mentorapp.insights import services as insights
from mentorapp.insights.forms import SpanForm, span_from
from mentorapp.models import User
from mentorapp.profiles import services as profile_services
from mentorapp.trust.feedback import flagged_count
from mentorapp.views import render_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    """One access check for every admin page: sign in first, then be an admin."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


@bp.get("")
def dashboard():
    form = SpanForm(request.args)
    span = span_from(form)
    if not form.errors:  # the dates shown are the dates used
        form.since.data, form.until.data = span.since, span.until
    return render_template(
        "admin/dashboard.html",
        overview=services.overview(),
        flagged_mentors=flagged_count(),
        form=form,
        span=span,
        cohort_name=dict(form.cohort.choices).get(str(span.cohort_id or "")),
        figures=insights.dashboard(span),
    ), (422 if form.errors else 200)


def _person(person_id: int) -> User:
    return db.get_or_404(User, person_id)


@bp.route("/specialties", methods=["GET", "POST"])
def specialties():
    form = SpecialtyForm()
    if form.validate_on_submit():
        try:
            specialty = services.add_specialty(current_user, form.name.data, form.summary.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                f"“{specialty.name}” added. Mentors and apprentices can choose it now.", "success"
            )
            return redirect(url_for("admin.specialties"))
    return render_form("admin/specialties.html", form, specialties=profile_services.specialties())


# The directory's admin pages (vetting, CSV import), mentor vetting, reports, people
# and the CSV downloads live in their own modules, on this blueprint.
from mentorapp.admin import (  # noqa: E402, F401
    background_routes,
    export_routes,
    import_routes,
    listing_routes,
    mentor_routes,
    people_routes,
    photo_routes,
    report_routes,
)
