from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentorapp.models import Role
from mentorapp.profiles import services as profiles
from mentorapp.quiz import scoring
from mentorapp.quiz.forms import QuizForm, SaveQuizForm
from mentorapp.quiz.services import save_quiz_result

bp = Blueprint("quiz", __name__, url_prefix="/quiz")


@bp.get("")
def start():
    # Unanswered, the tools question shows what an apprentice's profile already says.
    form = QuizForm(formdata=request.args or None, tools=_profile_tools(current_user))
    # The button's own name counts too: a quiz sent with nothing answered sends only it.
    submitted = "answered" in request.args or any(
        key in request.args for key in [*scoring.QUESTION_KEYS, "tools"]
    )
    if submitted and form.validate():
        answers = {key: int(form[key].data) for key in scoring.QUESTION_KEYS}
        result = scoring.score(answers, form.tools.data)
        names = {a.slug: a for a in profiles.archetypes()}
        specialties = {s.slug: s for s in profiles.specialties()}
        return render_template(
            "quiz/result.html",
            result=result,
            archetypes=names,
            specialties=specialties,
            code=scoring.encode(answers, result.tools or ()),
            save_form=SaveQuizForm(),
        )
    status = 422 if submitted else 200
    return render_template("quiz/start.html", form=form, questions=scoring.QUESTIONS), status


def _profile_tools(user) -> list[str]:
    profile = user.mentee_profile if user.is_authenticated and user.is_mentee else None
    return list(profile.tools or []) if profile is not None else []


@bp.post("/save")
@login_required
def save():
    form = SaveQuizForm()
    try:
        result = scoring.result_of(form.answers.data or "")
    except scoring.InvalidAnswers:
        abort(400)
    if not current_user.has_role(Role.MENTEE):
        flash(
            "Saving a quiz result is for apprentices. Add the role in your account settings first.",
            "error",
        )
        return redirect(url_for("account.settings"))
    used_suggestions = save_quiz_result(current_user, result)
    flash(
        "Saved: your profile now ranks the producers you want to become"
        + (", with specialties to start with." if used_suggestions else "."),
        "success",
    )
    return redirect(url_for("profiles.onboarding"))
