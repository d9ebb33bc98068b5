"""Content the team curates in the admin: ritual templates and conversation prompt decks."""

import uuid

from django.db import models
from django.utils import timezone

from rituals.models.choices import Category


class RitualTemplate(models.Model):
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
    is_published = models.BooleanField(default=False)
    ordering = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ordering", "title"]
        indexes = [models.Index(fields=["is_published", "ordering"], name="template_published_order")]

    def __str__(self) -> str:
        return self.title


class PromptDeck(models.Model):
    class Kind(models.TextChoices):
        CONVERSATION = "conversation", "Conversation questions"
        LOVE_MAP = "love_map", "Love map questions"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONVERSATION)
    is_published = models.BooleanField(default=False)
    ordering = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ordering", "title"]

    def __str__(self) -> str:
        return self.title


class Prompt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deck = models.ForeignKey(PromptDeck, on_delete=models.CASCADE, related_name="prompts")
    text = models.CharField(max_length=400)
    is_published = models.BooleanField(default=True)
    ordering = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["deck", "ordering"]
        indexes = [models.Index(fields=["deck", "is_published", "ordering"], name="prompt_deck_order")]

    def __str__(self) -> str:
        return self.text[:60]
