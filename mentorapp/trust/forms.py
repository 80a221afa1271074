from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from mentorapp.forms import strip
from mentorapp.profiles.forms import choices
from mentorapp.trust.moderation import REASON_MAX
from mentorapp.trust.reports import DESCRIPTION_MAX, REASON_LABELS

# Text that reorders what follows it on screen, so a report could read unlike what it says.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def plain_text(_form, field) -> None:
    """Line breaks and tabs are fine in a long text; other control characters are not."""
    for character in field.data or "":
        if character in "\n\r\t":
            continue
        if character in _BIDI_CONTROLS or unicodedata.category(character) in ("Cc", "Zl", "Zp"):
            raise ValidationError(
                "Use letters, digits and punctuation only (no control characters)."
            )


class ReportForm(FlaskForm):
    reason = RadioField(
        "What is wrong",
        choices=choices(REASON_LABELS.items()),
        validate_choice=False,
        validators=[DataRequired("Choose what is wrong.")],
    )
    description = TextAreaField(
        "What happened",
        filters=[strip],
        description="Only the admins read this. The person you report never learns who you are.",
        validators=[
            DataRequired("Say in a few words what happened."),
            Length(max=DESCRIPTION_MAX, message=f"At most {DESCRIPTION_MAX:,} characters, please."),
            plain_text,
        ],
        render_kw={"rows": 5, "maxlength": DESCRIPTION_MAX},
    )


class BlockForm(FlaskForm):
    end_running = BooleanField("Also end the apprenticeship we run together")


class ModerationForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        filters=[strip],
        description="Kept in the audit log. With “Warn”, the person reads it too.",
        validators=[
            DataRequired("Give a reason: it stays in the record."),
            Length(max=REASON_MAX, message=f"At most {REASON_MAX:,} characters, please."),
            plain_text,
        ],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )
