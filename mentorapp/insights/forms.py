from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

LONGEST = timedelta(days=3 * 366)


class SpanForm(FlaskForm):
    """The dashboard's dates (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and field.data > date.today() + timedelta(days=1):
            raise ValidationError("Choose a date no later than today.")
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("Choose a date on or after the first date.")
        if field.data and self.since.data and field.data - self.since.data > LONGEST:
            raise ValidationError("Choose at most three years.")
