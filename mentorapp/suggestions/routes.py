import threading
from collections import OrderedDict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from mentorapp.errors import DomainError
from mentorapp.matching import Filters
from mentorapp.models import MarkKind, Role
from mentorapp.paging import page_number
from mentorapp.profiles.vocabulary import GENRE_NAMES, availability_mask
from mentorapp.suggestions import services
from mentorapp.suggestions.forms import SuggestionFilterForm
from mentorapp.views import safe_next

bp = Blueprint("suggestions", __name__, url_prefix="/suggestions")

# The filter form's HTML by (page, choices, values): rendering its options was a fifth
# of the page's time, for the same HTML on every visit. Per process, the latest kept.
FILTER_FORMS_KEPT = 256
_filter_forms: OrderedDict[tuple, Markup] = OrderedDict()
_filter_forms_lock = threading.Lock()


def _filters_box(form: SuggestionFilterForm, viewer: Role) -> Markup:
    key = (request.path, viewer.value, form.rendering_key())
    with _filter_forms_lock:
        html = _filter_forms.get(key)
        if html is not None:
            _filter_forms.move_to_end(key)
            return html
    # A template's own output: Jinja escaped every value in it.
    page = render_template("suggestions/_filters.html", form=form, viewer=viewer.value)
    html = Markup(page)  # noqa: S704
    with _filter_forms_lock:
        _filter_forms[key] = html
        while len(_filter_forms) > FILTER_FORMS_KEPT:
            _filter_forms.popitem(last=False)
    return html


def _show(viewer: Role, shown: str):
    if not current_user.has_role(viewer):
        abort(404)
    snapshot = services.current_snapshot()
    form = SuggestionFilterForm(formdata=request.args)
    form.fill_choices(*services.filter_choices(snapshot.vocabulary))
    form.ignore_unknown()
    me = services.own_record(current_user, viewer)
    missing = services.missing_for_matching(current_user, viewer, me)
    page = None
    if not missing:
        filters = Filters(
            archetype=form.archetype.data or None,
            specialty=form.specialty.data or None,
            max_km=float(form.max_km.data) if form.max_km.data else None,
            remote_only=bool(form.remote_only.data),
            genre=form.genre.data or None,
            free_at=availability_mask(form.free.data or []),
            taking_now=bool(form.taking.data) and viewer is Role.MENTEE,
            tool=form.tool.data or None,
        )
        number = page_number(request.args.get("page"))
        page = services.suggestions(
            *(current_user, viewer, filters, number),
            saved_only=bool(form.saved.data),
            me=me,
            snapshot=snapshot,
        )
    return render_template(
        "suggestions/list.html",
        form=form,
        filters_box=_filters_box(form, viewer),
        page=page,
        missing=missing,
        viewer=viewer.value,
        shown=shown,
        genre_names=GENRE_NAMES,
    )


@bp.get("")
@login_required
def mentors():
    if not current_user.is_mentee and current_user.is_mentor:
        return redirect(url_for("suggestions.mentees"))
    return _show(Role.MENTEE, "mentors")


@bp.get("/mentees")
@login_required
def mentees():
    return _show(Role.MENTOR, "mentees")


@bp.post("/<id:other_id>/<action>")
@login_required
def act(other_id: int, action: str):
    back = safe_next(request.form.get("next"), url_for("suggestions.mentors"))
    actions = {
        "dismiss": (services.mark, MarkKind.DISMISSED, "Hidden from your suggestions."),
        "restore": (services.unmark, MarkKind.DISMISSED, "Back in your suggestions."),
        "save": (services.mark, MarkKind.FAVOURITE, "Saved to your favourites."),
        "unsave": (services.unmark, MarkKind.FAVOURITE, "Removed from your favourites."),
    }
    if action not in actions:
        abort(404)
    do, kind, message = actions[action]
    try:
        do(current_user, other_id, kind)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(back)


@bp.get("/hidden")
@login_required
def hidden():
    return render_template(
        "suggestions/hidden.html", people=services.dismissed_people(current_user)
    )
