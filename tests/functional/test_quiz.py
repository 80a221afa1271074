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
ENGINEER_CODE = "".join(str(ENGINEER[k]) for k in QUESTION_KEYS)


def test_the_quiz_is_open_without_an_account(client):
    body = text(client.get("/quiz"))
    assert "Which kind of producer could you become?" in body
    assert body.count('type="radio"') == 7 * 5


def test_answers_give_a_ranked_and_explained_result(client):
    response = client.get("/quiz", query_string=ENGINEER)
    body = text(response)
    assert response.status_code == 200
    assert "You lean towards the engineer" in body
    assert "Because you are drawn to the technical side" in body
    assert body.index("The engineer") < body.index("The hit maker")
    assert "Recording" in body and "Mixing" in body  # where to start
    assert f"quiz={ENGINEER_CODE}" in body  # sign up and keep it


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


@pytest.mark.parametrize("code", ["", "123", "9999999", "abcdefg", "²²²²²²²", "٣٣٣٣٣٣٣"])
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
