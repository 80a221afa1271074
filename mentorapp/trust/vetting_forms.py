from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, ValidationError

from mentorapp.forms import strip
from mentorapp.trust.vetting import MAX_EVIDENCE_LINKS, NOTE_MAX


def _no_control_characters(_form, field) -> None:
    """Line breaks and tabs are text; other control characters are not."""
    if field.data and any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in field.data):
        raise ValidationError("Use letters, spaces and punctuation only.")


class ApplicationForm(FlaskForm):
    evidence_links = TextAreaField(
        "Where an admin can check your work",
        filters=[strip],
        validators=[
            Length(max=2000, message="Keep the links under 2,000 characters."),
            _no_control_characters,
        ],
        description=f"One web address per line, up to {MAX_EVIDENCE_LINKS}: a credits "
        "database, a label's or artist's page that names you, a release.",
        render_kw={"rows": 4, "maxlength": 2000},
    )
    note = TextAreaField(
        "Anything the admins should know (optional)",
        filters=[strip],
        validators=[
            Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX:,} characters."),
            _no_control_characters,
        ],
        description="Only the admins read it.",
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )
