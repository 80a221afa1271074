import re

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from mentorapp.errorpages import error_response
from mentorapp.errors import DomainError
from mentorapp.extensions import csrf, db
from mentorapp.forms import EmptyForm, show_error
from mentorapp.models import User
from mentorapp.photos import images, services
from mentorapp.photos.forms import PhotoForm
from mentorapp.storage import StorageUnavailable, files
from mentorapp.views import accept_upload, render_form

bp = Blueprint("photos", __name__)

# The photo, plus the multipart framing and the CSRF token.
UPLOAD_LIMIT = images.MAX_BYTES + 64 * 1024
_PHOTO_KEY = re.compile(r"^[0-9a-f]{32}$")
# The address of a photo changes with each new photo, so a copy may be kept a while; a
# removed photo's address answers 404 at once, caches forget it within a day.
CACHE_CONTROL = "public, max-age=86400"


def _photo_page(form: PhotoForm):
    return render_form("photos/edit.html", form, remove_form=EmptyForm())


def _own(user_id: int) -> None:
    """Only the person changes their own photo."""
    if user_id != current_user.id:
        abort(403)


@bp.route("/people/<id:user_id>/photo", methods=["GET", "POST"])
@login_required
@csrf.exempt  # checked by accept_upload, once this route's own size limit is in place
def edit(user_id: int):
    _own(user_id)
    if not accept_upload(UPLOAD_LIMIT):
        return _too_large()
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data.stream.read(images.MAX_BYTES + 1)
        try:
            services.set_photo(current_user, upload)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Your photo is saved.", "success")
            return redirect(url_for("photos.edit", user_id=current_user.id))
    elif form.csrf_token.errors:
        abort(400)
    return _photo_page(form)


def _too_large():
    """The page again with the message by the file field (413)."""
    form = PhotoForm()
    form.photo.errors = [images.TOO_LARGE]
    body, _ = _photo_page(form)
    return body, 413


@bp.post("/people/<id:user_id>/photo/remove")
@login_required
def remove(user_id: int):
    _own(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.remove_photo(current_user)
    except DomainError as error:
        photo_form = PhotoForm(formdata=None)
        show_error(photo_form, error)
        return _photo_page(photo_form)
    flash("Your photo is removed; your initial shows instead.", "success")
    return redirect(url_for("photos.edit", user_id=current_user.id))


@bp.get("/photos/<key>/<int:side>.webp")
def photo_file(key: str, side: int):
    """One size of a person's photo. The file's key is built from the database's value,
    never from the address: a key nobody has, or a suspended person's, is a 404."""
    if side not in images.SIZES or not _PHOTO_KEY.match(key):
        abort(404)
    owner = db.session.execute(
        select(User.photo_key, User.suspended_at).where(User.photo_key == key)
    ).first()
    if owner is None or owner.suspended_at is not None:
        abort(404)
    try:
        stored = files().get(services.file_key(owner.photo_key, side))
    except StorageUnavailable:
        return error_response(503)
    if stored is None:
        abort(404)
    response = current_app.response_class(stored.data, mimetype=images.CONTENT_TYPE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{side}.webp"'
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.set_etag(f"{owner.photo_key}-{side}")
    return response.make_conditional(request)


@bp.app_template_global()
def photo_url(person, side: int) -> str | None:
    """The address of one size of a person's photo, None when they have none."""
    key = getattr(person, "photo_key", None)
    return url_for("photos.photo_file", key=key, side=side) if key else None
