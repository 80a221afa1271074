from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from mentorapp.directory import listings, review, search
from mentorapp.directory.forms import FlagForm, ListingForm, SearchForm
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.forms import EmptyForm, show_error
from mentorapp.matching.listings import ListingFilters
from mentorapp.paging import page_number
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.profiles import services as profiles
from mentorapp.profiles.sections import chosen_place, offer_cities, wants_city_list
from mentorapp.views import render_form

bp = Blueprint("directory", __name__, url_prefix="/directory")


def _specialty_choices(blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(s.slug, s.name) for s in profiles.specialties()]
    return ([SelectChoice("", blank)] if blank else []) + options


NEAR_CHOICES = 8


def _near_city(typed: str, picked: str):
    """The city a search near `typed` means, and the other cities of that very name.
    `picked` is the id the person chose among them (ignored if it is not one of them)."""
    gazetteer = Gazetteer.load()
    same_name = gazetteer.named(typed)
    chosen = next((c for c in same_name if picked.isdigit() and c.geonameid == int(picked)), None)
    if chosen is None:
        chosen = same_name[0] if same_name else next(iter(gazetteer.search(typed, limit=1)), None)
    others = [c for c in same_name if chosen is None or c.geonameid != chosen.geonameid]
    return chosen, others[:NEAR_CHOICES]


@bp.get("")
def index():
    form = SearchForm(formdata=request.args)
    form.specialty.choices = _specialty_choices("Any specialty")
    valid = form.validate()
    for name in ("kind", "specialty", "offer", "within_km", "sort"):
        if form[name].errors:  # a tampered choice: ignore it, keep the rest
            form[name].data, form[name].errors = form[name].default, []
    near, near_label, near_id, other_cities = None, None, None, []
    me = search.seeker_for(current_user) if current_user.is_authenticated else None
    if form.near_me.data and me is not None:
        near, near_label = (me.latitude, me.longitude), "you"
    elif form.near.data:
        city, others = _near_city(form.near.data, request.args.get("near_id", ""))
        if city is None:
            form.near.errors = ["No city by that name. Check the spelling."]
        else:
            near, near_label, near_id = (city.latitude, city.longitude), city.label, city.geonameid
            # Same-named cities: say which one this is, and offer the others.
            args = {k: v for k, v in request.args.items() if k not in ("page", "near_id")}
            other_cities = [
                (c.label, url_for("directory.index", **args, near_id=c.geonameid)) for c in others
            ]
    query = search.Query(
        text=(form.q.data or "") if valid or not form.q.errors else "",
        kind=form.kind.data or None,
        specialty=form.specialty.data or None,
        offer=form.offer.data or None,
        near=near,
        within_km=float(form.within_km.data) if form.within_km.data and near else None,
        sort=form.sort.data or "relevance",
    )
    return render_template(
        "directory/index.html",
        form=form,
        results=search.search(query, page_number(request.args.get("page"))),
        near_label=near_label,
        near_id=near_id,
        other_cities=other_cities,
        can_use_me=me is not None,
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
    )


@bp.get("/<id:listing_id>")
def show(listing_id: int):
    listing = search.public_listing(listing_id)
    if listing is None:
        abort(404)
    return render_template(
        "directory/show.html",
        listing=listing,
        mentors=search.mentors_at(
            listing.id, current_user.id if current_user.is_authenticated else None
        ),
        button=EmptyForm(),
        confirmed=listings.confirmed_workers(listing.id),
        may_confirm=listings.may_confirm_workers(current_user, listing),
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
    )


@bp.post("/<id:listing_id>/workers/<id:mentor_id>/confirm")
@login_required
def confirm_worker(listing_id: int, mentor_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        listings.confirm_workplace(current_user, listing_id, mentor_id)
    except NotAllowed:
        abort(404)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("Confirmed: this page now shows that they work here.", "success")
    return redirect(url_for("directory.show", listing_id=listing_id, _anchor="mentors-heading"))


@bp.post("/<id:listing_id>/work-here/<choice>")
@login_required
def work_here(listing_id: int, choice: str):
    if choice not in ("yes", "no") or not EmptyForm().validate_on_submit():
        abort(404 if choice not in ("yes", "no") else 400)
    try:
        listings.set_workplace(current_user, listing_id if choice == "yes" else None)
    except NotAllowed:
        abort(404)
    flash(
        "Your profile and this page now say you work here."
        if choice == "yes"
        else "Your profile no longer names this place.",
        "success",
    )
    return redirect(url_for("directory.show", listing_id=listing_id))


@bp.get("/near")
@login_required
def near():
    seeker = search.seeker_for(current_user)
    kind = request.args.get("kind") if request.args.get("kind") in listings.KIND_LABELS else None
    found = search.near(current_user, limit=20, filters=ListingFilters(kind=kind))
    return render_template(
        "directory/near.html",
        found=found,
        seeker=seeker,
        kind=kind,
        kinds=listings.KIND_LABELS,
        offers=listings.OFFER_LABELS,
    )


def _listing_form(form: ListingForm, template: str, **context):
    """Handle the place field's find-then-choose step, then hand the rest to `save`."""
    return render_form(template, form, kinds=listings.KIND_LABELS, **context)


def _prepare(form: ListingForm) -> None:
    form.specialties.choices = _specialty_choices()


def _fill(form: ListingForm, data: dict) -> None:
    for name in (*listings.LIMITS, "kind", "offers", "specialties"):
        form[name].data = data.get(name)
    city = Gazetteer.load().get(data.get("place_id") or 0)
    if city is not None:
        form.place_query.data, form.place_id.data = city.label, str(city.geonameid)


def _checked(form: ListingForm):
    """The form's listing checked by the service, or None with errors beside the fields."""
    place_id = chosen_place(form)
    try:
        return listings.clean_listing(form.raw(place_id))
    except listings.ListingInvalid as invalid:
        for name, message in invalid.problems.items():
            target = "place_query" if name == "place_id" else name
            form[target].errors = [*form[target].errors, message]
        city = Gazetteer.load().get(place_id) if place_id is not None else None
        if city is None:
            offer_cities(form)
        else:  # a city chosen from the list stays chosen while the rest is corrected
            form.place_query.data, form.place_id.data = city.label, str(city.geonameid)
        return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = ListingForm()
    _prepare(form)
    if request.method == "POST":
        if wants_city_list(form):
            offer_cities(form)
        elif form.validate_on_submit():
            checked = _checked(form)
            if checked is not None:
                listing = listings.submit_listing(current_user, checked)
                flash(
                    f"Thank you: {listing.name} is waiting for an admin to check it. "
                    "You will hear back here and in your inbox.",
                    "success",
                )
                return redirect(url_for("directory.mine"))
    return _listing_form(form, "directory/form.html", listing=None)


@bp.route("/<id:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    try:
        listing = listings.listing_of(current_user, listing_id)
    except NotAllowed:
        abort(404)
    if listing.submitted_by_id != current_user.id:
        abort(404)
    form = ListingForm()
    _prepare(form)
    if request.method == "GET":
        _fill(form, listings.as_form_data(listing, listings.open_edit(listing)))
    elif wants_city_list(form):
        offer_cities(form)
    elif form.validate_on_submit():
        checked = _checked(form)
        if checked is not None:
            try:
                listings.correct_listing(current_user, listing.id, checked)
            except DomainError as error:
                show_error(form, error)
            else:
                flash(
                    "Your changes wait for an admin; the approved version stays public meanwhile."
                    if listing.state == "approved"
                    else "Thank you: the corrected listing is back with the admins.",
                    "success",
                )
                return redirect(url_for("directory.mine"))
    return _listing_form(form, "directory/form.html", listing=listing)


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "directory/mine.html",
        submissions=listings.submissions_of(current_user),
        open_edit=listings.open_edit,
        latest_edit=listings.latest_edit,
        kinds=listings.KIND_LABELS,
    )


@bp.route("/<id:listing_id>/flag", methods=["GET", "POST"])
@login_required
def flag(listing_id: int):
    listing = search.public_listing(listing_id)
    if listing is None:
        abort(404)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            review.flag_listing(current_user, listing.id, form.kind.data, form.note.data)
        except DomainError as error:
            if error.field:
                show_error(form, error)
            else:
                flash(error.message, "info")
                return redirect(url_for("directory.show", listing_id=listing.id))
        else:
            flash("Thank you. An admin will look at it.", "success")
            return redirect(url_for("directory.show", listing_id=listing.id))
    return render_form("directory/flag.html", form, listing=listing)


@bp.app_template_filter("specialty_name")
def specialty_name(slug: str) -> str:
    names = {s.slug: s.name for s in profiles.specialties()}
    return names.get(slug, slug)
