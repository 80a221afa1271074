"""Field helpers shared by every feature's forms."""

from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from mentorapp.auth.passwords import MAX_LENGTH, password_problem
from mentorapp.auth.services import is_valid_email


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _valid_email(_form, field) -> None:
    if field.data and not is_valid_email(field.data):
        raise ValidationError("Enter an email address like name@example.com.")


def _printable(_form, field) -> None:
    if field.data and any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in field.data):
        raise ValidationError("Use letters, spaces and punctuation only (no line breaks).")


def display_name_field(label: str = "Your name") -> StringField:
    """The name people see on a profile, a card and in a message's subject."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired("Tell us what to call you."),
            Length(min=2, max=80, message="Use between 2 and 80 characters."),
            _printable,
        ],
        description="Shown on your profile. Your email never is.",
        render_kw={"autocomplete": "name", "maxlength": 80},
    )


def email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="An email address has at most 254 characters."),
            _valid_email,
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "off"},
    )


class _StrongPassword:
    """The password policy, checked against the email and name typed in the same form."""

    def __call__(self, form, field) -> None:
        email = getattr(getattr(form, "email", None), "data", "") or ""
        name = getattr(getattr(form, "display_name", None), "data", "") or ""
        problem = password_problem(field.data or "", email=email, name=name)
        if problem:
            raise ValidationError(problem)


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Choose a password."), _StrongPassword()],
        description="At least 10 characters. A short sentence is easy to remember.",
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )


def current_password_field(label: str = "Current password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Enter your password."),
            Length(max=MAX_LENGTH, message=f"A password has at most {MAX_LENGTH} characters."),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class EmptyForm(FlaskForm):
    """A button that only needs the CSRF token (log out, resend, confirm)."""


def show_error(form: FlaskForm, error) -> None:
    """Put a service's DomainError next to the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
