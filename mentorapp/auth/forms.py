from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired

from mentorapp.forms import (
    current_password_field,
    display_name_field,
    email_field,
    new_password_field,
)


class SignUpForm(FlaskForm):
    display_name = display_name_field()
    email = email_field()
    password = new_password_field()
    role = RadioField(
        "I want to",
        choices=[
            SelectChoice("mentee", "Learn: find a producer to apprentice with"),
            SelectChoice("mentor", "Teach: take on apprentices"),
        ],
        validators=[InputRequired("Choose whether you want to learn or to teach.")],
    )
    # A quiz result carried from /quiz, saved into the new profile.
    quiz = HiddenField()


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
