from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import InputRequired

from mentorapp.profiles.forms import tools_field
from mentorapp.quiz.scoring import QUESTIONS


def _scale(question) -> list[SelectChoice]:
    labels = {1: f"1: {question.low}", 5: f"5: {question.high}"}
    return [SelectChoice(str(n), labels.get(n, str(n))) for n in range(1, 6)]


class QuizForm(FlaskForm):
    """Answered with GET: taking the quiz changes nothing, and the result can be shared."""

    class Meta:
        csrf = False


for _question in QUESTIONS:
    setattr(
        QuizForm,
        _question.key,
        RadioField(
            _question.text,
            choices=_scale(_question),
            validators=[InputRequired("Choose an answer from 1 to 5.")],
        ),
    )


# The last question, optional: the same field as the profile's, saved the same way.
QuizForm.tools = tools_field("What do you make music in?")  # after the scales: asked last


class SaveQuizForm(FlaskForm):
    answers = HiddenField()
