from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField

from mentorapp.profiles.forms import MultiCheckboxField
from mentorapp.profiles.vocabulary import AVAILABILITY_SLOTS, GENRES, TOOLS

DISTANCES = [
    ("", "Any distance"),
    ("10", "Within 10 km"),
    ("25", "Within 25 km"),
    ("50", "Within 50 km"),
    ("100", "Within 100 km"),
    ("250", "Within 250 km"),
]


class SuggestionFilterForm(FlaskForm):
    """Read from the query string: filtering changes nothing, and links can be shared."""

    class Meta:
        csrf = False

    archetype = SelectField("Kind of producer", choices=[])
    specialty = SelectField("Specialty", choices=[])
    max_km = SelectField("Distance", choices=[SelectChoice(v, label) for v, label in DISTANCES])
    remote_only = BooleanField("Remote only")
    genre = SelectField(
        "Genre", choices=[SelectChoice("", "Any genre")] + [SelectChoice(v, n) for v, n in GENRES]
    )
    free = MultiCheckboxField(
        "Free at any of these times",
        choices=[SelectChoice(v, n) for v, n in AVAILABILITY_SLOTS],
        validate_choice=False,
    )
    taking = BooleanField("Taking apprentices now")
    tool = SelectField(
        "DAW or tool",
        choices=[SelectChoice("", "Any DAW or tool")] + [SelectChoice(s, n) for s, n in TOOLS],
    )
    saved = BooleanField("Saved only")

    def fill_choices(self, archetypes, specialties) -> None:
        """Both as (slug, name) pairs, in the order shown."""
        self.archetype.choices = [SelectChoice("", "Any kind")] + [
            SelectChoice(slug, name) for slug, name in archetypes
        ]
        self.specialty.choices = [SelectChoice("", "Any specialty")] + [
            SelectChoice(slug, name) for slug, name in specialties
        ]

    def rendering_key(self) -> tuple:
        """All the rendered form depends on: each field's value and the choices offered."""
        values = tuple(
            (f.name, tuple(f.data) if isinstance(f.data, list) else f.data) for f in self
        )
        offered = tuple(
            tuple((c.value, c.label) for c in select.choices)
            for select in (self.archetype, self.specialty)
        )
        return values, offered

    def ignore_unknown(self) -> None:
        """A value that is not on offer (an old or edited link) means "any"."""
        for select in (self.archetype, self.specialty, self.max_km, self.tool, self.genre):
            if select.data not in {choice.value for choice in select.choices}:
                select.data = ""
