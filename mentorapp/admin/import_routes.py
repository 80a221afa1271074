"""Importing listings from a CSV file: the upload, the progress and report page, and the
sample file. On the admin blueprint, so its one access check covers them."""

from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from mentorapp.admin.routes import bp
from mentorapp.directory import imports
from mentorapp.directory.forms import ImportForm
from mentorapp.directory.listings import KIND_LABELS
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.extensions import csrf
from mentorapp.forms import show_error
from mentorapp.paging import page_number
from mentorapp.views import accept_upload, render_form

SAMPLE = Path(__file__).resolve().parent.parent / "static" / "listings-sample.csv"
# This one endpoint takes a body above the app's 1 MiB: the file, plus the multipart
# framing and the form's two other fields.
UPLOAD_LIMIT = imports.MAX_BYTES + 64 * 1024
TOO_LARGE = (
    f"The file is larger than {imports.MAX_BYTES // (1024 * 1024)} MB: split it into smaller files."
)


def _import_page(form: ImportForm):
    return render_form(
        "admin/listing_import.html",
        form,
        columns=imports.COLUMNS,
        required=imports.REQUIRED,
        max_rows=imports.MAX_ROWS,
        max_megabytes=imports.MAX_BYTES // (1024 * 1024),
        recent=imports.recent_imports(current_user),
    )


@bp.route("/listings/import", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_upload, once the upload's own size limit is in place
def import_listings():
    if not accept_upload(UPLOAD_LIMIT):
        return _too_large()
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
            if job.is_over:
                flash(f"{job.imported} imported, {job.refused} refused.", "success")
            else:
                flash("The import runs in the background; this page shows how far it got.", "info")
            return redirect(url_for("admin.listing_import", job_id=job.id))
    elif form.csrf_token.errors:
        abort(400)
    return _import_page(form)


def _too_large():
    """The form again with the message by the file field (413)."""
    form = ImportForm()
    form.file.errors = [TOO_LARGE]
    body, _ = _import_page(form)
    return body, 413


@bp.get("/listings/imports/<id:job_id>")
def listing_import(job_id: int):
    try:
        job = imports.import_job(current_user, job_id)
    except NotAllowed:
        abort(404)
    return render_template(
        "admin/listing_import_report.html",
        job=job,
        report=imports.report(
            job,
            refused_page=page_number(request.args.get("refused_page")),
            imported_page=page_number(request.args.get("imported_page")),
        ),
        kinds=KIND_LABELS,
    )


@bp.get("/listings/import/sample.csv")
def import_sample():
    return send_file(
        SAMPLE, mimetype="text/csv", as_attachment=True, download_name="listings-sample.csv"
    )
