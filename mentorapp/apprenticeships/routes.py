from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import MethodNotAllowed

from mentorapp.apprenticeships import services, workspace
from mentorapp.apprenticeships.forms import (
    AskForm,
    DeclineForm,
    EndForm,
    GoalForm,
    MessageForm,
    QuestionForm,
    ReferenceForm,
    SessionForm,
)
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import State
from mentorapp.profiles import services as profiles
from mentorapp.trust import blocks, reports
from mentorapp.views import render_form

bp = Blueprint("apprenticeships", __name__)


def _mine(apprenticeship_id: int):
    try:
        return services.apprenticeship_for(current_user, apprenticeship_id)
    except NotAllowed:
        abort(404)


def _to(apprenticeship_id: int, anchor: str | None = None):
    return redirect(
        url_for("apprenticeships.show", apprenticeship_id=apprenticeship_id, _anchor=anchor)
    )


def _render_workspace(apprenticeship, status: int = 200, **bound):
    forms = {
        "decline_form": DeclineForm(formdata=None),
        "question_form": QuestionForm(formdata=None),
        "end_form": EndForm(formdata=None),
        "message_form": MessageForm(formdata=None),
        "goal_form": GoalForm(formdata=None),
        "session_form": SessionForm(formdata=None),
        "button": EmptyForm(),
    }
    forms.update(bound)
    return render_template(
        "apprenticeships/show.html",
        a=apprenticeship,
        me=apprenticeship.role_of(current_user.id),
        other=apprenticeship.other(current_user.id),
        labels=services.STATE_LABELS,
        decline_reasons={**services.DECLINE_REASONS, **services.AUTO_REASONS},
        end_reasons=services.END_REASONS,
        recommendations=workspace.RECOMMENDATIONS,
        hidden_messages=reports.hidden_message_ids(apprenticeship.id),
        **forms,
    ), status


@bp.get("/apprenticeships")
@login_required
def index():
    return render_template(
        "apprenticeships/index.html",
        apprenticeships=services.apprenticeships_of(current_user),
        labels=services.STATE_LABELS,
        limit=services.OPEN_REQUEST_LIMIT,
        open_requests=services.open_requests_by(current_user.id),
    )


def _start(user_id: int, as_mentee: bool):
    other = profiles.person_with_profiles(user_id)
    wanted_role = "mentor" if as_mentee else "mentee"
    if (
        other is None
        or other.id == current_user.id
        or not getattr(other, f"is_{wanted_role}")
        or other.suspended_at
    ):
        abort(404)
    if not (current_user.is_mentee if as_mentee else current_user.is_mentor):
        abort(404)
    existing = (
        services.open_pair(other.id, current_user.id)
        if as_mentee
        else services.open_pair(current_user.id, other.id)
    )
    if existing is not None:
        flash(services.existing_message(existing, current_user.id), "info")
        return _to(existing.id)
    if blocks.between(current_user.id, other.id):
        flash(blocks.not_available(other.display_name), "info")
        return redirect(url_for("profiles.show", user_id=other.id))
    closed = (
        services.why_not_taking(other, current_user)
        if as_mentee
        else services.why_cannot_invite(current_user)
    )
    if closed and request.method == "GET":
        # Say so before the person writes a message that cannot be sent.
        flash(closed, "info")
        return redirect(url_for("profiles.show", user_id=other.id))
    form = AskForm()
    if form.validate_on_submit():
        try:
            if as_mentee:
                made = services.request_apprenticeship(current_user, other.id, form.message.data)
            else:
                made = services.invite_apprentice(current_user, other.id, form.message.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                f"Sent. {other.display_name} has two weeks to answer; we will tell you."
                if as_mentee
                else f"Invitation sent to {other.display_name}.",
                "success",
            )
            return _to(made.id)
    return render_form(
        "apprenticeships/ask.html",
        form,
        other=other,
        as_mentee=as_mentee,
        open_requests=services.open_requests_by(current_user.id) if as_mentee else 0,
        limit=services.OPEN_REQUEST_LIMIT,
    )


@bp.route("/people/<id:user_id>/ask", methods=["GET", "POST"])
@login_required
def ask(user_id: int):
    return _start(user_id, as_mentee=True)


@bp.route("/people/<id:user_id>/invite", methods=["GET", "POST"])
@login_required
def invite(user_id: int):
    return _start(user_id, as_mentee=False)


# One rule a path, GET and POST together: Werkzeug answers 405 rather than 404 for an
# out-of-range id when a path has a rule per method.
@bp.route("/apprenticeships/<id:apprenticeship_id>", methods=["GET", "POST"])
@login_required
def show(apprenticeship_id: int):
    if request.method == "POST":
        return _act_in_workspace(apprenticeship_id)
    return _render_workspace(_mine(apprenticeship_id))


def _act_in_workspace(apprenticeship_id: int):
    """The workspace's forms post to the workspace itself, so a form sent back with
    errors shows at the workspace's address (a success still redirects)."""
    act = request.form.get("act", "")
    if act in WORKSPACE_ACTS:
        return WORKSPACE_ACTS[act](apprenticeship_id)
    if act in ("decline", "question"):
        return _move(apprenticeship_id, act)
    abort(400)


# Transitions: a button, or a short form when a reason or a question goes with it.
TRANSITIONS = {
    "accept": (EmptyForm, lambda a, f: services.accept(current_user, a.id), "Accepted."),
    "withdraw": (
        EmptyForm,
        lambda a, f: services.withdraw(current_user, a.id),
        "Your request is withdrawn.",
    ),
    "complete": (
        EmptyForm,
        lambda a, f: services.complete(current_user, a.id),
        "Completed. Well done, both of you.",
    ),
    "decline": (
        DeclineForm,
        lambda a, f: services.decline(current_user, a.id, f.reason.data, f.note.data),
        "Declined. We let them know.",
    ),
    "question": (
        QuestionForm,
        lambda a, f: services.ask_for_information(
            current_user, a.id, f.question.data, f.nonce.data
        ),
        "Your question is sent. The request stays open while they answer.",
    ),
    "end": (
        EndForm,
        lambda a, f: services.end(current_user, a.id, f.reason.data, f.note.data),
        "The apprenticeship has ended.",
    ),
}
FORM_NAMES = {DeclineForm: "decline_form", QuestionForm: "question_form", EndForm: "end_form"}

# What cannot be undone asks once more, on a page of its own (no JavaScript needed):
# the transition, and whether the apprenticeship and the person may take it now.
CONFIRMED = {
    "withdraw": lambda a: a.state == State.REQUESTED and a.requester_id == current_user.id,
    "end": lambda a: a.state == State.ACCEPTED,
}


def _render_confirm(apprenticeship, transition: str, form, status: int = 200):
    return render_template(
        "apprenticeships/confirm.html",
        a=apprenticeship,
        me=apprenticeship.role_of(current_user.id),
        other=apprenticeship.other(current_user.id),
        transition=transition,
        form=form,
    ), status


def _confirm(apprenticeship_id: int, transition: str):
    if transition not in CONFIRMED:
        raise MethodNotAllowed(valid_methods=["POST"])
    apprenticeship = _mine(apprenticeship_id)
    if not CONFIRMED[transition](apprenticeship):
        return _to(apprenticeship.id)
    form = EndForm(formdata=None) if transition == "end" else EmptyForm()
    return _render_confirm(apprenticeship, transition, form)


@bp.route("/apprenticeships/<id:apprenticeship_id>/<transition>", methods=["GET", "POST"])
@login_required
def move(apprenticeship_id: int, transition: str):
    if transition not in TRANSITIONS:
        abort(404)
    if request.method == "GET":
        return _confirm(apprenticeship_id, transition)
    return _move(apprenticeship_id, transition)


def _move(apprenticeship_id: int, transition: str):
    form_class, act, done = TRANSITIONS[transition]
    apprenticeship = _mine(apprenticeship_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            act(apprenticeship, form)
        except DomainError as error:
            if not error.field or form_class is EmptyForm:
                flash(error.message, "error")
                return _to(apprenticeship.id)
            show_error(form, error)
        else:
            flash(done, "success")
            return _to(apprenticeship.id)
    if form_class is EmptyForm:
        abort(400)  # only a missing or foreign CSRF token fails an empty form
    if transition == "end":
        return _render_confirm(apprenticeship, transition, form, 422)
    return _render_workspace(apprenticeship, 422, **{FORM_NAMES[form_class]: form})


def _add(apprenticeship_id: int, form_class, form_name: str, add, anchor: str):
    apprenticeship = _mine(apprenticeship_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            add(apprenticeship, form)
        except DomainError as error:
            if not error.field:
                flash(error.message, "error")
                return _to(apprenticeship.id)
            show_error(form, error)
        else:
            return _to(apprenticeship.id, anchor)
    return _render_workspace(apprenticeship, 422, **{form_name: form})


@bp.post("/apprenticeships/<id:apprenticeship_id>/messages")
@login_required
def message(apprenticeship_id: int):
    return _add(
        apprenticeship_id,
        MessageForm,
        "message_form",
        lambda a, f: workspace.post_message(current_user, a, f.body.data, f.nonce.data),
        "thread-end",
    )


@bp.post("/apprenticeships/<id:apprenticeship_id>/goals")
@login_required
def goal(apprenticeship_id: int):
    return _add(
        apprenticeship_id,
        GoalForm,
        "goal_form",
        lambda a, f: workspace.add_goal(current_user, a, f.title.data, f.nonce.data),
        "goals",
    )


@bp.post("/apprenticeships/<id:apprenticeship_id>/sessions")
@login_required
def log_session(apprenticeship_id: int):
    return _add(
        apprenticeship_id,
        SessionForm,
        "session_form",
        lambda a, f: workspace.log_session(
            current_user, a, f.held_on.data, float(f.hours.data), f.covered.data, f.nonce.data
        ),
        "sessions",
    )


WORKSPACE_ACTS = {"message": message, "goal": goal, "session": log_session}


@bp.post("/apprenticeships/<id:apprenticeship_id>/goals/<id:goal_id>/<state>")
@login_required
def tick_goal(apprenticeship_id: int, goal_id: int, state: str):
    if state not in ("done", "open"):
        abort(404)
    apprenticeship = _mine(apprenticeship_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        workspace.set_goal_done(apprenticeship, goal_id, state == "done")
    except NotAllowed:
        abort(404)
    except DomainError as error:
        flash(error.message, "error")
    return _to(apprenticeship.id, "goals")


@bp.post("/apprenticeships/<id:apprenticeship_id>/sessions/<id:session_id>/confirm")
@login_required
def confirm_session(apprenticeship_id: int, session_id: int):
    apprenticeship = _mine(apprenticeship_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        workspace.confirm_session(current_user, apprenticeship, session_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("Session confirmed.", "success")
    return _to(apprenticeship.id, "sessions")


@bp.route("/apprenticeships/<id:apprenticeship_id>/reference", methods=["GET", "POST"])
@login_required
def write_reference(apprenticeship_id: int):
    apprenticeship = _mine(apprenticeship_id)
    if current_user.id != apprenticeship.mentor_id:
        abort(404)
    if apprenticeship.state != State.COMPLETED:
        flash("A reference is written once the apprenticeship is completed.", "error")
        return _to(apprenticeship.id)
    reference = apprenticeship.reference
    form = ReferenceForm(obj=reference if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            workspace.write_reference(
                current_user,
                apprenticeship,
                form.learned.data,
                form.work.data,
                form.recommendation.data,
            )
        except DomainError as error:
            if not error.field:
                flash(error.message, "error")
                return _to(apprenticeship.id)
            show_error(form, error)
        else:
            flash("Your reference is saved. The apprentice chooses whether to show it.", "success")
            return _to(apprenticeship.id, "reference")
    return render_form(
        "apprenticeships/reference_form.html", form, a=apprenticeship, reference=reference
    )


@bp.post("/references/<id:reference_id>/<choice>")
@login_required
def show_reference_on_profile(reference_id: int, choice: str):
    if choice not in ("show", "hide"):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        reference = workspace.set_reference_shown(current_user, reference_id, choice == "show")
    except NotAllowed:
        abort(404)
    flash(
        "Your profile shows this reference now."
        if choice == "show"
        else "This reference is hidden from your profile.",
        "success",
    )
    return _to(reference.apprenticeship_id, "reference")


@bp.get("/references/<id:reference_id>")
def reference(reference_id: int):
    try:
        found = workspace.reference_to_read(current_user, reference_id)
    except NotAllowed:
        abort(404)
    return render_template(
        "apprenticeships/reference.html",
        reference=found,
        a=found.apprenticeship,
        recommendations=workspace.RECOMMENDATIONS,
    )
