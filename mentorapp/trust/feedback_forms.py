from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from mentorapp.forms import strip
from mentorapp.profiles.forms import choices
from mentorapp.trust.feedback import PRIVATE_WORDS_MAX, RATINGS, TESTIMONIAL_MAX

RATING_CHOICES = [(str(n), f"{n}: {label}") for n, label in RATINGS.items()]
RATING_MISSING = "Choose how much you would recommend them, from 1 to 5."


class FeedbackForm(FlaskForm):
    """Both sides fill in the rating and the private words; the apprentice's form also
    has the testimonial (the route removes it from the mentor's)."""

    rating = RadioField(
        "Would you recommend them?",
        choices=choices(RATING_CHOICES),
        validate_choice=False,
        validators=[
            DataRequired(RATING_MISSING),
            AnyOf([value for value, _ in RATING_CHOICES], message=RATING_MISSING),
        ],
    )
    private_words = TextAreaField(
        "Anything the admins should know (optional)",
        filters=[strip],
        description="Only the admins read this: never the other person, never the public.",
        validators=[
            Optional(),
            Length(max=PRIVATE_WORDS_MAX, message=f"At most {PRIVATE_WORDS_MAX:,} characters."),
        ],
        render_kw={"rows": 4, "maxlength": PRIVATE_WORDS_MAX},
    )
    testimonial = TextAreaField(
        "A testimonial for their profile (optional)",
        filters=[strip],
        description=(
            "A few words other apprentices may read. Your mentor chooses whether their "
            "profile shows it, and cannot change it."
        ),
        validators=[
            Optional(),
            Length(max=TESTIMONIAL_MAX, message=f"At most {TESTIMONIAL_MAX:,} characters."),
        ],
        render_kw={"rows": 4, "maxlength": TESTIMONIAL_MAX},
    )
    signed = BooleanField(
        "Sign it with my first name (otherwise: “a former apprentice”)", default=True
    )
