from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, PasswordField, RadioField, SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, ValidationError

from mentorapp.forms import (
    current_password_field,
    display_name_field,
    email_field,
    new_password_field,
)
from mentorapp.models.types import utcnow
from mentorapp.trust import ages


class BirthDateField(DateField):
    """A date of birth typed as YYYY-MM-DD (what a date picker sends), said kindly when
    it is not one."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and not (valuelist[0] or "").strip():
            self.data = None  # left empty: InputRequired says so, once
            return
        if valuelist and len(valuelist[0]) > 10:
            valuelist = ["not a date"]  # a 10 kB value is no date either
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                "Enter your date of birth as year, month and day, like 2007-05-31."
            ) from None


def _plausible_birth_date(_form, field) -> None:
    born = field.data
    if born is None:
        return
    today = utcnow().date()
    if born > today:
        raise ValidationError("That date is in the future. Check the year.")
    if ages.age_on(born, today) > ages.OLDEST_AGE:
        raise ValidationError("Check the year: that would make you older than 120.")


def date_of_birth_field() -> BirthDateField:
    return BirthDateField(
        "Date of birth",
        validators=[InputRequired("Enter your date of birth."), _plausible_birth_date],
        description=(
            "Never shown to anyone. Under 18, a parent or guardian agrees before you meet a mentor."
        ),
        render_kw={"autocomplete": "bday", "max": "2100-12-31", "min": "1900-01-01"},
    )


def accept_conduct_field() -> BooleanField:
    return BooleanField(
        "I have read the code of conduct and I will keep to it",
        validators=[DataRequired("Accept the code of conduct to join mentorapp.")],
    )


def is_too_young(born: date | None) -> bool:
    return born is not None and ages.is_too_young_on(born, utcnow().date())


class SignUpForm(FlaskForm):
    # In the order the page asks (the error summary follows it).
    role = RadioField(
        "I want to",
        choices=[
            SelectChoice("mentee", "Learn: find a producer to apprentice with"),
            SelectChoice("mentor", "Teach: take on apprentices"),
        ],
        validators=[InputRequired("Choose whether you want to learn or to teach.")],
    )
    display_name = display_name_field()
    email = email_field()
    password = new_password_field()
    date_of_birth = date_of_birth_field()
    accept_conduct = accept_conduct_field()
    # A quiz result carried from /quiz, saved into the new profile.
    quiz = HiddenField()

    def refuses_for_age(self) -> bool:
        """A sent form (with a good CSRF token) whose date of birth is under 13: the
        answer is the kind refusal page, whatever else the form holds."""
        return (
            self.is_submitted()
            and not self.csrf_token.errors
            and not self.date_of_birth.errors
            and is_too_young(self.date_of_birth.data)
        )


class LoginForm(FlaskForm):
    email = email_field()
    password = current_password_field("Password")
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired("Repeat the new password."),
            EqualTo("password", "The two passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
