"""The directory of studios and schools in a real browser: a person lists a studio by
keyboard (the city chosen from the live suggestions), an admin asks for a change, the
person corrects it, the admin approves, and the studio is found by a visitor's search
and in a nearby apprentice's "near you" list. The form without JavaScript, its errors,
a flag that takes a listing off the directory, and how the pages look on a desktop and
on a phone. Every page is checked with axe."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update

from mentorapp.directory import listings, review
from mentorapp.extensions import db
from mentorapp.models import Listing, User
from mentorapp.models.types import utcnow
from mentorapp.places.gazetteer import Gazetteer, distance_km
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, assert_accessible, navigate, visit
from tests.browser.test_account_journeys import (
    assert_no_horizontal_scroll,
    field_error,
    flashes,
    heading,
)
from tests.browser.test_apprenticeship_journeys import main_nav, press, sign_in, type_into
from tests.conftest import post_form
from tests.functional.test_profiles import MENTEE_SECTIONS, edit_url

MANCHESTER = 2643123
STOCKPORT = 2636882
SALFORD = 2638671
LONDON = 2643743
LEEDS = 2644688

SUBMITTER = ("sam@example.com", "Sam Okoro")
ADMIN = ("ada@example.com", "Ada Byrne")
MENTEE = ("priya@example.com", "Priya Raman")

STUDIO = "Northern Quarter Sound"
DESCRIPTION = "A two-room studio that takes on one assistant engineer a year."
CORRECTION = " Newcomers can visit the live room on Friday afternoons."
CHANGE_NOTE = "Please say when newcomers can visit the rooms."
ADDRESS = "14 Tib Street"
WEBSITE = "https://nqsound.example.org"


def city(geonameid: int) -> str:
    return Gazetteer.load().get(geonameid).label


def km_between(a: int, b: int) -> float:
    one, two = Gazetteer.load().get(a), Gazetteer.load().get(b)
    return distance_km(one.latitude, one.longitude, two.latitude, two.longitude)


# --- People and places, made over HTTP and through the services ------------------------


def mentee_in(client, auth, users, email: str, name: str, place: int) -> int:
    """An apprentice with a complete profile (wants mixing and mastering, looks for an
    apprenticeship, travels 25 km) living in `place`, filled in over HTTP."""
    person = users(email=email, display_name=name, is_mentee=True)
    auth.login(email)
    where = {**MENTEE_SECTIONS["place"], "place_query": city(place), "place_id": str(place)}
    for section, data in {**MENTEE_SECTIONS, "place": where}.items():
        response = post_form(client, edit_url(person, "mentee", section), data)
        assert response.status_code == 302, f"mentee {section}: {response.status_code}"
    auth.logout()
    return person


def add_listing(
    submitter: int,
    admin: int | None,
    name: str,
    place: int,
    *,
    kind: str = "recording_studio",
    description: str = "",
    specialties: tuple[str, ...] = ("mixing", "recording"),
    offers: tuple[str, ...] = ("apprenticeship", "studio_visits"),
    **extra,
) -> int:
    """A listing submitted by `submitter`, approved by `admin` when given (in an app
    context; the caller commits)."""
    checked = listings.clean_listing(
        {
            "kind": kind,
            "name": name,
            "description": description
            or f"{name} welcomes newcomers who want to learn how records are made.",
            "place_id": place,
            "specialties": list(specialties),
            "offers": list(offers),
            **extra,
        }
    )
    listing = listings.submit_listing(db.session.get(User, submitter), checked)
    if admin is not None:
        review.decide_listing(db.session.get(User, admin), listing.id, "approve")
    db.session.flush()
    return listing.id


@pytest.fixture
def people(users) -> dict[str, int]:
    return {
        "sam": users(email=SUBMITTER[0], display_name=SUBMITTER[1], is_mentee=True),
        "ada": users(email=ADMIN[0], display_name=ADMIN[1], is_admin=True, is_mentee=False),
    }


# --- What people look at and press ------------------------------------------------------


def state_of(page: Page, name: str) -> Locator:
    """The coloured state label of one of the person's own listings on /directory/mine."""
    return submission(page, name).locator(".state").first


def submission(page: Page, name: str) -> Locator:
    return page.locator(".submission").filter(has=page.get_by_role("heading", name=name))


def queue_item(page: Page, name: str) -> Locator:
    """A listing's card in the admins' queue (an <article> named by its heading)."""
    return page.get_by_role("article", name=name, exact=True)


def cards(page: Page) -> Locator:
    """The listing cards of a directory page, in order."""
    return page.locator(".listing-grid > .listing-card")


def card(page: Page, name: str) -> Locator:
    return cards(page).filter(has=page.get_by_role("heading", name=name, exact=True))


def tick(page: Page, group: Locator, label: str) -> None:
    """Tick a checkbox with the space bar, as a keyboard user does."""
    box = group.get_by_role("checkbox", name=label, exact=True)
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def choose_city_by_keyboard(page: Page, typed: str, place: int) -> None:
    """Type into the City combobox, then arrow down to the first suggestion (`place`)
    and press Enter."""
    label = city(place)
    field = page.get_by_role("combobox", name="City")
    field.focus()
    field.press_sequentially(typed)
    listbox = page.get_by_role("listbox", name="Matching cities")
    options = listbox.get_by_role("option")
    expect(options.first).to_have_accessible_name(re.compile(rf"^{re.escape(label)} · "))
    expect(field).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)  # with the list open
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    page.keyboard.press("Enter")  # chooses; does not send the form
    expect(field).to_have_value(label)
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator("[data-place-id]")).to_have_value(str(place))
    expect(page).to_have_url(re.compile(r"/directory/new$"))


def open_admin_listings(page: Page) -> None:
    """Admin → Listings, through the navigation."""
    visit(page, "/dashboard")
    press(page, main_nav(page).get_by_role("link", name="Admin"))
    expect(heading(page)).to_have_text("Admin")
    press(page, page.get_by_role("navigation", name="Admin").get_by_role("link", name="Listings"))
    expect(heading(page)).to_have_text("Listings to vet")


# --- The whole journey, with the keyboard ----------------------------------------------


def test_submit_correct_approve_then_found_and_near_a_mentee(
    open_page, client, auth, users, people
):
    mentee_in(client, auth, users, *MENTEE, STOCKPORT)
    sam, ada = open_page(), open_page()
    manchester = city(MANCHESTER)

    # Sam lists a studio from the directory.
    sign_in(sam, SUBMITTER[0])
    visit(sam, "/directory")
    expect(heading(sam)).to_have_text("Studios and schools")
    expect(sam.get_by_role("heading", name="0 places")).to_be_visible()
    press(sam, sam.get_by_role("main").get_by_role("link", name="List a place"))
    expect(heading(sam)).to_have_text("List a studio or school")

    kind = sam.get_by_role("combobox", name="What kind of place")
    kind.focus()
    sam.keyboard.type("Rec")  # a closed <select> picks the option its typed letters begin
    expect(kind).to_have_value("recording_studio")
    type_into(sam.get_by_role("textbox", name="Name"), STUDIO)
    description = sam.get_by_role("textbox", name="Description")
    expect(description).to_have_accessible_description(
        re.compile(
            r"^What happens there, who it is for, what a newcomer can expect\. "
            r"4,000 of 4,000 characters left"
        )
    )
    type_into(description, DESCRIPTION)
    choose_city_by_keyboard(sam, "Manchester", MANCHESTER)
    type_into(sam.get_by_role("textbox", name="Street address (optional)"), ADDRESS)
    type_into(sam.get_by_role("textbox", name="Website (optional)"), WEBSITE)
    covers = sam.get_by_role("group", name="Specialties it covers")
    for label in ("Mixing", "Recording"):
        tick(sam, covers, label)
    offers = sam.get_by_role("group", name="What it offers")
    for label in ("Apprenticeships", "Studio visits"):
        tick(sam, offers, label)
    press(sam, sam.get_by_role("button", name="Send for review"))

    expect(sam).to_have_url(re.compile(r"/directory/mine$"))
    expect(flashes(sam)).to_contain_text(
        f"Thank you: {STUDIO} is waiting for an admin to check it. "
        "You will hear back here and in your inbox."
    )
    expect(heading(sam)).to_have_text("Your listings")
    expect(state_of(sam, STUDIO)).to_have_text("Waiting for review")
    expect(submission(sam, STUDIO)).to_contain_text(f"Recording studio · {manchester} · sent")
    not_public_yet = submission(sam, STUDIO).get_by_role("link", name=STUDIO, exact=True)
    expect(not_public_yet).to_have_count(0)

    # Ada opens Admin → Listings and asks for a change.
    sign_in(ada, ADMIN[0])
    open_admin_listings(ada)
    expect(ada.get_by_role("main")).to_contain_text(
        "1 waiting: 1 new, 0 edits, 0 flags, 0 due for their yearly check."
    )
    item = queue_item(ada, STUDIO)
    expect(item).to_contain_text(f"by {SUBMITTER[1]}")
    for fact in (
        "Recording studio",
        manchester,
        ADDRESS,
        DESCRIPTION,
        WEBSITE,
        "Mixing, Recording",
    ):
        expect(item.locator("dl")).to_contain_text(fact)
    expect(item.get_by_role("note")).to_have_count(0)  # no possible duplicate
    note = item.get_by_role("textbox", name="Reason or note for the submitter")
    expect(note).to_have_accessible_description(
        re.compile(r"^Required to reject or to ask for changes\. 2,000 of 2,000 characters left")
    )
    type_into(note, CHANGE_NOTE)
    press(ada, item.get_by_role("button", name=f"Ask for changes to {STUDIO}"))
    expect(flashes(ada)).to_contain_text("Sent back for changes. The submitter sees your note.")
    expect(ada).to_have_url(re.compile(r"/admin/listings#new$"))
    expect(queue_item(ada, STUDIO)).to_have_count(0)
    expect(ada.get_by_role("region", name="New listings")).to_contain_text("No new listing waits.")

    # Sam reads the note and corrects the description.
    visit(sam, "/directory/mine")
    expect(state_of(sam, STUDIO)).to_have_text("Changes asked for")
    expect(submission(sam, STUDIO)).to_contain_text(f"What to change: {CHANGE_NOTE}")
    press(sam, submission(sam, STUDIO).get_by_role("link", name=f"Correct and resubmit {STUDIO}"))
    expect(heading(sam)).to_have_text(f"Correct {STUDIO}")
    expect(sam.get_by_role("main").locator("blockquote")).to_have_text(CHANGE_NOTE)
    expect(sam.get_by_role("combobox", name="City")).to_have_value(manchester)
    expect(sam.get_by_role("textbox", name="Website (optional)")).to_have_value(WEBSITE)
    description = sam.get_by_role("textbox", name="Description")
    expect(description).to_have_value(DESCRIPTION)
    description.focus()
    sam.keyboard.press("ControlOrMeta+End")
    description.press_sequentially(CORRECTION)
    expect(description).to_have_value(DESCRIPTION + CORRECTION)
    press(sam, sam.get_by_role("button", name="Send for review"))
    expect(flashes(sam)).to_contain_text(
        "Thank you: the corrected listing is back with the admins."
    )
    expect(state_of(sam, STUDIO)).to_have_text("Waiting for review")
    expect(submission(sam, STUDIO)).not_to_contain_text(CHANGE_NOTE)

    # Ada sees the correction and approves it.
    visit(ada, "/admin/listings")
    item = queue_item(ada, STUDIO)
    expect(item.locator("dl")).to_contain_text(DESCRIPTION + CORRECTION)
    press(ada, item.get_by_role("button", name=f"Approve {STUDIO}"))
    expect(flashes(ada)).to_contain_text("Approved: it is public now.")
    expect(ada.get_by_role("main")).to_contain_text("0 waiting")

    visit(sam, "/directory/mine")
    expect(state_of(sam, STUDIO)).to_have_text("Approved")
    expect(submission(sam, STUDIO).get_by_role("link", name=STUDIO, exact=True)).to_be_visible()
    expect(submission(sam, STUDIO).get_by_role("link", name=f"Edit {STUDIO}")).to_be_visible()

    # A visitor searches the public directory for it, by keyboard.
    visitor = open_page()
    visit(visitor, "/")
    press(visitor, main_nav(visitor).get_by_role("link", name="Studios and schools"))
    search = visitor.get_by_role("form", name="Search the directory")
    type_into(search.get_by_role("textbox", name="Search"), "quarter")
    type_into(search.get_by_role("textbox", name="Near (a city)"), "Manchester")
    within = search.get_by_role("combobox", name="Within")
    within.focus()
    visitor.keyboard.type("25")
    expect(within).to_have_value("25")
    press(visitor, search.get_by_role("button", name="Search"))
    expect(visitor).to_have_url(re.compile(r"/directory\?.*q=quarter.*near=Manchester"))
    expect(visitor.get_by_role("heading", level=2, name=re.compile("place"))).to_have_text(
        f"1 place near {manchester}"
    )
    found = card(visitor, STUDIO)
    expect(found).to_contain_text("Recording studio")
    expect(found).to_contain_text("in the same city")
    expect(found).to_contain_text(manchester)
    expect(found).to_contain_text("Apprenticeships")
    expect(found).to_contain_text(f"vetted {utcnow():%B %Y}")
    press(visitor, found.get_by_role("link", name=STUDIO, exact=True))
    expect(heading(visitor)).to_have_text(STUDIO)
    main = visitor.get_by_role("main")
    expect(main).to_contain_text(f"{manchester} · {ADDRESS}")
    expect(main).to_contain_text(f"Checked by our admins in {utcnow():%B %Y}.")
    expect(visitor.get_by_role("region", name="About")).to_contain_text(DESCRIPTION + CORRECTION)
    facts = visitor.get_by_role("region", name="At a glance")
    expect(facts).to_contain_text("Apprenticeships, Studio visits")
    expect(facts).to_contain_text("Mixing, Recording")
    expect(facts.get_by_role("link", name=f"{WEBSITE} (opens in a new tab)")).to_have_attribute(
        "href", WEBSITE
    )
    expect(visitor.get_by_role("link", name="Report a problem with this listing")).to_have_count(0)

    # Priya, an apprentice in Stockport, finds it near her, with the reasons.
    priya = open_page()
    sign_in(priya, MENTEE[0])
    visit(priya, "/directory")
    press(priya, priya.get_by_role("main").get_by_role("link", name="Near you"))
    expect(heading(priya)).to_have_text("Studios and schools near you")
    expect(priya.get_by_role("main")).to_contain_text("Within 25 km.")
    km = f"{km_between(STOCKPORT, MANCHESTER):.0f}"
    near = card(priya, STUDIO)
    expect(near).to_contain_text(f"{km} km away")
    reasons = near.get_by_role("listitem")
    expect(reasons).to_have_count(3)
    for reason in (
        f"{km} km from you",
        "Covers mixing, 1 of the 2 things you want to learn",
        "Offers apprenticeships and studio visits",
    ):
        expect(reasons.filter(has_text=reason)).to_have_count(1)
    expect(reasons.first.locator(".reason__points")).to_have_text(re.compile(r"^\+\d+$"))


# --- Without JavaScript -----------------------------------------------------------------


def test_the_form_without_javascript_finds_the_city_and_keeps_the_typing(
    nojs_page: Page, app, people
):
    page = nojs_page
    manchester = city(MANCHESTER)
    sign_in(page, SUBMITTER[0])
    visit(page, "/directory/new")
    expect(page.get_by_role("listbox")).to_have_count(0)  # no script, no live list
    place = page.get_by_role("textbox", name="City")

    page.get_by_role("combobox", name="What kind of place").select_option(label="Recording studio")
    page.get_by_role("textbox", name="Description").fill(DESCRIPTION)
    page.get_by_role("textbox", name="Website (optional)").fill("nqsound.example.org")
    page.get_by_role("group", name="Specialties it covers").get_by_label("Mixing").check()
    page.get_by_role("group", name="What it offers").get_by_label("Studio visits").check()
    place.fill("Manchester")
    navigate(page, page.get_by_role("button", name="Find city").click, status=200)

    cities = page.get_by_role("group", name="Which one do you mean?")
    expect(cities.get_by_role("radio").first).to_have_accessible_name(
        f"{manchester} (population 568,996)"
    )
    expect(
        cities.get_by_role("radio", name=re.compile(r"^Manchester, New Hampshire"))
    ).to_be_visible()
    expect(place).to_have_value("Manchester")
    expect(page.get_by_role("alert")).to_have_count(0)  # finding a city is no error
    expect(page.get_by_role("textbox", name="Description")).to_have_value(DESCRIPTION)
    expect(
        page.get_by_role("group", name="What it offers").get_by_label("Studio visits")
    ).to_be_checked()
    cities.get_by_role("radio", name=re.compile(rf"^{re.escape(manchester)} ")).check()

    # No name and a website without https://: both errors beside their fields.
    navigate(page, page.get_by_role("button", name="Send for review").click, status=422)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check the form")
    expect(
        summary.get_by_role("link", name="Name: Give the name of the studio or school.")
    ).to_have_attribute("href", "#name")
    expect(field_error(page, "Name")).to_have_text(
        re.compile(r"Give the name of the studio or school\.")
    )
    website = page.get_by_role("textbox", name="Website (optional)")
    expect(field_error(page, "Website (optional)")).to_have_text(
        re.compile(r"Give a web address starting with https:// or http://\.")
    )
    expect(website).to_have_attribute("aria-invalid", "true")
    expect(website).to_have_attribute("aria-describedby", re.compile(r"\bwebsite-error\b"))
    expect(website).to_have_value("nqsound.example.org")
    expect(page.get_by_role("textbox", name="Description")).to_have_value(DESCRIPTION)
    expect(page.get_by_role("textbox", name="Description")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.get_by_role("combobox", name="What kind of place")).to_have_value(
        "recording_studio"
    )
    expect(
        page.get_by_role("group", name="Specialties it covers").get_by_label("Mixing")
    ).to_be_checked()
    expect(place).to_have_value(manchester)  # the chosen city is kept
    expect(page.locator("[data-place-id]")).to_have_value(str(MANCHESTER))
    expect(cities).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("Choose the city from the list.")

    page.get_by_role("textbox", name="Name").fill(STUDIO)
    website.fill(WEBSITE)
    navigate(page, page.get_by_role("button", name="Send for review").click, status=200)
    expect(page).to_have_url(re.compile(r"/directory/mine$"))
    expect(flashes(page)).to_contain_text(f"Thank you: {STUDIO} is waiting for an admin")
    expect(state_of(page, STUDIO)).to_have_text("Waiting for review")
    expect(submission(page, STUDIO)).to_contain_text(f"Recording studio · {manchester}")
    with app.app_context():
        [stored] = db.session.scalars(db.select(Listing)).all()
        assert (stored.place.id, stored.website) == (MANCHESTER, WEBSITE)


# --- Flags ---------------------------------------------------------------------------------


def test_a_flag_takes_a_listing_off_the_directory(open_page, app, users, people):
    with app.app_context():
        closed = add_listing(people["sam"], people["ada"], "Salford Tape Rooms", SALFORD)
        add_listing(people["sam"], people["ada"], "Cottonopolis Audio", MANCHESTER)
        db.session.commit()
    users(email="noor@example.com", display_name="Noor Haddad")
    reporter, ada, visitor = open_page(), open_page(), open_page()

    # Noor reports that it has closed.
    sign_in(reporter, "noor@example.com")
    visit(reporter, f"/directory/{closed}")
    expect(heading(reporter)).to_have_text("Salford Tape Rooms")
    press(reporter, reporter.get_by_role("link", name="Report a problem with this listing"))
    expect(heading(reporter)).to_have_text("Report a problem with Salford Tape Rooms")
    what = reporter.get_by_role("combobox", name="What is wrong")
    what.focus()
    reporter.keyboard.type("It has")
    expect(what).to_have_value("closed")
    type_into(
        reporter.get_by_role("textbox", name="Details (optional)"),
        "The building is empty; the phone number is dead.",
    )
    press(reporter, reporter.get_by_role("button", name="Send the report"))
    expect(flashes(reporter)).to_contain_text("Thank you. An admin will look at it.")
    expect(heading(reporter)).to_have_text("Salford Tape Rooms")
    # A second report by the same person is not counted twice.
    press(reporter, reporter.get_by_role("link", name="Report a problem with this listing"))
    reporter.get_by_role("combobox", name="What is wrong").select_option(label="It has closed")
    press(reporter, reporter.get_by_role("button", name="Send the report"))
    expect(flashes(reporter)).to_contain_text("You flagged this listing already")

    # Ada takes it off, with a reason.
    sign_in(ada, ADMIN[0])
    open_admin_listings(ada)
    expect(ada.get_by_role("main")).to_contain_text("1 flag,")
    flags = ada.get_by_role("region", name="Flags")
    item = flags.get_by_role("article", name="Salford Tape Rooms: It has closed")
    expect(item).to_contain_text("by Noor Haddad")
    expect(item.locator("blockquote")).to_have_text(
        "The building is empty; the phone number is dead."
    )
    type_into(
        item.get_by_role("textbox", name=re.compile(r"^Reason")),
        "Closed for good in the spring, confirmed by phone.",
    )
    press(ada, item.get_by_role("button", name="Take it off the directory (Salford Tape Rooms)"))
    expect(flashes(ada)).to_contain_text("Taken off the directory.")
    expect(flags).to_contain_text("No open flag.")
    visit(ada, f"/admin/listings/{closed}")
    expect(ada.get_by_role("main")).to_contain_text("Off the directory since")
    trail = ada.get_by_role("region", name="Decisions")
    expect(trail).to_contain_text(
        f"{ADMIN[1]}: flag upheld: “Closed for good in the spring, confirmed by phone.”"
    )
    expect(trail).to_contain_text(f"{ADMIN[1]}: listing unpublished")
    expect(ada.get_by_role("button", name="Put it back on the directory")).to_be_visible()

    # The public no longer finds it; the other listing stays.
    visit(visitor, "/directory")
    expect(visitor.get_by_role("heading", level=2, name=re.compile("place"))).to_have_text(
        "1 place"
    )
    expect(card(visitor, "Cottonopolis Audio")).to_be_visible()
    expect(card(visitor, "Salford Tape Rooms")).to_have_count(0)
    visit(visitor, "/directory?q=salford")
    expect(visitor.get_by_role("main")).to_contain_text("No place matches yet.")
    visit(visitor, f"/directory/{closed}", status=404)
    visit(reporter, f"/directory/{closed}/flag", status=404)

    # Sam, who listed it, reads why.
    sam = open_page()
    sign_in(sam, SUBMITTER[0])
    visit(sam, "/directory/mine")
    entry = submission(sam, "Salford Tape Rooms")
    expect(entry.locator(".state")).to_have_text(["Approved", "Off the directory"])
    expect(entry).to_contain_text(
        "Why it is off: Closed for good in the spring, confirmed by phone."
    )
    expect(entry.get_by_role("link", name="Salford Tape Rooms", exact=True)).to_have_count(0)


# --- Screenshots for a human, and the phone ----------------------------------------------


@dataclass(frozen=True)
class Busy:
    shown: int  # an approved listing with a long description and programmes
    mentee: int


@pytest.fixture
def busy(app, client, auth, users, people) -> Busy:
    """Nine approved listings (two far away), a new one that looks like a duplicate, an
    edit waiting, a flag, and one due for its yearly check; an apprentice in Stockport."""
    mentee = mentee_in(client, auth, users, *MENTEE, STOCKPORT)
    sam, ada = people["sam"], people["ada"]
    with app.app_context():
        add_listing(
            sam,
            ada,
            STUDIO,
            MANCHESTER,
            address=ADDRESS,
            website=WEBSITE,
            specialties=("mixing", "recording", "editing"),
            offers=("apprenticeship", "internship", "studio_visits"),
        )
        shown = add_listing(
            sam,
            ada,
            "Manchester Academy of Sound Engineering and Music Production",
            MANCHESTER,
            kind="audio_engineering_school",
            description=(
                "A school in a former cotton mill with three teaching studios, a mastering "
                "suite and a live room big enough for a string quartet.\n\nEvery student "
                "spends a term assisting on real sessions with local bands, and the best "
                "are offered a paid internship at a partner studio afterwards."
            ),
            address="Unit 4, Ancoats Mill, 51 Redhill Street",
            website="https://manchester-academy-of-sound.example.org/courses/engineering",
            contact_email="admissions@manchester-academy-of-sound.example.org",
            specialties=("recording", "mixing", "mastering", "live-sound", "sound-design"),
            offers=("courses", "internship", "studio_visits"),
            programmes="Diploma in audio engineering\nEvening course: mixing in the box\n"
            "Summer school: recording a band live",
            typical_length="1 year full time, or 12 evening sessions",
        )
        add_listing(
            sam,
            ada,
            "Salford Tape Rooms",
            SALFORD,
            specialties=("recording", "editing"),
            offers=("studio_visits", "jobs"),
        )
        add_listing(
            sam,
            ada,
            "Stockport Community Music School",
            STOCKPORT,
            kind="music_school",
            specialties=("songwriting", "arrangement"),
            offers=("courses",),
        )
        add_listing(
            sam,
            ada,
            "Mersey Valley Trade College",
            STOCKPORT,
            kind="trade_school",
            specialties=("live-sound",),
            offers=("courses", "apprenticeship"),
        )
        add_listing(
            sam,
            ada,
            "Tidewater Studios",
            SALFORD,
            specialties=("mixing", "vocal-production"),
            offers=("apprenticeship", "internship"),
        )
        add_listing(sam, ada, "Headingley Beat Lab", LEEDS, kind="other")
        add_listing(sam, ada, "Fox Lane Studios", LONDON)

        # Due for its yearly check: vetted thirteen months ago.
        due = add_listing(sam, ada, "Chorlton Rehearsal Rooms", MANCHESTER, offers=("jobs",))
        long_ago = utcnow() - timedelta(days=400)
        db.session.execute(
            update(Listing)
            .where(Listing.id == due)
            .values(vetted_at=long_ago, recheck_due_at=long_ago + listings.RECHECK_AFTER)
        )
        # New, and much like an approved one in the same city.
        add_listing(
            people["sam"],
            None,
            "Northern Quarter Sound Studio",
            MANCHESTER,
            description="The same studio as Northern Quarter Sound, I think, by a new owner.",
        )
        # An edit of an approved listing.
        tidewater = db.session.scalar(
            db.select(Listing.id).where(Listing.name == "Tidewater Studios")
        )
        listings.correct_listing(
            db.session.get(User, sam),
            tidewater,
            listings.clean_listing(
                {
                    "kind": "recording_studio",
                    "name": "Tidewater Studios",
                    "description": "Mixing and vocal production, now with a second room for "
                    "apprentices to practise in on their own.",
                    "place_id": SALFORD,
                    "specialties": ["mixing", "vocal-production", "editing"],
                    "offers": ["apprenticeship", "internship", "studio_visits"],
                }
            ),
        )
        # A flag.
        salford = db.session.scalar(
            db.select(Listing.id).where(Listing.name == "Salford Tape Rooms")
        )
        review.flag_listing(
            db.session.get(User, mentee),
            salford,
            "wrong_details",
            "They moved to Ordsall last year.",
        )
        db.session.commit()
    return Busy(shown=shown, mentee=mentee)


def shoot(page: Page, name: str) -> None:
    assert_no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def assert_inside(page: Page, locator: Locator) -> None:
    """Every element found lies within the page's width."""
    width = page.viewport_size["width"]
    for element in locator.all():
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"{element} sticks out of the {width}px screen: {box}"
        )


def assert_sticky_fits(page: Page) -> bool:
    """The search box beside the list is sticky only where the screen is tall enough to
    show all of it (else its Search button would hide below the screen); is it sticky?"""
    height, position = page.locator(".filters-box").evaluate(
        "el => [el.getBoundingClientRect().height, getComputedStyle(el).position]"
    )
    if height + 16 > page.viewport_size["height"]:
        assert position != "sticky", f"a {height}px sticky box on a {page.viewport_size} screen"
    return position == "sticky"


def test_directory_pages_fit_the_screen(open_page, busy: Busy):
    """Screenshots into test-artifacts/ (gitignored) for a person to look at."""
    desktop, phone = open_page(viewport=DESKTOP), open_page(viewport=PHONE)
    filters = "/directory?near=Manchester&within_km=50&offer=apprenticeship&sort=distance"
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        visit(page, "/directory")
        expect(page.get_by_role("heading", name="9 places")).to_be_visible()
        visit(page, filters)
        results = page.get_by_role("region", name=re.compile(r"^\d+ places? near "))
        count = results.get_by_role("heading", level=2)
        expect(count).to_have_text(f"3 places near {city(MANCHESTER)}")
        expect(cards(page).get_by_role("heading", level=3)).to_have_text(
            [STUDIO, "Tidewater Studios", "Mersey Valley Trade College"]  # nearest first
        )
        expect(cards(page).locator(".listing-card__km")).to_have_text(
            ["in the same city", "4 km away", "10 km away"]
        )
        search = page.get_by_role("textbox", name="Near (a city)")
        if size == "desktop":  # the search box shows beside the list
            expect(search).to_be_visible()
            expect(search).to_have_value("Manchester")
            assert_sticky_fits(page)
        else:  # the results come first; the search box opens on demand
            toggle = page.locator("summary", has_text="Search and filter (on)")
            expect(toggle).to_be_visible()
            expect(search).to_be_hidden()
            box = count.bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], "the results start off-screen"
            assert_inside(page, cards(page))
            shoot(page, "directory-phone")
            toggle.click()
            expect(search).to_have_value("Manchester")
            assert_inside(page, page.locator(".filters-box"))
            assert_accessible(page)  # with the search box open
            shoot(page, "directory-phone-search")
            continue
        shoot(page, f"directory-{size}")

    # A laptop screen, a member with "Near me" and a city it does not know: the search
    # box sticks beside the list only where it fits the screen.
    for height in (640, 1200):
        laptop = open_page(viewport={"width": 1280, "height": height})
        sign_in(laptop, MENTEE[0])
        visit(laptop, "/directory?near=Xqzzyville&kind=recording_studio")
        expect(laptop.get_by_role("main")).to_contain_text("No city by that name.")
        expect(laptop.get_by_role("checkbox", name="Near me")).to_be_visible()
        assert assert_sticky_fits(laptop) == (height > 1000)

    for page, size in ((desktop, "desktop"), (phone, "phone")):
        visit(page, f"/directory/{busy.shown}")
        expect(heading(page)).to_have_text(
            "Manchester Academy of Sound Engineering and Music Production"
        )
        expect(page.get_by_role("heading", name="Programmes")).to_be_visible()
        if size == "phone":
            assert_inside(page, page.locator(".card"))
            assert_no_horizontal_scroll(page)
        else:
            shoot(page, "listing-desktop")

    sign_in(phone, SUBMITTER[0])
    visit(phone, "/directory/new")
    expect(heading(phone)).to_have_text("List a studio or school")
    assert_inside(phone, phone.locator("form .field, form fieldset, form .actions"))
    shoot(phone, "listing-form-phone")
    visit(phone, "/directory/mine")
    expect(phone.locator(".submission")).to_have_count(10)
    shoot(phone, "mine-phone")

    sign_in(desktop, ADMIN[0])
    visit(desktop, "/admin/listings")
    expect(desktop.get_by_role("main")).to_contain_text(
        "4 waiting: 1 new, 1 edit, 1 flag, 1 due for their yearly check."
    )
    duplicate = queue_item(desktop, "Northern Quarter Sound Studio").get_by_role("note")
    expect(duplicate).to_contain_text(f"Possible duplicate: {STUDIO} (approved)")
    edit = queue_item(desktop, "Changes to Tidewater Studios")
    expect(edit.get_by_role("note")).to_contain_text("Changed: description, specialties, offers.")
    expect(edit).to_contain_text("now with a second room")
    flag = desktop.get_by_role("region", name="Flags").get_by_role("article")
    expect(flag).to_have_accessible_name("Salford Tape Rooms: Some details are wrong")
    expect(desktop.get_by_role("region", name="Due for their yearly check")).to_contain_text(
        "Chorlton Rehearsal Rooms"
    )
    shoot(desktop, "admin-listings-desktop")
    admin_phone = open_page(viewport=PHONE)
    sign_in(admin_phone, ADMIN[0])
    for path in ("/admin", "/admin/listings/import", "/admin/audit", "/admin/listings"):
        visit(admin_phone, path)
        assert_no_horizontal_scroll(admin_phone)
    shoot(admin_phone, "admin-listings-phone")

    visit(desktop, "/directory/new")  # admins may list places too
    expect(heading(desktop)).to_have_text("List a studio or school")
    shoot(desktop, "listing-form-desktop")

    # Priya's places near her, on the laptop (signed in above) and on a phone.
    visit(laptop, "/directory/near")
    expect(heading(laptop)).to_have_text("Studios and schools near you")
    expect(cards(laptop).first.get_by_role("listitem").first).to_be_visible()
    expect(cards(laptop).filter(has_text="Fox Lane Studios")).to_have_count(0)  # London
    expect(cards(laptop).filter(has_text="Headingley Beat Lab")).to_have_count(0)  # Leeds
    shoot(laptop, "near-desktop")
    mentee_phone = open_page(viewport=PHONE)
    sign_in(mentee_phone, MENTEE[0])
    visit(mentee_phone, "/directory/near")
    expect(cards(mentee_phone)).to_have_count(cards(laptop).count())
    assert_inside(mentee_phone, cards(mentee_phone))
    assert_inside(mentee_phone, mentee_phone.get_by_role("navigation", name="Kind of place"))
    shoot(mentee_phone, "near-phone")
