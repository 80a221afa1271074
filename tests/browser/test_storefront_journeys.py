"""A mentor's storefront in a real browser: the mentor adds a credit and their terms by
keyboard, a visitor opens the page, presses play and the player's frame appears (its
address checked; the network may be offline), nothing of the player before that; the
page without JavaScript links to the track; fine at 375 px. Every page checked with axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, flashes
from tests.browser.test_apprenticeship_journeys import press, sign_in, type_into
from tests.conftest import post_form
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url

MENTOR = ("mo@example.com", "Mo Mensah")
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
SPOTIFY = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"


def mentor_with_links(client, auth, users) -> int:
    person = users(email=MENTOR[0], display_name=MENTOR[1], is_mentor=True, is_mentee=False)
    auth.login(MENTOR[0])
    for section in ("about", "craft", "place", "week"):
        data = MENTOR_SECTIONS[section]
        if section == "about":
            data = {**data, "portfolio_links": f"{YOUTUBE}\n{SPOTIFY}"}
        assert post_form(client, edit_url(person, "mentor", section), data).status_code == 302
    auth.logout()
    return person


def test_a_mentor_adds_a_credit_and_terms_and_a_visitor_plays_a_track(
    open_page, client, auth, users
):
    person = mentor_with_links(client, auth, users)
    mo = open_page()
    sign_in(mo, MENTOR[0])
    visit(mo, edit_url(person, "mentor", "credits"))
    credit = mo.get_by_role("group", name="Credit 1 (new)")
    expect(mo.locator("#rows-0-link-count")).to_have_text("300 of 300 characters left.")
    type_into(credit.get_by_label("Title"), "Night Ferry")
    expect(mo.locator("#rows-0-title-count")).to_have_text("189 of 200 characters left.")
    type_into(credit.get_by_label("Artist"), "Harbour")
    credit.get_by_label("Your role").fill("r" * 121)  # a paste past the limit: not cut
    expect(mo.locator("#rows-0-role-count")).to_have_text(
        "1 character too many (the limit is 120)."
    )
    credit.get_by_label("Your role").fill("")
    type_into(credit.get_by_label("Your role"), "mixing engineer")
    type_into(credit.get_by_label("Year"), "1850")
    press(mo, mo.get_by_role("button", name="Save", exact=True), status=422)
    expect(mo.locator("#error-summary")).to_contain_text("Credit 1, year: Use a year from 1900")
    expect(credit.get_by_label("Title")).to_have_value("Night Ferry")  # the typing is kept
    credit.get_by_label("Year").fill("")
    type_into(credit.get_by_label("Year"), "2024")
    press(mo, mo.get_by_role("button", name="Save", exact=True))
    expect(flashes(mo)).to_contain_text("Your credits saved.")

    visit(mo, edit_url(person, "mentor", "terms"))
    paid = mo.get_by_label("Paid: the apprentice pays a rate I state")
    paid.focus()
    mo.keyboard.press("Space")
    type_into(mo.get_by_label("Your rate"), "£40 a session")
    expect(mo.locator("#terms_rate-count")).to_have_text("187 of 200 characters left.")
    type_into(mo.get_by_label("What a week looks like"), "Two evenings at the desk.")
    press(mo, mo.get_by_role("button", name="Save", exact=True))
    expect(flashes(mo)).to_contain_text("Your terms saved.")

    visitor = open_page()
    visit(visitor, f"/people/{person}")
    main = visitor.get_by_role("main")
    expect(main).to_contain_text("Night Ferry by Harbour (2024)")
    expect(main).to_contain_text("Paid: £40 a session")
    expect(main).to_contain_text("Two evenings at the desk.")
    expect(main.get_by_role("link", name="YouTube", exact=True)).to_have_attribute("href", YOUTUBE)
    expect(main.locator("iframe")).to_have_count(0)  # nothing of the players yet
    play = main.get_by_role("button", name="Play YouTube")
    play.focus()
    visitor.keyboard.press("Enter")
    frame = main.locator("iframe.player__frame--youtube")
    expect(frame).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    )
    expect(frame).to_have_attribute("title", "YouTube player")
    expect(frame).to_be_focused()
    expect(main.locator("iframe")).to_have_count(1)  # Spotify's waits for its own press
    main.get_by_role("button", name="Play Spotify").click()
    expect(main.locator("iframe.player__frame--spotify")).to_have_attribute(
        "src", "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"
    )


def test_without_javascript_play_opens_the_track_and_the_page_fits_a_phone(
    open_page, client, auth, users
):
    person = mentor_with_links(client, auth, users)
    nojs = open_page(javascript=False)
    visit(nojs, f"/people/{person}")
    play = nojs.get_by_role("link", name="Play YouTube")
    expect(play).to_have_attribute("href", YOUTUBE)
    expect(nojs.locator("iframe")).to_have_count(0)

    phone = open_page(viewport={"width": 375, "height": 800})
    visit(phone, f"/people/{person}")
    assert_no_horizontal_scroll(phone)
    phone.get_by_role("button", name="Play Spotify").click()
    expect(phone.locator("iframe")).to_have_count(1)
    assert_no_horizontal_scroll(phone)


def test_the_credits_form_adds_and_moves_rows_by_keyboard_without_javascript(
    open_page, client, auth, users
):
    person = mentor_with_links(client, auth, users)
    mo = open_page(javascript=False)
    sign_in(mo, MENTOR[0])
    visit(mo, edit_url(person, "mentor", "credits"))
    type_into(mo.get_by_role("group", name="Credit 1 (new)").get_by_label("Title"), "Low Tide")
    press(mo, mo.get_by_role("button", name="Add another row"))
    second = mo.get_by_role("group", name="Credit 2 (new)")
    type_into(second.get_by_label("Title"), "Night Ferry")
    press(mo, second.get_by_role("button", name="Move up credit 2"))
    expect(mo.get_by_role("group", name="Credit 1 (new)").get_by_label("Title")).to_have_value(
        "Night Ferry"
    )
    press(mo, mo.get_by_role("button", name="Save", exact=True))
    visit(mo, f"/people/{person}")
    items = mo.locator(".credit-list li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Night Ferry")
    assert_accessible(mo)
