from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import AnyOf, DataRequired, EqualTo

from mentorapp.forms import (
    current_password_field,
    display_name_field,
    email_field,
    new_password_field,
)
from mentorapp.notifications.services import EMAIL_KINDS
from mentorapp.profiles.forms import MultiCheckboxField, choices


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field()
    new_password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired("Repeat the new password."),
            EqualTo("new_password", "The two passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangeNameForm(FlaskForm):
    display_name = display_name_field()


class ChangeEmailForm(FlaskForm):
    new_email = email_field("New email")
    password = current_password_field("Your password")


class DeleteAccountForm(FlaskForm):
    password = current_password_field("Your password")
    understood = BooleanField(
        "I understand that my account and everything in it will be deleted for good.",
        validators=[DataRequired("Tick the box to confirm.")],
    )


class AddRoleForm(FlaskForm):
    role = HiddenField(validators=[AnyOf(["mentor", "mentee"], "Unknown role.")])


class EmailPreferencesForm(FlaskForm):
    kinds = MultiCheckboxField("Email me when", choices=choices(EMAIL_KINDS.items()))
