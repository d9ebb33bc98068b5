"""Writes on the daily prompt: choosing the couple's question of the day, and answering it.

Reveal rule (mutual reveal): a partner's answer stays hidden until both partners have answered.
Until then each partner may edit their own answer; once both have answered the answers are
revealed and locked (409 `answers_revealed`), so nobody rewrites an answer after reading the
other one.
"""

import uuid
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Random
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.errors import ConflictError, IdConflictError, NotFoundError
from config.api.sql import CompiledQuery
from couples.models import Couple
from couples.scoping import require_active_couple
from couples.selectors import partner_of
from messaging.catalog import notification_key
from notifications.models import Notification
from notifications.services import notify
from rituals.models import DailyPrompt, Prompt, PromptAnswer
from rituals.models.content import live_q
from rituals.selectors.prompts import couple_day, with_localized_texts
from sync.changes import stamped_once
from sync.receivers import touch

ANSWER_MAX_LENGTH = 2000


class NoPromptsError(NotFoundError):
    code = "no_prompts_available"
    message = _("There is no conversation prompt yet. Check back later.")


class AnswersRevealedError(ConflictError):
    code = "answers_revealed"
    message = _("You both answered, so the answers are revealed and can no longer be changed.")


class AlreadyAnsweredError(ConflictError):
    code = "already_answered"
    message = _("You already answered this question (under another id). Pull to get your answer.")


class PromptDayOverError(ConflictError):
    code = "prompt_day_over"
    message = _("A new day started and it has a new prompt. Reload it.")


def _pick_prompt(couple: Couple) -> Prompt | None:
    """A live prompt of a live deck the couple has not had yet, at random; when all were used, the least
    recently used. Scheduled prompts and decks are in the pool only inside their publish window.

    One query: prompts never used have no last day (NULLS FIRST) and are shuffled among themselves.
    """
    last_used = DailyPrompt.objects.filter(couple=couple, prompt=OuterRef("pk")).order_by("-day").values("day")[:1]
    now = timezone.now()
    return (
        Prompt.objects.filter(live_q(now), live_q(now, prefix="deck__"))
        .annotate(last_used=Subquery(last_used))
        .order_by(F("last_used").asc(nulls_first=True), Random())
        .first()
    )


def _daily_prompts(language: str | None) -> QuerySet[DailyPrompt]:
    return with_localized_texts(DailyPrompt.objects.select_related("prompt__deck"), language=language)


def _daily_prompt(couple: Couple, day: date, language: str | None) -> DailyPrompt | None:
    """The couple's prompt of `day` with its texts in `language`: read on every app start, so its
    query (two translation joins) is compiled once per language (config.api.sql.CompiledQuery)."""
    compiled = _DAILY_PROMPT.get(language)
    if compiled is None:
        compiled = _DAILY_PROMPT[language] = CompiledQuery(
            lambda couple_id, day: _daily_prompts(language).filter(couple_id=couple_id, day=day)[:1]
        )
    found = compiled.objects(couple.pk, day)
    return found[0] if found else None


# Per language the API answers in (settings.LANGUAGES: a handful).
_DAILY_PROMPT: dict[str | None, CompiledQuery] = {}


def daily_prompt_for(*, couple: Couple, day: date, language: str | None = None) -> DailyPrompt:
    """The couple's prompt of `day`, chosen on first request; the same row for both partners. Its texts
    come in `language` (`prompt_text_localized`, `deck_title_localized`).

    Both phones may ask at the same instant: each picks a candidate, and the insert is
    `INSERT … ON CONFLICT (couple, day) DO NOTHING`. Postgres makes the second insert wait for the
    first transaction and then skip, and the read after it (a new snapshot under READ COMMITTED)
    returns the winner's row. So there is one row, both get the same prompt, and nobody gets a 500.
    """
    # Chosen already on every read but the day's first: no transaction for that read.
    existing = _daily_prompt(couple, day, language)
    if existing is not None:
        return existing
    return _daily_prompt_choose(couple, day, language)


@transaction.atomic
def _daily_prompt_choose(couple: Couple, day: date, language: str | None) -> DailyPrompt:
    prompt = _pick_prompt(couple)
    if prompt is None:
        raise NoPromptsError()
    created = DailyPrompt.objects.bulk_create(
        [DailyPrompt(couple=couple, day=day, prompt=prompt)], ignore_conflicts=True
    )
    # Ours, or the row of the request that won the race (committed before our insert went on).
    daily = _daily_prompts(language).get(couple=couple, day=day)
    if created and created[0].pk == daily.pk:
        touch(daily)  # bulk_create sends no signal: tell sync explicitly (only the winner does)
    return daily


def _validate_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": ValidationError(_("Write your answer."), code="required")})
    if len(text) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    gettext("Keep it to %(limit)s characters.") % {"limit": ANSWER_MAX_LENGTH}, code="max_length"
                )
            }
        )
    return text


@transaction.atomic
@stamped_once
def prompt_answer(*, daily_prompt: DailyPrompt, user: User, text: str, id: UUID | None = None) -> PromptAnswer:
    """Records (or, before the reveal, edits) the user's answer, and tells the partner.

    The daily prompt row is locked, so two partners answering at the same instant are applied one
    after the other: exactly one of them is the second answer that reveals both. `id` is the app's
    own id for a new answer (sync); an answer the user already gave keeps its id, and an answer
    under another id is a 409 `already_answered`. Sending the text already stored is a no-op, also
    after the reveal (a replay).
    """
    text = _validate_text(text)
    DailyPrompt.objects.select_for_update().filter(pk=daily_prompt.pk).values_list("pk", flat=True).get()
    answers = {answer.user_id: answer for answer in PromptAnswer.objects.filter(daily_prompt=daily_prompt)}
    mine = answers.pop(user.pk, None)
    partner_answered = bool(answers)
    if mine is not None and id is not None and mine.pk != id:
        raise AlreadyAnsweredError()
    if mine is not None and mine.text == text:
        return mine
    if mine is not None and partner_answered:
        raise AnswersRevealedError()
    if mine is None and id is not None and PromptAnswer.objects.filter(pk=id).exists():
        raise IdConflictError()
    now = timezone.now()
    if mine is None:
        mine = PromptAnswer.objects.create(
            id=id or uuid.uuid4(),
            couple_id=daily_prompt.couple_id,
            daily_prompt=daily_prompt,
            user=user,
            text=text,
            created_at=now,
            updated_at=now,
        )
    elif mine.text != text:
        mine.text = text
        mine.updated_at = now
        mine.save(update_fields=["text", "updated_at"])

    partner = partner_of(user=user)
    if partner is not None:
        # One notification per partner and prompt: edits before the reveal do not ping again.
        notify(
            recipient=partner,
            kind=Notification.Kind.PROMPT_ANSWERED,
            message=notification_key(Notification.Kind.PROMPT_ANSWERED, "both" if partner_answered else ""),
            params={"partner_name": user.display_name},
            data={"screen": "prompt_today", "daily_prompt_id": str(daily_prompt.id)},
            dedupe_key=f"prompt_answered:{daily_prompt.id}:{user.pk}",
        )
    return mine


def prompt_today_for(*, user: User, language: str | None = None) -> DailyPrompt:
    """Today's prompt of the user's active couple, its texts in `language` (404 `not_paired` when unpaired)."""
    couple = require_active_couple(user)
    return daily_prompt_for(couple=couple, day=couple_day(couple), language=language)


def prompt_answer_today(
    *, user: User, text: str, daily_prompt_id: UUID | None = None, language: str | None = None
) -> DailyPrompt:
    """Answers today's prompt of the user's couple and returns it (its texts in `language`).

    `daily_prompt_id` is the prompt the app displayed: when the couple-day rolled over since, the
    answer would land on a question the user never saw, so it is refused with 409 `prompt_day_over`.
    """
    daily_prompt = prompt_today_for(user=user, language=language)
    if daily_prompt_id is not None and daily_prompt_id != daily_prompt.id:
        raise PromptDayOverError()
    prompt_answer(daily_prompt=daily_prompt, user=user, text=text)
    return daily_prompt
