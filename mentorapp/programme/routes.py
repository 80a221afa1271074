"""Cohort matching for admins: /admin/cohorts. Thin views over intake, preview, commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentorapp.admin import downloads
from mentorapp.admin.routes import require_admin
from mentorapp.audit import record
from mentorapp.errors import DomainError
from mentorapp.exports import csv_response
from mentorapp.forms import EmptyForm, show_error
from mentorapp.paging import page_number
from mentorapp.profiles import services as profiles
from mentorapp.programme import commit, intake, preview
from mentorapp.programme.forms import AdjustForm, CohortForm, PairForm, PlacesForm, RunForm
from mentorapp.programme.planning import STRATEGY_LABELS
from mentorapp.views import render_form

bp = Blueprint("programme", __name__, url_prefix="/admin/cohorts")
bp.before_request(require_admin)


def _cohort(cohort_id: int):
    try:
        return intake.cohort_for(cohort_id)
    except DomainError:
        abort(404)


def _run(cohort, run_id: int):
    try:
        return preview.run_of(cohort, run_id)
    except DomainError:
        abort(404)


@bp.get("")
def cohorts():
    return render_template("programme/cohorts.html", cohorts=intake.cohorts())


def _intake_form() -> CohortForm:
    form = CohortForm()
    form.set_choices(
        [(a.slug, a.name) for a in profiles.archetypes()],
        [(s.slug, s.name) for s in profiles.specialties()],
    )
    return form


@bp.route("/new", methods=["GET", "POST"])
def new_cohort():
    form = _intake_form()
    if form.validate_on_submit():
        try:
            cohort = intake.create_cohort(
                current_user, form.name.data, form.mentee_filters(), form.mentor_filters()
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"The cohort {cohort.name} is ready: start a run to see the pairs.", "success")
            return redirect(url_for("programme.cohort", cohort_id=cohort.id))
    elif form.csrf_token.errors:
        abort(400)
    return render_form("programme/new.html", form)


def _cohort_page(cohort, form=None, pair_form=None, places_form=None, status=200):
    body = render_template(
        "programme/cohort.html",
        cohort=cohort,
        members=intake.members(cohort),
        runs=preview.runs_of(cohort),
        adjustments=preview.adjustments(cohort),
        form=form or RunForm(),
        pair_form=pair_form or PairForm(),
        places_form=places_form or PlacesForm(),
        button=AdjustForm(),
        strategies=STRATEGY_LABELS,
    )
    return body, status


@bp.get("/<id:cohort_id>")
def cohort(cohort_id: int):
    return _cohort_page(_cohort(cohort_id))


@bp.post("/<id:cohort_id>/runs")
def start_run(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = RunForm()
    if form.validate_on_submit():
        try:
            run = preview.start_run(current_user, cohort, form.strategy.data)
        except DomainError as error:
            show_error(form, error)
        else:
            return redirect(url_for("programme.run", cohort_id=cohort.id, run_id=run.id))
    elif form.csrf_token.errors:
        abort(400)
    return _cohort_page(cohort, form=form, status=422)


@bp.get("/<id:cohort_id>/runs/<id:run_id>")
def run(cohort_id: int, run_id: int):
    cohort = _cohort(cohort_id)
    run = _run(cohort, run_id)
    finished = run.state == "finished"
    return render_template(
        "programme/run.html",
        cohort=cohort,
        run=run,
        pairs=preview.pairs_page(run, page_number(request.args.get("pairs_page")))
        if finished
        else None,
        unplaced=preview.unplaced_page(run, page_number(request.args.get("unplaced_page")))
        if finished
        else None,
        skipped=commit.skipped_pairs(run) if run.commit_state == "finished" else [],
        button=AdjustForm(),
        commit_form=EmptyForm(),
        strategies=STRATEGY_LABELS,
    )


@bp.get("/<id:cohort_id>/runs/<id:run_id>.csv")
def run_csv(cohort_id: int, run_id: int):
    cohort = _cohort(cohort_id)
    run = _run(cohort, run_id)
    if run.state != "finished":
        abort(404)
    record(current_user, "cohort_run_exported", "cohort_run", run.id, cohort.name, "")
    return csv_response(
        f"cohort-{cohort.id}-run-{run.id}.csv",
        downloads.COHORT_RUN_HEADER,
        downloads.cohort_run_rows(run.id),
    )


def _back(cohort):
    back = request.form.get("back", "")
    if back.startswith(f"/admin/cohorts/{cohort.id}") and "//" not in back:
        return redirect(back)
    return redirect(url_for("programme.cohort", cohort_id=cohort.id))


@bp.post("/<id:cohort_id>/adjust")
def adjust(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = AdjustForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash("That adjustment cannot be made.", "error")
        return _back(cohort)
    try:
        done = preview.adjust(
            current_user,
            cohort,
            form.act.data,
            mentee=form.mentee.data,
            mentor=form.mentor.data,
            person=form.person.data,
        )
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{done} Start a run to see the pairs with it.", "success")
    return _back(cohort)


@bp.post("/<id:cohort_id>/pairs")
def pair(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = PairForm()
    if form.validate_on_submit():
        try:
            done = preview.pair_by_email(
                current_user, cohort, form.act.data, form.mentee_email.data, form.mentor_email.data
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{done} Start a run to see the pairs with it.", "success")
            return redirect(url_for("programme.cohort", cohort_id=cohort.id))
    elif form.csrf_token.errors:
        abort(400)
    return _cohort_page(cohort, pair_form=form, status=422)


@bp.post("/<id:cohort_id>/places")
def places(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = PlacesForm()
    if form.validate_on_submit():
        try:
            mentor = intake.lower_places(current_user, cohort, form.email.data, form.places.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{mentor.display_name} has {form.places.data} places in this cohort.", "success")
            return redirect(url_for("programme.cohort", cohort_id=cohort.id))
    elif form.csrf_token.errors:
        abort(400)
    return _cohort_page(cohort, places_form=form, status=422)


@bp.post("/<id:cohort_id>/runs/<id:run_id>/commit")
def commit_run(cohort_id: int, run_id: int):
    cohort = _cohort(cohort_id)
    run = _run(cohort, run_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        started = commit.start_commit(current_user, cohort, run)
    except DomainError as error:
        flash(error.message, "error")
    else:
        if started:
            flash("The invitations are being sent; this page shows how far it got.", "info")
        else:
            flash("This run was committed already: nothing was sent twice.", "info")
    return redirect(url_for("programme.run", cohort_id=cohort.id, run_id=run.id))
