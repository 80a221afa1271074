import re

import pytest

from mentorapp.models import MenteeProfile
from mentorapp.quiz.scoring import QUESTION_KEYS
from tests.conftest import csrf_token, post_form
from tests.functional.test_profiles import MENTEE_SECTIONS, edit_url, load
from tests.helpers import checked_value, text

ENGINEER = {
    "technical": 5,
    "control": 1,
    "people": 3,
    "playing": 2,
    "spotlight": 1,
    "network": 2,
    "readiness": 2,
}
# A code from before the quiz asked for tools: seven digits alone.
ENGINEER_CODE = "".join(str(ENGINEER[k]) for k in QUESTION_KEYS)


def ticked(body: str, name: str = "tools") -> list[str]:
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*>', body)
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags if " checked" in t]


def test_the_quiz_is_open_without_an_account(client):
    body = text(client.get("/quiz"))
    assert "Which kind of producer could you become?" in body
    assert body.count('type="radio"') == 7 * 5
    assert "8 questions" in body
    # The last question, optional: the profile's list of DAW and tools, as checkboxes.
    assert "What do you make music in?" in body and 'aria-describedby="tools-hint"' in body
    assert body.count('name="tools" type="checkbox"') == 9
    assert ">Ableton Live<" in body and ">Hardware and analog<" in body


def test_answers_give_a_ranked_and_explained_result(client):
    response = client.get("/quiz", query_string=ENGINEER)
    body = text(response)
    assert response.status_code == 200
    assert "You lean towards the engineer" in body
    assert "Because you are drawn to the technical side" in body
    assert body.index("The engineer") < body.index("The hit maker")
    assert "Recording" in body and "Mixing" in body  # where to start
    assert f"quiz={ENGINEER_CODE}-0" in body  # sign up and keep it (no tools ticked)


def test_the_tools_answered_travel_with_the_result(client):
    response = client.get("/quiz", query_string={**ENGINEER, "tools": ["reaper", "pro-tools"]})
    body = text(response)
    assert response.status_code == 200
    assert "With what you make music in: Pro Tools, Reaper." in body
    assert f"quiz={ENGINEER_CODE}-21" in body


def test_a_tool_outside_the_list_is_refused_next_to_the_question_and_answers_kept(client):
    response = client.get("/quiz", query_string={**ENGINEER, "tools": ["reaper", "garageband"]})
    body = text(response)
    assert response.status_code == 422
    assert 'id="tools-error"' in body
    assert "not a valid choice" in body[body.index('id="tools-error"') :][:300]
    assert 'aria-describedby="tools-hint tools-error"' in body
    summary = body[
        body.index('id="error-summary"') : body.index("</div>", body.index('id="error-summary"'))
    ]
    assert 'href="#tools"' in summary and "What do you make music in?" in summary
    assert checked_value(body, "technical") == "5"
    assert ticked(body) == ["reaper"]


def test_unanswered_questions_are_pointed_out_and_answers_kept(client):
    partial = {"technical": 5, "control": 1}
    response = client.get("/quiz", query_string=partial)
    body = text(response)
    assert response.status_code == 422
    assert body.count("Choose an answer from 1 to 5.") >= 5
    assert checked_value(body, "technical") == "5"
    assert checked_value(body, "control") == "1"
    assert checked_value(body, "people") is None


@pytest.mark.parametrize("bad", ["0", "6", "x", ""])
def test_an_out_of_range_answer_is_refused(client, bad):
    response = client.get("/quiz", query_string={**ENGINEER, "technical": bad})
    assert response.status_code == 422


@pytest.fixture
def mentee(users, auth):
    user_id = users(email="priya@example.com", is_mentee=True)
    auth.login("priya@example.com")
    return user_id


def test_the_tools_question_starts_from_the_profile_and_answers_win(app, client, mentee):
    post_form(
        client,
        edit_url(mentee, "mentee", "craft"),
        {**MENTEE_SECTIONS["craft"], "tools": ["ableton-live", "bitwig"]},
    )
    assert ticked(text(client.get("/quiz"))) == ["ableton-live", "bitwig"]
    # Once the quiz is sent, what was ticked is the answer, even nothing.
    sent = text(client.get("/quiz", query_string={"technical": 5, "tools": "reaper"}))
    assert ticked(sent) == ["reaper"]
    assert ticked(text(client.get("/quiz", query_string={"technical": 5}))) == []


def test_nothing_is_ticked_for_a_visitor(client):
    assert ticked(text(client.get("/quiz"))) == []


def save(client, code):
    return post_form(
        client,
        "/quiz/save",
        {"answers": code},
        page="/quiz?" + "&".join(f"{k}={v}" for k, v in ENGINEER.items()),
    )


def test_a_mentee_saves_the_result_into_the_profile_in_one_click(app, client, mentee):
    response = save(client, ENGINEER_CODE)
    assert response.status_code == 302
    profile = load(app, MenteeProfile, mentee)
    assert profile.aspirations[0].archetype.slug == "engineer"
    assert len(profile.aspirations) == 3
    assert [w.specialty.slug for w in profile.wants][:3] == ["recording", "mixing", "editing"]
    assert profile.quiz_taken_at is not None


def test_saving_stores_the_tools_as_the_profile_form_does(app, client, mentee, users, auth):
    save(client, f"{ENGINEER_CODE}-24")  # bits 2 and 5
    from_quiz = load(app, MenteeProfile, mentee).tools
    assert from_quiz == ["ableton-live", "reaper"]
    # The profile form, ticked the same, stores the very same list.
    other = users(email="ola@example.com", is_mentee=True)
    auth.logout()
    auth.login("ola@example.com")
    post_form(
        client,
        edit_url(other, "mentee", "craft"),
        {**MENTEE_SECTIONS["craft"], "tools": ["reaper", "ableton-live"]},
    )
    assert load(app, MenteeProfile, other).tools == from_quiz


def test_a_result_with_no_tools_ticked_clears_them_and_an_old_code_keeps_them(app, client, mentee):
    post_form(
        client,
        edit_url(mentee, "mentee", "craft"),
        {**MENTEE_SECTIONS["craft"], "tools": ["cubase"]},
    )
    save(client, ENGINEER_CODE)  # from before the quiz asked: the tools are left alone
    assert load(app, MenteeProfile, mentee).tools == ["cubase"]
    save(client, f"{ENGINEER_CODE}-0")  # asked, nothing ticked (it started ticked)
    assert load(app, MenteeProfile, mentee).tools == []


def test_saving_keeps_the_specialties_the_mentee_already_chose(app, client, mentee):
    post_form(
        client,
        edit_url(mentee, "mentee", "craft"),
        {**MENTEE_SECTIONS["craft"], "aspiration_1": "phenom"},
    )
    save(client, ENGINEER_CODE)
    profile = load(app, MenteeProfile, mentee)
    assert [w.specialty.slug for w in profile.wants] == ["mixing", "mastering"]
    assert profile.aspirations[0].archetype.slug == "engineer"
    assert profile.experience == "starting_out"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "123",
        "9999999",
        "abcdefg",
        "²²²²²²²",
        "٣٣٣٣٣٣٣",
        "5132122-",
        "5132122-zz",
        "5132122-fff",
    ],
)
def test_a_tampered_result_is_refused(app, client, mentee, code):
    assert save(client, code).status_code == 400
    assert load(app, MenteeProfile, mentee) is None


def test_a_mentor_is_told_saving_is_for_apprentices(app, client, users, auth):
    person = users(email="m@example.com", is_mentor=True, is_mentee=False)
    auth.login("m@example.com")
    response = save(client, ENGINEER_CODE)
    assert response.headers["Location"] == "/account"
    assert load(app, MenteeProfile, person) is None


def test_saving_needs_a_login(client):
    token = csrf_token(client, "/login")
    response = client.post("/quiz/save", data={"csrf_token": token, "answers": ENGINEER_CODE})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_up_from_the_result_keeps_it(app, client):
    page = text(client.get(f"/signup?role=mentee&quiz={ENGINEER_CODE}"))
    assert "Your quiz result will be saved" in page
    post_form(
        client,
        "/signup",
        {
            "display_name": "Priya",
            "email": "priya@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
            "quiz": ENGINEER_CODE,
        },
        page=f"/signup?role=mentee&quiz={ENGINEER_CODE}",
    )
    from tests.helpers import get_user

    profile = load(app, MenteeProfile, get_user(app, "priya@example.com").id)
    assert profile.aspirations[0].archetype.slug == "engineer"


def test_signing_up_from_a_result_with_tools_keeps_them(app, client):
    code = f"{ENGINEER_CODE}-104"  # bits 2 and 8: Ableton Live, hardware and analog
    post_form(
        client,
        "/signup",
        {
            "display_name": "Priya",
            "email": "priya@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
            "quiz": code,
        },
        page=f"/signup?role=mentee&quiz={code}",
    )
    from tests.helpers import get_user

    profile = load(app, MenteeProfile, get_user(app, "priya@example.com").id)
    assert profile.tools == ["ableton-live", "hardware"]


@pytest.mark.parametrize("code", ["not-a-code", "²" * len(QUESTION_KEYS), "٣" * len(QUESTION_KEYS)])
def test_a_bad_code_at_sign_up_still_creates_the_account(app, client, code):
    response = post_form(
        client,
        "/signup",
        {
            "display_name": "Priya",
            "email": "priya@example.com",
            "password": "tape saturation is my friend",
            "role": "mentee",
            "date_of_birth": "1995-04-12",
            "accept_conduct": "y",
            "quiz": code,
        },
    )
    assert response.status_code == 302
    from tests.helpers import get_user

    assert load(app, MenteeProfile, get_user(app, "priya@example.com").id) is None
