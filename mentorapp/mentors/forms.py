from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from mentorapp.forms import strip
from mentorapp.profiles.forms import MultiCheckboxField
from mentorapp.profiles.vocabulary import AVAILABILITY_SLOTS, GENRES, TOOLS
from mentorapp.suggestions.forms import DISTANCES

SORT_LABELS = {
    "relevance": "Best match for your words",
    "best_fit": "Best fit for you",
    "distance": "Nearest first",
    "newest": "Newest first",
    "taught": "Most apprentices taught",
}


def _any(label: str, pairs) -> list[SelectChoice]:
    return [SelectChoice("", label)] + [SelectChoice(value, name) for value, name in pairs]


class MentorSearchForm(FlaskForm):
    """Read from the query string: searching changes nothing, and links can be shared.
    A value that is not on offer is an error next to its field, never silently "any"."""

    class Meta:
        csrf = False

    q = StringField(
        "Name or words",
        filters=[strip],
        validators=[Length(max=200, message="Type at most 200 characters.")],
        description="A name, or words from a mentor's headline, bio, credits or city.",
        render_kw={"type": "search"},
    )
    archetype = SelectField("Kind of producer", choices=[], validate_choice=False)
    specialty = SelectField("Specialty", choices=[], validate_choice=False)
    genre = SelectField("Genre", choices=_any("Any genre", GENRES), validate_choice=False)
    tool = SelectField(
        "DAW or tools", choices=_any("Any DAW or tools", TOOLS), validate_choice=False
    )
    near = StringField(
        "Near a city",
        filters=[strip],
        validators=[Length(max=100, message="Type at most 100 characters.")],
        render_kw={"autocomplete": "off"},
    )
    near_id = RadioField("Which one do you mean?", choices=[], validate_choice=False)
    within_km = SelectField(
        "Distance",
        choices=[SelectChoice(v, label) for v, label in DISTANCES],
        validate_choice=False,
    )
    remote = BooleanField("Works remotely")
    taking = BooleanField("Taking apprentices now")
    free = MultiCheckboxField(
        "Free at any of these times",
        choices=[SelectChoice(v, label) for v, label in AVAILABILITY_SLOTS],
        validate_choice=False,
    )
    sort = SelectField("Sort by", choices=[], validate_choice=False)

    def fill_choices(self, archetypes, specialties, sorts: list[str]) -> None:
        self.archetype.choices = _any("Any kind", ((a.slug, a.name) for a in archetypes))
        self.specialty.choices = _any("Any specialty", ((s.slug, s.name) for s in specialties))
        self.sort.choices = [SelectChoice(s, SORT_LABELS[s]) for s in sorts]

    def check_choices(self) -> None:
        """Each select must hold one of its own values (an old or edited link may not)."""
        messages = {
            "archetype": "Choose a kind of producer from the list.",
            "specialty": "Choose a specialty from the list.",
            "genre": "Choose a genre from the list.",
            "tool": "Choose a DAW or tool from the list.",
            "within_km": "Choose a distance from the list.",
            "sort": "Choose an order from the list.",
        }
        for name, message in messages.items():
            select = self[name]
            if (select.data or "") not in {choice.value for choice in select.choices}:
                select.errors = [*select.errors, message]
        known = {value for value, _ in AVAILABILITY_SLOTS}
        if any(slot not in known for slot in self.free.data or []):
            self.free.errors = [*self.free.errors, "Choose times from the list."]

    @property
    def filtering(self) -> bool:
        return bool(
            self.archetype.data
            or self.specialty.data
            or self.genre.data
            or self.tool.data
            or self.near.data
            or self.remote.data
            or self.taking.data
            or self.free.data
        )
