from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from mentorapp.apprenticeships.services import DECLINE_REASONS, END_REASONS, MESSAGE_MAX
from mentorapp.apprenticeships.workspace import RECOMMENDATIONS
from mentorapp.forms import strip
from mentorapp.models.types import utcnow
from mentorapp.profiles.forms import choices


def _nonce() -> str:
    return secrets.token_urlsafe(16)


def _one_of(options, what: str) -> AnyOf:
    """Refuse a value that is not offered, in words (WTForms says "Not a valid choice.")."""
    return AnyOf(list(options), message=f"Choose {what} from the list.")


def _finite(_form, field) -> None:
    """Stop at text, "NaN" or "Infinity" (Decimal parses the last two, and NumberRange
    raises on a signalling NaN: a 500)."""
    if field.data is None or not field.data.is_finite():
        raise StopValidation("Enter the hours as a number, like 1.5.")


class OnceForm(FlaskForm):
    """A form whose submission must count once, however often it is sent."""

    nonce = HiddenField(default=_nonce, validators=[Length(max=40)])


class AskForm(FlaskForm):
    message = TextAreaField(
        "Your message",
        filters=[strip],
        validators=[
            DataRequired("Write a short message."),
            Length(
                min=20,
                max=MESSAGE_MAX,
                message=f"Between 20 and {MESSAGE_MAX:,} characters, please.",
            ),
        ],
        render_kw={"rows": 7, "maxlength": MESSAGE_MAX},
    )


class DeclineForm(FlaskForm):
    reason = SelectField(
        "Why not",
        choices=choices([("", "Choose a reason"), *DECLINE_REASONS.items()]),
        validate_choice=False,
        validators=[DataRequired("Choose a reason."), _one_of(DECLINE_REASONS, "a reason")],
    )
    note = TextAreaField(
        "A note for them (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=1000, message="At most 1,000 characters.")],
        description="A kind word or a pointer to someone better suited helps a lot.",
        render_kw={"rows": 3, "maxlength": 1000},
    )


class QuestionForm(OnceForm):
    question = TextAreaField(
        "Your question",
        filters=[strip],
        validators=[
            DataRequired("Write the question you want answered."),
            Length(max=2000, message="At most 2,000 characters."),
        ],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class EndForm(FlaskForm):
    reason = SelectField(
        "Why it ends",
        choices=choices([("", "Choose a reason"), *END_REASONS.items()]),
        validate_choice=False,
        validators=[DataRequired("Choose a reason."), _one_of(END_REASONS, "a reason")],
    )
    note = TextAreaField(
        "A note (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=1000, message="At most 1,000 characters.")],
        render_kw={"rows": 3, "maxlength": 1000},
    )


class MessageForm(OnceForm):
    body = TextAreaField(
        "Message",
        filters=[strip],
        validators=[
            DataRequired("Write a message first."),
            Length(max=4000, message="At most 4,000 characters."),
        ],
        render_kw={"rows": 3, "maxlength": 4000},
    )


class GoalForm(OnceForm):
    title = StringField(
        "New goal or milestone",
        filters=[strip],
        validators=[
            DataRequired("Name the goal or milestone."),
            Length(max=200, message="At most 200 characters."),
        ],
        render_kw={"maxlength": 200},
    )


class SessionForm(OnceForm):
    held_on = DateField(
        "Date",
        default=lambda: utcnow().date(),  # the date the server checks against (UTC)
        validators=[InputRequired("Enter the date of the session.")],
    )
    hours = DecimalField(
        "Hours",
        places=2,
        validators=[
            InputRequired("Enter how long the session lasted, in hours."),
            _finite,
            NumberRange(
                min=0.25, max=12, message="Between a quarter of an hour (0.25) and 12 hours."
            ),
        ],
        render_kw={"step": "0.25", "min": "0.25", "max": "12", "inputmode": "decimal"},
    )
    covered = TextAreaField(
        "What you covered",
        filters=[strip],
        validators=[
            DataRequired("Say what the session covered."),
            Length(max=2000, message="At most 2,000 characters."),
        ],
        render_kw={"rows": 2, "maxlength": 2000},
    )


class ReferenceForm(FlaskForm):
    learned = TextAreaField(
        "What they learned",
        filters=[strip],
        validators=[
            DataRequired("Describe what they learned."),
            Length(min=40, max=5000, message="Between 40 and 5,000 characters, please."),
        ],
        render_kw={"rows": 6, "maxlength": 5000},
    )
    work = TextAreaField(
        "What they worked on",
        filters=[strip],
        description="Sessions, records, projects: what a studio or school would want to know.",
        validators=[Optional(), Length(max=5000, message="At most 5,000 characters.")],
        render_kw={"rows": 5, "maxlength": 5000},
    )
    recommendation = RadioField(
        "Your recommendation",
        choices=choices(RECOMMENDATIONS.items()),
        validate_choice=False,
        validators=[
            DataRequired("Choose your recommendation."),
            _one_of(RECOMMENDATIONS, "a recommendation"),
        ],
    )
