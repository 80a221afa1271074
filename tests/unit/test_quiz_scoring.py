import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorapp.quiz.scoring import (
    ARCHETYPE_ORDER,
    QUESTION_KEYS,
    InvalidAnswers,
    decode,
    encode,
    score,
)

NEUTRAL = dict.fromkeys(QUESTION_KEYS, 3)


def answers(**changes):
    return {**NEUTRAL, **changes}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"technical": 5, "spotlight": 1, "control": 1}, "engineer"),
        ({"people": 5, "spotlight": 1, "technical": 1}, "mentor_producer"),
        ({"playing": 5, "people": 4, "technical": 4, "spotlight": 3}, "musician_producer"),
        ({"control": 5, "spotlight": 5, "playing": 4, "technical": 2}, "artist_producer"),
        ({"network": 5, "readiness": 5, "people": 4, "technical": 2}, "phenom"),
    ],
)
def test_clear_answers_put_the_matching_archetype_first(changes, expected):
    assert score(answers(**changes)).ranking[0].archetype == expected


def test_the_top_result_explains_itself_in_words():
    result = score(answers(technical=5, spotlight=1, control=1))
    assert result.ranking[0].reasons[0] == "you are drawn to the technical side"
    assert "you want to help other musicians succeed" in result.ranking[0].reasons


def test_neutral_answers_tie_and_ties_keep_the_usual_order():
    result = score(NEUTRAL)
    assert [fit.archetype for fit in result.ranking] == ARCHETYPE_ORDER
    assert {fit.score for fit in result.ranking} == {0.5}
    assert all(fit.reasons == [] for fit in result.ranking)


def test_suggested_specialties_come_from_the_two_best_fits():
    result = score(answers(technical=5, spotlight=1, control=1))
    assert result.specialties[:3] == ["recording", "mixing", "editing"]
    assert len(result.specialties) == len(set(result.specialties)) <= 4


def test_advice_follows_readiness_for_the_hard_parts():
    assert "structure" in score(answers(readiness=1)).advice
    assert "freelance" in score(answers(readiness=5)).advice
    assert "Try it before you commit" in score(answers(readiness=3)).advice


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {k: 3 for k in QUESTION_KEYS[:-1]},
        answers(technical=0),
        answers(technical=6),
        answers(technical="5"),
        answers(technical=2.5),
    ],
)
def test_incomplete_or_out_of_range_answers_are_refused(bad):
    with pytest.raises(InvalidAnswers):
        score(bad)


def test_answers_travel_as_a_short_code():
    original = answers(technical=5, readiness=1)
    assert decode(encode(original)) == (original, [])
    tools = ["reaper", "pro-tools", "hardware"]
    assert encode(original, tools) == "5333331-121"  # bits 0, 5 and 8
    assert decode(encode(original, tools)) == (original, ["pro-tools", "reaper", "hardware"])
    assert decode("5333331") == (original, None)  # from before the quiz asked for tools
    bad_codes = ["", "123", "12345678", "33333x3", "3333303", None, "3333333-", "3333333-g"]
    bad_codes += ["3333333-200", "3333333-1000", "3333333--1", "3333333-A", "3333333-٣"]
    for bad in bad_codes:
        with pytest.raises(InvalidAnswers):
            decode(bad)


def test_tools_travel_with_the_result_in_the_vocabularys_order():
    assert score(NEUTRAL).tools == ()
    assert score(NEUTRAL, ["reaper", "ableton-live"]).tools == ("ableton-live", "reaper")
    assert score(NEUTRAL, None).tools is None
    with pytest.raises(InvalidAnswers):
        score(NEUTRAL, ["garageband"])


@given(st.fixed_dictionaries({k: st.integers(1, 5) for k in QUESTION_KEYS}))
def test_every_answer_set_gives_a_full_ranking_of_scores_in_0_1(given_answers):
    result = score(given_answers)
    assert sorted(f.archetype for f in result.ranking) == sorted(ARCHETYPE_ORDER)
    scores = [f.score for f in result.ranking]
    assert all(0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert result.specialties
