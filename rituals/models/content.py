"""Content the team curates in the admin: ritual templates and conversation prompt decks.

Every item is live (`ContentQuerySet.live`) while it is published and inside its optional
`publish_at`/`unpublish_at` window, read at request time, so a scheduled item appears and disappears
on its own without a deploy. Every change is recorded by django-simple-history (author and diff,
revertable from the admin).
"""

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from rituals.models.choices import Category


def live_q(at: datetime, prefix: str = "") -> Q:
    """Published, and inside the item's schedule at `at` (`publish_at` inclusive, `unpublish_at` exclusive)."""
    return (
        Q(**{f"{prefix}is_published": True})
        & (Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": at}))
        & (Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": at}))
    )


class ContentQuerySet(models.QuerySet[Any]):
    def live(self, at: datetime | None = None) -> "ContentQuerySet":
        """What the app may show now: the one rule for lists, details, the prompt pool and the admin."""
        return self.filter(live_q(at or timezone.now()))


class Scheduled(models.Model):
    """`is_published` is the editor's switch; the window narrows it. Both ends are optional."""

    is_published = models.BooleanField(default=False)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="Shown in the app from this moment (empty: as soon as published)."
    )
    unpublish_at = models.DateTimeField(
        null=True, blank=True, help_text="Hidden from the app from this moment (empty: never)."
    )

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError(
                {"unpublish_at": ValidationError("Must be after the publish time.", code="unpublish_before_publish")}
            )

    def is_live(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return (
            self.is_published
            and (self.publish_at is None or self.publish_at <= at)
            and (self.unpublish_at is None or self.unpublish_at > at)
        )


class RitualTemplate(Scheduled):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField()
    why_it_helps = models.TextField(help_text="The research behind it, in plain words, shown in the app.")
    category = models.CharField(max_length=30, choices=Category.choices)
    # An RRULE of the supported subset (see rituals.recurrence), e.g. "FREQ=WEEKLY;BYDAY=SU".
    suggested_rrule = models.CharField(max_length=200)
    suggested_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=10)
    love_languages = models.JSONField(default=list, blank=True, help_text="Codes from LoveLanguage.")
    is_joint = models.BooleanField(default=True, help_text="Done together (joint) or by each partner alone.")
    ordering = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ordering", "title"]
        indexes = [models.Index(fields=["is_published", "ordering"], name="template_published_order")]

    def __str__(self) -> str:
        return self.title


class PromptDeck(Scheduled):
    class Kind(models.TextChoices):
        CONVERSATION = "conversation", "Conversation questions"
        LOVE_MAP = "love_map", "Love map questions"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONVERSATION)
    ordering = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ordering", "title"]

    def __str__(self) -> str:
        return self.title


class Prompt(Scheduled):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deck = models.ForeignKey(PromptDeck, on_delete=models.CASCADE, related_name="prompts")
    text = models.CharField(max_length=400)
    is_published = models.BooleanField(default=True)
    ordering = models.PositiveIntegerField(default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deck", "ordering"]
        indexes = [models.Index(fields=["deck", "is_published", "ordering"], name="prompt_deck_order")]

    def __str__(self) -> str:
        return self.text[:60]
