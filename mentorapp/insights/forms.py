from datetime import timedelta

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from mentorapp.extensions import db
from mentorapp.insights.figures import Span, default_span
from mentorapp.models import Cohort
from mentorapp.models.types import utcnow

LONGEST = timedelta(days=3 * 366)


class SpanForm(FlaskForm):
    """The dashboard's dates (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    cohort = SelectField("Cohort", validators=[Optional()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cohorts = db.session.execute(
            select(Cohort.id, Cohort.name).order_by(Cohort.created_at.desc(), Cohort.id.desc())
        ).all()
        self.cohort.choices = [("", "The whole programme")] + [
            (str(i), name) for i, name in cohorts
        ]

    def validate_cohort(self, field) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose a cohort from the list.")

    @property
    def cohort_id(self) -> int | None:
        return int(self.cohort.data) if self.cohort.data else None

    def validate_until(self, field) -> None:
        if field.data and field.data > utcnow().date() + timedelta(days=1):
            raise ValidationError("Choose a date no later than today.")
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("Choose a date on or after the first date.")
        if field.data and self.since.data and field.data - self.since.data > LONGEST:
            raise ValidationError("Choose at most three years.")


def span_from(form: SpanForm) -> Span:
    """The dates (and cohort) asked for, or the last six months of the whole programme
    for whatever is missing or wrong."""
    today = utcnow().date()
    chosen = default_span(today)
    if not form.validate():
        return chosen
    until = form.until.data or today
    since = form.since.data or min(chosen.since, until)
    return Span(since, until, form.cohort_id)
