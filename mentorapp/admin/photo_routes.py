"""An admin removes a person's photo (one that breaks the code of conduct). On the admin
blueprint, so its one access check covers it; the removal is audited."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from mentorapp.admin.routes import _person, bp
from mentorapp.audit import record
from mentorapp.errors import DomainError
from mentorapp.forms import EmptyForm
from mentorapp.photos import services as photos


@bp.post("/people/<id:person_id>/photo/remove")
def remove_photo(person_id: int):
    person = _person(person_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if person.photo_key is None:
        flash(f"{person.display_name} has no photo.", "info")
        return redirect(url_for("admin.person", person_id=person.id))
    try:
        photos.remove_photo(person)
    except DomainError as error:
        flash(error.message, "error")
    else:
        record(current_user, "photo_removed", "user", person.id, person.display_name)
        flash(f"The photo of {person.display_name} is removed; their initial shows.", "success")
    return redirect(url_for("admin.person", person_id=person.id))
