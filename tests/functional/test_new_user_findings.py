"""What a new user tripped over (issue 14), one test or a few per finding, each through
the test client on the app as a newcomer meets it."""

from __future__ import annotations

from tests.functional.apprenticeship_builders import signed_in
from tests.functional.listing_builders import mentee_in, person
from tests.helpers import text

# --- 4. A new mentor's dashboard says what to do, not "None free places" ---------------


def test_a_new_mentor_is_asked_to_set_how_many_apprentices_they_take(app):
    mentor = person(app, "nia@example.com", "Nia", is_mentor=True, is_mentee=False)
    body = text(signed_in(app, "nia@example.com").get("/dashboard"))
    assert "None" not in body
    assert "Set how many apprentices you take" in body
    assert f'href="/people/{mentor}/edit/mentor/week"' in body


# --- 13. A dashboard without a city asks for one ----------------------------------------


def test_a_dashboard_without_a_city_asks_for_it(app):
    mentee = mentee_in(app, "lou@example.com", place_id=None)
    body = text(signed_in(app, "lou@example.com").get("/dashboard"))
    assert "Add your city to see places near you" in body
    assert f'href="/people/{mentee}/edit/mentee/place"' in body
    assert "No vetted studio or school near you yet" not in body


def test_a_dashboard_with_a_city_and_nothing_near_says_so(app):
    mentee_in(app, "lou@example.com")
    body = text(signed_in(app, "lou@example.com").get("/dashboard"))
    assert "No vetted studio or school near you yet" in body
    assert "Add your city" not in body
