"""A visitor finds a mentor on the Mentors page by genre and DAW, by keyboard, opens
their page, signs up from it and lands back on it; on a phone nothing scrolls sideways.
Every page is checked with axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from mentorapp.extensions import db
from mentorapp.models import MentorProfile, User
from mentorapp.profiles.services import ensure_place
from tests.browser.conftest import ARTIFACTS, assert_accessible, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, sign_up
from tests.browser.test_apprenticeship_journeys import main_nav, press
from tests.factories import make_user

LONDON = 2643743


def mentors(app) -> int:
    with app.app_context():
        found = None
        for name, genres, tools in (
            ("Marta Okafor", ["jazz"], ["ableton-live"]),
            ("Leo Brandt", ["jazz"], ["pro-tools"]),
            ("Ines Silva", ["techno"], ["ableton-live"]),
        ):
            user = make_user(display_name=name, is_mentor=True, is_mentee=False)
            profile = MentorProfile(user=user, headline="Producer", genres=genres, tools=tools)
            db.session.add(profile)
            profile.place = ensure_place(LONDON)
            db.session.flush()
            found = found or user.id
        db.session.commit()
        return found


def test_a_visitor_finds_a_mentor_by_genre_and_daw_and_signs_up_from_their_page(app, page):
    marta = mentors(app)
    visit(page, "/")
    press(page, main_nav(page).get_by_role("link", name="Mentors"))
    assert_accessible(page)
    page.get_by_text("Search and filter").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Genre", exact=True).focus()
    page.get_by_label("Genre", exact=True).select_option("jazz")
    page.get_by_label("DAW or tools", exact=True).focus()
    page.get_by_label("DAW or tools", exact=True).select_option("ableton-live")
    press(page, page.get_by_role("button", name="Search"))
    assert_accessible(page)
    cards = page.locator(".mentor-card__name")
    expect(cards).to_have_text(["Marta Okafor"])
    expect(page.get_by_label("Genre", exact=True)).to_have_value("jazz")
    assert "@" not in page.locator("main").inner_text()
    press(page, cards.get_by_role("link", name="Marta Okafor"))
    expect(page).to_have_url(re.compile(rf"/people/{marta}$"))
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Sign up to ask Marta Okafor"))
    assert_accessible(page)
    sign_up(page, name="New Person", email="new@example.com", password="a long enough passphrase")
    expect(page).to_have_url(re.compile(rf"/people/{marta}$"))
    expect(page.get_by_role("heading", name="Marta Okafor", level=1)).to_be_visible()


def test_the_mentors_page_fits_a_phone(app, phone_page: Page):
    mentors(app)
    visit(phone_page, "/mentors?genre=jazz")
    assert_accessible(phone_page)
    assert_no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=str(ARTIFACTS / "mentors-375.png"), full_page=True)


def test_the_cards_are_a_grid_on_a_desktop_and_one_column_on_a_phone(app, open_page):
    mentors(app)
    with app.app_context():
        # The longest name there can be (80 characters), with no space: it wraps inside
        # its card, nothing scrolls sideways.
        longest = User.display_name.type.length
        user = make_user(display_name="Ab" * (longest // 2), is_mentor=True, is_mentee=False)
        db.session.add(MentorProfile(user=user, headline="Producer", genres=["jazz"]))
        db.session.commit()
    boxes = {}
    for width in (1280, 375):
        page = open_page(viewport={"width": width, "height": 900})
        visit(page, "/mentors")
        assert_no_horizontal_scroll(page)
        cards = page.locator(".mentor-card")
        expect(cards).to_have_count(4)
        for card in cards.all():  # each shows who, where, how and whether there is room
            expect(card.locator(".avatar")).to_be_visible()
            expect(card.locator(".mentor-card__name")).to_be_visible()
            expect(card.locator(".mentor-card__facts")).to_contain_text("Works")
            expect(card.locator(".mentor-card__facts")).to_contain_text("Places")
        boxes[width] = [card.bounding_box() for card in cards.all()]
        page.screenshot(path=str(ARTIFACTS / f"mentors-grid-{width}.png"), full_page=True)
    wide, narrow = boxes[1280], boxes[375]
    assert wide[0]["y"] == wide[1]["y"] and wide[0]["x"] < wide[1]["x"]  # side by side
    assert all(b["x"] == narrow[0]["x"] for b in narrow)  # one column
    assert all(b["x"] + b["width"] <= 375 for b in narrow)
