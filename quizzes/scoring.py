"""Pure scoring of quiz submissions (no ORM): deterministic, so a result can be recomputed and checked.

Love languages: each chosen option adds its points per language; the ranking orders the five by
points, ties broken by the fixed order of `LoveLanguage` (words, time, touch, acts, gifts), so the same
answers always give the same ranking. Know-me: a guess scores a point when it names the option the
partner chose for themselves on the same question.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rituals.models.choices import LoveLanguage

LANGUAGES: tuple[str, ...] = tuple(LoveLanguage.values)


def love_language_scores(option_scores: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Points per love language over the chosen options' `scores`; unknown codes are ignored."""
    totals = dict.fromkeys(LANGUAGES, 0)
    for scores in option_scores:
        for code, points in scores.items():
            if code in totals and isinstance(points, int) and not isinstance(points, bool):
                totals[code] += points
    return totals


def love_language_ranking(scores: Mapping[str, int]) -> list[str]:
    """The five codes, most points first; ties in the fixed order of LANGUAGES."""
    return sorted(LANGUAGES, key=lambda code: (-scores.get(code, 0), LANGUAGES.index(code)))


def know_me_score(*, guesses: Sequence[Mapping[str, Any]], partner_answers: Sequence[Mapping[str, Any]]) -> int:
    """How many of one partner's guesses match the other's own answers, question by question."""
    own = {answer["question_id"]: answer["self_option_id"] for answer in partner_answers}
    return sum(1 for guess in guesses if own.get(guess["question_id"]) == guess["guess_option_id"])
