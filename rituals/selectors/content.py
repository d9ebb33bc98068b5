"""Reads of the curated content: ritual templates and prompt decks.

Content is global (not couple-owned): every signed-in user sees the same live catalogue (published
and inside its publish/unpublish window, `ContentQuerySet.live`), in the reader's language
(`rituals.localization`, joined in the same query), and nothing else ever leaves these functions.
The admin reads the models directly.
"""

from datetime import datetime
from uuid import UUID

from django.db import connection
from django.db.models import Case, Count, ExpressionWrapper, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from rituals.localization import localized
from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.content import live_q

TEMPLATE_TEXT = ("title", "description", "why_it_helps")
DECK_TEXT = ("title", "description")
PROMPT_TEXT = ("text",)


def ritual_templates_published(
    *, category: str | None = None, language: str | None = None, at: datetime | None = None
) -> QuerySet[RitualTemplate]:
    """Live templates, optionally of one category, in `language`. Callers order (the API paginates by ordering)."""
    templates = RitualTemplate.objects.live(at)
    if category:
        templates = templates.filter(category=category)
    return localized(templates, relation="translations", fields=TEMPLATE_TEXT, language=language)


def ritual_template_published(*, template_id: UUID | str, language: str | None = None) -> RitualTemplate | None:
    """One live template in `language`, or None when it does not exist or is not live (the API says 404)."""
    return ritual_templates_published(language=language).filter(id=template_id).first()


def prompts_live(*, language: str | None = None, at: datetime | None = None) -> QuerySet[Prompt]:
    """Live prompts of live decks, in `language`: the daily-prompt pool and the deck details."""
    at = at or timezone.now()
    prompts = Prompt.objects.filter(live_q(at), live_q(at, prefix="deck__"))
    return localized(prompts, relation="translations", fields=PROMPT_TEXT, language=language)


def prompt_decks_published(*, language: str | None = None, at: datetime | None = None) -> QuerySet[PromptDeck]:
    """Live decks in `language`, each annotated with `prompt_count`: its live prompts, counted in the same query."""
    at = at or timezone.now()
    decks = PromptDeck.objects.live(at).annotate(prompt_count=Count("prompts", filter=live_q(at, prefix="prompts__")))
    return localized(decks, relation="translations", fields=DECK_TEXT, language=language)


def prompt_deck_published(*, deck_id: UUID | str, language: str | None = None) -> PromptDeck | None:
    """One live deck with `prompt_count` and `published_prompts` (ordered), or None when hidden.

    Two queries whatever the deck's size: the deck, then its live prompts (each joined to its translation).
    """
    at = timezone.now()
    prompts = prompts_live(language=language, at=at).order_by("ordering", "id")
    return (
        prompt_decks_published(language=language, at=at)
        .filter(id=deck_id)
        .prefetch_related(Prefetch("prompts", queryset=prompts, to_attr="published_prompts"))
        .first()
    )


def _speaks(code: str) -> Q:
    """Templates tagged with this love-language code (JSON containment; SQLite matches the quoted code)."""
    if connection.features.supports_json_field_contains:
        return Q(love_languages__contains=[code])
    return Q(love_languages__icontains=f'"{code}"')


def ritual_templates_for_partner(*, templates: QuerySet[RitualTemplate], user: User) -> QuerySet[RitualTemplate]:
    """`templates` annotated with `partner_fit`: how well each speaks the partner's top love languages.

    The partner's first language weighs 3, the second 2, the third 1 (summed). A partner who has not
    shared a ranking (or no partner) gives every template 0, so the curated order stands; nothing about
    an unshared ranking can be read from the order. Reading the shared ranking costs two small queries
    (the partner, their profile); the fit is an annotation of the list's own query.
    """
    # The quizzes app owns who may see a ranking (imported here so app loading stays order-free).
    from quizzes.selectors import partner_love_language_ranking

    top = partner_love_language_ranking(user=user) or []
    weights = [When(_speaks(code), then=Value(3 - rank)) for rank, code in enumerate(top[:3])]
    fit = sum((Case(when, default=Value(0)) for when in weights), Value(0))
    return templates.annotate(partner_fit=ExpressionWrapper(fit, output_field=IntegerField()))
