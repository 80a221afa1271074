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
        self.archetype.choices = [SelectChoice("", "Any kind")] + [
            SelectChoice(a.slug, a.name) for a in archetypes
        ]
        self.specialty.choices = [SelectChoice("", "Any specialty")] + [
            SelectChoice(s.slug, s.name) for s in specialties
        ]

    def ignore_unknown(self) -> None:
        """A value that is not on offer (an old or edited link) means "any"."""
        for select in (self.archetype, self.specialty, self.max_km, self.tool, self.genre):
            if select.data not in {choice.value for choice in select.choices}:
                select.data = ""
