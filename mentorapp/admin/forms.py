from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from mentorapp.forms import strip


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Reason (kept in the record, not shown to the person)",
        filters=[strip],
        validators=[
            DataRequired("Give a reason for the suspension."),
            Length(max=500, message="Keep the reason under 500 characters."),
        ],
    )


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        "Search by name or email",
        filters=[strip],
        validators=[Length(max=100, message="Search with at most 100 characters.")],
    )


class SpecialtyForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Give the specialty a name."),
            Length(max=60, message="Keep the name under 60 characters."),
        ],
    )
    summary = StringField(
        "One-line description",
        filters=[strip],
        validators=[
            DataRequired("Describe it in one line."),
            Length(max=200, message="Keep the description under 200 characters."),
        ],
    )
