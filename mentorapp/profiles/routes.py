from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentorapp.apprenticeships import services as apprenticeships
from mentorapp.apprenticeships import workspace
from mentorapp.apprenticeships.track_record import track_record
from mentorapp.availability import waiting
from mentorapp.errors import DomainError
from mentorapp.forms import show_error
from mentorapp.models import Role
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.profiles import services
from mentorapp.profiles.portfolio import portfolio
from mentorapp.profiles.sections import (
    SECTIONS,
    chosen_place,
    find_section,
    offer_cities,
    prepare,
    rearrange,
    wants_city_list,
)
from mentorapp.profiles.vocabulary import (
    EXPERIENCE_LABELS,
    GENRE_NAMES,
    PATH_LABELS,
    TOOL_NAMES,
    availability_labels,
)
from mentorapp.trust import blocks, feedback, reports

bp = Blueprint("profiles", __name__)


def _roles_of(user) -> list[Role]:
    return [role for role in (Role.MENTEE, Role.MENTOR) if user.has_role(role)]


@bp.get("/people/<id:user_id>")
def show(user_id: int):
    person = services.person_with_profiles(user_id)
    if person is None or not person.is_active:
        abort(404)
    own = current_user.is_authenticated and current_user.id == person.id
    progress = (
        {role: services.checks_for(person, role) for role in _roles_of(person)} if own else {}
    )
    pairs = {}
    waiting_entry = None
    free_places = None  # for this viewer: places neither taken nor held for someone else
    i_blocked = unavailable = False
    if current_user.is_authenticated and not own:
        i_blocked = blocks.has_blocked(current_user.id, person.id)
        unavailable = not i_blocked and blocks.has_blocked(person.id, current_user.id)
        pairs = {
            "as_mentee": apprenticeships.open_pair(person.id, current_user.id),
            "as_mentor": apprenticeships.open_pair(current_user.id, person.id),
        }
        if person.is_mentor and current_user.is_mentee:
            waiting_entry = waiting.entry_of(person.id, current_user.id)
    if person.is_mentor and person.mentor_profile is not None:
        viewer = current_user.id if current_user.is_authenticated else None
        free_places = waiting.free_places_for(person.mentor_profile, viewer)
    return render_template(
        "profiles/show.html",
        person=person,
        own=own,
        pairs=pairs,
        waiting_entry=waiting_entry,
        waiting_position=waiting.position(waiting_entry) if waiting_entry else None,
        free_places=free_places,
        i_blocked=i_blocked,
        unavailable=unavailable,  # they blocked the viewer, who is told only this
        text_hidden=reports.profile_text_hidden(person.id),
        references=workspace.shown_references(person.id) if person.is_mentee else [],
        record=feedback.public_record(person.id) if person.is_mentor else None,
        track=track_record(person) if person.is_mentor and person.mentor_profile else None,
        portfolio=portfolio(
            person.mentor_profile.portfolio_links, person.mentor_profile.bandcamp_items
        )
        if person.mentor_profile
        else [],
        progress=progress,
        genre_names=GENRE_NAMES,
        availability_labels=availability_labels,
        percent=services.percent_complete,
    )


@bp.get("/profile")
@login_required
def mine():
    return redirect(url_for("profiles.show", user_id=current_user.id))


@bp.get("/onboarding")
@login_required
def onboarding():
    """Send the person to the first section still missing something."""
    for role in _roles_of(current_user):
        for check in services.checks_for(current_user, role):
            if not check.done:
                return redirect(
                    url_for(
                        "profiles.edit",
                        user_id=current_user.id,
                        role=role.value,
                        section=check.section,
                        onboarding=1,
                    )
                )
    flash("Your profile is complete. This is how others see it.", "success")
    return redirect(url_for("profiles.show", user_id=current_user.id))


def _next_step(role: Role, done: str) -> str:
    """Onboarding moves on section by section; optional gaps do not hold a person back."""
    slugs = [s.slug for s in SECTIONS[role]]
    position = slugs.index(done)
    if position + 1 < len(slugs):
        return url_for(
            "profiles.edit",
            user_id=current_user.id,
            role=role.value,
            section=slugs[position + 1],
            onboarding=1,
        )
    for other in _roles_of(current_user):
        if other is not role and not all(c.done for c in services.checks_for(current_user, other)):
            return url_for("profiles.onboarding")
    flash("Your profile is ready. This is how others see it.", "success")
    return url_for("profiles.show", user_id=current_user.id)


@bp.route("/people/<id:user_id>/edit/<role>/<section>", methods=["GET", "POST"])
@login_required
def edit(user_id: int, role: str, section: str):
    if user_id != current_user.id:
        abort(403)
    if role not in ("mentor", "mentee") or not current_user.has_role(Role(role)):
        abort(404)
    role_ = Role(role)
    part = find_section(role_, section)
    if part is None:
        abort(404)
    form = part.form()
    prepare(form)
    onboarding = request.args.get("onboarding") == "1"
    if request.method == "GET":
        part.load(form, services.profile_to_show(current_user, role_))
    elif wants_city_list(form):
        offer_cities(form)
    elif rearrange(form):
        pass  # rows added or moved in the form only: shown again, nothing saved
    elif form.validate_on_submit():
        try:
            part.save(form, services.profile_to_edit(current_user, role_))
        except DomainError as error:
            show_error(form, error)
        else:
            if onboarding:
                return redirect(_next_step(role_, part.slug))
            flash(f"{part.title} saved.", "success")
            return redirect(url_for("profiles.show", user_id=current_user.id))
    if request.method == "POST" and hasattr(form, "place_query") and chosen_place(form) is None:
        offer_cities(form)
    status = 422 if form.errors or form.form_errors else 200
    sections = SECTIONS[role_]
    return render_template(
        "profiles/edit.html",
        form=form,
        part=part,
        role=role_,
        sections=sections,
        step=sections.index(part) + 1,
        onboarding=onboarding,
        checks=services.checks_for(current_user, role_),
        percent=services.percent_complete,
    ), status


@bp.get("/places/search")
def search_places():
    """Cities for the place field's suggestions, most populous first."""
    query = request.args.get("q", "")[:100]
    cities = Gazetteer.load().search(query, limit=8)
    return jsonify(
        results=[{"id": c.geonameid, "label": c.label, "population": c.population} for c in cities]
    )


@bp.get("/archetypes")
def archetypes():
    return render_template("profiles/archetypes.html", archetypes=services.archetypes())


@bp.app_template_filter("genre_name")
def genre_name(slug: str) -> str:
    return GENRE_NAMES.get(slug, slug)


@bp.app_template_filter("tool_name")
def tool_name(slug: str) -> str:
    return TOOL_NAMES.get(slug, slug)


@bp.app_template_filter("experience_label")
def experience_label(value: str) -> str:
    return EXPERIENCE_LABELS.get(value, value).split(":")[0]


@bp.app_template_filter("path_label")
def path_label(value: str) -> str:
    return PATH_LABELS.get(value, value)
