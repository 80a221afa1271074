"""People management: the list with its filters, a person's page, suspension, the admin
role and a new verification link. On the admin blueprint, so its one access check
covers every page here."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentorapp.admin import people, services
from mentorapp.admin.forms import AdminRoleForm, PeopleSearchForm, SuspendForm
from mentorapp.admin.routes import _person, bp
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import AdminStepDown
from mentorapp.paging import page_number

PAGE_SIZE = 25


@bp.get("/people", endpoint="people")
def people_list():
    form = PeopleSearchForm(request.args)
    wanted = form.wanted()
    page = people.find_people(wanted, page_number(request.args.get("page")), PAGE_SIZE)
    return render_template(
        "admin/people.html",
        form=form,
        page=page,
        wanted=wanted,
        step_downs=people.pending_step_downs(exclude=current_user),
    )


def _person_page(person, status: int = 200, **forms):
    forms.setdefault("form", SuspendForm())
    forms.setdefault("role_form", AdminRoleForm())
    return render_template(
        "admin/person.html",
        person=person,
        found=people.person_record(person),
        button_form=EmptyForm(),
        reinstate_form=EmptyForm(),
        **forms,
    ), status


def _refused(person, form, error: DomainError, key: str):
    show_error(form, error)
    return _person_page(person, 422, **{key: form})


@bp.get("/people/<id:person_id>")
def person(person_id: int):
    return _person_page(_person(person_id))


@bp.post("/people/<id:person_id>/suspend")
def suspend(person_id: int):
    person = _person(person_id)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            services.suspend_account(current_user, person, form.reason.data)
        except DomainError as error:
            return _refused(person, form, error, "form")
        flash(f"{person.display_name} is suspended and signed out everywhere.", "success")
        return redirect(url_for("admin.person", person_id=person.id))
    return _person_page(person, 422, form=form)


@bp.post("/people/<id:person_id>/reinstate")
def reinstate(person_id: int):
    person = _person(person_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.reinstate_account(current_user, person)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{person.display_name} can log in again.", "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<id:person_id>/admin")
def change_admin_role(person_id: int):
    """Make someone an admin, remove another admin, or ask to step down yourself."""
    person = _person(person_id)
    form = AdminRoleForm()
    if not form.validate_on_submit():
        return _person_page(person, 422, role_form=form)
    try:
        if not person.is_admin:
            people.make_admin(current_user, person, form.reason.data)
            done = f"{person.display_name} is an admin now."
        elif person.id == current_user.id:
            people.ask_to_step_down(current_user, form.reason.data)
            done = "Your request waits for a second admin to confirm it."
        else:
            people.remove_admin(current_user, person, form.reason.data)
            done = f"{person.display_name} is no longer an admin."
    except DomainError as error:
        return _refused(person, form, error, "role_form")
    flash(done, "success")
    return redirect(url_for("admin.person", person_id=person.id))


def _step_down(step_down_id: int) -> AdminStepDown:
    return db.get_or_404(AdminStepDown, step_down_id)


@bp.post("/step-downs/<id:step_down_id>/<any(confirm, cancel):decision>")
def decide_step_down(step_down_id: int, decision: str):
    step_down = _step_down(step_down_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    person = step_down.person
    try:
        if decision == "confirm":
            people.confirm_step_down(current_user, step_down)
            flash(f"{person.display_name} is no longer an admin.", "success")
        else:
            people.cancel_step_down(current_user, step_down)
            flash("Your request is cancelled: you are still an admin.", "success")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<id:person_id>/resend-verification")
def resend_verification(person_id: int):
    person = _person(person_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        people.resend_verification(current_user, person)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"A new confirmation link is on its way to {person.email}.", "success")
    return redirect(url_for("admin.person", person_id=person.id))
