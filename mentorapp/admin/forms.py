from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from mentorapp.admin.people import SHOWS, PeopleFilter
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
        "Name or email",
        filters=[strip],
        validators=[Length(max=100, message="Search with at most 100 characters.")],
    )
    place = StringField(
        "City",
        filters=[strip],
        validators=[Length(max=100, message="Search with at most 100 characters.")],
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(value, label)
            for value, label in [
                ("", "Any role"),
                ("mentee", "Mentees"),
                ("mentor", "Mentors"),
                ("admin", "Admins"),
            ]
        ],
    )
    show = SelectField(
        "Only",
        choices=[SelectChoice(value, label) for value, label in [("", "Everyone"), *SHOWS.items()]],
    )

    def wanted(self) -> PeopleFilter:
        """The filters as the search reads them; anything invalid is left out."""
        self.validate()
        return PeopleFilter(
            **{
                name: getattr(self, name).data or ""
                for name in ("q", "place", "role", "show")
                if not getattr(self, name).errors
            }
        )


class AdminRoleForm(FlaskForm):
    # Its own id: the suspension's reason field sits on the same page.
    reason = TextAreaField(
        "Reason (kept in the audit log)",
        id="admin-role-reason",
        filters=[strip],
        validators=[
            DataRequired("Give a reason: it is kept in the audit log."),
            Length(max=500, message="Keep the reason under 500 characters."),
        ],
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
