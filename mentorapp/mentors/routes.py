from flask import Blueprint, request
from flask_login import current_user
from wtforms import SelectChoice

from mentorapp.mentors import services
from mentorapp.mentors.forms import MentorSearchForm
from mentorapp.mentors.search import MentorQuery, search_mentors
from mentorapp.paging import page_number
from mentorapp.profiles import services as profiles
from mentorapp.profiles.vocabulary import GENRE_NAMES, TOOL_NAMES, availability_mask
from mentorapp.views import render_form

bp = Blueprint("mentors", __name__, url_prefix="/mentors")


@bp.get("")
def index():
    """Vetted mentors for anyone, visitors included: search, filter, sort, page."""
    viewer = current_user if current_user.is_authenticated else None
    form = MentorSearchForm(formdata=request.args)
    sorts = services.sorts_for(viewer)
    form.fill_choices(profiles.archetypes(), profiles.specialties(), sorts)
    if not form.sort.data or form.sort.data == "None":
        form.sort.data = "relevance"
    form.validate()
    form.check_choices()
    place = services.resolve_city(form.near.data or "", form.near_id.data)
    if place.error:
        form.near.errors = [*form.near.errors, place.error]
    form.near_id.choices = [SelectChoice(str(c.geonameid), c.label) for c in place.choices]
    if place.city is not None:
        form.near.data, form.near_id.data = place.city.label, None
    elif form.within_km.data and not form.near.errors:
        form.within_km.errors = [*form.within_km.errors, "Choose a city to measure from."]
    if form.sort.data == "distance" and place.city is None and not form.near.errors:
        form.sort.errors = [*form.sort.errors, "Choose a city to sort by distance."]
    page = None
    if not form.errors:
        query = MentorQuery(
            text=form.q.data or "",
            archetype=form.archetype.data or None,
            specialty=form.specialty.data or None,
            genre=form.genre.data or None,
            tool=form.tool.data or None,
            near=(place.city.latitude, place.city.longitude) if place.city else None,
            within_km=float(form.within_km.data) if form.within_km.data else None,
            remote=bool(form.remote.data),
            taking=bool(form.taking.data),
            free_at=availability_mask(form.free.data or []),
            sort=form.sort.data,
        )
        page = search_mentors(query, viewer, page_number(request.args.get("page")))
    return render_form(
        "mentors/index.html",
        form,
        page=page,
        near_label=place.city.label if place.city else None,
        genre_names=GENRE_NAMES,
        tool_names=TOOL_NAMES,
    )


@bp.app_template_filter("tool_name")
def tool_name(slug: str) -> str:
    return TOOL_NAMES.get(slug, slug)
