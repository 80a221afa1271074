"""One form per profile section; onboarding walks through them, editing reuses them."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from mentorapp.forms import strip
from mentorapp.profiles import vocabulary as v


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _at_most(n: int, what: str):
    def check(_form, field) -> None:
        if field.data and len(field.data) > n:
            raise ValidationError(f"Choose at most {n} {what}.")

    return check


def genre_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        "Genres you work in",
        choices=choices(v.GENRES),
        validators=[_at_most(v.MAX_GENRES, "genres")],
        description=f"Up to {v.MAX_GENRES}. Shared genres add to a match.",
    )


def availability_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        "When you are usually free",
        choices=choices(v.AVAILABILITY_SLOTS),
        validators=[DataRequired("Tick at least one time of the week.")],
        description="Matches with overlapping time score higher.",
    )


def travel_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired("Say how far, in kilometres (0 if you cannot travel)."),
            NumberRange(
                0, v.MAX_TRAVEL_KM, f"Use a number from 0 to {v.MAX_TRAVEL_KM} kilometres."
            ),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": v.MAX_TRAVEL_KM},
    )


class PlaceFormMixin:
    """A city from the gazetteer: typed, then chosen (a script can do both at once)."""

    place_query = StringField(
        "Your city",
        filters=[strip],
        validators=[Length(max=100, message="Type at most 100 characters.")],
        description="Start typing and choose your city from the list. Only the city is shown "
        "to others, never an address.",
        render_kw={"autocomplete": "off"},
    )
    place_id = HiddenField()
    place_choice = RadioField("Which one do you mean?", choices=[], validate_choice=False)


# Mentor sections


def _portfolio_links(_form, field) -> None:
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if len(lines) > v.MAX_PORTFOLIO_LINKS:
        raise ValidationError(f"Add at most {v.MAX_PORTFOLIO_LINKS} links.")
    for number, line in enumerate(lines, start=1):
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(line) > 300:
            raise ValidationError(
                f"Link {number} is not a web address starting with http:// or https://."
            )
        if any(ch.isspace() for ch in line):
            raise ValidationError(f"Link {number} has a space in it.")


class MentorAboutForm(FlaskForm):
    headline = StringField(
        "Headline",
        filters=[strip],
        validators=[
            DataRequired("Write a one-line headline."),
            Length(max=120, message="Keep the headline under 120 characters."),
        ],
        description="One line, e.g. “Mixing engineer for indie and soul records”.",
    )
    bio = TextAreaField(
        "About you",
        filters=[strip],
        validators=[
            DataRequired("Tell apprentices a little about yourself."),
            Length(max=4000, message="Keep it under 4,000 characters."),
        ],
        description="How you work, what you have made, what an apprentice would do with you.",
    )
    years_producing = IntegerField(
        "Years producing",
        validators=[
            InputRequired("Say how many years you have been producing."),
            NumberRange(0, 80, "Use a number of years from 0 to 80."),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": 80},
    )
    credits = TextAreaField(
        "Credits",
        filters=[strip],
        validators=[Length(max=2000, message="Keep credits under 2,000 characters.")],
        description="Records, artists or projects you worked on (optional).",
    )
    portfolio_links = TextAreaField(
        "Portfolio links",
        filters=[strip],
        validators=[_portfolio_links],
        description=f"One web address per line, up to {v.MAX_PORTFOLIO_LINKS} (optional).",
    )


class MentorCraftForm(FlaskForm):
    archetypes = MultiCheckboxField(
        "What kind of producer are you?",
        validators=[DataRequired("Choose at least one kind of producer.")],
        description="Choose every one that fits. Mentees choose what they want to become.",
    )
    specialties = MultiCheckboxField(
        "What you teach",
        validators=[
            DataRequired("Choose at least one thing you teach."),
            _at_most(v.MAX_TAUGHT_SPECIALTIES, "specialties"),
        ],
        description=f"Up to {v.MAX_TAUGHT_SPECIALTIES}. This weighs most in a match.",
    )
    genres = genre_field()


class MentorPlaceForm(PlaceFormMixin, FlaskForm):
    works_in_person = BooleanField("I teach in person")
    works_remotely = BooleanField("I teach remotely (video calls, shared sessions)")
    travel_km = travel_field("How far apprentices may live from you, in km")

    def validate_works_remotely(self, field) -> None:
        if not field.data and not self.works_in_person.data:
            raise ValidationError("Choose in person, remotely, or both.")


class MentorWeekForm(FlaskForm):
    availability = availability_field()
    capacity = IntegerField(
        "How many apprentices at once",
        validators=[
            InputRequired("Say how many apprentices you can take at once."),
            NumberRange(1, v.MAX_CAPACITY, f"Use a number from 1 to {v.MAX_CAPACITY}."),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": v.MAX_CAPACITY},
    )
    accepting = BooleanField("I am accepting new apprentices now")
    takes_minors = BooleanField(
        "I take apprentices under 18 (each one joins with a parent's or guardian's consent)"
    )


# Mentee sections


class MenteeAboutForm(FlaskForm):
    about = TextAreaField(
        "About you",
        filters=[strip],
        validators=[
            DataRequired("Tell mentors a little about yourself."),
            Length(max=4000, message="Keep it under 4,000 characters."),
        ],
        description="What you make, what you listen to, where you are in your journey.",
    )
    goals = TextAreaField(
        "What you hope to get from an apprenticeship",
        filters=[strip],
        validators=[
            DataRequired("Say what you hope to get from an apprenticeship."),
            Length(max=2000, message="Keep it under 2,000 characters."),
        ],
    )


def _ranked(label: str, required_message: str | None):
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    return SelectField(label, choices=[], validators=validators, validate_choice=True)


class MenteeCraftForm(FlaskForm):
    aspiration_1 = _ranked("First choice", "Choose the kind of producer you most want to become.")
    aspiration_2 = _ranked("Second choice (optional)", None)
    aspiration_3 = _ranked("Third choice (optional)", None)
    want_1 = _ranked("Most wanted", "Choose at least one thing you want to learn.")
    want_2 = _ranked("Second (optional)", None)
    want_3 = _ranked("Third (optional)", None)
    want_4 = _ranked("Fourth (optional)", None)
    want_5 = _ranked("Fifth (optional)", None)
    genres = genre_field()
    experience = RadioField(
        "Your experience",
        choices=choices(v.EXPERIENCE_LABELS.items()),
        validators=[InputRequired("Choose how experienced you are.")],
    )
    path = RadioField(
        "The path you are considering",
        choices=choices(v.PATH_LABELS.items()),
        validators=[InputRequired("Choose the path you are considering.")],
    )

    ASPIRATIONS = ("aspiration_1", "aspiration_2", "aspiration_3")
    WANTS = ("want_1", "want_2", "want_3", "want_4", "want_5")

    def ranked(self, names) -> list[str]:
        return [self[name].data for name in names if self[name].data]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for names, what in ((self.ASPIRATIONS, "kind of producer"), (self.WANTS, "specialty")):
            seen: set[str] = set()
            for name in names:
                value = self[name].data
                if value and value in seen:
                    self[name].errors = [
                        *self[name].errors,
                        f"You already chose this {what} above.",
                    ]
                    valid = False
                seen.add(value)
        return valid


class MenteePlaceForm(PlaceFormMixin, FlaskForm):
    travel_km = travel_field("How far you can travel to a mentor, in km")
    remote_ok = BooleanField("I am happy to learn remotely too")


class MenteeWeekForm(FlaskForm):
    availability = availability_field()
