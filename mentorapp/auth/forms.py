from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from mentorapp.forms import current_password_field, email_field, new_password_field, strip


class SignUpForm(FlaskForm):
    display_name = StringField(
        "Your name",
        filters=[strip],
        validators=[
            DataRequired("Tell us what to call you."),
            Length(min=2, max=80, message="Use between 2 and 80 characters."),
        ],
        description="Shown on your profile. Your email never is.",
        render_kw={"autocomplete": "name"},
    )
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
