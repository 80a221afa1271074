"""One form per profile section; onboarding walks through them, editing reuses them."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
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
from mentorapp.models.types import utcnow
from mentorapp.profiles import credits as cr
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


def tools_field(label: str = "DAW and tools you work in") -> MultiCheckboxField:
    # The choices come from the vocabulary, so a value outside it is refused with a message.
    return MultiCheckboxField(
        label,
        choices=choices(v.TOOLS),
        description="Optional. Working in the same tools adds a little to a match.",
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
    portfolio_links = TextAreaField(
        "Portfolio links",
        filters=[strip],
        validators=[_portfolio_links],
        description=f"One web address per line, up to {v.MAX_PORTFOLIO_LINKS} (optional).",
    )


class CreditRowForm(Form):
    """One credit of the list (a row of `MentorCreditsForm`); a row left blank is none."""

    credit_id = HiddenField()
    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            Length(max=cr.TITLE_MAX, message=f"Keep the title under {cr.TITLE_MAX} characters.")
        ],
        description="The record, song, film or project.",
    )
    artist = StringField(
        "Artist",
        filters=[strip],
        validators=[
            Length(max=cr.ARTIST_MAX, message=f"Keep the artist under {cr.ARTIST_MAX} characters.")
        ],
    )
    role = StringField(
        "Your role",
        filters=[strip],
        validators=[
            Length(max=cr.ROLE_MAX, message=f"Keep the role under {cr.ROLE_MAX} characters.")
        ],
    )
    year = IntegerField(
        "Year",
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    link = StringField(
        "Link (optional)",
        filters=[strip],
        description="Where it can be heard or checked.",
        # Stated and counted under the field (not cut: the template drops maxlength);
        # validate_link refuses a longer one.
        render_kw={
            "inputmode": "url",
            "spellcheck": "false",
            "autocapitalize": "off",
            "maxlength": cr.LINK_MAX,
        },
    )
    remove = BooleanField("Remove this credit")

    def is_blank(self) -> bool:
        return not any(
            (
                self.title.data,
                self.artist.data,
                self.role.data,
                self.year.raw_data and self.year.raw_data[0],
                self.link.data,
            )
        )

    def validate_title(self, field) -> None:
        if not field.data and not self.remove.data and not self.is_blank():
            raise ValidationError("Write the title, or clear the row.")

    def validate_year(self, field) -> None:
        top = utcnow().year + 1
        if field.data is not None and not cr.YEAR_MIN <= field.data <= top:
            raise ValidationError(f"Use a year from {cr.YEAR_MIN} to {top}.")

    def validate_link(self, field) -> None:
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("Use a web address starting with http:// or https://.")
        if len(field.data) > cr.LINK_MAX:
            raise ValidationError(f"Use a web address under {cr.LINK_MAX} characters.")
        if any(ch.isspace() or ord(ch) < 32 for ch in field.data):
            raise ValidationError("The address has a space in it.")


class MentorCreditsForm(FlaskForm):
    """The credits as rows: edit a row, tick "Remove", fill the blank row to add one.
    "Add another row" and "Move up" only rearrange the form (no script needed)."""

    rows = FieldList(
        FormField(CreditRowForm), "Credits", min_entries=0, max_entries=cr.MAX_CREDITS + 5
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, entry in enumerate(self.rows, start=1):
            for field in entry.form:
                if field.type != "HiddenField":
                    field.label.text = (
                        f"Credit {number}, {field.label.text[:1].lower()}{field.label.text[1:]}"
                    )

    def filled_rows(self) -> list[CreditRowForm]:
        return [
            row.form for row in self.rows if not row.form.is_blank() and not row.form.remove.data
        ]

    def validate_rows(self, field) -> None:
        if len(self.filled_rows()) > cr.MAX_CREDITS:
            raise ValidationError(f"List at most {cr.MAX_CREDITS} credits.")

    @property
    def errors(self):
        """Each row's errors under the field they concern (the error summary links each
        to its field); the list's own error under the list."""
        flat = {}
        for row in self.rows:
            for name, messages in row.form.errors.items():
                flat[row.form[name].name] = messages
        list_errors = [e for e in self.rows.errors if isinstance(e, str)]
        if list_errors:
            flat["rows"] = list_errors
        if self.csrf_token.errors:
            flat["csrf_token"] = self.csrf_token.errors
        return flat

    def __getitem__(self, name):
        for row in self.rows:
            for field in row.form:
                if field.name == name:
                    return field
        return super().__getitem__(name)


class MentorTermsForm(FlaskForm):
    terms = RadioField(
        "On what terms do you take an apprentice?",
        choices=choices(v.TERMS_LABELS.items()),
        validators=[InputRequired("Choose free, paid or work for learning.")],
    )
    terms_rate = StringField(
        "Your rate",
        filters=[strip],
        validators=[
            Length(max=v.RATE_MAX, message=f"Keep the rate under {v.RATE_MAX} characters.")
        ],
        # The limit is stated (and counted) under the field by the template.
        description="Only for paid: in your own words, e.g. “£40 a session”.",
    )
    typical_week = TextAreaField(
        "What a week looks like",
        filters=[strip],
        validators=[Length(max=v.WEEK_MAX, message=f"Keep it under {v.WEEK_MAX:,} characters.")],
        description="What an apprentice does with you in a usual week.",
    )

    def validate_terms_rate(self, field) -> None:
        if self.terms.data == "paid" and not field.data:
            raise ValidationError("Say what an apprentice pays, in your own words.")


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
    tools = tools_field()


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
    tools = tools_field()
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
