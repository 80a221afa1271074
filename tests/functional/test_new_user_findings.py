"""What a new user tripped over (issue 14), one test or a few per finding, each through
the test client on the app as a newcomer meets it."""

from __future__ import annotations

import re
from itertools import pairwise

from mentorapp.quiz.scoring import QUESTION_KEYS
from tests.conftest import post_form
from tests.functional.apprenticeship_builders import make_mentee, post, signed_in
from tests.functional.listing_builders import CROYDON, make_listing, mentee_in, person
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


# --- 5. The quiz sent with nothing answered says what is missing ------------------------


def test_the_quiz_sent_unanswered_shows_the_error_summary(client):
    page = text(client.get("/quiz"))
    assert 'name="answered"' in page  # the button says the quiz was sent
    response = client.get("/quiz?answered=1")
    assert response.status_code == 422
    body = text(response)
    assert 'class="error-summary"' in body
    assert body.count('class="field__error"') == 7  # one per question, next to it


def test_the_quiz_sent_from_its_button_with_answers_gives_the_result(client):
    answers = {key: 3 for key in QUESTION_KEYS}
    response = client.get("/quiz", query_string={**answers, "answered": "1"})
    assert response.status_code == 200
    assert "You lean towards" in text(response)


# --- 6. Error summaries follow the order of the fields on the page ----------------------


def summary_and_page_order(body: str) -> tuple[list[str], list[int]]:
    """The fields the error summary links to, and where each target sits in the page."""
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert summary, "no error summary"
    targets = re.findall(r'href="#([^"]+)"', summary.group(0))
    rest = body[summary.end() :]
    places = []
    for target in targets:
        found = re.search(rf'id="{re.escape(target)}"', rest)
        assert found, f"the summary links to #{target}, which is not on the page"
        places.append(found.start())
    return targets, places


def test_signup_errors_are_summarised_in_the_order_of_the_fields(client):
    body = text(post_form(client, "/signup", {}))
    targets, places = summary_and_page_order(body)
    assert targets[0] == "role" and "accept_conduct" in targets
    assert places == sorted(places), targets


def test_listing_errors_are_summarised_in_the_order_of_the_fields(app):
    person(app, "lou@example.com", "Lou")
    body = text(post(signed_in(app, "lou@example.com"), "/directory/new", {}))
    targets, places = summary_and_page_order(body)
    assert targets.index("description") < targets.index("place_query") < targets.index("offers")
    assert places == sorted(places), targets


def test_a_summary_link_to_a_group_of_choices_lands_on_the_group(app):
    mentee = make_mentee(app, "lou@example.com", "Lou")
    client = signed_in(app, "lou@example.com")
    body = text(post(client, f"/people/{mentee}/edit/mentee/craft", {}))
    targets, places = summary_and_page_order(body)
    assert "experience" in targets and places == sorted(places), targets
    assert re.search(r'<fieldset id="experience"', body)


# --- 15. /directory/near goes down the headings one level at a time ---------------------


def heading_levels(body: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", body)]


def test_places_near_you_skip_no_heading_level(app):
    mentee_in(app, "lou@example.com")
    make_listing(app, "Croydon Sound", place_id=CROYDON)
    body = text(signed_in(app, "lou@example.com").get("/directory/near"))
    assert "Croydon Sound" in body
    levels = heading_levels(body)
    assert levels[0] == 1 and 3 in levels
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
