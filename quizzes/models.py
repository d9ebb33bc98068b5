"""Quizzes curated in the admin, and what users submitted.

A quiz's `revision` goes up with every change to its questions and options (quizzes.signals). A
submission stores the revision it was taken at and a snapshot of every question and option it
chose, and its scores are computed once, when it is submitted: editing a quiz later never changes a
stored result. Quizzes, questions and options have per-locale translations, reviewed like the other
content (rituals.models.translations); stored snapshots keep the English source text.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from couples.scoping import CoupleOwned
from rituals.models.content import Scheduled
from rituals.models.translations import ContentTranslation


class Quiz(Scheduled):
    class Kind(models.TextChoices):
        LOVE_LANGUAGE = "love_language", "Love languages (a ranking of the five)"
        KNOW_ME = "know_me", "How well do you know me (answer for yourself, guess your partner)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    revision = models.PositiveIntegerField(default=1, editable=False)
    ordering = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["revision", "updated_at"])

    class Meta:
        ordering = ["ordering", "title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    ordering = models.PositiveIntegerField(default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["quiz", "ordering", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Option(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=300)
    ordering = models.PositiveIntegerField(default=100)
    # Love-language quizzes: points per love-language code, e.g. {"words": 2}. Unused by know-me quizzes.
    scores = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "ordering", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class QuizResult(models.Model):
    """One user's submission of a love-language quiz: personal, never couple-owned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_results")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="+")
    quiz_revision = models.PositiveIntegerField()
    # [{"question_id", "question", "option_id", "option"}] as the quiz read when it was submitted.
    answers = models.JSONField()
    # {"words": 7, "time": 3, ...}: every love language, computed at submission.
    scores = models.JSONField()
    # The five codes, best first (ties broken by a fixed order of the languages).
    ranking = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="quiz_result_user_recent")]

    def __str__(self) -> str:
        return f"result {self.id}"


class LoveLanguageProfile(models.Model):
    """The user's current love-language ranking and whether the partner may see it (default: no)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="love_language_profile"
    )
    result = models.ForeignKey(QuizResult, on_delete=models.CASCADE, related_name="+")
    shared_with_partner = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"love languages of {self.user_id}"


class KnowMeAnswers(CoupleOwned):
    """One partner's answers to a know-me quiz: for themselves and a guess of the partner's answer.

    Revealed to the partner (and scored) only once both partners submitted, as daily prompts are.
    """

    # No index of its own: know_me_once_per_couple_quiz_user starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="know_me_answers")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="+")
    quiz_revision = models.PositiveIntegerField()
    # [{"question_id", "question", "self_option_id", "self_option", "guess_option_id", "guess_option"}].
    answers = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple", "quiz", "user"], name="know_me_once_per_couple_quiz_user")
        ]
        verbose_name_plural = "know-me answers"

    def __str__(self) -> str:
        return f"know-me answers {self.id}"


class QuizTranslation(ContentTranslation):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quiz", "locale"], name="quiz_translation_once_per_locale")]


class QuestionTranslation(ContentTranslation):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="translations")
    text = models.CharField(max_length=300)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "locale"], name="question_translation_once_per_locale")
        ]


class OptionTranslation(ContentTranslation):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="translations")
    text = models.CharField(max_length=300)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["option", "locale"], name="option_translation_once_per_locale")]
