"""Reads on the daily prompt, with the mutual-reveal rule applied for the requester."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from config.api.sql import CompiledQuery
from couples.models import Couple
from couples.scoping import require_active_couple
from rituals.localization import localized
from rituals.models import DailyPrompt, PromptAnswer
from rituals.visibility import prompt_answer_revealed


def with_localized_texts(daily_prompts: QuerySet[DailyPrompt], *, language: str | None) -> QuerySet[DailyPrompt]:
    """Daily prompts with their prompt's text (`prompt_text_localized`) and deck title
    (`deck_title_localized`) in `language`, joined in the same query (rituals.localization)."""
    daily_prompts = localized(
        daily_prompts, relation="prompt__translations", fields=("text",), language=language, prefix="prompt_"
    )
    return localized(
        daily_prompts, relation="prompt__deck__translations", fields=("title",), language=language, prefix="deck_"
    )


def couple_day(couple: Couple) -> date:
    """Today in the couple's home zone (Couple.time_zone): the day both partners share."""
    return timezone.now().astimezone(ZoneInfo(couple.time_zone)).date()


@dataclass(frozen=True)
class DailyPromptView:
    """A daily prompt as one partner may see it: the partner's answer only once both answered."""

    daily_prompt: DailyPrompt
    my_answer: PromptAnswer | None
    partner_answered: bool
    partner_answer: PromptAnswer | None

    @property
    def revealed(self) -> bool:
        return self.my_answer is not None and self.partner_answered


def _view(daily_prompt: DailyPrompt, answers: Iterable[PromptAnswer], user: User) -> DailyPromptView:
    mine = theirs = None
    for answer in answers:
        if answer.user_id == user.pk:
            mine = answer
        else:
            theirs = answer
    answers_given = (mine is not None) + (theirs is not None)
    revealed = theirs is not None and prompt_answer_revealed(
        author_id=theirs.user_id, viewer_id=user.pk, answers_given=answers_given
    )
    return DailyPromptView(
        daily_prompt=daily_prompt,
        my_answer=mine,
        partner_answered=theirs is not None,
        partner_answer=theirs if revealed else None,
    )


def daily_prompt_view(*, daily_prompt: DailyPrompt, user: User) -> DailyPromptView:
    """One daily prompt with the answers the user may see (one query for the answers)."""
    return _view(daily_prompt, _ANSWERS.objects(daily_prompt.pk), user)


# Read with every daily prompt shown (compiled once, config.api.sql.CompiledQuery).
_ANSWERS = CompiledQuery(lambda daily_prompt_id: PromptAnswer.objects.filter(daily_prompt_id=daily_prompt_id))


def prompt_history(*, user: User, language: str | None = None) -> QuerySet[DailyPrompt]:
    """The couple's daily prompts before today (couple-day), with prompt, deck (in `language`) and answers loaded."""
    couple = require_active_couple(user)
    history = (
        DailyPrompt.objects.visible_to(user)
        .filter(day__lt=couple_day(couple))
        .select_related("prompt__deck")
        .prefetch_related("answers")
    )
    return with_localized_texts(history, language=language)


def daily_prompt_views(*, daily_prompts: Iterable[DailyPrompt], user: User) -> list[DailyPromptView]:
    """Views of daily prompts whose `answers` were prefetched (no query per prompt)."""
    return [_view(dp, dp.answers.all(), user) for dp in daily_prompts]
