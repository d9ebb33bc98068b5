"""Reads of the curated content: ritual templates and prompt decks.

Content is global (not couple-owned): every signed-in user sees the same published catalogue, and
nothing unpublished ever leaves these functions. The admin reads the models directly.
"""

from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet

from rituals.models import Prompt, PromptDeck, RitualTemplate


def ritual_templates_published(*, category: str | None = None) -> QuerySet[RitualTemplate]:
    """Published templates, optionally of one category. Callers order (the API paginates by ordering)."""
    templates = RitualTemplate.objects.filter(is_published=True)
    if category:
        templates = templates.filter(category=category)
    return templates


def ritual_template_published(*, template_id: UUID | str) -> RitualTemplate | None:
    """One published template, or None when it does not exist or is not published (the API says 404)."""
    return RitualTemplate.objects.filter(is_published=True, id=template_id).first()


def _published_prompts() -> QuerySet[Prompt]:
    return Prompt.objects.filter(is_published=True).order_by("ordering", "id")


def prompt_decks_published() -> QuerySet[PromptDeck]:
    """Published decks, each annotated with `prompt_count`: its published prompts, counted in the same query."""
    return PromptDeck.objects.filter(is_published=True).annotate(
        prompt_count=Count("prompts", filter=Q(prompts__is_published=True))
    )


def prompt_deck_published(*, deck_id: UUID | str) -> PromptDeck | None:
    """One published deck with `prompt_count` and `published_prompts` (ordered), or None when hidden.

    Two queries whatever the deck's size: the deck, then its published prompts.
    """
    return (
        prompt_decks_published()
        .filter(id=deck_id)
        .prefetch_related(Prefetch("prompts", queryset=_published_prompts(), to_attr="published_prompts"))
        .first()
    )
