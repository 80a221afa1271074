"""Forms of guardian consent and of the code of conduct."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput

from mentorapp.auth.forms import accept_conduct_field, date_of_birth_field
from mentorapp.forms import _printable, email_field, strip


class GuardianEmailForm(FlaskForm):
    guardian_email = email_field("Your parent's or guardian's email")


class GuardianConsentForm(FlaskForm):
    guardian_name = StringField(
        "Your name",
        filters=[strip],
        validators=[
            DataRequired("Type your name to give your consent."),
            Length(min=2, max=80, message="Use between 2 and 80 characters."),
            _printable,
        ],
        render_kw={"autocomplete": "name", "maxlength": 80},
    )
    is_guardian = BooleanField(
        "I am this young person's parent or legal guardian",
        validators=[DataRequired("Only a parent or legal guardian can give consent.")],
    )
    decision = HiddenField(default="give")


class GuardianRefuseForm(FlaskForm):
    decision = HiddenField(default="refuse")


class ConductForm(FlaskForm):
    """The interstitial: the version read, its acceptance, and a date of birth from
    accounts made before sign-up asked for one (removed from the form otherwise)."""

    version = IntegerField(widget=HiddenInput())
    date_of_birth = date_of_birth_field()
    accept_conduct = accept_conduct_field()
