"""Fixtures of the quiz tests: the demo quizzes (20-question love-language quiz, 6-question know-me)."""

import pytest

from quizzes.demo_content import load_demo_quizzes
from quizzes.models import Quiz


@pytest.fixture
def quizzes() -> dict[str, Quiz]:
    load_demo_quizzes()
    return {quiz.kind: quiz for quiz in Quiz.objects.all()}


@pytest.fixture
def love_quiz(quizzes) -> Quiz:
    return quizzes[Quiz.Kind.LOVE_LANGUAGE]


@pytest.fixture
def know_me(quizzes) -> Quiz:
    return quizzes[Quiz.Kind.KNOW_ME]
