from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from mentorapp.account import services
from mentorapp.account.forms import (
    AddRoleForm,
    ChangeEmailForm,
    ChangeNameForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmailPreferencesForm,
)
from mentorapp.auth.routes import start_session
from mentorapp.errors import DomainError
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import Role
from mentorapp.notifications.services import EMAIL_KINDS, set_muted_emails
from mentorapp.views import render_form

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@login_required
def settings():
    return render_template("account/settings.html", role_form=AddRoleForm())


@bp.route("/emails", methods=["GET", "POST"])
@login_required
def emails():
    form = EmailPreferencesForm()
    if form.validate_on_submit():
        set_muted_emails(current_user, set(form.kinds.data or ()))
        flash("Your email choices are saved.", "success")
        return redirect(url_for("account.emails"))
    if not form.is_submitted():
        muted = set(current_user.muted_emails or ())
        form.kinds.data = [kind for kind in EMAIL_KINDS if kind not in muted]
    return render_form("account/emails.html", form)


@bp.route("/name", methods=["GET", "POST"])
@login_required
def change_name():
    form = ChangeNameForm(data={"display_name": current_user.display_name})
    if form.validate_on_submit():
        services.change_display_name(current_user, form.display_name.data)
        flash("Your name is changed.", "success")
        return redirect(url_for("account.settings"))
    return render_form("account/change_name.html", form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            show_error(form, error)
        else:
            # Every other session has ended; this one carries on with the new version.
            start_session(current_user._get_current_object(), remember=False)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("account.settings"))
    return render_form("account/change_password.html", form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.new_email.data, form.password.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                f"Almost done: open the link we sent to {current_user.pending_email} "
                "to confirm your new email.",
                "info",
            )
            return redirect(url_for("account.settings"))
    return render_form("account/change_email.html", form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    form = EmptyForm()
    try:
        user = services.email_change_target(token)
    except DomainError as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    if form.validate_on_submit():
        try:
            services.confirm_email_change(token)
        except DomainError as error:
            return render_template("auth/link_invalid.html", message=error.message), 409
        logout_user()
        flash(f"Your email is now {user.email}. Log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template(
        "account/confirm_email_change.html", form=form, new_email=user.pending_email
    )


@bp.post("/roles")
@login_required
def add_role():
    form = AddRoleForm()
    if form.validate_on_submit():
        services.add_role(current_user, Role(form.role.data))
        label = "teach as a mentor" if form.role.data == "mentor" else "learn as a mentee"
        flash(f"You can now {label} too.", "success")
    else:
        flash("That role cannot be added.", "error")
    return redirect(url_for("account.settings"))


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except DomainError as error:
            show_error(form, error)
        else:
            logout_user()
            flash("Your account and personal data are deleted. We are sorry to see you go.", "info")
            return redirect(url_for("main.home"))
    return render_form(
        "account/delete.html", form, goes=services.what_deleting_removes(current_user)
    )
