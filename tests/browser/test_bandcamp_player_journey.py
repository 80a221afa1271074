"""A Bandcamp page link in a real browser: once the background task read the album's
number from the (local) Bandcamp page, the visitor sees a Play button, nothing of
Bandcamp before pressing it, and Bandcamp's player after. Checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import visit
from tests.browser.test_storefront_journeys import MENTOR
from tests.conftest import post_form
from tests.functional.test_bandcamp_players import ALBUM, LocalBandcamp
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url


@pytest.fixture
def bandcamp():
    server = LocalBandcamp()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, bandcamp):
    # Tasks run at once (the test default), against the local Bandcamp.
    return make_app(BANDCAMP_FETCH_ORIGIN=bandcamp.origin)


def test_a_visitor_plays_a_bandcamp_album_from_its_page_address(
    open_page, client, auth, users, bandcamp
):
    person = users(email=MENTOR[0], display_name=MENTOR[1], is_mentor=True, is_mentee=False)
    auth.login(MENTOR[0])
    for section in ("about", "craft", "place", "week"):
        data = MENTOR_SECTIONS[section]
        if section == "about":
            data = {**data, "portfolio_links": ALBUM}
        assert post_form(client, edit_url(person, "mentor", section), data).status_code == 302
    auth.logout()
    assert bandcamp.paths() == ["/album/night-ferry"]

    visitor = open_page()
    visit(visitor, f"/people/{person}")
    main = visitor.get_by_role("main")
    expect(main.get_by_role("link", name="Bandcamp", exact=True)).to_have_attribute("href", ALBUM)
    expect(main.locator("iframe")).to_have_count(0)
    main.get_by_role("button", name="Play Bandcamp").click()
    frame = main.locator("iframe.player__frame--bandcamp")
    expect(frame).to_have_attribute(
        "src",
        "https://bandcamp.com/EmbeddedPlayer/album=1234567/size=large/tracklist=false/transparent=true/",
    )
    expect(frame).to_have_attribute("title", "Bandcamp player")
    assert bandcamp.paths() == ["/album/night-ferry"]  # the visitor's page fetched nothing
