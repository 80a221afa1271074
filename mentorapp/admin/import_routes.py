"""Importing listings from a CSV file: the upload, the progress and report page, and the
sample file. On the admin blueprint, so its one access check covers them."""

from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from mentorapp.admin.routes import bp
from mentorapp.directory import imports
from mentorapp.directory.forms import ImportForm
from mentorapp.directory.listings import KIND_LABELS
from mentorapp.errors import DomainError
from mentorapp.extensions import csrf
from mentorapp.forms import show_error
from mentorapp.views import render_form

SAMPLE = Path(__file__).resolve().parent.parent / "static" / "listings-sample.csv"
# The file, plus the multipart framing and the form's two other fields.
UPLOAD_LIMIT = imports.MAX_BYTES + 64 * 1024


def _import_page(form: ImportForm):
    return render_form(
        "admin/listing_import.html",
        form,
        columns=imports.COLUMNS,
        required=imports.REQUIRED,
        max_rows=imports.MAX_ROWS,
        max_megabytes=imports.MAX_BYTES // (1024 * 1024),
        recent=imports.recent_imports(),
    )


@bp.route("/listings/import", methods=["GET", "POST"])
@csrf.exempt  # checked below, once the upload's own size limit is in place
def import_listings():
    # The app-wide limit suits forms, and the CSRF check reads the body, so the check
    # runs here, after this route has raised the limit for a CSV file.
    request.max_content_length = UPLOAD_LIMIT
    if request.method == "POST" and current_app.config["WTF_CSRF_ENABLED"]:
        try:
            csrf.protect()  # a missing or wrong token answers 400
        except RequestEntityTooLarge:
            # Not re-rendered: every form on a page (the layout's log-out button too)
            # would try to read this body again.
            flash(
                f"The file is larger than {imports.MAX_BYTES // (1024 * 1024)} MB: "
                "split it into smaller files.",
                "error",
            )
            return redirect(url_for("admin.import_listings"), 303)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = imports.start_import(
                current_user,
                upload.filename or "",
                upload.stream.read(imports.MAX_BYTES + 1),
                form.approve_valid.data,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            return _started(job)
    elif form.csrf_token.errors:
        abort(400)
    return _import_page(form)


def _started(job):
    job_id = job.id
    response = redirect(url_for("admin.listing_import", job_id=job_id))
    if job.finished_at is not None:
        flash(f"{job.imported} imported, {len(job.refused)} refused.", "success")
        return response
    # The thread starts once the response is sent, so after the commit: only then can
    # its own connection see the job.
    app = current_app._get_current_object()
    response.call_on_close(lambda: imports.continue_in_background(app, job_id))
    flash("The import runs in the background; this page shows how far it got.", "info")
    return response


@bp.get("/listings/imports/<id:job_id>")
def listing_import(job_id: int):
    job = imports.import_job(job_id)
    if job is None:
        abort(404)
    return render_template(
        "admin/listing_import_report.html",
        job=job,
        report=imports.report(job),
        kinds=KIND_LABELS,
    )


@bp.get("/listings/import/sample.csv")
def import_sample():
    return send_file(
        SAMPLE, mimetype="text/csv", as_attachment=True, download_name="listings-sample.csv"
    )
