from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from mentorapp.insights.figures import Span, default_span
from mentorapp.models.types import utcnow

LONGEST = timedelta(days=3 * 366)


class SpanForm(FlaskForm):
    """The dashboard's dates (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and field.data > utcnow().date() + timedelta(days=1):
            raise ValidationError("Choose a date no later than today.")
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("Choose a date on or after the first date.")
        if field.data and self.since.data and field.data - self.since.data > LONGEST:
            raise ValidationError("Choose at most three years.")


def span_from(form: SpanForm) -> Span:
    """The dates asked for, or the last six months for whatever is missing or wrong."""
    today = utcnow().date()
    chosen = default_span(today)
    if not form.validate():
        return chosen
    until = form.until.data or today
    since = form.since.data or min(chosen.since, until)
    return Span(since, until)
