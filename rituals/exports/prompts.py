"""The daily prompt section of the personal-data export: the user's own answers, never the partner's."""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from rituals.models import PromptAnswer


def _prompt_answers(user: User) -> Iterable[dict[str, Any]]:
    answers = PromptAnswer.objects.filter(user=user).select_related("daily_prompt__prompt").order_by("created_at")
    for answer in answers:
        yield {
            "id": str(answer.id),
            "couple_id": str(answer.couple_id),
            "day": answer.daily_prompt.day.isoformat(),
            "prompt": answer.daily_prompt.prompt.text,
            "text": answer.text,
            "created_at": answer.created_at.isoformat(),
            "updated_at": answer.updated_at.isoformat(),
        }


def register() -> None:
    export.register_section("prompt_answers", PromptAnswer, _prompt_answers)
