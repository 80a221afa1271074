"""The DAW and tools on both profiles, on suggestion cards, as a reason and a filter."""

import re

from mentorapp.extensions import db
from mentorapp.models import MenteeProfile, MentorProfile
from tests.conftest import post_form
from tests.functional.test_profiles import MENTEE_SECTIONS, MENTOR_SECTIONS, edit_url
from tests.functional.test_suggestions import build_mentor, names_in_order
from tests.helpers import text


def test_a_mentor_ticks_tools_and_the_profile_shows_them(app, client, auth, users):
    mentor = build_mentor(
        client, auth, users, "marcus@example.com", craft={"tools": ["reaper", "pro-tools"]}
    )
    with app.app_context():
        assert db.session.get(MentorProfile, mentor).tools == ["pro-tools", "reaper"]
    body = text(client.get(f"/people/{mentor}"))
    assert "DAW and tools" in body and "Pro Tools, Reaper" in body
    auth.login("marcus@example.com")
    page = text(client.get(edit_url(mentor, "mentor", "craft")))
    checked = re.findall(r'<input[^>]*name="tools"[^>]*>', page)
    assert [tag for tag in checked if "checked" in tag and 'value="reaper"' in tag]
    assert not [tag for tag in checked if "checked" in tag and 'value="bitwig"' in tag]


def test_a_tool_outside_the_vocabulary_is_refused_next_to_the_field(app, client, auth, users):
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    data = {**MENTEE_SECTIONS["craft"], "tools": ["ableton-live", "garageband"]}
    response = post_form(client, edit_url(person, "mentee", "craft"), data)
    assert response.status_code == 422
    body = text(response)
    assert 'id="tools-error"' in body
    assert "not a valid choice" in body[body.index('id="tools-error"') :][:400]
    with app.app_context():
        assert db.session.get(MenteeProfile, person) is None  # nothing half-saved


def test_shared_tools_show_on_the_card_as_a_reason_and_filter_the_list(client, auth, users):
    build_mentor(client, auth, users, "ableton@example.com", craft={"tools": ["ableton-live"]})
    build_mentor(client, auth, users, "logic@example.com", craft={"tools": ["logic-pro"]})
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        extra = {"tools": ["ableton-live"]} if section == "craft" else {}
        post_form(client, edit_url(person, "mentee", section), {**data, **extra})
    body = text(client.get("/suggestions"))
    assert names_in_order(body) == ["Ableton", "Logic"]  # a nudge, not a rule: both shown
    assert "Works in Ableton Live, like you" in body
    assert "Works in Logic Pro, none of the tools you use" in body
    assert 'class="chip chip--tool">Logic Pro<' in body
    only = text(client.get("/suggestions?tool=logic-pro"))
    assert names_in_order(only) == ["Logic"]
    assert names_in_order(text(client.get("/suggestions?tool=nonsense"))) == ["Ableton", "Logic"]


def test_an_edited_tool_reaches_the_suggestions_of_a_running_worker(client, auth, users):
    mentor = build_mentor(client, auth, users, "ableton@example.com")
    person = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(person, "mentee", section), data)
    assert names_in_order(text(client.get("/suggestions?tool=bitwig"))) == []
    auth.logout()
    auth.login("ableton@example.com")
    craft = {**MENTOR_SECTIONS["craft"], "tools": ["bitwig"]}
    assert post_form(client, edit_url(mentor, "mentor", "craft"), craft).status_code == 302
    auth.logout()
    auth.login("priya@example.com")
    assert names_in_order(text(client.get("/suggestions?tool=bitwig"))) == ["Ableton"]
