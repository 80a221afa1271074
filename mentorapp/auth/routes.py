from contextlib import suppress

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from mentorapp.auth import services
from mentorapp.auth.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm, SignUpForm
from mentorapp.errors import DomainError
from mentorapp.extensions import limiter
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import Role
from mentorapp.quiz import scoring
from mentorapp.quiz.services import save_quiz_result
from mentorapp.trust.ages import MINIMUM_AGE
from mentorapp.trust.conduct import CONDUCT_VERSION
from mentorapp.views import render_form, safe_next

bp = Blueprint("auth", __name__)


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


rate_limited = limiter.limit(_auth_limit, methods=["POST"])


def start_session(user, remember: bool) -> None:
    """A fresh session for a fresh login: nothing from before survives it."""
    session.clear()
    login_user(user, remember=remember)
    session.permanent = True


@bp.route("/signup", methods=["GET", "POST"])
@rate_limited
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignUpForm()
    if request.method == "GET":
        if request.args.get("role") in ("mentee", "mentor"):
            form.role.data = request.args["role"]
        form.quiz.data = request.args.get("quiz", "")[:20]
    valid = form.validate_on_submit()
    if form.refuses_for_age():
        # Nothing is stored, and the typing is not shown again.
        return render_template("auth/too_young.html", minimum_age=MINIMUM_AGE)
    if valid:
        data = services.SignUp(
            form.display_name.data,
            form.email.data,
            form.password.data,
            Role(form.role.data),
            form.date_of_birth.data,
            CONDUCT_VERSION,
        )
        try:
            user = services.sign_up(data)
        except DomainError as error:
            show_error(form, error)
        else:
            keep_quiz_result(user, form.quiz.data)
            start_session(user, remember=False)
            flash(
                f"Welcome to mentorapp, {user.display_name}! We sent a link to "
                f"{user.email}: open it to confirm your email. Now, tell us about your craft.",
                "success",
            )
            # Back to the page the visitor signed up from (a mentor's), if on this site.
            return redirect(safe_next(request.args.get("next"), url_for("profiles.onboarding")))
    return render_form("auth/signup.html", form)


def keep_quiz_result(user, code: str | None) -> None:
    """A new apprentice who came from the quiz keeps its result."""
    if not code or not user.is_mentee:
        return
    # A tampered link is ignored: the profile simply starts empty.
    with suppress(scoring.InvalidAnswers):
        save_quiz_result(user, scoring.result_of(code))


@bp.route("/login", methods=["GET", "POST"])
@rate_limited
def login():
    next_url = safe_next(request.args.get("next"), url_for("main.dashboard"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            show_error(form, error)
        else:
            start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(next_url)
    return render_form("auth/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    # CSRFProtect has already checked the token of every POST.
    current_user.end_all_sessions()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("main.home"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    form = EmptyForm()
    try:
        user = services.verification_target(token)
    except DomainError as error:
        return render_template("auth/link_invalid.html", message=error.message, resend=True), 400
    if form.validate_on_submit():
        services.verify_email(token)
        flash("Your email is confirmed. Thank you!", "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("main.dashboard"))
        return redirect(url_for("auth.login"))
    return render_template("auth/verify.html", form=form, email=user.email)


@bp.post("/resend-confirmation")
@login_required
@rate_limited
def resend_verification():
    if not current_user.is_verified:
        services.send_verification(current_user)
        flash(f"We sent a new confirmation link to {current_user.email}.", "info")
    return redirect(url_for("main.dashboard"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@rate_limited
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_form("auth/forgot_password.html", form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@rate_limited
def reset_password(token: str):
    try:
        services.reset_target(token)
    except DomainError as error:
        return render_template("auth/link_invalid.html", message=error.message, reset=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as error:
            show_error(form, error)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password is changed. Log in with the new one.", "success")
            return redirect(url_for("auth.login"))
    return render_form("auth/reset_password.html", form)
