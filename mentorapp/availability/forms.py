from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired


class PauseForm(FlaskForm):
    until = DateField(
        "The day you will be back",
        validators=[InputRequired("Say the day you will be back.")],
        description="Until then you are not suggested and cannot be asked; requests "
        "waiting on you are answered kindly, with this date.",
    )


class EndPauseForm(FlaskForm):
    pass
