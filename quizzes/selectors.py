"""Reads of quizzes and results, with the one rule of who may see a love-language ranking.

Rule: a user always sees their own ranking; the partner sees it only while the owner shares it
(`LoveLanguageProfile.shared_with_partner`) and both are in the same active couple. Every reader of a
partner's ranking (GET couple/love-languages, `?for=partner` on the templates) goes through
`partner_love_language_profile`.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from couples.scoping import require_active_couple
from couples.selectors import partner_of
from quizzes.models import KnowMeAnswers, LoveLanguageProfile, Option, Question, Quiz
from quizzes.scoring import know_me_score
from rituals.localization import localized


def quizzes_live(*, language: str | None = None) -> QuerySet[Quiz]:
    """Live quizzes (published, inside their window) in `language`: one query (rituals.localization)."""
    return localized(Quiz.objects.live(), relation="translations", fields=("title", "description"), language=language)


def quiz_live(*, quiz_id: UUID | str, language: str | None = None) -> Quiz | None:
    """One live quiz with its questions and their options, all in `language` (three queries whatever its
    size: each level joins its translations), or None."""
    options = localized(
        Option.objects.order_by("ordering", "id"), relation="translations", fields=("text",), language=language
    )
    questions = localized(
        Question.objects.order_by("ordering", "id"), relation="translations", fields=("text",), language=language
    ).prefetch_related(Prefetch("options", queryset=options))
    return (
        quizzes_live(language=language)
        .filter(id=quiz_id)
        .prefetch_related(Prefetch("questions", queryset=questions))
        .first()
    )


def love_language_profile(*, user: User) -> LoveLanguageProfile | None:
    return LoveLanguageProfile.objects.select_related("result").filter(user=user).first()


def partner_love_language_profile(*, user: User) -> LoveLanguageProfile | None:
    """The partner's profile if, and only if, the partner shares it with this user now."""
    partner = partner_of(user=user)
    if partner is None:
        return None
    return LoveLanguageProfile.objects.select_related("result").filter(user=partner, shared_with_partner=True).first()


def partner_love_language_ranking(*, user: User) -> list[str] | None:
    profile = partner_love_language_profile(user=user)
    return list(profile.result.ranking) if profile else None


@dataclass(frozen=True)
class LoveLanguages:
    """A love-language profile as the API shows it; `taken` is false (and the rest empty) before the quiz."""

    profile: LoveLanguageProfile | None

    @property
    def taken(self) -> bool:
        return self.profile is not None

    @property
    def ranking(self) -> list[str] | None:
        return list(self.profile.result.ranking) if self.profile else None

    @property
    def scores(self) -> dict[str, int] | None:
        return dict(self.profile.result.scores) if self.profile else None

    @property
    def quiz_revision(self) -> int | None:
        return self.profile.result.quiz_revision if self.profile else None

    @property
    def shared_with_partner(self) -> bool:
        return self.profile.shared_with_partner if self.profile else False

    @property
    def updated_at(self) -> datetime | None:
        return self.profile.updated_at if self.profile else None


def my_love_languages(*, user: User) -> LoveLanguages:
    return LoveLanguages(profile=love_language_profile(user=user))


@dataclass(frozen=True)
class CoupleLoveLanguages:
    me: LoveLanguages
    partner: LoveLanguages | None


def couple_love_languages(*, user: User) -> CoupleLoveLanguages:
    """Both partners' rankings as this user may see them (404 `not_paired` when unpaired)."""
    require_active_couple(user)
    partner = partner_love_language_profile(user=user)
    return CoupleLoveLanguages(
        me=my_love_languages(user=user), partner=LoveLanguages(profile=partner) if partner else None
    )


@dataclass(frozen=True)
class KnowMeView:
    """A know-me quiz as one partner sees it: the partner's answers and both scores only once both answered."""

    quiz: Quiz
    mine: KnowMeAnswers | None
    partner_answered: bool
    partner: KnowMeAnswers | None

    @property
    def revealed(self) -> bool:
        return self.partner is not None

    @property
    def my_score(self) -> int | None:
        """How many of my guesses about the partner were right."""
        if self.mine is None or self.partner is None:
            return None
        return know_me_score(guesses=self.mine.answers, partner_answers=self.partner.answers)

    @property
    def partner_score(self) -> int | None:
        if self.mine is None or self.partner is None:
            return None
        return know_me_score(guesses=self.partner.answers, partner_answers=self.mine.answers)

    @property
    def question_count(self) -> int:
        return len(self.mine.answers) if self.mine else 0


def know_me_view(*, quiz: Quiz, user: User, require_couple: bool = False) -> KnowMeView:
    """The couple's answers to a know-me quiz as `user` may see them (one query; `not_paired` if asked)."""
    if require_couple:
        require_active_couple(user)
    mine = theirs = None
    for answers in KnowMeAnswers.objects.visible_to(user).filter(quiz=quiz):
        if answers.user_id == user.pk:
            mine = answers
        else:
            theirs = answers
    revealed = mine is not None and theirs is not None
    return KnowMeView(quiz=quiz, mine=mine, partner_answered=theirs is not None, partner=theirs if revealed else None)
