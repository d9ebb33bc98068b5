"""Pure scoring: the same answers always give the same scores and ranking (no database)."""

import random

from quizzes.demo_content import LOVE_LANGUAGE_QUESTIONS
from quizzes.scoring import LANGUAGES, know_me_score, love_language_ranking, love_language_scores


def test_points_add_up_per_language_and_unknown_codes_or_non_integers_are_ignored():
    scores = love_language_scores([{"words": 2}, {"words": 1, "time": 3}, {"telepathy": 9}, {"acts": True}, {}])

    assert scores == {"words": 3, "time": 3, "touch": 0, "acts": 0, "gifts": 0}


def test_the_ranking_is_by_points_with_ties_in_a_fixed_order():
    assert love_language_ranking({"words": 3, "time": 3, "touch": 5, "acts": 0, "gifts": 1}) == [
        "touch",
        "words",
        "time",
        "gifts",
        "acts",
    ]
    assert love_language_ranking({}) == list(LANGUAGES)  # nothing answered: the fixed order


def test_the_ranking_never_depends_on_the_order_of_the_answers():
    options = [{"gifts": 1}, {"words": 1}, {"time": 1}, {"gifts": 1}, {"words": 1}, {"acts": 2}]
    expected = love_language_ranking(love_language_scores(options))
    rng = random.Random(17)
    for _ in range(50):
        rng.shuffle(options)
        # gifts, words and acts tie at 2: the fixed order (words, time, touch, acts, gifts) decides.
        assert (
            love_language_ranking(love_language_scores(options))
            == expected
            == [
                "words",
                "acts",
                "gifts",
                "time",
                "touch",
            ]
        )


def test_the_demo_quiz_asks_each_pair_of_languages_twice():
    assert len(LOVE_LANGUAGE_QUESTIONS) >= 20
    pairs = [frozenset((first[1], second[1])) for _text, first, second in LOVE_LANGUAGE_QUESTIONS]
    assert all(len(pair) == 2 for pair in pairs)
    assert {pair: pairs.count(pair) for pair in pairs} == dict.fromkeys(set(pairs), 2)
    assert len(set(pairs)) == 10  # all ten pairs of the five languages
    assert {code for pair in pairs for code in pair} == set(LANGUAGES)


def test_know_me_scores_count_right_guesses_question_by_question():
    alex = [
        {"question_id": "q1", "self_option_id": "a", "guess_option_id": "x"},
        {"question_id": "q2", "self_option_id": "b", "guess_option_id": "y"},
        {"question_id": "q3", "self_option_id": "c", "guess_option_id": "z"},
    ]
    sam = [
        {"question_id": "q1", "self_option_id": "x", "guess_option_id": "a"},
        {"question_id": "q2", "self_option_id": "n", "guess_option_id": "c"},  # guessed another question's answer
        {"question_id": "q3", "self_option_id": "z", "guess_option_id": "c"},
    ]

    assert know_me_score(guesses=alex, partner_answers=sam) == 2  # q1 and q3
    assert know_me_score(guesses=sam, partner_answers=alex) == 2  # q1 and q3
    assert know_me_score(guesses=alex, partner_answers=[]) == 0
