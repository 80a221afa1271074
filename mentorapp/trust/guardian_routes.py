"""Pages of guardian consent (the minor's request, the guardian's link) and of the code
of conduct (the public page, and the question a signed-in person must answer first)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from mentorapp.errors import DomainError
from mentorapp.forms import show_error
from mentorapp.trust import ages, conduct, minors
from mentorapp.trust.guardian_forms import (
    ConductForm,
    GuardianConsentForm,
    GuardianEmailForm,
    GuardianRefuseForm,
)
from mentorapp.views import render_form, safe_next

bp = Blueprint("guardian", __name__)
conduct_bp = Blueprint("conduct", __name__, url_prefix="/conduct")

# Pages a signed-in person reaches before answering the code of conduct.
OPEN_BEFORE_ANSWER = {"static", "auth.logout", "account.delete_account", "profiles.search_places"}
OPEN_BLUEPRINTS = {"conduct", "guardian", "observability"}


# The minor's side


def _minor_only() -> None:
    if not minors.is_minor(current_user):
        abort(404)


@bp.route("/account/guardian", methods=["GET", "POST"])
@login_required
def ask_guardian():
    _minor_only()
    status = minors.consent_status(current_user)
    form = GuardianEmailForm()
    if form.validate_on_submit():
        try:
            consent = minors.request_consent(current_user, form.guardian_email.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                f"We emailed a link to {consent.guardian_email}. It works for 7 days; "
                "we will tell you here when they answer.",
                "success",
            )
            return redirect(url_for("guardian.ask_guardian"))
    return render_form("guardian/ask.html", form, status=status)


# The guardian's side: no account, only the emailed link


def _link_problem(problem: minors.LinkProblem):
    return render_template("guardian/link_invalid.html", problem=problem), problem.status


@bp.route("/guardian/consent/<token>", methods=["GET", "POST"])
def consent(token: str):
    try:
        asked = minors.consent_for_link(token)
    except minors.LinkProblem as problem:
        return _link_problem(problem)
    giving = request.form.get("decision") != "refuse"
    # Only the form that was sent reads the request; the other shows its defaults (its
    # hidden decision must not take the value the sent form carried).
    give_form = GuardianConsentForm() if giving else GuardianConsentForm(formdata=None)
    refuse_form = GuardianRefuseForm(formdata=None) if giving else GuardianRefuseForm()
    form = give_form if giving else refuse_form
    if request.method == "POST" and form.validate_on_submit():
        name = give_form.guardian_name.data if giving else None
        try:
            answered = minors.answer_consent(token, giving, name)
        except minors.LinkProblem as problem:
            return _link_problem(problem)
        except DomainError as error:
            show_error(form, error)
        else:
            return render_template("guardian/answered.html", consent=answered)
    return render_form(
        "guardian/consent.html",
        give_form,
        refuse_form=refuse_form,
        asked=asked,
        minor=asked.minor,
        minimum_age=ages.MINIMUM_AGE,
    )


@bp.app_template_global()
def guardian_consent_of(person):
    """The guardian's yes for a minor (for the mentor's view of a request), or None."""
    return minors.consent_given(person) if person is not None else None


@bp.app_template_global()
def is_under_18(person) -> bool:
    return person is not None and minors.is_minor(person)


@bp.app_template_global()
def report_url_for(person):
    """Where to report this person, when the report feature is there."""
    if person is None or "trust.report" not in current_app.view_functions:
        return None
    return url_for("trust.report", subject="person", subject_id=person.id)


@bp.app_template_global()
def guardian_status_of(person):
    return minors.consent_status(person) if minors.is_minor(person) else None


# The code of conduct


@conduct_bp.get("")
def show():
    return render_template(
        "conduct/show.html", version=conduct.CONDUCT_VERSION, written=conduct.CONDUCT_DATE
    )


@conduct_bp.route("/accept", methods=["GET", "POST"])
@login_required
def answer():
    next_url = safe_next(request.args.get("next"), url_for("main.dashboard"))
    if not conduct.needs_answer(current_user):
        return redirect(next_url)
    form = ConductForm()
    asks_birth = current_user.date_of_birth is None
    if not asks_birth:
        del form.date_of_birth
    if request.method == "GET":
        form.version.data = conduct.CONDUCT_VERSION
    if form.validate_on_submit():
        try:
            if asks_birth:
                conduct.record_date_of_birth(current_user, form.date_of_birth.data)
            conduct.accept_conduct(current_user, form.version.data)
        except conduct.TooYoung:
            conduct.pause_too_young(current_user)
            logout_user()
            session.clear()
            return render_template(
                "auth/too_young.html", minimum_age=ages.MINIMUM_AGE, existing=True
            )
        except DomainError as error:
            form.version.data = conduct.CONDUCT_VERSION
            show_error(form, error)
        else:
            flash("Thank you. Welcome back.", "success")
            return redirect(next_url)
    return render_form(
        "conduct/accept.html",
        form,
        asks_birth=asks_birth,
        renewed=current_user.conduct_version is not None,
        version=conduct.CONDUCT_VERSION,
        written=conduct.CONDUCT_DATE,
    )


@conduct_bp.before_app_request
def ask_first():
    """Every signed-in page waits until the person has answered the current code of
    conduct (and, for older accounts, given a date of birth). Only pages are held:
    a form sent from a page opened before a new version goes through, so nothing typed
    is lost, and the next page asks."""
    if request.method not in ("GET", "HEAD") or not current_user.is_authenticated:
        return None
    endpoint = request.endpoint
    if (
        endpoint is None
        or endpoint in OPEN_BEFORE_ANSWER
        or endpoint.partition(".")[0] in OPEN_BLUEPRINTS
    ):
        return None
    if not conduct.needs_answer(current_user):
        return None
    return redirect(url_for("conduct.answer", next=request.full_path.rstrip("?")))
