from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional

from mentorapp.directory.listings import KIND_LABELS, LIMITS, OFFER_LABELS
from mentorapp.directory.review import FLAG_LABELS
from mentorapp.directory.search import SORTS
from mentorapp.forms import strip
from mentorapp.profiles.forms import MultiCheckboxField, PlaceFormMixin, choices


class ListingForm(PlaceFormMixin, FlaskForm):
    """A studio or school as its submitter types it. The service checks it as a whole
    (the same check as a CSV row), and its messages land next to these fields."""

    # The page asks for the city after the description (the mixin's fields come first).
    page_order = ("kind", "name", "description", "place_query")

    kind = SelectField(
        "What kind of place",
        choices=choices([("", "Choose…"), *KIND_LABELS.items()]),
        validate_choice=False,
    )
    name = StringField("Name", filters=[strip], render_kw={"maxlength": LIMITS["name"]})
    description = TextAreaField(
        "Description",
        filters=[strip],
        description="What happens there, who it is for, what a newcomer can expect.",
        render_kw={"rows": 5, "maxlength": LIMITS["description"]},
    )
    address = StringField(
        "Street address (optional)",
        filters=[strip],
        render_kw={"maxlength": LIMITS["address"], "autocomplete": "street-address"},
    )
    website = URLField(
        "Website (optional)",
        filters=[strip],
        render_kw={"maxlength": LIMITS["website"], "placeholder": "https://"},
    )
    contact_email = EmailField(
        "Contact email (optional)",
        filters=[strip],
        render_kw={"maxlength": LIMITS["contact_email"]},
    )
    # The service checks the choices (with the rest of the form, in its own words).
    specialties = MultiCheckboxField("Specialties it covers", choices=[], validate_choice=False)
    offers = MultiCheckboxField(
        "What it offers", choices=choices(OFFER_LABELS.items()), validate_choice=False
    )
    programmes = TextAreaField(
        "Programmes (schools)",
        filters=[strip],
        description="The courses or programmes, one a line.",
        render_kw={"rows": 3, "maxlength": LIMITS["programmes"]},
    )
    typical_length = StringField(
        "Typical length (schools)",
        filters=[strip],
        description="For example: 1 year full time, or 12 evening sessions.",
        render_kw={"maxlength": LIMITS["typical_length"]},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.place_query.label.text = "City"
        self.place_query.description = "Start typing and choose the city from the list."

    def raw(self, place_id: int | None) -> dict:
        """The typed listing as plain data, for the service to check."""
        return {
            "kind": self.kind.data or "",
            "name": self.name.data or "",
            "description": self.description.data or "",
            "place_id": place_id,
            "address": self.address.data or "",
            "website": self.website.data or "",
            "contact_email": self.contact_email.data or "",
            "specialties": list(self.specialties.data or []),
            "offers": list(self.offers.data or []),
            "programmes": self.programmes.data or "",
            "typical_length": self.typical_length.data or "",
        }


class DecisionForm(FlaskForm):
    reason = TextAreaField(
        "Reason or note for the submitter",
        filters=[strip],
        # The service's limit, and the textarea's maxlength (not the description's 4,000).
        validators=[Optional(), Length(max=2000, message="At most 2,000 characters, please.")],
        description="Required to reject or to ask for changes; the submitter reads it.",
        render_kw={"rows": 2, "maxlength": 2000},
    )


class FlagForm(FlaskForm):
    kind = SelectField(
        "What is wrong",
        choices=choices([("", "Choose…"), *FLAG_LABELS.items()]),
        validate_choice=False,
        validators=[DataRequired("Choose what is wrong.")],
    )
    note = TextAreaField(
        "Details (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=2000, message="At most 2,000 characters, please.")],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField("Search", filters=[strip], validators=[Length(max=100)])
    kind = SelectField("Kind", choices=choices([("", "Any kind"), *KIND_LABELS.items()]))
    specialty = SelectField("Specialty", choices=[])
    offer = SelectField("Offers", choices=choices([("", "Anything"), *OFFER_LABELS.items()]))
    near = StringField(
        "Near (a city)",
        filters=[strip],
        validators=[Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    near_me = BooleanField("Near me")
    within_km = SelectField(
        "Within",
        choices=choices(
            [
                ("", "Any distance"),
                ("10", "10 km"),
                ("25", "25 km"),
                ("50", "50 km"),
                ("100", "100 km"),
                ("250", "250 km"),
            ]
        ),
    )
    sort = SelectField(
        "Sort by",
        choices=choices(
            [("relevance", "Best match"), ("distance", "Nearest first"), ("name", "Name")]
        ),
    )


assert {c for c in SORTS} == {"relevance", "distance", "name"}


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv"], "Choose a file ending in .csv."),
        ],
    )
    approve_valid = BooleanField("Approve every valid row at once (they still get audited)")
