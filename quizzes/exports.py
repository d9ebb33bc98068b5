"""The quiz sections of the personal-data export: the user's own results and answers only."""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from quizzes.models import KnowMeAnswers, LoveLanguageProfile, QuizResult
from rituals.exports.content import register_history


def _results(user: User) -> Iterable[dict[str, Any]]:
    for result in QuizResult.objects.filter(user=user).select_related("quiz").order_by("created_at"):
        yield {
            "id": str(result.id),
            "quiz": result.quiz.title,
            "quiz_revision": result.quiz_revision,
            "answers": result.answers,
            "scores": result.scores,
            "ranking": result.ranking,
            "created_at": result.created_at.isoformat(),
        }


def _profile(user: User) -> Iterable[dict[str, Any]]:
    for profile in LoveLanguageProfile.objects.filter(user=user).select_related("result"):
        yield {
            "result_id": str(profile.result_id),
            "ranking": profile.result.ranking,
            "shared_with_partner": profile.shared_with_partner,
            "updated_at": profile.updated_at.isoformat(),
        }


def _know_me(user: User) -> Iterable[dict[str, Any]]:
    for answers in KnowMeAnswers.objects.filter(user=user).select_related("quiz").order_by("created_at"):
        yield {
            "id": str(answers.id),
            "couple_id": str(answers.couple_id),
            "quiz": answers.quiz.title,
            "quiz_revision": answers.quiz_revision,
            "answers": answers.answers,
            "created_at": answers.created_at.isoformat(),
            "updated_at": answers.updated_at.isoformat(),
        }


def register() -> None:
    export.register_section("quiz_results", QuizResult, _results)
    export.register_section("love_language_profile", LoveLanguageProfile, _profile)
    export.register_section("know_me_answers", KnowMeAnswers, _know_me)
    register_history("quizzes")
