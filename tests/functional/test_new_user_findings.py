"""What a new user tripped over (issue 14), one test or a few per finding, each through
the test client on the app as a newcomer meets it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import Notification, Review, State, ThreadMessage, User
from mentorapp.notifications.services import EMAIL_KINDS
from mentorapp.notifications.tasks import tell_admins_what_waits
from mentorapp.places.gazetteer import Gazetteer
from mentorapp.quiz.scoring import QUESTION_KEYS
from tests.conftest import post_form
from tests.functional.apprenticeship_builders import (
    count,
    make_apprenticeship,
    make_mentee,
    make_mentor,
    post,
    signed_in,
    state_of,
)
from tests.functional.listing_builders import (
    CROYDON,
    actions,
    admin,
    form_for,
    listing_ids,
    load_listing,
    make_listing,
    mentee_in,
    mentor_at,
    person,
)
from tests.helpers import emails_to, last_link, text

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


# --- 12. Withdraw and end ask once more, on a page of their own -------------------------


def forms_posting_to(body: str, path: str) -> list[str]:
    return re.findall(rf'<form[^>]*action="{re.escape(path)}"', body)


def test_withdrawing_a_request_takes_a_second_step(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya)
    client = signed_in(app, "priya@example.com")
    workspace = text(client.get(f"/apprenticeships/{a}"))
    assert not forms_posting_to(workspace, f"/apprenticeships/{a}/withdraw")
    assert f'href="/apprenticeships/{a}/withdraw"' in workspace

    confirm = client.get(f"/apprenticeships/{a}/withdraw")
    body = text(confirm)
    assert confirm.status_code == 200 and state_of(app, a) == State.REQUESTED  # GET changes nothing
    assert "Withdraw your request with Mira?" in body
    assert forms_posting_to(body, f"/apprenticeships/{a}/withdraw")
    assert f'href="/apprenticeships/{a}">Keep your request' in body

    done = post(client, f"/apprenticeships/{a}/withdraw", follow_redirects=True)
    assert "Your request is withdrawn." in text(done)
    assert state_of(app, a) == State.WITHDRAWN


def test_only_the_one_who_asked_sees_the_withdraw_step(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    make_mentee(app, "eve@example.com", "Eve")
    a = make_apprenticeship(app, mira, priya)
    mentor = signed_in(app, "mira@example.com")
    answer = mentor.get(f"/apprenticeships/{a}/withdraw")
    assert answer.status_code == 302 and answer.location.endswith(f"/apprenticeships/{a}")
    assert (
        signed_in(app, "eve@example.com").get(f"/apprenticeships/{a}/withdraw").status_code == 404
    )
    assert state_of(app, a) == State.REQUESTED


def test_ending_an_apprenticeship_takes_a_second_step_with_its_reason(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    client = signed_in(app, "mira@example.com")
    workspace = text(client.get(f"/apprenticeships/{a}"))
    assert not forms_posting_to(workspace, f"/apprenticeships/{a}/end")
    assert f'href="/apprenticeships/{a}/end"' in workspace

    body = text(client.get(f"/apprenticeships/{a}/end"))
    assert "End the apprenticeship with Priya?" in body
    assert forms_posting_to(body, f"/apprenticeships/{a}/end") and 'name="reason"' in body

    refused = post(client, f"/apprenticeships/{a}/end", {"reason": "", "note": "Kind words"})
    assert refused.status_code == 422
    page = text(refused)
    assert 'id="reason-error"' in page and "Kind words" in page
    assert state_of(app, a) == State.ACCEPTED

    post(client, f"/apprenticeships/{a}/end", {"reason": "moved", "note": ""})
    assert state_of(app, a) == State.ENDED
    assert client.get(f"/apprenticeships/{a}/end").status_code == 302  # nothing left to end


# --- 14. A form sent back with errors shows at the workspace's own address --------------


@pytest.mark.parametrize("act", ["message", "goal", "session"])
def test_workspace_forms_post_to_the_workspace_and_errors_show_there(app, act):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    client = signed_in(app, "priya@example.com")
    workspace = text(client.get(f"/apprenticeships/{a}"))
    assert f'<input type="hidden" name="act" value="{act}">' in workspace
    assert not re.search(rf'action="/apprenticeships/{a}/(messages|goals|sessions)"', workspace)

    bad = {
        "message": {"body": "   "},
        "goal": {"title": ""},
        "session": {"held_on": "not a date", "hours": "1", "covered": "Kept words"},
    }[act]
    response = post(client, f"/apprenticeships/{a}", {"act": act, **bad})
    assert response.status_code == 422
    body = text(response)
    assert 'class="error-summary"' in body and 'aria-invalid="true"' in body
    if act == "session":
        assert "Kept words" in body


def test_a_message_sent_to_the_workspace_is_posted_once(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    client = signed_in(app, "priya@example.com")
    workspace = text(client.get(f"/apprenticeships/{a}"))
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', workspace).group(1)
    sent = post(client, f"/apprenticeships/{a}", {"act": "message", "body": "Hi", "nonce": nonce})
    assert sent.status_code == 302 and sent.location.endswith(f"/apprenticeships/{a}#thread-end")
    assert count(app, ThreadMessage, ThreadMessage.apprenticeship_id == a) == 1


def test_a_decline_with_errors_shows_at_the_workspace_address(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya)
    client = signed_in(app, "mira@example.com")
    response = post(
        client, f"/apprenticeships/{a}", {"act": "decline", "reason": "", "note": "Kept"}
    )
    assert response.status_code == 422 and 'id="reason-error"' in text(response)
    assert state_of(app, a) == State.REQUESTED
    assert post(client, f"/apprenticeships/{a}", {"act": "nonsense"}).status_code == 400


# --- 7. A limit is stated and counted, and text past it is refused, never cut -----------


def textarea(body: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', body)
    assert found, f"no textarea {name}"
    return found.group(0)


def test_a_message_states_its_limit_and_nothing_cuts_it(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya, state=State.ACCEPTED)
    client = signed_in(app, "priya@example.com")
    body = text(client.get(f"/apprenticeships/{a}"))
    tag = textarea(body, "body")
    assert "maxlength" not in tag
    assert 'data-limit="4000"' in tag and "body-count" in tag  # described by the count
    assert '<p class="field__count" id="body-count" data-count-for="body">' in body
    assert "Up to 4,000 characters." in body
    assert "char-count.js" in body

    pasted = "la" * 2001  # 4,002 characters
    response = post(client, f"/apprenticeships/{a}", {"act": "message", "body": pasted})
    assert response.status_code == 422
    page = text(response)
    assert 'id="body-error"' in page and pasted in page  # refused next to it, kept whole
    assert count(app, ThreadMessage, ThreadMessage.apprenticeship_id == a) == 0


def test_no_form_on_the_listing_page_cuts_what_is_typed(app):
    person(app, "lou@example.com", "Lou")
    client = signed_in(app, "lou@example.com")
    body = text(client.get("/directory/new"))
    for name in ("description", "programmes"):
        assert "maxlength" not in textarea(body, name)
    assert not re.search(r'<input[^>]*name="name"[^>]*maxlength', body)
    assert "Up to 4,000 characters." in body and "Up to 120 characters." in body

    long_name = "N" * 121
    response = post(client, "/directory/new", form_for(CROYDON, name=long_name))
    assert response.status_code == 422
    page = text(response)
    assert 'id="name-error"' in page and f'value="{long_name}"' in page
    assert listing_ids(app) == []


# --- 1. Every notification opens what it is about; "Your listings" is linked ------------


def newest_note(app, user_id: int) -> Notification:
    with app.app_context():
        note = db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
        ).first()
        assert note is not None, "no notification"
        db.session.expunge(note)
        return note


def test_a_note_about_a_listing_opens_your_listings(app):
    sam = person(app, "sam@example.com", "Sam")
    admin(app)
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam)
    ada = signed_in(app, "ada@example.com")
    asked = post(ada, f"/admin/listings/{listing}/request_changes", {"reason": "Say which rooms."})
    assert asked.status_code == 302

    client = signed_in(app, "sam@example.com")
    note = newest_note(app, sam)
    assert note.kind == "listing" and "asks for changes" in note.text
    opened = post(client, f"/notifications/{note.id}/open")
    assert opened.status_code == 302 and opened.location.endswith("/directory/mine")
    mine = text(client.get(opened.location))
    assert "Fox Lane Studios" in mine and "Say which rooms." in mine


def test_a_note_about_an_apprenticeship_still_opens_its_workspace(app):
    mira = make_mentor(app, "mira@example.com", "Mira")
    priya = make_mentee(app, "priya@example.com", "Priya")
    a = make_apprenticeship(app, mira, priya)
    client = signed_in(app, "mira@example.com")
    post(signed_in(app, "priya@example.com"), f"/apprenticeships/{a}/withdraw")
    note = newest_note(app, mira)
    opened = post(client, f"/notifications/{note.id}/open")
    assert opened.location.endswith(f"/apprenticeships/{a}")
    # Another person's note is out of reach.
    assert (
        post(signed_in(app, "priya@example.com"), f"/notifications/{note.id}/open").status_code
        == 404
    )


def test_your_listings_is_linked_from_studios_the_dashboard_and_the_listing(app):
    sam = mentee_in(app, "sam@example.com")
    listing = make_listing(app, "Fox Lane Studios", submitted_by=sam)
    client = signed_in(app, "sam@example.com")
    for page in ("/directory", "/dashboard", f"/directory/{listing}"):
        assert 'href="/directory/mine"' in text(client.get(page)), page
    # Someone else's listing page does not say it is theirs.
    person(app, "lou@example.com", "Lou")
    other = text(signed_in(app, "lou@example.com").get(f"/directory/{listing}"))
    assert "You listed this place" not in other


# --- 10. One name for the directory; the admin's dashboard leads to what waits ----------


def test_the_directory_has_one_name_for_everyone(app, client):
    assert ">Studios and schools</a>" in text(client.get("/"))
    mentee_in(app, "lou@example.com")
    body = text(signed_in(app, "lou@example.com").get("/dashboard"))
    assert ">Studios and schools</a>" in body and ">Studios</a>" not in body


def test_the_admin_dashboard_lists_what_waits_with_links(app):
    admin(app)
    sam = person(app, "sam@example.com", "Sam")
    make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam)
    body = text(signed_in(app, "ada@example.com").get("/admin"))
    waiting = body.split('id="waiting-heading"')[1].split("</section>")[0]
    assert '<a href="/admin/listings">1 listing item to vet</a>' in waiting
    assert "mentor application" not in waiting  # nothing waits there
    assert '<a class="stat__link" href="/admin/people">' in body
    assert '<a class="stat__link" href="/admin/reports' in body


def test_an_admin_with_nothing_waiting_is_told_so(app):
    admin(app)
    body = text(signed_in(app, "ada@example.com").get("/admin"))
    assert "Nothing waits for you" in body


# --- 2. Listing decisions come by email; admins hear of what waits ----------------------


def test_a_listing_decision_is_emailed_to_who_listed_it(app):
    sam = person(app, "sam@example.com", "Sam")
    admin(app)
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam)
    post(
        signed_in(app, "ada@example.com"),
        f"/admin/listings/{listing}/reject",
        {"reason": "Closed."},
    )
    sent = emails_to(app, "sam@example.com")
    assert len(sent) == 1
    assert "Fox Lane Studios" in sent[0].body_text and "Closed." in sent[0].body_text
    assert last_link(app, "sam@example.com") == "/directory/mine"


def test_listing_emails_can_be_turned_off(app):
    sam = person(app, "sam@example.com", "Sam")
    admin(app)
    client = signed_in(app, "sam@example.com")
    page = text(client.get("/account/emails"))
    assert 'value="listing"' in page
    kept = [k for k in EMAIL_KINDS if k != "listing"]
    assert post(client, "/account/emails", {"kinds": kept}).status_code == 302
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam)
    post(signed_in(app, "ada@example.com"), f"/admin/listings/{listing}/approve", {"reason": ""})
    assert emails_to(app, "sam@example.com") == []
    assert newest_note(app, sam).kind == "listing"  # the inbox still has it


def test_admins_get_one_note_a_day_of_what_waits(app):
    ada = admin(app)
    admin(app, "bo@example.com", "Bo Admin")
    sam = person(app, "sam@example.com", "Sam")
    with app.app_context():
        assert tell_admins_what_waits() == 0  # nothing waits: nobody is told
    make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam)
    make_listing(app, "Oak Hall", state=Review.PENDING, submitted_by=sam)
    with app.app_context():
        assert tell_admins_what_waits() == 2
        db.session.commit()
        assert tell_admins_what_waits() == 0  # a second run the same day
        db.session.commit()
    note = newest_note(app, ada)
    assert note.text == "In the admin queues: 2 listing items wait for you."
    assert emails_to(app, "ada@example.com")[0].subject == "Items wait in the admin queues"
    assert emails_to(app, "sam@example.com") == []  # not an admin
    opened = post(signed_in(app, "ada@example.com"), f"/notifications/{note.id}/open")
    assert opened.location.endswith("/admin")


# --- 9. "Near" a name several cities share offers the choice -----------------------------

CAMBRIDGE_UK, CAMBRIDGE_CANADA = 2653941, 5913695


def test_near_a_shared_city_name_offers_the_other_cities(client, app):
    make_listing(app, "Mill Road Studio", place_id=CAMBRIDGE_UK)
    make_listing(app, "Grand River Sound", place_id=CAMBRIDGE_CANADA)
    first = client.get("/directory", query_string={"near": "Cambridge", "within_km": "50"})
    body = text(first)
    assert "near Cambridge, United Kingdom" in body
    assert "Mill Road Studio" in body and "Grand River Sound" not in body
    choice = re.search(r'<a href="([^"]*near_id=5913695[^"]*)">Cambridge, Canada</a>', body)
    assert choice, "no choice of the other Cambridge"

    chosen = text(client.get(choice.group(1).replace("&amp;", "&")))
    assert "near Cambridge, Canada" in chosen
    assert "Grand River Sound" in chosen and "Mill Road Studio" not in chosen
    assert '<input type="hidden" name="near_id" value="5913695">' in chosen  # kept on refining
    assert f"near_id={CAMBRIDGE_UK}" in chosen  # and the way back


def test_a_chosen_city_of_another_name_is_ignored(client, app):
    body = text(client.get("/directory", query_string={"near": "Cambridge", "near_id": "2643743"}))
    assert "near Cambridge, United Kingdom" in body  # London's id does not make it London


# --- 11. Times show in the person's own time zone (their city's), labelled ---------------

PARIS = 2988507
NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def a_note_at_noon_utc(app, user_id: int) -> None:
    with app.app_context():
        db.session.add(
            Notification(user_id=user_id, kind="listing", text="Hello", created_at=NOON_UTC)
        )
        db.session.commit()


def test_the_inbox_shows_times_in_the_zone_of_ones_city(app):
    lou = mentee_in(app, "lou@example.com", place_id=PARIS)
    a_note_at_noon_utc(app, lou)
    body = text(signed_in(app, "lou@example.com").get("/notifications"))
    assert "15 Jan 2026, 13:00 CET" in body  # Paris in winter: UTC+1
    assert "12:00 UTC" not in body


def test_without_a_city_times_are_utc_and_say_so(app):
    lou = mentee_in(app, "lou@example.com", place_id=None)
    a_note_at_noon_utc(app, lou)
    body = text(signed_in(app, "lou@example.com").get("/notifications"))
    assert "15 Jan 2026, 12:00 UTC" in body


def test_a_zone_without_an_abbreviation_is_named_by_its_offset(app):
    with app.test_request_context():
        from mentorapp.timezones import local_time

        # A visitor reads UTC; the filter knows naive UTC from SQLite too.
        assert local_time(NOON_UTC.replace(tzinfo=None)) == "15 Jan 2026, 12:00 UTC"
        assert local_time(NOON_UTC, "%d %b %Y") == "15 Jan 2026"  # a date has no zone label
    sao_paulo = Gazetteer.load().named("Sao Paulo")[0]
    assert sao_paulo.timezone == "America/Sao_Paulo"
    lou = mentee_in(app, "lou@example.com", place_id=sao_paulo.geonameid)
    a_note_at_noon_utc(app, lou)
    assert "15 Jan 2026, 09:00 UTC-03" in text(
        signed_in(app, "lou@example.com").get("/notifications")
    )


def test_admin_pages_show_times_in_the_admins_zone(app):
    ada = admin(app)
    with app.app_context():
        db.session.get(User, ada).created_at = NOON_UTC
        db.session.commit()
    body = text(signed_in(app, "ada@example.com").get(f"/admin/people/{ada}"))
    assert "15 Jan 2026, 12:00 UTC" in body  # an admin without a city


# --- 3. "I work here" shows unconfirmed until the listing's owner or an admin confirms --


def mentors_section(body: str) -> str:
    return body.split('id="mentors-heading"')[1].split("</section>")[0]


def test_a_workplace_claim_shows_unconfirmed_until_the_owner_confirms(app, client):
    sam = person(app, "sam@example.com", "Sam")
    studio = make_listing(app, "Fox Lane Studios", submitted_by=sam)
    mira = mentor_at(app, "mira@example.com", "Mira", studio)
    person(app, "eve@example.com", "Eve", is_mentor=True)
    seen = mentors_section(text(client.get(f"/directory/{studio}")))
    assert "Mira" in seen and "not confirmed yet" in seen and "Confirm Mira" not in seen

    # Neither another member nor the mentor herself can confirm it.
    for email in ("eve@example.com", "mira@example.com"):
        other = signed_in(app, email)
        assert "Confirm Mira works here" not in text(other.get(f"/directory/{studio}"))
        refused = post(other, f"/directory/{studio}/workers/{mira}/confirm")
        assert refused.status_code == 404
    assert "not confirmed yet" in mentors_section(text(client.get(f"/directory/{studio}")))

    owner = signed_in(app, "sam@example.com")
    assert "Confirm Mira works here" in text(owner.get(f"/directory/{studio}"))
    done = post(owner, f"/directory/{studio}/workers/{mira}/confirm", follow_redirects=True)
    assert "Confirmed: this page now shows that they work here." in text(done)
    seen = mentors_section(text(client.get(f"/directory/{studio}")))
    assert ">confirmed</span>" in seen and "not confirmed yet" not in seen
    post(owner, f"/directory/{studio}/workers/{mira}/confirm")  # twice: recorded once
    assert actions(app).count("workplace_confirmed") == 1


def test_an_admin_confirms_a_claim_but_not_one_taken_back(app):
    studio = make_listing(app, "Fox Lane Studios")
    mira = mentor_at(app, "mira@example.com", "Mira", studio)
    gone = mentor_at(app, "bo@example.com", "Bo", None)
    admin(app)
    ada = signed_in(app, "ada@example.com")
    post(ada, f"/directory/{studio}/workers/{mira}/confirm")
    refused = post(ada, f"/directory/{studio}/workers/{gone}/confirm", follow_redirects=True)
    assert "They no longer say they work here." in text(refused)
    with app.app_context():
        from mentorapp.directory.listings import confirmed_workers

        assert confirmed_workers(studio) == {mira}


def test_an_admins_reason_is_counted_and_refused_past_its_limit_not_cut(app):
    sam = person(app, "sam@example.com", "Sam")
    admin(app)
    listing = make_listing(app, "Fox Lane Studios", state=Review.PENDING, submitted_by=sam)
    ada = signed_in(app, "ada@example.com")
    queue = text(ada.get("/admin/listings"))
    assert 'name="reason"' in queue and not re.search(r"<textarea[^>]*maxlength", queue)
    assert "Up to 2,000 characters." in queue
    long_reason = "r" * 2001
    refused = post(ada, f"/admin/listings/{listing}/reject", {"reason": long_reason})
    page = text(ada.get(refused.location)) if refused.status_code == 302 else text(refused)
    assert long_reason in page  # kept, with its message next to it
    assert load_listing(app, listing).state == Review.PENDING
