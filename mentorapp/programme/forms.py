"""The forms of cohort matching."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from mentorapp.forms import strip
from mentorapp.programme.intake import MAX_EMAILS, MenteeFilters, MentorFilters
from mentorapp.programme.planning import STRATEGY_LABELS

RADIUS = NumberRange(min=1, max=2000, message="Give a distance from 1 to 2,000 km.")


def _radius(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional(), RADIUS],
        description="Around the city above; 25 km when left empty.",
    )


class CohortForm(FlaskForm):
    """Name a cohort and choose who is in it."""

    name = StringField(
        "Name of the cohort",
        filters=[strip],
        validators=[
            DataRequired("Give the cohort a name."),
            Length(max=120, message="Keep the name under 120 characters."),
        ],
    )
    mentee_waiting = BooleanField("Only apprentices waiting for a mentor", default=True)
    mentee_since = DateField("Signed up on or after", validators=[Optional()])
    mentee_city = StringField(
        "Apprentices living near", filters=[strip], validators=[Length(max=100)]
    )
    mentee_radius = _radius("Within (km)")
    mentee_archetype = SelectField("Who they want to become", choices=[])
    mentee_specialty = SelectField("What they want to learn", choices=[])
    mentee_emails = TextAreaField(
        "Or these apprentices, by email",
        filters=[strip],
        description="One email a line (or separated by commas); instead of the filters above.",
        validators=[Length(max=MAX_EMAILS * 100)],
    )
    mentor_accepting = BooleanField("Only mentors taking apprentices now", default=True)
    mentor_free = BooleanField("Only mentors with a free place", default=True)
    mentor_city = StringField("Mentors living near", filters=[strip], validators=[Length(max=100)])
    mentor_radius = _radius("Mentors within (km)")
    mentor_archetype = SelectField("Kind of producer", choices=[])

    def set_choices(self, archetypes: list[tuple[str, str]], specialties: list[tuple[str, str]]):
        kinds = [SelectChoice("", "Any")] + [SelectChoice(s, n) for s, n in archetypes]
        self.mentee_archetype.choices = kinds
        self.mentor_archetype.choices = list(kinds)
        self.mentee_specialty.choices = [SelectChoice("", "Any")] + [
            SelectChoice(s, n) for s, n in specialties
        ]

    def mentee_filters(self) -> MenteeFilters:
        emails = [e for e in re.split(r"[\s,;]+", self.mentee_emails.data or "") if e]
        return MenteeFilters(
            waiting=self.mentee_waiting.data,
            since=self.mentee_since.data,
            city=self.mentee_city.data or "",
            radius_km=self.mentee_radius.data,
            archetype=self.mentee_archetype.data or "",
            specialty=self.mentee_specialty.data or "",
            emails=emails,
        )

    def mentor_filters(self) -> MentorFilters:
        return MentorFilters(
            accepting=self.mentor_accepting.data,
            free_places=self.mentor_free.data,
            city=self.mentor_city.data or "",
            radius_km=self.mentor_radius.data,
            archetype=self.mentor_archetype.data or "",
        )


class RunForm(FlaskForm):
    strategy = RadioField(
        "Strategy",
        choices=[SelectChoice(key, label) for key, label in STRATEGY_LABELS.items()],
        default="optimal",
        validators=[DataRequired("Choose a strategy.")],
    )


ACTS = ("pin", "forbid", "drop", "unpin", "unforbid", "undrop")


class AdjustForm(FlaskForm):
    """One adjustment from a button: pin or forbid a pair, drop a person, or undo one."""

    act = HiddenField(validators=[AnyOf(ACTS)])
    mentee = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    mentor = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    person = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])


class PairForm(FlaskForm):
    """Pin or forbid a pair by the two people's emails."""

    act = RadioField(
        "Do what",
        choices=[
            SelectChoice("pin", "Pin the pair (always together)"),
            SelectChoice("forbid", "Forbid the pair"),
        ],
        default="pin",
        validators=[DataRequired("Choose pin or forbid.")],
    )
    mentee_email = StringField(
        "Apprentice's email",
        filters=[strip],
        validators=[DataRequired("Give the apprentice's email.")],
    )
    mentor_email = StringField(
        "Mentor's email", filters=[strip], validators=[DataRequired("Give the mentor's email.")]
    )


class PlacesForm(FlaskForm):
    email = StringField(
        "Mentor's email", filters=[strip], validators=[DataRequired("Give the mentor's email.")]
    )
    places = IntegerField(
        "Places in this cohort",
        validators=[
            InputRequired("Give a number of places."),
            NumberRange(min=0, max=50, message="Give a number from 0 to 50."),
        ],
    )
