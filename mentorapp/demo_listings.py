"""Demo studios and schools (`flask seed-demo`): approved places in the demo cities, and
a little work waiting for the demo admin (a new listing that looks like a duplicate, an
edit, a flag, a listing due for its yearly check)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from mentorapp.audit import record
from mentorapp.directory.listings import RECHECK_AFTER, ListingInput, _apply
from mentorapp.extensions import db
from mentorapp.models import Listing, ListingEdit, ListingFlag, Review, User
from mentorapp.models.types import utcnow
from mentorapp.places.gazetteer import Gazetteer, fold

# (kind, name, city, country, specialties, offers, description)
PLACES: list[tuple[str, str, str, str, list[str], list[str], str]] = [
    (
        "recording_studio",
        "Canal Street Studios",
        "London",
        "GB",
        ["recording", "mixing", "editing"],
        ["apprenticeship", "studio_visits"],
        "Two live rooms by the canal. We take one runner a season and show visitors around on "
        "the first Friday of the month.",
    ),
    (
        "recording_studio",
        "Northern Lights Recording",
        "Manchester",
        "GB",
        ["recording", "mixing", "mastering"],
        ["internship", "jobs"],
        "A busy rock and indie room with a vintage desk; interns learn by setting up sessions.",
    ),
    (
        "audio_engineering_school",
        "Soundcraft Institute London",
        "London",
        "GB",
        ["recording", "mixing", "mastering", "live sound"],
        ["courses"],
        "Diploma and short courses in studio engineering, taught in working control rooms.",
    ),
    (
        "music_school",
        "Eastside Music Academy",
        "London",
        "GB",
        ["songwriting", "arrangement", "beat making", "music business"],
        ["courses", "studio_visits"],
        "Evening and weekend courses for producers and writers, with open studio days.",
    ),
    (
        "recording_studio",
        "Harbour Sound",
        "Bristol",
        "GB",
        ["recording", "sound design", "film and game audio"],
        ["internship", "studio_visits"],
        "Post-production and music under one roof, near the harbour.",
    ),
    (
        "trade_school",
        "Glasgow College of Live Sound",
        "Glasgow",
        "GB",
        ["live sound", "recording"],
        ["courses", "jobs"],
        "Practical live-sound training with placements at venues across the city.",
    ),
    (
        "recording_studio",
        "Studio Belleville",
        "Paris",
        "FR",
        ["recording", "vocal production", "mixing"],
        ["apprenticeship", "studio_visits"],
        "A hip-hop and R&B room where assistants learn vocal production from the first day.",
    ),
    (
        "audio_engineering_school",
        "École du Son de Lyon",
        "Lyon",
        "FR",
        ["recording", "mixing", "sound design"],
        ["courses"],
        "A two-year programme in sound engineering with a studio for every six students.",
    ),
    (
        "recording_studio",
        "Kreuzberg Tonstudio",
        "Berlin",
        "DE",
        ["synthesis", "mixing", "sampling", "sound design"],
        ["apprenticeship", "jobs"],
        "Electronic music studio with a modular wall; one apprentice a year.",
    ),
    (
        "music_school",
        "Berlin Electronic Music School",
        "Berlin",
        "DE",
        ["beat making", "synthesis", "sampling", "arrangement"],
        ["courses"],
        "Twelve-week courses in production, sound design and performance.",
    ),
    (
        "recording_studio",
        "Elbe Studios",
        "Hamburg",
        "DE",
        ["recording", "orchestration", "film and game audio"],
        ["internship", "studio_visits"],
        "A large orchestral room used for film scores; interns assist on sessions.",
    ),
    (
        "recording_studio",
        "Grachten Geluid",
        "Amsterdam",
        "NL",
        ["mixing", "mastering"],
        ["jobs", "studio_visits"],
        "Mixing and mastering suites for dance labels; visits by appointment.",
    ),
    (
        "recording_studio",
        "Estudio Malasaña",
        "Madrid",
        "ES",
        ["recording", "vocal production", "arrangement"],
        ["apprenticeship", "internship"],
        "Pop and flamenco productions; apprentices learn arranging alongside recording.",
    ),
    (
        "music_school",
        "Barcelona School of Music Production",
        "Barcelona",
        "ES",
        ["beat making", "mixing", "marketing and release"],
        ["courses"],
        "Production and release courses in English and Spanish.",
    ),
    (
        "recording_studio",
        "Ikoyi Sound Lab",
        "Lagos",
        "NG",
        ["beat making", "vocal production", "mixing"],
        ["apprenticeship", "jobs"],
        "Afrobeats productions for local and touring artists; we train our own engineers.",
    ),
    (
        "trade_school",
        "Lagos Audio Academy",
        "Lagos",
        "NG",
        ["recording", "live sound", "mixing"],
        ["courses", "jobs"],
        "Hands-on courses in studio and live sound with job placement.",
    ),
    (
        "recording_studio",
        "Shimokita Studio",
        "Tokyo",
        "JP",
        ["recording", "mixing", "orchestration"],
        ["internship", "studio_visits"],
        "A small room known for band recordings; interns help with every session.",
    ),
    (
        "recording_studio",
        "Brooklyn Tape Room",
        "New York City",
        "US",
        ["recording", "editing", "mixing"],
        ["apprenticeship", "studio_visits"],
        "Analogue tape studio; apprentices learn machine alignment and editing.",
    ),
    (
        "audio_engineering_school",
        "Atlantic Audio Institute",
        "Atlanta",
        "US",
        ["recording", "mixing", "beat making", "music business"],
        ["courses", "internship"],
        "Engineering and production programmes with internships at local studios.",
    ),
    (
        "recording_studio",
        "Vila Madalena Estúdio",
        "São Paulo",
        "BR",
        ["recording", "arrangement", "mixing"],
        ["apprenticeship", "studio_visits"],
        "MPB and samba recordings; apprentices learn microphone placement for percussion.",
    ),
]


def _city(name: str, country: str):
    for city in Gazetteer.load().search(name, limit=20):
        if fold(city.name) == fold(name) and city.country_code == country:
            return city
    return None


def seed_listings(admin: User, submitter: User, marcus: User | None) -> None:
    """Create the demo directory unless listings already exist."""
    if db.session.scalar(select(Listing.id).limit(1)) is not None:
        return
    rng = random.Random(7)  # noqa: S311 (demo data)
    now = utcnow()
    made: list[Listing] = []
    for kind, name, city_name, country, specialties, offers, description in PLACES:
        city = _city(city_name, country)
        if city is None:
            continue
        listing = Listing(submitted_by_id=submitter.id, state=Review.APPROVED)
        slugs = [s.replace(" ", "-") for s in specialties]
        _apply(
            listing,
            ListingInput(
                kind=kind,
                name=name,
                description=description,
                place_id=city.geonameid,
                website=f"https://{fold(name).replace(' ', '')}.example.org",
                specialties=slugs,
                offers=offers,
                programmes="Foundation course\nAdvanced production" if "school" in kind else "",
                typical_length="1 year full time" if "school" in kind else "",
            ).as_data(),
        )
        vetted = now - timedelta(days=rng.randint(20, 300))
        listing.created_at = listing.submitted_at = vetted - timedelta(days=2)
        listing.vetted_at, listing.recheck_due_at = vetted, vetted + RECHECK_AFTER
        db.session.add(listing)
        db.session.flush()
        record(admin, "listing_approve", "listing", listing.id, listing.name)
        made.append(listing)
    if len(made) < 4:
        return
    # Work waiting for the admin.
    due = made[1]
    due.vetted_at = now - timedelta(days=380)
    due.recheck_due_at = due.vetted_at + RECHECK_AFTER
    twin = Listing(submitted_by_id=submitter.id, state=Review.PENDING, submitted_at=now)
    _apply(
        twin, {**_data(made[0]), "name": "Canal St. Studios", "description": made[0].description}
    )
    db.session.add(twin)
    db.session.add(
        ListingEdit(
            listing_id=made[2].id,
            submitted_by_id=submitter.id,
            data={**_data(made[2]), "typical_length": "1 year full time, or 2 years part time"},
        )
    )
    db.session.add(
        ListingFlag(
            listing_id=made[3].id,
            reporter_id=submitter.id,
            kind="wrong_details",
            note="The open studio days moved to Saturdays.",
        )
    )
    if marcus is not None and marcus.mentor_profile is not None:
        marcus.mentor_profile.studio_id = made[0].id
    db.session.flush()


def _data(listing: Listing) -> dict:
    from mentorapp.directory.listings import as_form_data

    return as_form_data(listing)
