"""The sections of each profile: which form edits them, how it is filled and saved.

Onboarding walks through the sections in order; editing opens one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from mentorapp.models import MenteeProfile, MentorProfile, Role
from mentorapp.parsing import whole_number
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.profiles import bandcamp, credits, forms, services
from mentorapp.profiles import vocabulary as v


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str
    form: type[FlaskForm]
    load: Callable
    save: Callable


def _links_text(links: list[str]) -> str:
    return "\n".join(links or [])


def _links(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _place_label(profile) -> str:
    return profile.place.label if profile.place else ""


# Filling forms from a profile (GET) -------------------------------------------------


def _load_mentor_about(form, p: MentorProfile) -> None:
    form.headline.data, form.bio.data = p.headline, p.bio
    form.years_producing.data = p.years_producing
    form.portfolio_links.data = _links_text(p.portfolio_links)


def _load_mentor_craft(form, p: MentorProfile) -> None:
    form.archetypes.data = [a.slug for a in p.archetypes]
    form.specialties.data = [s.slug for s in p.specialties]
    form.genres.data = list(p.genres or [])
    form.tools.data = list(p.tools or [])


def _load_place(form, p) -> None:
    form.place_query.data, form.place_id.data = _place_label(p), p.place_id or ""
    form.travel_km.data = p.travel_km
    for name in ("works_in_person", "works_remotely", "remote_ok"):
        if hasattr(form, name):
            getattr(form, name).data = getattr(p, name)


def _load_mentor_week(form, p: MentorProfile) -> None:
    form.availability.data = v.availability_slots(p.availability or 0)
    form.capacity.data, form.accepting.data = p.capacity, p.accepting
    form.takes_minors.data = p.takes_minors


def _load_mentor_credits(form, p: MentorProfile) -> None:
    rows = credits.load_rows(p) if p.user_id else []
    for row in rows:
        form.rows.append_entry(
            {
                "credit_id": str(row.credit_id),
                "title": row.title,
                "artist": row.artist,
                "role": row.role,
                "year": row.year,
                "link": row.link,
            }
        )
    form.rows.append_entry()  # a blank row to add one


def _load_mentor_terms(form, p: MentorProfile) -> None:
    form.terms.data, form.terms_rate.data = p.terms, p.terms_rate
    form.typical_week.data = p.typical_week


def _load_mentee_about(form, p: MenteeProfile) -> None:
    form.about.data, form.goals.data = p.about, p.goals


def _load_mentee_craft(form, p: MenteeProfile) -> None:
    for name, aspiration in zip(form.ASPIRATIONS, p.aspirations, strict=False):
        form[name].data = aspiration.archetype.slug
    for name, want in zip(form.WANTS, p.wants, strict=False):
        form[name].data = want.specialty.slug
    form.genres.data = list(p.genres or [])
    form.tools.data = list(p.tools or [])
    form.experience.data, form.path.data = p.experience, p.path


def _load_week(form, p) -> None:
    form.availability.data = v.availability_slots(p.availability or 0)


# Saving a valid form into a profile (POST) ------------------------------------------


def _save_mentor_about(form, p: MentorProfile) -> None:
    services.save_fields(
        p,
        headline=form.headline.data,
        bio=form.bio.data,
        years_producing=form.years_producing.data,
        portfolio_links=_links(form.portfolio_links.data),
    )
    bandcamp.note_links_saved(p)


def _save_mentor_craft(form, p: MentorProfile) -> None:
    services.save_mentor_craft(p, form.archetypes.data, form.specialties.data, form.genres.data)
    services.save_tools(p, form.tools.data)


def _save_mentor_place(form, p: MentorProfile) -> None:
    services.save_place(
        p,
        chosen_place(form),
        travel_km=form.travel_km.data,
        works_in_person=form.works_in_person.data,
        works_remotely=form.works_remotely.data,
    )


def _save_mentor_week(form, p: MentorProfile) -> None:
    services.save_mentor_week(
        p,
        availability=v.availability_mask(form.availability.data),
        capacity=form.capacity.data,
        accepting=form.accepting.data,
        takes_minors=form.takes_minors.data,
    )


def _save_mentor_credits(form, p: MentorProfile) -> None:
    credits.save_credits(
        p,
        [
            credits.CreditInput(
                title=row.title.data,
                artist=row.artist.data or "",
                role=row.role.data or "",
                year=row.year.data,
                link=row.link.data or "",
                credit_id=whole_number(row.credit_id.data),
            )
            for row in form.filled_rows()
        ],
    )


def _save_mentor_terms(form, p: MentorProfile) -> None:
    services.save_fields(
        p,
        terms=form.terms.data,
        terms_rate=form.terms_rate.data if form.terms.data == "paid" else "",
        typical_week=form.typical_week.data,
    )


def rearrange(form) -> bool:
    """The credits form's "Add another row" and "Move up" buttons: they change only the
    form shown (what was typed stays), nothing is saved. True when one was pressed."""
    if not isinstance(form, forms.MentorCreditsForm):
        return False
    action = request.form.get("action", "")
    if action == "add":
        form.rows.append_entry()
        return True
    if action.startswith("up-"):
        index = whole_number(action[3:])
        entries = form.rows.entries
        if index is not None and 0 < index < len(entries):
            entries[index - 1], entries[index] = entries[index], entries[index - 1]
            for position, entry in enumerate(entries):  # names follow the new order
                prefix = f"{form.rows.name}-{position}-"
                entry.id = entry.name = prefix[:-1]
                for sub in entry.form:
                    short = sub.short_name
                    sub.id = sub.name = prefix + short
                    sub.label.field_id = sub.id
        return True
    return False


def _save_mentee_about(form, p: MenteeProfile) -> None:
    services.save_fields(p, about=form.about.data, goals=form.goals.data)


def _save_mentee_craft(form, p: MenteeProfile) -> None:
    services.save_mentee_craft(
        p,
        form.ranked(form.ASPIRATIONS),
        form.ranked(form.WANTS),
        form.genres.data,
        form.experience.data,
        form.path.data,
    )
    services.save_tools(p, form.tools.data)


def _save_mentee_place(form, p: MenteeProfile) -> None:
    services.save_place(
        p, chosen_place(form), travel_km=form.travel_km.data, remote_ok=form.remote_ok.data
    )


def _save_week(form, p) -> None:
    services.save_fields(p, availability=v.availability_mask(form.availability.data))


SECTIONS: dict[Role, list[Section]] = {
    Role.MENTOR: [
        Section(
            "about",
            "About you",
            "Who you are and what you have made.",
            forms.MentorAboutForm,
            _load_mentor_about,
            _save_mentor_about,
        ),
        Section(
            "credits",
            "Your credits",
            "The records and projects you worked on, in the order you want them shown.",
            forms.MentorCreditsForm,
            _load_mentor_credits,
            _save_mentor_credits,
        ),
        Section(
            "craft",
            "Your craft",
            "The kind of producer you are and what you teach.",
            forms.MentorCraftForm,
            _load_mentor_craft,
            _save_mentor_craft,
        ),
        Section(
            "place",
            "Where you work",
            "Your city, and whether you teach in person.",
            forms.MentorPlaceForm,
            _load_place,
            _save_mentor_place,
        ),
        Section(
            "week",
            "Your week",
            "When you are free and how many apprentices you take.",
            forms.MentorWeekForm,
            _load_mentor_week,
            _save_mentor_week,
        ),
        Section(
            "terms",
            "Your terms",
            "Free, paid or work for learning, and what a week with you looks like.",
            forms.MentorTermsForm,
            _load_mentor_terms,
            _save_mentor_terms,
        ),
    ],
    Role.MENTEE: [
        Section(
            "about",
            "About you",
            "Who you are and what you hope to get out of this.",
            forms.MenteeAboutForm,
            _load_mentee_about,
            _save_mentee_about,
        ),
        Section(
            "craft",
            "Your craft",
            "The producer you want to become and what to learn.",
            forms.MenteeCraftForm,
            _load_mentee_craft,
            _save_mentee_craft,
        ),
        Section(
            "place",
            "Where you are",
            "Your city and how far you can travel.",
            forms.MenteePlaceForm,
            _load_place,
            _save_mentee_place,
        ),
        Section(
            "week",
            "Your week",
            "When you are free to learn.",
            forms.MenteeWeekForm,
            _load_week,
            _save_week,
        ),
    ],
}


def find_section(role: Role, slug: str) -> Section | None:
    return next((s for s in SECTIONS[role] if s.slug == slug), None)


def prepare(form: FlaskForm) -> None:
    """Fill the choices that come from the database."""
    blank = [SelectChoice("", "Choose…")]
    if isinstance(form, forms.MentorCraftForm):
        form.archetypes.choices = [SelectChoice(a.slug, a.name) for a in services.archetypes()]
        form.specialties.choices = [SelectChoice(s.slug, s.name) for s in services.specialties()]
    if isinstance(form, forms.MenteeCraftForm):
        archetype_choices = blank + [SelectChoice(a.slug, a.name) for a in services.archetypes()]
        specialty_choices = blank + [SelectChoice(s.slug, s.name) for s in services.specialties()]
        for name in form.ASPIRATIONS:
            form[name].choices = archetype_choices
        for name in form.WANTS:
            form[name].choices = specialty_choices


def wants_city_list(form) -> bool:
    """The "Find city" button was pressed (how a city is chosen without a script)."""
    return hasattr(form, "place_query") and request.form.get("action") == "find"


def offer_cities(form) -> None:
    """List the cities matching what was typed, for the person to pick one."""
    if form.place_choice.choices:
        return
    query = form.place_query.data or ""
    cities = Gazetteer.load().search(query, limit=8)
    form.place_choice.choices = [
        SelectChoice(str(c.geonameid), f"{c.label} (population {c.population:,})") for c in cities
    ]
    if not query:
        form.place_query.errors = [*form.place_query.errors, "Type the name of your city."]
    elif not cities:
        form.place_query.errors = [
            *form.place_query.errors,
            "No city by that name. Check the spelling, or try the nearest larger city.",
        ]


def chosen_place(form) -> int | None:
    """The city picked: a choice from the list, or the script's pick if it matches the text."""
    choice = whole_number(form.place_choice.data)
    if choice:
        return choice
    picked = whole_number(form.place_id.data)
    if picked:
        city = Gazetteer.load().get(picked)
        if city is not None and city.label == (form.place_query.data or "").strip():
            return city.geonameid
    return None
