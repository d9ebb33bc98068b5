"""Per-locale translations of the curated content, each with a review status.

The English fields on the content rows are the source. A translation reaches the app only once it is
`approved`; drafts and translations in review are visible in the admin's "preview as locale" only.
Locales are stored lower-case (`pt-br`), as Django's `get_language()` names them.
"""

import uuid

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.validators import validate_locale

SOURCE_LOCALE = "en"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class ContentTranslation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    locale = models.CharField(
        max_length=35, validators=[validate_locale], help_text="A language tag such as de, es or pt-BR."
    )
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.locale} ({self.get_status_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.locale = self.locale.lower()
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class RitualTemplateTranslation(ContentTranslation):
    template = models.ForeignKey("rituals.RitualTemplate", on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(max_length=120)
    description = models.TextField()
    why_it_helps = models.TextField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "locale"], name="template_translation_once_per_locale")
        ]


class PromptDeckTranslation(ContentTranslation):
    deck = models.ForeignKey("rituals.PromptDeck", on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deck", "locale"], name="deck_translation_once_per_locale")]


class PromptTranslation(ContentTranslation):
    prompt = models.ForeignKey("rituals.Prompt", on_delete=models.CASCADE, related_name="translations")
    text = models.CharField(max_length=400)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prompt", "locale"], name="prompt_translation_once_per_locale")]
